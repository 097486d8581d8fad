"""Two nurses charting on the same session at the same moment lose nothing (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from ketaclinic.audit.models import AuditEvent
from ketaclinic.treatments import services
from ketaclinic.treatments.models import SessionAlert, VitalSignsEntry
from tests.treatments.helpers import course_today, dosing_started, first_session

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite's test database is not shared between threads, and "
        "the row lock (SELECT ... FOR UPDATE) under test only exists on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clinic_hours"),  # a session dosed 30 minutes ago, still today
]

ROUNDS = 10


def test_two_nurses_recording_vitals_at_once_lose_no_entry_and_no_alert(
    prescriber, nurse, nurse2, patient
):
    # given an esketamine session in monitoring
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=30)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    guard = threading.Lock()

    def chart(actor, systolic: int) -> None:
        try:
            for _ in range(ROUNDS):
                barrier.wait()
                services.record_vitals(
                    actor=actor, session=session, systolic=systolic, diastolic=90, heart_rate=80
                )
            result = "ok"
        except Exception as exc:  # any failure must show up in the assertion
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with guard:
            outcomes.append(result)

    # when two nurses record vitals at the same instant, ten times (one of them 185/90)
    threads = [
        threading.Thread(target=chart, args=(nurse, 140)),
        threading.Thread(target=chart, args=(nurse2, 185)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then every entry, every alert and every audit event is there
    assert outcomes == ["ok", "ok"]
    entries = VitalSignsEntry.objects.filter(session=session, pre_dose=False)
    assert entries.filter(recorded_by=nurse).count() == ROUNDS
    assert entries.filter(recorded_by=nurse2).count() == ROUNDS
    assert SessionAlert.objects.filter(session=session, code="hypertension").count() == ROUNDS
    recorded = AuditEvent.objects.filter(action="session.vitals_recorded", patient=patient)
    assert recorded.count() == 2 * ROUNDS + 1  # plus the pre-dose vitals
