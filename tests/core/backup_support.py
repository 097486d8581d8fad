"""Backup test support: two clinics with ledgers, keys under var/, and `restore` as a process."""

import datetime as dt
import io
import json
import os
import subprocess
import sys
import tarfile

import pytest
from django.core.management import call_command

from ketaclinic.core.permissions import Role
from ketaclinic.inventory import services as ledger
from tests.factories import add_ketamine, make_user

MORNING = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
SECRET = b"the-secret-key-of-this-clinic-" * 3
RESEARCH = b"ab" * 32


def _stock(admin, nurse, lots: int) -> None:
    safe = ledger.create_location(actor=admin, name="Main safe")
    product = add_ketamine(admin)
    for n in range(lots):
        ledger.receive_stock(
            actor=nurse,
            product=product,
            location=safe,
            lot_number=f"K{100 + n}",
            expires_on=dt.date(2027, 12, 31),
            containers=2,
            supplier_name="Acme Pharma Distribution",
            supplier_address="1 Supply Way, Columbus, OH 43004",
            supplier_dea="RA0000000",
            invoice=f"INV-{n}",
            now=MORNING + dt.timedelta(minutes=n),
        )


@pytest.fixture
def clinic_data(clinic, other_clinic, clinic_admin, nurse, outsider, patient, other_patient):
    """Two clinics, each with patients and a ledger (3 and 2 receipts)."""
    _stock(clinic_admin, nurse, lots=3)
    _stock(outsider, make_user(other_clinic, "hill_nurse", Role.NURSE), lots=2)
    return clinic


@pytest.fixture
def var_dir(tmp_path, settings):
    """var/ of the backed-up host, with its secret and research keys."""
    folder = tmp_path / "var-source"
    folder.mkdir()
    (folder / "secret_key").write_bytes(SECRET)
    (folder / "research_key").write_bytes(RESEARCH)
    settings.VAR_DIR = folder
    return folder


@pytest.fixture
def archive(tmp_path, clinic_data, var_dir, capsys):
    """A backup of the two clinics (made in this process, from the test database)."""
    path = tmp_path / "clinic-backup.tar.gz"
    call_command("backup", str(path))
    return path


def restore(tmp_path, archive_path, database_url: str, *extra, var_name="var-target"):
    """Run `ketaclinic restore` as an operator would: a new process on another database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETACLINIC_")}
    env.update(
        DATABASE_URL=database_url,
        KETACLINIC_VAR_DIR=str(tmp_path / var_name),
        DJANGO_SETTINGS_MODULE="ketaclinic.config.settings",
    )
    return subprocess.run(
        [sys.executable, "-m", "ketaclinic.config.cli", "restore", str(archive_path), *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def manifest_of(path) -> dict:
    with tarfile.open(path) as tar:
        return json.load(tar.extractfile("manifest.json"))


def rewrite_manifest(source, target, change) -> None:
    """Copy an archive, changing its manifest with `change(manifest)`."""
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))
