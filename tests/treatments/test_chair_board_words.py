"""The chair board speaks the clinic's words: protocol names, discharge criteria, vitals' age."""

import html
import re

import pytest

from ketaclinic.patients.services import register_patient
from ketaclinic.treatments import services
from tests.treatments.helpers import ago, course_today, dosing_started, first_session

# Sessions dosed minutes ago, still today: the stories run in the afternoon of the clinic date.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_hours")]

ESKETAMINE_US = "Esketamine nasal spray, treatment-resistant depression (US label schedule)"


def test_the_board_names_protocols_and_open_criteria_in_words_and_counts_down(
    web, prescriber, nurse, front_desk, patient
):
    # given a patient in monitoring 30 minutes after the first device, charted 4 minutes ago
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=30)
    services.record_vitals(
        actor=nurse,
        session=session,
        measured_at=ago(4),
        systolic=132,
        diastolic=84,
        heart_rate=77,
        spo2=97,
        resp_rate=15,
    )
    # and another patient still expected today
    other = register_patient(
        actor=front_desk,
        given_name="Lee",
        family_name="Expected",
        date_of_birth="1975-05-05",
        sex="male",
        weight_kg="80",
    )
    course_today(prescriber, nurse, other, "iv_ketamine")

    # when the nurse opens the board
    page = html.unescape(web(nurse).get("/treatments/board/").content.decode())
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))

    # then the chair shows its vitals with their age, and what discharge still waits for
    assert "BP 132/84 mmHg 4 min ago" in text
    assert "HR 77 /min 4 min ago" in text
    assert "SpO2 97 % 4 min ago" in text
    assert "RR 15 /min 4 min ago" in text
    assert "in 90 min" in text  # the label's 2 hours of observation, 30 minutes gone
    assert "open: Aldrete score, MOAA/S sedation score" in text
    # and the protocols by their names, on the chair and in the list of those still expected
    assert f"{ESKETAMINE_US} · session 1" in text
    assert "IV racemic ketamine infusion (off-label)" in text
    for code in ("esketamine_trd", "iv_ketamine", "moaas", "aldrete,", "observation time"):
        assert code not in text
