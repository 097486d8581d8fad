"""Tamper evidence: rows changed, deleted or inserted directly in the database are named."""

import copy
import io
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models.sql import InsertQuery

from ketaclinic.inventory import rules, services
from ketaclinic.inventory.models import EntryType, LedgerChainHead, LedgerEntry

pytestmark = pytest.mark.django_db
TABLE = LedgerEntry._meta.db_table


@pytest.fixture
def ledger(ketamine_lot, safe, cart, session, nurse, nurse2, witness_of, at):
    """Eight entries: receipt, transfer, draw, administration, waste, count, draw, admin."""
    services.transfer_stock(
        actor=nurse, lot=ketamine_lot, from_location=safe, to_location=cart, quantity="500"
    )
    services.draw_for_session(
        actor=nurse, session=session, lot=ketamine_lot, location=cart, quantity="50", now=at()
    )
    services.administer(actor=nurse, session=session, quantity="40", now=at(minutes=5))
    services.record_waste(
        actor=nurse,
        session=session,
        quantity="5",
        method="sink",
        witness=witness_of(nurse2),
        now=at(minutes=45),
    )
    services.count_stock(
        actor=nurse, lot=ketamine_lot, location=safe, counted="500", now=at(hours=1)
    )
    services.draw_for_session(
        actor=nurse, session=session, lot=ketamine_lot, location=cart, quantity="5", now=at(hours=2)
    )
    services.administer(actor=nurse, session=session, quantity="10", now=at(hours=2, minutes=5))
    assert LedgerEntry.objects.count() == 8
    return LedgerEntry.objects.order_by("sequence")


def verify(*args) -> tuple[int, str, str]:
    """Run `ketaclinic verify_ledger`; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_ledger", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def sql(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("{table}", TABLE), params)


def raw_insert(entry: LedgerEntry) -> None:
    """Insert a row straight into the table, past every model and queryset guard."""
    query = InsertQuery(LedgerEntry)
    query.insert_values(LedgerEntry._meta.concrete_fields, [entry])
    with connection.cursor() as cursor:
        for statement, params in query.get_compiler(using="default").as_sql():
            cursor.execute(statement, params)


def forged_copy(original: LedgerEntry, *, sequence: int, prev_hash: str) -> LedgerEntry:
    """A copy of an entry under a new id with a correctly computed hash (a knowing forger)."""
    forged = copy.copy(original)
    forged.pk = forged.id = uuid.uuid4()
    forged.sequence = sequence
    forged.prev_hash = prev_hash
    forged.quantity = Decimal("100")
    forged.hash = rules.chain_hash(prev_hash, forged.hash_content())
    return forged


def test_an_untouched_ledger_verifies_and_prints_its_head(ledger, clinic):
    # when the ledger is verified
    code, out, _ = verify()
    # then it exits 0 with the entry count and the head hash
    head = LedgerChainHead.objects.get(clinic=clinic).head_hash
    assert code == 0
    assert f"{clinic.slug}: intact, 8 entries, head {head}" in out


def test_a_quantity_changed_in_the_database_fails_at_that_entry(ledger):
    # given the 3rd entry's quantity rewritten with SQL
    target = ledger[2]
    sql("UPDATE {table} SET quantity = %s WHERE sequence = %s", [Decimal("5"), 3])
    # when verified
    code, _, err = verify()
    # then exit 1, naming entry 3 by sequence and id
    assert code == 1
    assert f"BROKEN at entry #3 (id {target.pk})" in err
    assert "changed" in err


def test_a_changed_witness_name_is_caught(ledger):
    waste = LedgerEntry.objects.get(entry_type=EntryType.WASTE)
    sql(
        "UPDATE {table} SET witness_name = %s WHERE sequence = %s", ["Someone Else", waste.sequence]
    )
    code, _, err = verify()
    assert code == 1
    assert f"entry #{waste.sequence}" in err


def test_a_deleted_row_fails_at_the_entry_after_it(ledger):
    # given the count (entry 6) deleted with SQL
    after = ledger[6]
    sql("DELETE FROM {table} WHERE sequence = %s", [6])
    # when verified
    code, _, err = verify()
    # then exit 1 at entry 7, saying entry 6 is missing
    assert code == 1
    assert f"BROKEN at entry #7 (id {after.pk})" in err
    assert "entry 6 is missing" in err


def test_deleting_the_last_row_is_caught_by_the_chain_head(ledger):
    sql("DELETE FROM {table} WHERE sequence = %s", [8])
    code, _, err = verify()
    assert code == 1
    assert "BROKEN at entry #8" in err
    assert "deleted" in err


def test_a_row_appended_with_a_valid_hash_outside_the_ledger_is_named(ledger, clinic):
    # given a forged draw appended after the head with a correctly computed hash
    head = LedgerChainHead.objects.get(clinic=clinic)
    forged = forged_copy(ledger[2], sequence=9, prev_hash=head.head_hash)
    raw_insert(forged)
    # when verified
    code, _, err = verify()
    # then the forged row is named as inserted
    assert code == 1
    assert f"BROKEN at entry #9 (id {forged.pk})" in err
    assert "inserted" in err


def test_a_row_inserted_in_the_middle_is_named_even_after_renumbering(ledger):
    # given the entries from 4 on renumbered to make room, and a forged entry 4 linked
    # correctly to entry 3
    sql("UPDATE {table} SET sequence = sequence + 1000 WHERE sequence >= %s", [4])
    sql("UPDATE {table} SET sequence = sequence - 999 WHERE sequence >= %s", [1004])
    forged = forged_copy(ledger[2], sequence=4, prev_hash=ledger[2].hash)
    raw_insert(forged)
    # when verified
    code, _, err = verify()
    # then the inserted row is the first bad entry
    assert code == 1
    assert f"BROKEN at entry #4 (id {forged.pk})" in err
    assert "inserted" in err


def test_a_row_inserted_with_a_made_up_hash_is_named(ledger, clinic):
    head = LedgerChainHead.objects.get(clinic=clinic)
    forged = forged_copy(ledger[2], sequence=9, prev_hash=head.head_hash)
    forged.hash = "f" * 64
    raw_insert(forged)
    code, _, err = verify()
    assert code == 1
    assert f"entry #9 (id {forged.pk})" in err


def test_a_saved_head_still_verifies_after_more_entries(ledger, clinic, ketamine_lot, safe, nurse):
    # given the head printed yesterday, and a count today
    saved = LedgerChainHead.objects.get(clinic=clinic).head_hash
    services.count_stock(actor=nurse, lot=ketamine_lot, location=safe, counted="500")
    # when verified against the saved head
    code, out, _ = verify("--head", saved, "--clinic", clinic.slug)
    # then it is intact
    assert code == 0
    assert "intact, 9 entries" in out


def test_a_ledger_rewritten_since_the_saved_head_fails(ledger, clinic):
    # given a saved head, then the whole chain rewritten consistently from entry 3 on
    saved = LedgerChainHead.objects.get(clinic=clinic).head_hash
    prev = ledger[1].hash
    for entry in list(ledger)[2:]:
        if entry.sequence == 3:
            entry.quantity = Decimal("1")
        digest = rules.chain_hash(prev, entry.hash_content())
        sql(
            "UPDATE {table} SET quantity = %s, prev_hash = %s, hash = %s WHERE sequence = %s",
            [entry.quantity, prev, digest, entry.sequence],
        )
        prev = digest
    LedgerChainHead.objects.filter(clinic=clinic).update(head_hash=prev)
    # when verified without and with the saved head
    alone, _, _ = verify()
    code, _, err = verify("--head", saved)
    # then only the saved head exposes the rewrite
    assert alone == 0
    assert code == 1
    assert saved in err


def test_a_malformed_head_is_an_error(ledger):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("verify_ledger", "--head", "not-a-hash")


def test_the_api_answers_valid_with_entries_and_head(ledger, api, auditor, clinic):
    body = api(auditor).get("/ledger/verify").json()
    head = LedgerChainHead.objects.get(clinic=clinic).head_hash
    assert body == {
        "valid": True,
        "entries": 8,
        "head": head,
        "mode": "full",
        "from_sequence": 0,
        "first_bad_entry": None,
        "checkpoint": None,
        "audit_events_checked": 8,
        "audit_events_without_entry": 0,
    }


def test_the_api_names_the_first_bad_entry(ledger, api, auditor):
    target = ledger[4]
    sql("UPDATE {table} SET reason = %s WHERE sequence = %s", ["edited", 5])
    body = api(auditor).get("/ledger/verify").json()
    assert body["valid"] is False
    assert body["first_bad_entry"]["sequence"] == 5
    assert body["first_bad_entry"]["id"] == str(target.pk)


def test_the_api_checks_a_saved_head(ledger, api, auditor):
    response = api(auditor).get("/ledger/verify", head="a" * 64)
    assert response.json()["valid"] is False
    assert api(auditor).get("/ledger/verify", head="xyz").status_code == 422
