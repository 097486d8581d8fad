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
