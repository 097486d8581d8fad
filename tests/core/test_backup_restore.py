"""`ketaclinic backup` then `ketaclinic restore` into an empty database: same rows, same ledger."""

import sqlite3
import uuid

import pytest
from django.db import connection

from ketaclinic.audit.models import AuditEvent
from ketaclinic.patients.models import Patient
from tests.core.backup_support import RESEARCH, SECRET, manifest_of, restore, rewrite_manifest

pytestmark = pytest.mark.django_db(transaction=True)


def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip runs when the suite runs on SQLite")


def test_the_archive_is_private_and_the_operator_is_warned(archive, capsys):
    # given the archive written by `ketaclinic backup`
    # then only its owner may read it
    assert archive.stat().st_mode & 0o777 == 0o600
    # and the command said what it holds
    err = capsys.readouterr().err
    assert "holds every patient's record and the keys" in err
    # and the manifest counts rows, saves both ledger heads and names the archived keys
    manifest = manifest_of(archive)
    assert manifest["tables"]["patients_patient"] == Patient.objects.count() == 2
    heads = manifest["ledger_heads"]
    assert heads["lakeside"]["sequence"] == 3 and heads["hilltop"]["sequence"] == 2
    assert heads["lakeside"]["verified"] is True and len(heads["lakeside"]["hash"]) == 64
    assert sorted(manifest["keys"]) == ["research_key", "secret_key"]
    # and the backup is in the audit log
    assert AuditEvent.objects.filter(action="backup.created").count() == 1


def test_sqlite_backup_restores_into_an_empty_database_with_equal_rows_and_a_verified_ledger(
    tmp_path, archive
):
    sqlite_only()
    # given an empty database file on another host
    target = tmp_path / "restored.sqlite3"
    # when the archive is restored into it
    done = restore(tmp_path, archive, f"sqlite:///{target}")
    # then every check passes
    assert done.returncode == 0, done.stderr
    manifest = manifest_of(archive)
    assert f"Row counts: all {len(manifest['tables'])} tables match." in done.stdout
    lakeside = manifest["ledger_heads"]["lakeside"]
    assert f"Ledger of lakeside: verified, head #3 {lakeside['hash']}" in done.stdout
    assert "Ledger of hilltop: verified, head #2" in done.stdout
    # and the restored file holds the same patients, readable by its owner only
    with sqlite3.connect(target) as restored:
        assert restored.execute("SELECT COUNT(*) FROM patients_patient").fetchone() == (2,)
    assert target.stat().st_mode & 0o077 == 0
    # and the keys are back under var/, the key made at start-up kept aside
    var = tmp_path / "var-target"
    assert (var / "secret_key").read_bytes() == SECRET
    assert (var / "research_key").read_bytes() == RESEARCH
    assert (var / "secret_key").stat().st_mode & 0o077 == 0
    assert list(var.glob("secret_key.replaced-*"))


def test_restore_refuses_a_database_that_has_tables_unless_forced(tmp_path, archive):
    sqlite_only()
    # given a database that was restored once already
    target = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    assert restore(tmp_path, archive, target).returncode == 0
    # when the archive is restored again without --force
    again = restore(tmp_path, archive, target)
    # then restore refuses and says how to proceed
    assert again.returncode != 0
    assert "is not empty" in again.stderr and "--force" in again.stderr
    # and with --force it replaces the database and checks it again
    forced = restore(tmp_path, archive, target, "--force")
    assert forced.returncode == 0, forced.stderr
    assert "Restore complete: every check passed." in forced.stdout


def test_a_manifest_that_does_not_match_the_database_makes_restore_fail(tmp_path, archive):
    sqlite_only()
    # given an archive whose manifest counts one patient more than the database holds
    wrong = tmp_path / "wrong-counts.tar.gz"
    rewrite_manifest(archive, wrong, lambda m: m["tables"].__setitem__("patients_patient", 3))
    # when it is restored
    done = restore(tmp_path, wrong, f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    # then restore exits non-zero naming the table, and leaves var/'s keys alone
    assert done.returncode == 1
    assert "MISMATCH table patients_patient: 2 rows restored, the backup counted 3" in done.stderr
    assert "do not use it" in done.stderr
    assert (tmp_path / "var-target" / "secret_key").read_bytes() != SECRET


def test_a_ledger_head_that_does_not_match_makes_restore_fail(tmp_path, archive):
    sqlite_only()
    # given an archive whose saved head for lakeside is a hash that was never in the chain
    forged = tmp_path / "forged-head.tar.gz"
    other_hash = uuid.uuid4().hex * 2
    rewrite_manifest(
        archive, forged, lambda m: m["ledger_heads"]["lakeside"].__setitem__("hash", other_hash)
    )
    # when it is restored
    done = restore(tmp_path, forged, f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    # then the ledger check fails for that clinic and restore exits 1
    assert done.returncode == 1
    assert "MISMATCH ledger of lakeside" in done.stderr
    assert "hilltop" not in done.stderr


def test_a_damaged_archive_is_refused_before_anything_is_restored(tmp_path, archive):
    # given an archive cut short (a failed copy)
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    target = tmp_path / "restored.sqlite3"
    # when it is restored
    done = restore(tmp_path, cut, f"sqlite:///{target}")
    # then restore exits non-zero and the target database was not touched
    assert done.returncode != 0
    assert "not a readable backup archive" in done.stderr or "checksum" in done.stderr
    assert not target.exists() or target.stat().st_size == 0


def test_an_archive_missing_its_database_is_refused(tmp_path, archive):
    sqlite_only()
    # given a backup whose manifest claims a PostgreSQL dump it does not contain
    mislabeled = tmp_path / "mislabeled.tar.gz"
    rewrite_manifest(
        archive, mislabeled, lambda m: m["database"].__setitem__("vendor", "postgresql")
    )
    # when it is restored
    done = restore(tmp_path, mislabeled, f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    # then restore refuses it and says what is missing
    assert done.returncode != 0
    assert "The archive has no database.pgdump." in done.stderr


def test_an_unreadable_manifest_is_refused_before_anything_is_restored(tmp_path, archive):
    # given an archive whose manifest lost the shape of a ledger head
    broken = tmp_path / "broken-manifest.tar.gz"
    rewrite_manifest(archive, broken, lambda m: m["ledger_heads"].__setitem__("lakeside", "3"))
    target = tmp_path / "restored.sqlite3"
    # when it is restored
    done = restore(tmp_path, broken, f"sqlite:///{target}")
    # then restore stops with the reason and the target holds no tables
    assert done.returncode != 0
    assert "The manifest's ledger heads are unreadable." in done.stderr
    assert not target.exists() or target.stat().st_size == 0
