"""seed_demo without a loaded demo: the same seed gives the same patients, and a weak demo
password is refused (the loaded demo itself is tested in tests/demo)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ketaclinic.core.models import Clinic


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


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_patients_and_another_seed_others():
    first = _patients_for_seed(7, "a")
    again = _patients_for_seed(7, "b")
    other = _patients_for_seed(8, "c")
    assert first == again
    assert first != other


@pytest.mark.django_db
def test_a_weak_demo_password_is_refused_with_a_clear_message_and_nothing_saved(monkeypatch):
    monkeypatch.setenv("KETACLINIC_DEMO_PASSWORD", "123")
    with pytest.raises(CommandError, match="password"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not Clinic.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("local_noon", "open_days"),
    [
        ("2026-12-02T12:00:00-05:00", [0, 1, 2, 3, 4]),  # a Wednesday
        ("2026-12-05T12:00:00-05:00", [0, 1, 2, 3, 4, 5]),  # a Saturday (and Friday)
        ("2026-12-06T23:30:00-05:00", [0, 1, 2, 3, 4, 5, 6]),  # late on a Sunday (and Saturday)
        ("2026-12-06T00:20:00-05:00", [0, 1, 2, 3, 4, 5, 6]),  # just after midnight on Sunday
    ],
)
def test_the_demo_clinic_opens_on_weekdays_and_today_and_has_hours_every_open_day(
    local_noon, open_days
):
    import datetime as dt
    import random

    from faker import Faker

    from ketaclinic.capacity import demo as capacity_demo
    from ketaclinic.capacity.queries import opening_hours
    from ketaclinic.core.demo import DemoContext
    from tests.factories import make_clinic, make_user

    clinic = make_clinic("Weekend clinic", "weekend")
    users = {
        name: make_user(clinic, name, role)
        for name, role in (
            ("admin", "clinic_admin"),
            ("nurse", "nurse"),
            ("nurse2", "nurse"),
            ("prescriber", "prescriber"),
            ("prescriber2", "prescriber"),
        )
    }
    ctx = DemoContext(
        seed=1,
        password="x",
        now=dt.datetime.fromisoformat(local_noon),
        rng=random.Random(1),
        fake=Faker("en_US"),
        clinic=clinic,
        users=users,
    )
    assert ctx.open_weekdays() == open_days
    capacity_demo.seed(ctx)
    # the week's plan needs hours on every day the clinic calendar opens
    assert sorted(opening_hours(users["admin"])) == open_days
