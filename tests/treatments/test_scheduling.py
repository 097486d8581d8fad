"""Scheduling a planned session (date, start time, chair): who may, what is refused, audit."""

import datetime as dt
import threading

import pytest
from django.db import connection

from ketaclinic.audit.models import AuditEvent
from ketaclinic.core.errors import Conflict, Forbidden, InvalidInput
from ketaclinic.treatments import services
from ketaclinic.treatments.models import TreatmentSession
from tests.treatments.helpers import checked_in, course_today, today


@pytest.fixture
def second(prescriber, nurse, patient, clinic_hours):
    course = course_today(prescriber, nurse, patient)
    return TreatmentSession.objects.get(course=course, number=2)


def _slot_events(session):
    return AuditEvent.objects.filter(action="session.slot_set", object_id=str(session.pk))


def test_an_administrator_sets_the_slot_once_and_again_changes_nothing(clinic_admin, second):
    day = today(second.clinic) + dt.timedelta(days=3)
    row, changed = services.schedule_session(
        actor=clinic_admin, session=second, date=day, start=dt.time(10, 35), chair="4"
    )
    assert changed
    assert (row.scheduled_date, row.scheduled_start, row.chair) == (day, dt.time(10, 35), "4")
    assert _slot_events(second).count() == 1
    _, changed = services.schedule_session(
        actor=clinic_admin, session=second, date=day, start=dt.time(10, 35), chair="4"
    )
    assert not changed
    assert _slot_events(second).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"chair": ""}, "chair"),
        ({"chair": "C" * 21}, "chair"),
        ({"days": -1}, "date"),
    ],
)
def test_bad_slots_are_refused_naming_the_field(clinic_admin, second, kwargs, field):
    day = today(second.clinic) + dt.timedelta(days=kwargs.pop("days", 2))
    values = {"date": day, "start": dt.time(9), "chair": "1"} | kwargs
    with pytest.raises(InvalidInput) as refused:
        services.schedule_session(actor=clinic_admin, session=second, **values)
    assert field in refused.value.fields
    second.refresh_from_db()
    assert second.scheduled_start is None


def test_only_administrators_schedule_and_only_scheduled_sessions(
    clinic_admin, nurse, prescriber, patient, clinic_hours
):
    course = course_today(prescriber, nurse, patient)
    first = TreatmentSession.objects.get(course=course, number=1)
    with pytest.raises(Forbidden):
        services.schedule_session(
            actor=nurse, session=first, date=today(first.clinic), start=dt.time(9), chair="1"
        )
    checked_in(first, nurse)
    with pytest.raises(Conflict):
        services.schedule_session(
            actor=clinic_admin,
            session=first,
            date=today(first.clinic),
            start=dt.time(9),
            chair="1",
        )


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_administrators_applying_the_same_slot_at_once_audit_it_once(
    clinic_admin, prescriber, nurse, patient
):
    course = course_today(prescriber, nurse, patient)
    session = TreatmentSession.objects.get(course=course, number=2)
    day = today(session.clinic) + dt.timedelta(days=2)
    barrier = threading.Barrier(2)
    outcomes = []

    def apply() -> None:
        try:
            barrier.wait()
            _, changed = services.schedule_session(
                actor=clinic_admin, session=session, date=day, start=dt.time(9), chair="2"
            )
            outcomes.append(changed)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, True]
    assert _slot_events(session).count() == 1
