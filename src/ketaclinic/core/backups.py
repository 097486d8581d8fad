"""Backup archives: the database (SQLite online backup or pg_dump), the keys under var/, a manifest.

An archive is one gzip-compressed tar file, written with owner-only permissions:

    manifest.json        format, time, database vendor, row counts per table, ledger heads,
                         SHA-256 of every other member
    database.sqlite3     a consistent copy made with SQLite's online backup API, or
    database.pgdump      `pg_dump -Fc` of the same snapshot the manifest was counted in
    keys/<name>          secret_key, research_key and any other `*_key` file under var/

This module knows no app: the commands `backup` and `restore` add the ledger heads.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

FORMAT = "ketaclinic-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KEY_PREFIX = "keys/"
KEY_NAME = re.compile(r"^[a-z0-9_]+_key$")
# Keys that may come from the environment instead of var/: then they are not in the archive.
KEY_ENVIRONMENT = {
    "secret_key": "KETACLINIC_SECRET_KEY",
    "research_key": "KETACLINIC_RESEARCH_KEY",
    "ledger_checkpoint_key": "KETACLINIC_LEDGER_CHECKPOINT_KEY",
}
SENSITIVE_WARNING = (
    "WARNING: this archive holds every patient's record and the keys that protect them "
    "(session signing, research pseudonyms, ledger checkpoints). Anyone who has the file can "
    "read all of it. "
    "It was written readable by its owner only (0600): keep it encrypted, off this host, "
    "and delete copies you no longer need."
)


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why."""


# --- what is in the database ---------------------------------------------------------------


def row_counts(connection) -> dict[str, int]:
    """Rows in every table of the database (not only Django's), by table name."""
    counts = {}
    with connection.cursor() as cursor:
        for name in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608
            counts[name] = int(cursor.fetchone()[0])
    return counts


def is_empty(connection) -> bool:
    """True when the database has no table at all (not even Django's migration table)."""
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def count_mismatches(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    """Every table whose row count differs, is missing, or is not in the backup."""
    problems = []
    for name in sorted(set(expected) | set(found)):
        if name not in found:
            problems.append(f"table {name}: in the backup ({expected[name]} rows) but not restored")
        elif name not in expected:
            problems.append(f"table {name}: restored ({found[name]} rows) but not in the backup")
        elif expected[name] != found[name]:
            problems.append(
                f"table {name}: {found[name]} rows restored, the backup counted {expected[name]}"
            )
    return problems


# --- consistent snapshots ------------------------------------------------------------------


@contextlib.contextmanager
def sqlite_read_snapshot(connection):
    """A deferred read transaction on Django's own SQLite connection.

    Everything read inside it (the copy, the row counts, the ledger heads) sees one state of
    the database, while other processes go on writing (WAL). Django's own transactions are
    `BEGIN IMMEDIATE`, which would take the write lock for the whole copy, hence the raw BEGIN.
    """
    if connection.in_atomic_block:
        raise BackupError("A backup cannot run inside another transaction.")
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield connection.connection
    finally:
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")


def sqlite_copy(source: sqlite3.Connection, target_path: Path) -> None:
    """Copy a database with SQLite's online backup API into a new file."""
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()


def sqlite_restore(archive_copy: Path, target_path: Path) -> None:
    """Overwrite the target database, page by page, with the archived copy."""
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(archive_copy)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    # The file now holds every patient's record: owner-only, like the archive it came from.
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{target_path}{suffix}")
        if path.exists():
            os.chmod(path, 0o600)


@contextlib.contextmanager
def postgresql_snapshot(connection):
    """A repeatable-read, read-only transaction whose snapshot pg_dump can share."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        yield cursor.fetchone()[0]


# --- PostgreSQL client tools ---------------------------------------------------------------


def postgresql_environment(settings_dict: dict) -> dict[str, str]:
    """libpq variables naming the configured database (the password never on a command line)."""
    env = dict(os.environ)
    options = settings_dict.get("OPTIONS") or {}
    for variable, value in (
        ("PGDATABASE", settings_dict.get("NAME")),
        ("PGUSER", settings_dict.get("USER")),
        ("PGPASSWORD", settings_dict.get("PASSWORD")),
        ("PGHOST", settings_dict.get("HOST")),
        ("PGPORT", settings_dict.get("PORT")),
        ("PGSSLMODE", options.get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def _tool_major(path: str) -> int | None:
    try:
        out = subprocess.run(  # noqa: S603
            [path, "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else None


def postgresql_tool(name: str, server_version: int) -> str:
    """pg_dump or pg_restore of the server's major version (or newer), else a clear error.

    Debian keeps each major version's tools in /usr/lib/postgresql/<major>/bin; the one on
    PATH may be older than the server, and an older pg_dump refuses a newer server.
    """
    major = server_version // 10000
    candidates = [f"/usr/lib/postgresql/{major}/bin/{name}", shutil.which(name)]
    candidates += sorted(str(p) for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            found = _tool_major(candidate)
            if found is not None and found >= major:
                return candidate
    raise BackupError(
        f"{name} for PostgreSQL {major} was not found: install the client tools of the "
        f"server's version (Debian: apt-get install postgresql-client-{major})."
    )


def run_tool(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(
            f"{Path(argv[0]).name} failed (exit {done.returncode}): {done.stderr.strip()}"
        )


# --- the archive ---------------------------------------------------------------------------


def key_files(var_dir: Path) -> dict[str, bytes]:
    """Every `*_key` file directly under var/ (secret_key, research_key, later keys too)."""
    return {
        path.name: path.read_bytes()
        for path in sorted(Path(var_dir).glob("*_key"))
        if path.is_file() and KEY_NAME.match(path.name)
    }


def keys_from_environment() -> list[str]:
    """Environment variables that hold a key in place of its var/ file (not archived)."""
    return [variable for variable in KEY_ENVIRONMENT.values() if os.environ.get(variable)]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def new_manifest(*, vendor: str, ketaclinic_version: str, tables: dict, ledger_heads: dict):
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "ketaclinic_version": ketaclinic_version,
        "database": {"vendor": vendor, "member": DATABASE_MEMBER[vendor]},
        "tables": tables,
        "ledger_heads": ledger_heads,
        "keys": {},
        "keys_from_environment": keys_from_environment(),
    }


def write_archive(out: Path, manifest: dict, database_file: Path, keys: dict[str, bytes]):
    """Write the archive next to `out`, owner-only, then move it into place in one step."""
    manifest = {
        **manifest,
        "keys": {name: hashlib.sha256(v).hexdigest() for name, v in keys.items()},
    }
    manifest["database"] = {**manifest["database"], "sha256": sha256_file(database_file)}
    partial = out.with_name(f".{out.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w:gz") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
            tar.add(database_file, arcname=manifest["database"]["member"], filter=_private)
            for name, value in keys.items():
                _add_bytes(tar, KEY_PREFIX + name, value)
        os.chmod(partial, 0o600)
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = _private(tarfile.TarInfo(name))
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


@dataclass
class Archive:
    manifest: dict
    database_file: Path
    keys: dict[str, bytes] = field(default_factory=dict)


def _check_manifest(manifest) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("This is not a ketaclinic backup (its manifest is missing or foreign).")
    if manifest.get("version") != VERSION:
        raise BackupError(f"Backup format version {manifest.get('version')!r} is not supported.")
    database = manifest.get("database")
    if not isinstance(database, dict) or database.get("vendor") not in DATABASE_MEMBER:
        raise BackupError("The manifest does not say which database the backup holds.")
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in tables.values()
    ):
        raise BackupError("The manifest's row counts are unreadable.")
    heads = manifest.get("ledger_heads")
    if not isinstance(heads, dict) or not all(
        isinstance(h, dict)
        and isinstance(h.get("sequence"), int)
        and isinstance(h.get("hash"), str)
        and isinstance(h.get("clinic_id"), str)
        for h in heads.values()
    ):
        raise BackupError("The manifest's ledger heads are unreadable.")


def read_archive(path: Path, workdir: Path) -> Archive:
    """Read and check an archive; only its known members are read (nothing is extracted)."""
    try:
        with tarfile.open(path, mode="r:*") as tar:
            return _read_members(tar, workdir)
    except (OSError, EOFError, zlib.error, tarfile.TarError) as exc:
        raise BackupError(f"{path} is not a readable backup archive: {exc}") from exc


def _read_members(tar: tarfile.TarFile, workdir: Path) -> Archive:
    try:
        manifest = json.loads(_member_bytes(tar, MANIFEST))
    except ValueError as exc:
        raise BackupError(f"The manifest is not valid JSON: {exc}") from exc
    _check_manifest(manifest)
    database = manifest["database"]
    member = DATABASE_MEMBER[database["vendor"]]
    target = workdir / member
    with open(target, "wb") as handle:
        shutil.copyfileobj(_member(tar, member), handle, 1 << 20)
    if sha256_file(target) != database.get("sha256"):
        raise BackupError(f"{member} does not match the checksum in the manifest.")
    keys = {}
    for name, digest in (manifest.get("keys") or {}).items():
        if not KEY_NAME.match(name):
            raise BackupError(f"The manifest names a key file {name!r} that is not allowed.")
        value = _member_bytes(tar, KEY_PREFIX + name)
        if hashlib.sha256(value).hexdigest() != digest:
            raise BackupError(f"Key {name} does not match the checksum in the manifest.")
        keys[name] = value
    return Archive(manifest=manifest, database_file=target, keys=keys)


def _member(tar: tarfile.TarFile, name: str):
    try:
        handle = tar.extractfile(name)
    except KeyError:
        handle = None
    if handle is None:
        raise BackupError(f"The archive has no {name}.")
    return handle


def _member_bytes(tar: tarfile.TarFile, name: str) -> bytes:
    return _member(tar, name).read()


def restore_keys(var_dir: Path, keys: dict[str, bytes], *, stamp: str) -> list[str]:
    """Write the archived keys into var/ (0600); a different key already there is kept aside."""
    lines = []
    var_dir.mkdir(parents=True, exist_ok=True)
    for name, value in keys.items():
        path = var_dir / name
        if path.exists():
            if path.read_bytes() == value:
                lines.append(f"{name}: unchanged")
                continue
            aside = path.with_name(f"{name}.replaced-{stamp}")
            os.replace(path, aside)
            lines.append(f"{name}: restored (the key it replaced is kept as {aside.name})")
        else:
            lines.append(f"{name}: restored")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(value)
    return lines
