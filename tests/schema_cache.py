"""The migrated test database, built once per set of migrations and copied after that.

Building the schema by running every migration takes most of a test worker's start-up (the
migration framework renders the model state again for each operation). The result depends
only on the migrations, the installed apps and the Django version, so the first worker that
needs it keeps a copy, and every later worker and run copies it instead of migrating:

- SQLite: a database file under `var/test-schema/` (ignored by git), copied into the
  worker's in-memory database with SQLite's backup API;
- PostgreSQL: a template database `ketaclinic_schema_<key>` on the same server; the worker's
  test database is recreated from it with `CREATE DATABASE ... TEMPLATE`.

Any change to a migration (or to the apps or Django) gives a new key, so a stale schema is
never used; older copies are removed when a new one is saved. `KETACLINIC_TEST_SCHEMA_CACHE=0`
turns the cache off (every worker migrates, as Django does by default).
"""

import contextlib
import hashlib
import os
import sqlite3
import uuid
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core.management.commands import migrate
from django.db import connections

ROOT = Path(__file__).resolve().parents[1]
SQLITE_DIR = ROOT / "var" / "test-schema"
PG_PREFIX = "ketaclinic_schema_"


def schema_key() -> str:
    """A digest of everything the migrated schema depends on."""
    digest = hashlib.sha256(django.get_version().encode())
    digest.update(repr(settings.INSTALLED_APPS).encode())
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        folder = Path(config.path) / "migrations"
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.py")):
            digest.update(f"{config.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _sqlite_restore(connection, key: str) -> bool:
    path = SQLITE_DIR / f"schema-{key}.sqlite3"
    if not path.exists():
        return False
    connection.ensure_connection()
    source = sqlite3.connect(path)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    return True


def _sqlite_save(connection, key: str) -> None:
    SQLITE_DIR.mkdir(parents=True, exist_ok=True)
    final = SQLITE_DIR / f"schema-{key}.sqlite3"
    partial = SQLITE_DIR / f".schema-{key}-{uuid.uuid4().hex}.partial"
    target = sqlite3.connect(partial)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    os.replace(partial, final)  # atomic: a concurrent reader sees the old file or the new one
    for old in SQLITE_DIR.glob("schema-*.sqlite3"):
        if old != final:
            old.unlink(missing_ok=True)


@contextlib.contextmanager
def _maintenance(connection):
    """A separate autocommit connection to the server's `postgres` database."""
    with connection._nodb_cursor() as cursor:
        yield cursor


def _pg_template_exists(connection, name: str) -> bool:
    with _maintenance(connection) as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def _pg_restore(connection, key: str) -> bool:
    template = PG_PREFIX + key
    if not _pg_template_exists(connection, template):
        return False
    name = connection.settings_dict["NAME"]
    quote = connection.ops.quote_name
    connection.close()
    with _maintenance(connection) as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
        cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")
    return True


def _pg_save(connection, key: str) -> None:
    template = PG_PREFIX + key
    partial = f"{template}_{uuid.uuid4().hex[:8]}"
    name = connection.settings_dict["NAME"]
    quote = connection.ops.quote_name
    connection.close()
    with _maintenance(connection) as cursor:
        cursor.execute(f"CREATE DATABASE {quote(partial)} TEMPLATE {quote(name)}")
        try:
            cursor.execute(f"ALTER DATABASE {quote(partial)} RENAME TO {quote(template)}")
        except Exception:  # another worker saved the same schema first
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(partial)}")
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
            [PG_PREFIX + "%", template],
        )
        for (old,) in cursor.fetchall():
            with contextlib.suppress(Exception):  # still in use by another run: next time
                cursor.execute(f"DROP DATABASE {quote(old)}")


STORES = {
    "sqlite": (_sqlite_restore, _sqlite_save),
    "postgresql": (_pg_restore, _pg_save),
}


def _cached_handle(original):
    def handle(self, *args, **options):
        connection = connections[options.get("database") or "default"]
        store = STORES.get(connection.vendor)
        if store is None:
            return original(self, *args, **options)
        restore, save = store
        key = schema_key()
        if restore(connection, key):
            return None
        result = original(self, *args, **options)
        save(connection, key)
        return result

    return handle


def install() -> None:
    """Make the test databases' set-up use the cache (only that migrate, no other)."""
    if os.environ.get("KETACLINIC_TEST_SCHEMA_CACHE", "1") == "0":
        return
    from django.test import utils

    original_setup = utils.setup_databases

    def setup_databases(*args, **kwargs):
        original_handle = migrate.Command.handle
        migrate.Command.handle = _cached_handle(original_handle)
        try:
            return original_setup(*args, **kwargs)
        finally:
            migrate.Command.handle = original_handle

    utils.setup_databases = setup_databases
