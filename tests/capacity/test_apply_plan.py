"""Applying a week plan: a plan made earlier never puts a patient on a chair another plan has
since given to someone else, and two administrators applying at once do not double-book."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core import signing
from django.db import connection

from ketaclinic.audit.models import AuditEvent
from ketaclinic.capacity import planning, services
from ketaclinic.capacity.models import Chair, StaffShift
from ketaclinic.core.errors import Conflict
from ketaclinic.treatments import services as treatments
from ketaclinic.treatments.models import TreatmentSession
from tests.capacity.clinic_week import one_iv_chair_on_wednesday_and_thursday
from tests.clock import clinic_moment
from tests.outcomes.builders import make_course, make_patient

T = dt.time
MONDAY = dt.date(2026, 12, 7)
WEDNESDAY = MONDAY + dt.timedelta(days=2)
THURSDAY = MONDAY + dt.timedelta(days=3)


@pytest.fixture
def monday_morning():
    with time_machine.travel(clinic_moment(MONDAY, 9), tick=True) as traveller:
        yield traveller


@pytest.fixture
def week(monday_morning, clinic_admin, prescriber, nurse, front_desk):
    """One IV chair open Wednesday and Thursday, and two patients each with an infusion due
    on Wednesday, not yet given a time or chair."""
    one_iv_chair_on_wednesday_and_thursday(clinic_admin, nurse, WEDNESDAY)
    sessions = {}
    for name in ("Ana", "Bea"):
        patient = make_patient(front_desk, name)
        built = make_course(prescriber, patient, "iv_ketamine", MONDAY, "active")
        sessions[name] = TreatmentSession.objects.create(
            clinic_id=patient.clinic_id, patient=patient, course=built.course,
            protocol_version=built.course.protocol_version, protocol_code="iv_ketamine",
            number=1, phase="induction", scheduled_date=WEDNESDAY, status="scheduled",
        )  # fmt: skip
    sessions["nurse"] = nurse
    return sessions


def plan_token(admin, *placements) -> str:
    """A plan of the week as `POST /capacity/plan` signs it: (session, day, HH:MM, chair)."""
    return signing.dumps(
        {
            "clinic": str(admin.clinic_id),
            "week": MONDAY.isoformat(),
            "sessions": [
                [str(s.pk), day.isoformat(), start, chair] for s, day, start, chair in placements
            ],
        },
        salt=planning.TOKEN_SALT,
    )


def slot(session):
    session.refresh_from_db()
    return session.scheduled_date, session.scheduled_start, session.chair


@pytest.mark.django_db
def test_an_older_plan_does_not_put_a_patient_on_a_chair_given_to_another(clinic_admin, week):
    ana, bea = week["Ana"], week["Bea"]
    # given a plan made in the morning (Ana at 09:00 on chair 1), and one made later that
    # gave chair 1 to Bea at 09:30, applied first
    morning = plan_token(clinic_admin, (ana, WEDNESDAY, "09:00", "1"))
    later = plan_token(clinic_admin, (bea, WEDNESDAY, "09:30", "1"))
    services.apply_plan(actor=clinic_admin, token=later, confirm=True)

    # when the morning's plan is applied, then it is refused naming the chair and the patient
    with pytest.raises(Conflict) as refused:
        services.apply_plan(actor=clinic_admin, token=morning, confirm=True)
    assert refused.value.code == "plan_outdated"
    assert "Chair 1 on 2026-12-09 at 09:00 is now taken by" in refused.value.message
    assert bea.patient.full_name in refused.value.message
    assert "plan it again" in refused.value.message
    # and nothing of it was applied or audited
    assert slot(ana) == (WEDNESDAY, None, "")
    assert slot(bea) == (WEDNESDAY, T(9, 30), "1")
    assert AuditEvent.objects.filter(action="capacity.plan_applied").count() == 1

    # while a placement after Bea's chair time (arrival, infusion, observation, turnover) fits
    fits = plan_token(clinic_admin, (ana, WEDNESDAY, "13:00", "1"))
    assert services.apply_plan(actor=clinic_admin, token=fits, confirm=True)["changed"] == 1
    assert slot(ana) == (WEDNESDAY, T(13), "1")


@pytest.mark.django_db
def test_a_plan_for_a_day_already_begun_is_refused(clinic_admin, week, monday_morning):
    # a plan made on Tuesday at noon, applied on Wednesday at 07:00 (within the day it keeps)
    monday_morning.move_to(clinic_moment(WEDNESDAY - dt.timedelta(days=1), 12))
    token = plan_token(clinic_admin, (week["Ana"], WEDNESDAY, "09:00", "1"))
    monday_morning.move_to(clinic_moment(WEDNESDAY, 7))
    with pytest.raises(Conflict) as refused:
        services.apply_plan(actor=clinic_admin, token=token, confirm=True)
    assert "2026-12-09, a day already begun" in refused.value.message
    assert slot(week["Ana"]) == (WEDNESDAY, None, "")


@pytest.mark.django_db
def test_a_session_moved_to_another_day_leaves_its_slot(clinic_admin, nurse, week):
    ana = week["Ana"]
    services.apply_plan(
        actor=clinic_admin,
        token=plan_token(clinic_admin, (ana, WEDNESDAY, "09:00", "1")),
        confirm=True,
    )
    treatments.reschedule_session(actor=nurse, session=ana, new_date=THURSDAY)
    # Thursday 09:00 on chair 1 was never given to Ana: she waits for a new slot
    assert slot(ana) == (THURSDAY, None, "")
    event = AuditEvent.objects.filter(action="session.rescheduled", object_id=str(ana.pk)).get()
    assert event.changes["start"] == {"from": "09:00:00", "to": None}
    assert event.changes["chair"] == {"from": "1", "to": ""}


@pytest.mark.django_db
def test_a_renamed_chair_is_still_taken_by_the_sessions_planned_on_it(clinic_admin, week):
    ana, bea = week["Ana"], week["Bea"]
    services.apply_plan(
        actor=clinic_admin,
        token=plan_token(clinic_admin, (ana, WEDNESDAY, "09:00", "1")),
        confirm=True,
    )
    # when the chair is renamed, Ana's session follows it (audited)
    services.update_chair(actor=clinic_admin, chair=Chair.objects.get(name="1"), name="Window 1")
    assert slot(ana) == (WEDNESDAY, T(9), "Window 1")
    events = AuditEvent.objects.filter(action="session.slot_set", object_id=str(ana.pk))
    assert {"chair": {"from": "1", "to": "Window 1"}} in [e.changes for e in events]
    # so a plan putting Bea there at the same time is refused
    later = plan_token(clinic_admin, (bea, WEDNESDAY, "09:00", "Window 1"))
    with pytest.raises(Conflict) as refused:
        services.apply_plan(actor=clinic_admin, token=later, confirm=True)
    assert "Chair Window 1 on 2026-12-09 at 09:00 is now taken by" in refused.value.message
    assert slot(bea) == (WEDNESDAY, None, "")


@pytest.mark.django_db
def test_a_plan_is_not_applied_to_a_chair_taken_out_of_use_or_of_the_treatment(clinic_admin, week):
    services.add_chair(actor=clinic_admin, name="2", iv_infusion=True)
    token = plan_token(clinic_admin, (week["Ana"], WEDNESDAY, "09:00", "1"))
    other = plan_token(clinic_admin, (week["Ana"], WEDNESDAY, "09:00", "2"))
    services.update_chair(actor=clinic_admin, chair=Chair.objects.get(name="1"), active=False)
    with pytest.raises(Conflict) as refused:
        services.apply_plan(actor=clinic_admin, token=token, confirm=True)
    assert "Chair 1 is no longer in use." in refused.value.message
    services.update_chair(
        actor=clinic_admin, chair=Chair.objects.get(name="2"), iv_infusion=False, esketamine=True
    )
    with pytest.raises(Conflict) as refused:
        services.apply_plan(actor=clinic_admin, token=other, confirm=True)
    assert "Chair 2 no longer takes IV infusions." in refused.value.message
    assert slot(week["Ana"]) == (WEDNESDAY, None, "")


@pytest.mark.django_db
def test_a_plan_is_not_applied_when_the_nurse_or_the_hours_are_gone(clinic_admin, week):
    token = plan_token(clinic_admin, (week["Ana"], WEDNESDAY, "09:00", "1"))
    # the clinic now opens at noon on Wednesdays, and the nurse's Wednesday shift is removed
    services.set_opening_hours(actor=clinic_admin, weekday=2, opens=T(12), closes=T(18))
    services.remove_shift(actor=clinic_admin, shift=StaffShift.objects.get(date=WEDNESDAY))
    services.add_shift(
        actor=clinic_admin, staff_id=week["nurse"].pk, date=WEDNESDAY, starts_at=T(12),
        ends_at=T(18),
    )  # fmt: skip
    with pytest.raises(Conflict) as refused:
        services.apply_plan(actor=clinic_admin, token=token, confirm=True)
    message = refused.value.message
    assert "The session on 2026-12-09 at 09:00 is now outside the opening hours." in message
    assert "No nurse is on shift any more for the whole session on 2026-12-09 at 09:00." in message
    assert slot(week["Ana"]) == (WEDNESDAY, None, "")


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_plans_applied_at_once_do_not_double_book_a_chair(clinic_admin, week):
    ana, bea = week["Ana"], week["Bea"]
    tokens = [
        plan_token(clinic_admin, (ana, WEDNESDAY, "09:00", "1")),
        plan_token(clinic_admin, (bea, WEDNESDAY, "09:15", "1")),
    ]
    barrier = threading.Barrier(2)
    outcomes = []

    def apply(token) -> None:
        try:
            barrier.wait()
            services.apply_plan(actor=clinic_admin, token=token, confirm=True)
            outcomes.append("applied")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["applied", "refused"]
    on_chair = [s for s in (ana, bea) if slot(s)[2] == "1"]
    assert len(on_chair) == 1
