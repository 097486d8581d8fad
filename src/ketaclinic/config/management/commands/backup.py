"""`ketaclinic backup OUT`: write the database, the keys under var/ and a manifest to one file."""

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

import ketaclinic
from ketaclinic.audit.services import record_event
from ketaclinic.config.management.ledger_heads import saved_heads
from ketaclinic.core import backups


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or pg_dump -Fc), the keys under var/ and a "
        "manifest (row counts, ledger heads) into one archive, readable by its owner only."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="the archive to write, e.g. ketaclinic-2026-12-01.tar.gz")
        parser.add_argument("--force", action="store_true", help="overwrite an existing file")

    def handle(self, *args, out, force, **options):
        out = Path(out).expanduser().resolve()
        if out.exists() and not force:
            raise CommandError(f"{out} exists: choose another name or add --force.")
        if not out.parent.is_dir():
            raise CommandError(f"{out.parent} is not a folder.")
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            with tempfile.TemporaryDirectory(prefix=".ketaclinic-backup-", dir=out.parent) as work:
                manifest, database_file = self._snapshot(connection, Path(work))
                keys = backups.key_files(Path(settings.VAR_DIR))
                manifest = backups.write_archive(out, manifest, database_file, keys)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        record_event(
            actor=None,
            action="backup.created",
            changes={"file": out.name, "tables": len(manifest["tables"])},
        )
        self._report(out, manifest)

    def _snapshot(self, connection, work: Path):
        vendor = connection.vendor
        if vendor not in backups.DATABASE_MEMBER:
            raise CommandError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
        database_file = work / backups.DATABASE_MEMBER[vendor]
        if vendor == "sqlite":
            with backups.sqlite_read_snapshot(connection) as raw:
                backups.sqlite_copy(raw, database_file)
                tables, heads = backups.row_counts(connection), saved_heads()
        else:
            tool = backups.postgresql_tool("pg_dump", connection.pg_version)
            env = backups.postgresql_environment(connection.settings_dict)
            with backups.postgresql_snapshot(connection) as snapshot:
                # pg_dump reads the very snapshot the counts and heads below are read in.
                argv = [tool, "-Fc", f"--snapshot={snapshot}", f"--file={database_file}"]
                backups.run_tool(argv, env)
                tables, heads = backups.row_counts(connection), saved_heads()
        manifest = backups.new_manifest(
            vendor=vendor,
            ketaclinic_version=ketaclinic.__version__,
            tables=tables,
            ledger_heads=heads,
        )
        return manifest, database_file

    def _report(self, out: Path, manifest: dict) -> None:
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Wrote {out} ({manifest['database']['vendor']}, {len(manifest['tables'])} tables, "
            f"{rows} rows, keys: {', '.join(manifest['keys']) or 'none'})."
        )
        for slug, head in manifest["ledger_heads"].items():
            state = "verified" if head["verified"] else "DOES NOT VERIFY (see verify_ledger)"
            self.stdout.write(
                f"  ledger of {slug}: head #{head['sequence']} {head['hash']}, {state}"
            )
        for variable in manifest["keys_from_environment"]:
            self.stdout.write(
                f"  {variable} comes from the environment: it is NOT in the archive; keep it "
                "with your other secrets."
            )
        self.stderr.write(self.style.WARNING(backups.SENSITIVE_WARNING))
