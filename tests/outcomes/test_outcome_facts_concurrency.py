"""Two writers refreshing the outcome facts of patients dosed on the same days (PostgreSQL).

Patients treated the same day share their clinic's day rows (sessions per protocol and day), so
two nurses charting two patients at once both add to those rows. The counts must add up, and
neither write may fail on the other's row."""

import threading

import pytest
from django.db import connection, transaction

from ketaclinic.outcomes import facts, queries
from ketaclinic.outcomes.models import CourseFact, DayFact, SessionFact
from tests.outcomes.builders import hand_built_registry

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite's test database is not shared between threads, and "
        "the advisory locks and row locks under test only exist on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 5


def test_two_writers_refreshing_patients_of_the_same_days_add_up(prescriber, front_desk):
    registry = hand_built_registry(prescriber, front_desk)
    clinic_id = prescriber.clinic_id
    expected = queries.live_summary(prescriber)[0].as_dict({})
    patients = [p.id for p in registry["patients"]]
    halves = (patients[0::2], patients[1::2])  # Ada and Bo, both dosed on 3 March, apart
    start, done = threading.Barrier(3), threading.Barrier(3)  # the two writers and the test
    outcomes: list[str] = []
    guard = threading.Lock()

    def refresh(ids) -> None:
        try:
            for _ in range(ROUNDS):
                start.wait()
                for patient_id in ids:
                    with transaction.atomic():
                        facts.refresh_patient(clinic_id, patient_id)
                done.wait()
            result = "ok"
        except Exception as exc:  # any failure must show up in the assertion
            result = f"error: {exc!r}"
            start.abort()
            done.abort()
        finally:
            connection.close()
        with guard:
            outcomes.append(result)

    threads = [threading.Thread(target=refresh, args=(half,)) for half in halves]
    for thread in threads:
        thread.start()
    answers = []
    try:
        for _ in range(ROUNDS):
            # given no facts at all, when both writers refresh their patients at the same moment
            CourseFact.objects.filter(clinic_id=clinic_id).delete()
            SessionFact.objects.filter(clinic_id=clinic_id).delete()
            DayFact.objects.filter(clinic_id=clinic_id).delete()
            start.wait()
            done.wait()
            answers.append(queries.summary(prescriber)[0].as_dict({}))
    except threading.BrokenBarrierError:
        pass
    for thread in threads:
        thread.join()

    # then both writers succeeded every round and the facts give the live answers each time
    assert outcomes == ["ok", "ok"]
    assert answers == [expected] * ROUNDS
