"""Planning the current week: doses given earlier this week (today's included) keep the
protocol's minimum gap, as doses before the week do."""

import datetime as dt

import pytest
import time_machine

from ketaclinic.capacity import planning
from ketaclinic.treatments.models import TreatmentSession
from tests.capacity.clinic_week import one_iv_chair_on_wednesday_and_thursday
from tests.clock import clinic_moment
from tests.outcomes.builders import make_course, make_patient

pytestmark = pytest.mark.django_db
T = dt.time
MONDAY = dt.date(2026, 12, 7)
TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)
THURSDAY = MONDAY + dt.timedelta(days=3)


def test_a_session_dosed_earlier_this_week_keeps_the_minimum_gap(
    clinic_admin, prescriber, nurse, front_desk, monkeypatch
):
    monkeypatch.setattr(planning, "TIME_LIMIT_S", 3.0)
    with time_machine.travel(clinic_moment(TUESDAY, 15), tick=False):
        one_iv_chair_on_wednesday_and_thursday(clinic_admin, nurse, WEDNESDAY)
        patient = make_patient(front_desk, "Gap")
        # IV induction (never on consecutive days): infusion 1 was given today, Tuesday
        built = make_course(prescriber, patient, "iv_ketamine", TUESDAY, "active", doses={1: 0})
        TreatmentSession.objects.create(
            clinic_id=patient.clinic_id, patient=patient, course=built.course,
            protocol_version=built.course.protocol_version, protocol_code="iv_ketamine",
            number=2, phase="induction", scheduled_date=THURSDAY, status="scheduled",
        )  # fmt: skip
        answer = planning.plan(clinic_admin, MONDAY)
    planned = [
        (result["method"], dt.datetime.fromisoformat(s["start"]).date())
        for result in (answer, answer["baseline"])
        for s in result["sessions"]
    ]
    # infusion 2 on Thursday (two days after), by the solver and by first fit
    assert planned and all(day == THURSDAY for _method, day in planned), planned
