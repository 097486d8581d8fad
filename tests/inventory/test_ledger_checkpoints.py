"""Anchored ledger: signed daily checkpoints, verification against them, the audit trail."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from ketaclinic.audit.models import AuditEvent
from ketaclinic.inventory import anchors, services
from ketaclinic.inventory.models import (
    AppendOnlyError,
    LedgerChainHead,
    LedgerCheckpoint,
    LedgerEntry,
)
from tests.inventory.test_ledger_tamper import ledger  # noqa: F401 (the eight-entry fixture)

pytestmark = pytest.mark.django_db
TABLE = LedgerEntry._meta.db_table


@pytest.fixture(autouse=True)
def key_dir(settings, tmp_path, monkeypatch):
    """The checkpoint key goes to a temporary var/, never the work tree."""
    monkeypatch.delenv(anchors.ENV, raising=False)
    settings.VAR_DIR = tmp_path
    return tmp_path


def run(command: str, *args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def sql(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("{table}", TABLE), params)


def cut_tail_and_rewind_head(clinic, keep: int) -> None:
    """What a knowing tamperer does: delete the last rows and rewind the chain-head row."""
    kept = LedgerEntry.objects.get(clinic=clinic, sequence=keep)
    sql("DELETE FROM {table} WHERE clinic_id = %s AND sequence > %s", [clinic.pk.hex, keep])
    LedgerChainHead.objects.filter(clinic=clinic).update(sequence=keep, head_hash=kept.hash)


@pytest.fixture
def officers(auditor, clinic_admin):
    auditor.email = "avery.chen@example.com"
    auditor.save()
    clinic_admin.email = "alex.morgan@example.com"
    clinic_admin.save()
    return [auditor, clinic_admin]


def test_checkpoint_ledger_writes_a_signed_head_and_emails_the_compliance_officers(
    ledger,  # noqa: F811
    clinic,
    officers,
    key_dir,
):
    # when the daily command runs
    code, out, _ = run("checkpoint_ledger")
    # then one checkpoint holds the clinic's head, signed with the key under var/
    assert code == 0
    checkpoint = LedgerCheckpoint.objects.get(clinic=clinic)
    head = LedgerChainHead.objects.get(clinic=clinic)
    assert (checkpoint.sequence, checkpoint.head_hash) == (8, head.head_hash)
    key = (key_dir / "ledger_checkpoint_key").read_text()
    assert len(bytes.fromhex(key)) == 32
    assert (key_dir / "ledger_checkpoint_key").stat().st_mode & 0o777 == 0o600
    assert checkpoint.key_fingerprint == anchors.fingerprint(bytes.fromhex(key))
    assert f"sequence 8, head {head.head_hash}" in out
    # the compliance officers got the head by email
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["alex.morgan@example.com", "avery.chen@example.com"]
    assert head.head_hash in message.body
    assert "Sequence: 8" in message.body
    # and it is audited
    event = AuditEvent.objects.get(action="ledger.checkpoint_taken")
    assert event.changes["hash"] == head.head_hash


def test_checkpoints_cannot_be_changed_or_removed_through_the_application(ledger, clinic):  # noqa: F811
    checkpoint = services.take_checkpoint(clinic)
    with pytest.raises(AppendOnlyError):
        LedgerCheckpoint.objects.filter(pk=checkpoint.pk).update(sequence=1)
    with pytest.raises(AppendOnlyError):
        LedgerCheckpoint.objects.filter(pk=checkpoint.pk).delete()
    with pytest.raises(AppendOnlyError):
        checkpoint.delete()
    checkpoint.sequence = 1
    with pytest.raises(AppendOnlyError):
        checkpoint.save()


def test_a_cut_tail_with_a_rewound_head_fails_naming_the_checkpoint(ledger, clinic):  # noqa: F811
    # given a checkpoint at entry #8
    checkpoint = services.take_checkpoint(clinic)
    # the chain alone (its head rewound to match) no longer sees anything wrong
    cut_tail_and_rewind_head(clinic, keep=5)
    # when verified (by default against the latest checkpoint)
    code, _, err = run("verify_ledger")
    # then exit 1, naming the checkpoint that disagrees: id, time and sequence
    assert code == 1
    assert f"DISAGREES with checkpoint {checkpoint.pk} of " in err
    assert f"{checkpoint.taken_at:%Y-%m-%d %H:%M:%S} UTC (sequence 8" in err
    assert "chain ends at sequence 5, before the checkpoint's sequence 8" in err
    # the movements' audit events show which entries are gone
    assert err.count("MISSING ENTRY") == 3
    # and --full says the same
    code, _, err = run("verify_ledger", "--full")
    assert code == 1
    assert f"DISAGREES with checkpoint {checkpoint.pk}" in err
    assert AuditEvent.objects.filter(action="ledger.verification_failed").count() == 2


def test_a_rewritten_tail_after_a_checkpoint_is_named(ledger, clinic, nurse, ketamine_lot, safe):  # noqa: F811
    # given a checkpoint at #8 and a knowing forger who rebuilds entries 6-8 with valid hashes
    checkpoint = services.take_checkpoint(clinic)
    cut_tail_and_rewind_head(clinic, keep=5)
    services.count_stock(actor=nurse, lot=ketamine_lot, location=safe, counted="500")
    services.count_stock(actor=nurse, lot=ketamine_lot, location=safe, counted="500")
    services.count_stock(actor=nurse, lot=ketamine_lot, location=safe, counted="500")
    # when verified
    code, _, err = run("verify_ledger")
    # then entry #8 is not the one the checkpoint wrote down
    assert code == 1
    assert f"DISAGREES with checkpoint {checkpoint.pk}" in err
    assert "entry #8 now has hash" in err


def test_a_checkpoint_edited_in_the_database_fails_its_hmac(ledger, clinic):  # noqa: F811
    checkpoint = services.take_checkpoint(clinic)
    cut_tail_and_rewind_head(clinic, keep=5)
    # the forger also moves the checkpoint back to the rewound head, without the key
    kept = LedgerEntry.objects.get(clinic=clinic, sequence=5)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {LedgerCheckpoint._meta.db_table} SET sequence = 5, head_hash = %s "
            "WHERE id = %s",
            [kept.hash, checkpoint.pk.hex],
        )
    code, _, err = run("verify_ledger")
    assert code == 1
    assert f"DISAGREES with checkpoint {checkpoint.pk}" in err
    assert "HMAC does not verify" in err


def test_verification_is_incremental_from_the_checkpoint(
    ledger,  # noqa: F811
    clinic,
    nurse,
    ketamine_lot,
    safe,
):
    checkpoint = services.take_checkpoint(clinic)
    services.count_stock(actor=nurse, lot=ketamine_lot, location=safe, counted="500")
    code, out, _ = run("verify_ledger")
    assert code == 0
    assert "intact, 2 entries from #8" in out
    assert f"agrees with checkpoint {checkpoint.pk}" in out
    code, out, _ = run("verify_ledger", "--full")
    assert code == 0
    assert "intact, 9 entries" in out


def test_an_entry_changed_before_the_checkpoint_is_found_by_full(ledger, clinic):  # noqa: F811
    services.take_checkpoint(clinic)
    sql("UPDATE {table} SET reason = %s WHERE sequence = %s", ["edited", 3])
    code, _, err = run("verify_ledger", "--full")
    assert code == 1
    assert "BROKEN at entry #3" in err


def test_an_audit_event_without_its_entry_fails_verification(ledger, clinic):  # noqa: F811
    # no checkpoint yet: the chain with its head rewound verifies, the audit trail does not
    cut_tail_and_rewind_head(clinic, keep=7)
    code, _, err = run("verify_ledger")
    assert code == 1
    assert "MISSING ENTRY for audit event ledger.administration" in err


def test_no_checkpoint_over_a_broken_chain(ledger, clinic, officers):  # noqa: F811
    sql("UPDATE {table} SET reason = %s WHERE sequence = %s", ["edited", 3])
    code, _, err = run("checkpoint_ledger")
    assert code == 1
    assert "NOT CHECKPOINTED" in err
    assert not LedgerCheckpoint.objects.exists()
    assert mail.outbox == []
    assert AuditEvent.objects.filter(action="ledger.verification_failed").exists()


def test_the_api_reports_the_checkpoint(ledger, clinic, api, auditor):  # noqa: F811
    checkpoint = services.take_checkpoint(clinic)
    body = api(auditor).get("/ledger/verify").json()
    assert body["valid"] is True
    assert body["mode"] == "incremental"
    assert body["checkpoint"]["id"] == str(checkpoint.pk)
    assert body["checkpoint"]["valid"] is True
    cut_tail_and_rewind_head(clinic, keep=5)
    body = api(auditor).get("/ledger/verify").json()
    assert body["valid"] is False
    assert body["checkpoint"]["sequence"] == 8
    assert body["checkpoint"]["valid"] is False
    assert "before the checkpoint's sequence 8" in body["checkpoint"]["reason"]
    assert body["audit_events_without_entry"] == 3


def test_a_rotated_key_keeps_earlier_checkpoints_verifiable(ledger, clinic, key_dir):  # noqa: F811
    first = services.take_checkpoint(clinic)
    # the administrator retires the key as the operations guide says
    (key_dir / "ledger_checkpoint_key").rename(key_dir / "ledger_checkpoint_retired_20261201_key")
    second = services.take_checkpoint(clinic)
    assert second.key_fingerprint != first.key_fingerprint
    code, out, _ = run("verify_ledger")
    assert code == 0
    assert f"agrees with checkpoint {second.pk}" in out
    # without the retired key, the older checkpoint no longer verifies
    (key_dir / "ledger_checkpoint_retired_20261201_key").unlink()
    checkpoints_table = LedgerCheckpoint._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {checkpoints_table} WHERE id = %s", [second.pk.hex])
    code, _, err = run("verify_ledger")
    assert code == 1
    assert f"DISAGREES with checkpoint {first.pk}" in err
    assert f"not on this server, fingerprint {first.key_fingerprint}" in err
