"""Operators create clinics and staff from the command line; both are audited."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ketaclinic.accounts.models import User
from ketaclinic.audit.models import AuditEvent
from ketaclinic.core.context import acting
from ketaclinic.core.models import Clinic

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    with acting("cli"):
        call_command(*args, stdout=out)
    return out.getvalue()


def test_an_operator_creates_a_clinic_and_a_prescriber(monkeypatch):
    monkeypatch.setenv("KETACLINIC_NEW_PASSWORD", "a-strong-passphrase-42")
    run("create_clinic", "North Clinic", "north", "--time-zone", "America/Chicago")
    run("add_staff", "drno", "--clinic", "north", "--role", "prescriber", "--credentials", "MD")
    user = User.objects.get(username="drno")
    assert (user.clinic.slug, user.role, user.credentials) == ("north", "prescriber", "MD")
    assert user.check_password("a-strong-passphrase-42")
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "via"))
    assert actions == [("clinic.created", "cli"), ("staff.added", "cli")]


def test_a_bad_time_zone_is_refused_by_name():
    with pytest.raises(CommandError, match="time_zone"):
        run("create_clinic", "X", "x", "--time-zone", "Mars/Olympus")
    assert not Clinic.objects.exists()


def test_a_weak_password_is_refused_and_nothing_is_saved(monkeypatch, clinic):
    monkeypatch.setenv("KETACLINIC_NEW_PASSWORD", "123")
    with pytest.raises(CommandError, match="password"):
        run("add_staff", "weak", "--clinic", clinic.slug, "--role", "nurse")
    assert not User.objects.filter(username="weak").exists()
    assert not AuditEvent.objects.exists()


def test_the_operator_adds_a_prescriber_with_npi_and_dea_number(monkeypatch, clinic):
    monkeypatch.setenv("KETACLINIC_NEW_PASSWORD", "a-strong-passphrase-42")
    run("add_staff", "dr_lee", "--clinic", clinic.slug, "--role", "prescriber")
    run(
        "add_staff",
        "dr_kim",
        "--clinic",
        clinic.slug,
        "--role",
        "prescriber",
        "--npi",
        "1234567893",
        "--dea-number",
        "BK1234563",
    )
    user = User.objects.get(username="dr_kim")
    assert (user.npi, user.dea_number, user.must_change_password) == (
        "1234567893",
        "BK1234563",
        False,
    )
    with pytest.raises(CommandError, match="npi"):
        run("add_staff", "dr_x", "--clinic", clinic.slug, "--role", "prescriber", "--npi", "12")


def test_the_operator_creates_a_short_lived_read_only_token(nurse):
    output = run("create_api_token", nurse.username, "--days", "7", "--read-only")
    assert "read-only" in output
    token = nurse.api_tokens.get()
    assert token.read_only and (token.expires_at - token.created_at).days == 7
    with pytest.raises(CommandError, match="between 1 and 90 days"):
        run("create_api_token", nurse.username, "--days", "400")
