"""A session that runs past midnight keeps its clinic date, its board place and its REMS form."""

import datetime as dt

import pytest

from ketaclinic.core.errors import Conflict
from ketaclinic.treatments import queries, services
from ketaclinic.treatments.models import TreatmentSession
from tests.treatments.helpers import course_today, dosing_started, first_session

pytestmark = pytest.mark.django_db

CALM = {"heart_rate": 76, "spo2": 97, "resp_rate": 14}
ALDRETE = dict.fromkeys(
    ["activity", "respiration", "circulation", "consciousness", "oxygen_saturation"], 2
)


def test_a_late_session_is_monitored_and_discharged_after_midnight_on_its_own_date(
    api, at_clinic_time, prescriber, nurse, patient
):
    # given an esketamine session whose patient arrived at 23:00 and was dosed at 23:20
    at_clinic_time(23, 35)
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=15)
    day = session.scheduled_date

    # when the clock passes midnight, the patient is still on the chair board
    at_clinic_time(0, 30, days=1)
    assert session.id in {row.session.id for row in queries.board(nurse)}

    # and after two hours of observation the nurse charts recovery and discharges at 01:40
    at_clinic_time(1, 40)
    n = api(nurse)
    n.post(f"/sessions/{session.id}/vitals", CALM | {"systolic": 124, "diastolic": 78})
    n.post(f"/sessions/{session.id}/scales", {"scale": "moaas", "score": 5})
    n.post(f"/sessions/{session.id}/scales", {"scale": "aldrete", "items": ALDRETE})
    answer = n.post(f"/sessions/{session.id}/discharge", {"escort_present": True})

    # then the discharge succeeds and the session keeps the date it was given on
    assert answer.status_code == 200, answer.content
    assert TreatmentSession.objects.get(pk=session.pk).scheduled_date == day
    form = api(prescriber).get(f"/sessions/{session.id}/rems-form")
    assert form.status_code == 200, form.content
    fields = {f["key"]: f["value"] for sec in form.json()["sections"] for f in sec["fields"]}
    assert fields["treatment_date"] == day.isoformat()


def test_yesterdays_session_cannot_be_checked_in_after_midnight(
    at_clinic_time, prescriber, nurse, patient
):
    # given a session planned for today at 23:50, not checked in
    at_clinic_time(23, 50)
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = first_session(course)

    # when the nurse checks the patient in at 00:10 the next day
    at_clinic_time(0, 10, days=1)

    # then it is refused: the session must be moved to its real date first
    with pytest.raises(Conflict) as refused:
        services.check_in(actor=nurse, session=session, chair="1")
    assert "move it first" in refused.value.message
    assert refused.value.message.startswith(
        f"The session is planned for {(session.scheduled_date).isoformat()}"
    )
    assert session.scheduled_date + dt.timedelta(days=1) == patient.clinic.today()
