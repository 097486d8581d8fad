"""Backups carry the ledger checkpoint key; restore checks the checkpoints with it."""

import pytest
from django.core.management import call_command
from django.db import connection

from ketaclinic.inventory.models import LedgerChainHead, LedgerEntry
from tests.core.backup_support import clinic_data, restore, var_dir  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_restore_on_a_new_host_verifies_the_checkpoints_with_the_archived_key(
    tmp_path,
    clinic_data,  # noqa: F811
    var_dir,  # noqa: F811
):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip runs when the suite runs on SQLite")
    # given a checkpoint of each clinic, signed with this host's key, and a backup
    call_command("checkpoint_ledger", stdout=None)
    key = (var_dir / "ledger_checkpoint_key").read_bytes()
    path = tmp_path / "with-checkpoints.tar.gz"
    call_command("backup", str(path))
    # when it is restored on a host that has no checkpoint key (a fresh var/)
    done = restore(tmp_path, path, f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    # then the restored checkpoints verify with the archive's key, and the key is put back
    assert done.returncode == 0, done.stderr
    assert "Restore complete: every check passed." in done.stdout
    assert (tmp_path / "var-target" / "ledger_checkpoint_key").read_bytes() == key


def test_a_checkpoint_the_restored_ledger_does_not_reach_makes_restore_fail(
    tmp_path,
    clinic_data,  # noqa: F811
    var_dir,  # noqa: F811
    clinic,
):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip runs when the suite runs on SQLite")
    # given a backup whose checkpoint is ahead of its ledger (the tail was cut, head rewound)
    call_command("checkpoint_ledger", stdout=None)
    kept = LedgerEntry.objects.get(clinic=clinic, sequence=2)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {LedgerEntry._meta.db_table} WHERE clinic_id = %s AND sequence > 2",
            [clinic.pk.hex],
        )
    LedgerChainHead.objects.filter(clinic=clinic).update(sequence=2, head_hash=kept.hash)
    path = tmp_path / "cut.tar.gz"
    call_command("backup", str(path))
    # when restored, the chain matches the (rewound) saved head, but not the checkpoint
    done = restore(tmp_path, path, f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    assert done.returncode == 1
    assert "MISMATCH ledger of lakeside: disagrees with checkpoint" in done.stderr
    assert "before the checkpoint's sequence 3" in done.stderr
