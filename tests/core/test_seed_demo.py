"""The demo clinic: one user per role, about 25 patients, loaded once, same data for a seed."""

import io

import pytest
from django.core.management import call_command

from ketaclinic.accounts.models import User
from ketaclinic.core.models import Clinic
from ketaclinic.patients.models import Patient

pytestmark = pytest.mark.django_db


def seed(**kwargs) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


def test_the_demo_has_one_user_per_role_and_prints_the_logins(monkeypatch):
    monkeypatch.setenv("KETACLINIC_DEMO_PASSWORD", "a-demo-password")
    output = seed()
    users = {u.username: u.role for u in User.objects.filter(clinic__slug="demo")}
    assert {k: users[k] for k in ("admin", "prescriber", "nurse", "frontdesk", "auditor")} == {
        "admin": "clinic_admin",
        "prescriber": "prescriber",
        "nurse": "nurse",
        "frontdesk": "front_desk",
        "auditor": "auditor",
    }
    for username in ("admin", "prescriber", "nurse", "frontdesk", "auditor"):
        assert f"{username}" in output
        assert User.objects.get(username=username).check_password("a-demo-password")
    assert "a-demo-password" in output
    assert 20 <= Patient.objects.count() <= 30


def test_running_it_twice_creates_nothing_twice():
    seed()
    counts = (Clinic.objects.count(), User.objects.count(), Patient.objects.count())
    output = seed()
    assert "nothing was created" in output
    assert (Clinic.objects.count(), User.objects.count(), Patient.objects.count()) == counts


def _patients_for_seed(seed_value, slug):
    import random

    from django.utils import timezone
    from faker import Faker

    from ketaclinic.core.demo import DemoContext
    from ketaclinic.patients import demo
    from tests.factories import make_clinic, make_user

    clinic = make_clinic(f"Clinic {slug}", slug)
    fake = Faker("en_US")
    fake.seed_instance(seed_value)
    ctx = DemoContext(
        seed=seed_value,
        password="x",
        now=timezone.now(),
        rng=random.Random(seed_value),
        fake=fake,
        clinic=clinic,
        users={"frontdesk": make_user(clinic, f"fd-{slug}", "front_desk")},
    )
    demo.seed(ctx)
    return [(p.given_name, p.family_name, p.date_of_birth, p.mrn) for p in ctx.patients]


def test_the_same_seed_gives_the_same_patients_and_another_seed_others():
    first = _patients_for_seed(7, "a")
    again = _patients_for_seed(7, "b")
    other = _patients_for_seed(8, "c")
    assert first == again
    assert first != other


def test_a_weak_demo_password_is_refused_with_a_clear_message_and_nothing_saved(monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setenv("KETACLINIC_DEMO_PASSWORD", "123")
    with pytest.raises(CommandError, match="password"):
        seed()
    assert not Clinic.objects.exists()
