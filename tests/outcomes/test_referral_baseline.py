"""The outcome summary never takes a referral's score as a course baseline unless a clinician
confirmed it (outcomes/sql.py; the same rule as the patient's Measures tab)."""

import pytest

from ketaclinic.measures.models import ResponseSource
from ketaclinic.measures.services import confirm_referral_score, record_referral_score
from ketaclinic.outcomes import queries, sql
from tests.outcomes.builders import MARCH_3, make_course, make_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def course_with_referral_score(prescriber, front_desk):
    """One course from 3 March 2025; the clinic's PHQ-9s 20 (day 0, 14:30 UTC) and 11 (day 5).

    The referral's 24, observed on the start day, stands at the clinic's midnight (05:00 UTC),
    before the clinic's own first score."""
    patient = make_patient(front_desk, "Rae")
    make_course(
        prescriber, patient, "iv_ketamine", MARCH_3, "active",
        doses={1: 0, 2: 2}, scores=((0, 20), (5, 11)),
    )  # fmt: skip
    return record_referral_score(
        actor=prescriber,
        patient=patient,
        total=24,
        observed_on=MARCH_3,
        organisation="Riverside Family Practice",
        referral_ref="R-7",
    )


def response_rate(user):
    return queries.summary(user)[0].as_dict({})["response"]


def test_an_unconfirmed_referral_score_is_not_the_course_baseline(
    course_with_referral_score, prescriber
):
    # then the baseline is the clinic's 20: 11 is 45% lower, no response
    assert response_rate(prescriber)["numerator"] == 0
    assert response_rate(prescriber)["denominator"] == 1


def test_a_confirmed_referral_score_serves_as_the_course_baseline(
    course_with_referral_score, prescriber
):
    # when a prescriber confirms the referral's 24
    confirm_referral_score(actor=prescriber, response=course_with_referral_score)
    # then it is the course's first score, so its baseline: 11 is 54% lower, a response
    assert response_rate(prescriber)["numerator"] == 1
    assert response_rate(prescriber)["denominator"] == 1


def test_the_sql_names_the_same_source_value_as_the_model():
    assert sql.REFERRAL_SOURCE == ResponseSource.REFERRAL
