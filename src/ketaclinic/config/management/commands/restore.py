"""`ketaclinic restore IN [--force]`: restore a backup archive into the configured database.

Refuses a database that has any table unless --force; checks the archive's checksums, restores,
compares every table's row count with the manifest and verifies every clinic's ledger against
the head saved in the backup. Exit 1 on any difference. The keys are put back under var/ only
when every check passed.
"""

import datetime as dt
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from ketaclinic.audit.services import record_event
from ketaclinic.config.management.ledger_heads import head_problems
from ketaclinic.core import backups
from ketaclinic.inventory import queries as ledger


class Command(BaseCommand):
    help = (
        "Restore a backup archive into the configured database (DATABASE_URL), then check row "
        "counts and every clinic's ledger against the backup; exit 1 on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="a file written by `ketaclinic backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that already has tables (everything in it is lost)",
        )
        parser.add_argument(
            "--skip-keys", action="store_true", help="leave the keys under var/ as they are"
        )

    def handle(self, *args, archive, force, skip_keys, **options):
        path = Path(archive).expanduser()
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        connection = connections[DEFAULT_DB_ALIAS]
        with tempfile.TemporaryDirectory(prefix="ketaclinic-restore-") as work:
            try:
                found = backups.read_archive(path, Path(work))
                self._restore_database(connection, found, force=force)
            except backups.BackupError as exc:
                raise CommandError(str(exc)) from exc
        manifest = found.manifest
        self.stdout.write(
            f"Restored the {manifest['database']['vendor']} backup of {manifest['created_at']} "
            f"(ketaclinic {manifest.get('ketaclinic_version', '?')})."
        )
        problems = backups.count_mismatches(manifest["tables"], backups.row_counts(connection))
        if not problems:
            self.stdout.write(f"Row counts: all {len(manifest['tables'])} tables match.")
        problems += head_problems(manifest["ledger_heads"], self._checkpoint_key(found))
        if problems:
            for problem in problems:
                self.stderr.write(f"MISMATCH {problem}")
            self.stderr.write(
                self.style.ERROR(
                    f"The restored database differs from the backup ({len(problems)} "
                    "problem(s)): do not use it. The keys under var/ were left unchanged."
                )
            )
            raise SystemExit(1)
        for slug, head in manifest["ledger_heads"].items():
            self.stdout.write(
                f"Ledger of {slug}: verified, head #{head['sequence']} {head['hash']}"
            )
        self._restore_keys(found, skip_keys=skip_keys)
        record_event(
            actor=None,
            action="backup.restored",
            changes={"file": path.name, "backup_created_at": manifest["created_at"]},
        )
        self.stdout.write(self.style.SUCCESS("Restore complete: every check passed."))

    def _checkpoint_key(self, found: backups.Archive) -> bytes | None:
        """The ledger checkpoint key the restored checkpoints were signed with: the archive's,
        else the one in the environment; None (checkpoints not checked) when neither has it."""
        raw = found.keys.get(ledger.CHECKPOINT_KEY_FILE)
        try:
            if raw is not None:
                return ledger.checkpoint_key_from_file_bytes(raw)
            if os.environ.get(ledger.CHECKPOINT_KEY_ENV):
                return ledger.checkpoint_key()
        except ledger.CheckpointKeyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("Ledger checkpoints: not checked (the backup holds no checkpoint key).")
        return None

    def _restore_database(self, connection, found: backups.Archive, *, force: bool) -> None:
        vendor = found.manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise backups.BackupError(
                f"The backup holds a {vendor} database; the configured database is "
                f"{connection.vendor}. Set DATABASE_URL to a {vendor} database."
            )
        if not backups.is_empty(connection):
            if not force:
                raise backups.BackupError(
                    "The configured database is not empty: restore into an empty database, or "
                    "add --force to replace everything in it."
                )
            self.stdout.write("--force: replacing the existing database.")
        if vendor == "sqlite":
            connections.close_all()
            backups.sqlite_restore(found.database_file, Path(connection.settings_dict["NAME"]))
            return
        if force:
            self._drop_tables(connection)
        tool = backups.postgresql_tool("pg_restore", connection.pg_version)
        env = backups.postgresql_environment(connection.settings_dict)
        connections.close_all()
        argv = [tool, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        backups.run_tool([*argv, f"--dbname={env['PGDATABASE']}", str(found.database_file)], env)

    def _drop_tables(self, connection) -> None:
        with connection.cursor() as cursor:
            names = connection.introspection.table_names(cursor)
            quoted = ", ".join(connection.ops.quote_name(name) for name in names)
            cursor.execute(f"DROP TABLE IF EXISTS {quoted} CASCADE")
            # Functions that migrations created (e.g. the one the patient search index uses)
            # are in the dump too; extensions' own functions are left to their extension.
            cursor.execute(
                "SELECT p.oid::regprocedure::text FROM pg_proc p "
                "WHERE p.pronamespace = current_schema()::regnamespace AND NOT EXISTS ("
                "SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass "
                "AND d.objid = p.oid AND d.deptype = 'e')"
            )
            for (function,) in cursor.fetchall():
                cursor.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")

    def _restore_keys(self, found: backups.Archive, *, skip_keys: bool) -> None:
        if skip_keys:
            self.stdout.write("Keys: left unchanged (--skip-keys).")
            return
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        lines = backups.restore_keys(Path(settings.VAR_DIR), found.keys, stamp=stamp)
        for line in lines:
            self.stdout.write(f"Key {line}")
        for variable in found.manifest.get("keys_from_environment", []):
            self.stdout.write(
                f"{variable} was set in the environment at backup time: set it again."
            )
        if any(not line.endswith(": unchanged") for line in lines):
            self.stdout.write(
                "Restart the server and the worker so that they read the restored keys."
            )
