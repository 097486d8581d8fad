"""On PostgreSQL: `backup` (pg_dump) then `restore` (pg_restore) into a scratch database."""

import os

import psycopg
import pytest
from django.db import connection

from tests.core.backup_support import manifest_of, restore

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="pg_dump/pg_restore: runs when the suite runs on PostgreSQL (DATABASE_URL)",
    ),
]


@pytest.fixture
def scratch_database():
    """An empty database of its own, dropped afterwards (never the test database)."""
    s = connection.settings_dict
    name = f"ketaclinic_restore_{os.environ.get('KETACLINIC_TEST_DB_SUFFIX', 'main')}_{os.getpid()}"
    user = f"{s['USER']}:{s['PASSWORD']}" if s["PASSWORD"] else s["USER"]
    server = f"postgres://{user}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgresql_backup_restores_into_an_empty_database_with_equal_rows_and_ledger(
    tmp_path, archive, scratch_database
):
    assert connection.vendor == "postgresql"
    # given a pg_dump archive of two clinics
    manifest = manifest_of(archive)
    assert manifest["database"]["vendor"] == "postgresql"
    # when it is restored into an empty scratch database
    done = restore(tmp_path, archive, scratch_database)
    # then the row counts match and both ledgers verify against the saved heads
    assert done.returncode == 0, done.stderr
    assert f"Row counts: all {len(manifest['tables'])} tables match." in done.stdout
    lakeside = manifest["ledger_heads"]["lakeside"]
    assert f"Ledger of lakeside: verified, head #3 {lakeside['hash']}" in done.stdout
    assert "Ledger of hilltop: verified, head #2" in done.stdout
    # and the scratch database holds the patients
    with psycopg.connect(scratch_database) as restored:
        assert restored.execute("SELECT COUNT(*) FROM patients_patient").fetchone() == (2,)
    # and a second restore without --force is refused
    again = restore(tmp_path, archive, scratch_database)
    assert again.returncode != 0 and "is not empty" in again.stderr


def test_postgresql_restore_with_force_replaces_the_database_and_checks_it(
    tmp_path, archive, scratch_database
):
    # given a scratch database that already holds the restored clinics and an extra table
    assert restore(tmp_path, archive, scratch_database).returncode == 0
    with psycopg.connect(scratch_database, autocommit=True) as db:
        db.execute("CREATE TABLE leftover (id int)")
    # when it is restored again with --force
    done = restore(tmp_path, archive, scratch_database, "--force")
    # then everything in it was replaced and every check passed
    assert done.returncode == 0, done.stderr
    assert "Restore complete: every check passed." in done.stdout
