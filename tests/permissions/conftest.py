"""The permission tables: every endpoint and page of an app x every role, one module per app.

A table has hundreds of cases that differ only in who asks. Here the clinic, its staff, the
patient (and each module's `world`, declared with `scope="module"`) are built once per module,
inside one transaction rolled back when the module ends. Each case still runs in its own nested
transaction (the `db` fixture), so whatever a case writes is undone before the next case: every
case sees the same world, as if it were built for it alone.
"""

import pytest
import time_machine
from django.db import transaction

from tests.clock import clinic_moment, clinic_today
from tests.factories import (
    every_persona,
    make_hilltop,
    make_lakeside,
    make_outsider,
    make_staff,
    register_jordan,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """One transaction around the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def clinic_hours():
    """The clinic is open (14:00 clinic time today, ticking) for the whole module."""
    with time_machine.travel(clinic_moment(clinic_today(), 14), tick=True) as traveller:
        yield traveller


@pytest.fixture(scope="module")
def clinic(module_db):
    return make_lakeside()


@pytest.fixture(scope="module")
def other_clinic(module_db):
    return make_hilltop()


@pytest.fixture(scope="module")
def prescriber(clinic):
    return make_staff(clinic, "prescriber")


@pytest.fixture(scope="module")
def nurse(clinic):
    return make_staff(clinic, "nurse")


@pytest.fixture(scope="module")
def front_desk(clinic):
    return make_staff(clinic, "front_desk")


@pytest.fixture(scope="module")
def auditor(clinic):
    return make_staff(clinic, "auditor")


@pytest.fixture(scope="module")
def clinic_admin(clinic):
    return make_staff(clinic, "clinic_admin")


@pytest.fixture(scope="module")
def outsider(other_clinic):
    return make_outsider(other_clinic)


personas = pytest.fixture(every_persona, name="personas", scope="module")


@pytest.fixture(scope="module")
def patient(clinic, front_desk):
    return register_jordan(front_desk)
