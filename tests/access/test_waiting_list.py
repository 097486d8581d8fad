"""The waiting list: clinical priority first, then waiting time; ability to pay never counts."""

import pytest
from django.utils import timezone

from ketaclinic.billing import services as billing
from tests.access.helpers import (
    CSSRS_HIGH,
    CSSRS_LOW,
    PHQ9_MILD,
    PHQ9_SEVERE,
    person,
    referred,
    scale,
)
from tests.billing.helpers import complete, fee_schedule, session, sliding_scale, start_course

pytestmark = pytest.mark.django_db


def _order(client):
    return [row["name"] for row in client.get("/waiting-list").json()]


def test_a_high_risk_patient_goes_ahead_of_a_low_risk_one_who_waited_longer(api, nurse, front_desk):
    # given a low-risk patient waiting 90 days and a high-risk one waiting 2 days
    low = person(front_desk, "Lou", "Long")
    high = person(front_desk, "Hana", "Urgent")
    referred(front_desk, low, 90)
    referred(front_desk, high, 2)
    scale(nurse, low, "cssrs_screener", CSSRS_LOW)
    scale(nurse, high, "cssrs_screener", CSSRS_HIGH)
    # when staff open the waiting list
    rows = api(nurse).get("/waiting-list").json()
    # then the high-risk patient is first, with the reason shown to clinical staff
    assert [r["name"] for r in rows] == ["Urgent, Hana", "Long, Lou"]
    assert rows[0]["priority"] == "Urgent"
    assert rows[0]["reasons"] == ["C-SSRS screener: high risk"]
    assert rows[1]["days_waiting"] == 90


def test_severe_scores_come_next_then_the_longest_wait(api, nurse, front_desk):
    a = person(front_desk, "Ann", "Routine")
    b = person(front_desk, "Bea", "Severe")
    c = person(front_desk, "Cal", "Mild")
    referred(front_desk, a, 60)
    referred(front_desk, b, 5)
    referred(front_desk, c, 30)
    scale(nurse, b, "phq9", PHQ9_SEVERE)
    scale(nurse, c, "phq9", PHQ9_MILD)
    assert _order(api(nurse)) == ["Severe, Bea", "Routine, Ann", "Mild, Cal"]


def test_the_order_ignores_ability_to_pay(api, clinic_admin, nurse, front_desk):
    # given two routine patients: one self-pay with a high income who waited longer,
    # one on Medicaid with a sliding-scale discount
    fee_schedule(clinic_admin)
    sliding_scale(clinic_admin)
    rich = person(front_desk, "Rich", "Early", payer_type="self_pay", income_band="100k_plus")
    poor = person(front_desk, "Pat", "Later", payer_type="medicaid", income_band="under_25k")
    referred(front_desk, rich, 40)
    referred(front_desk, poor, 10)
    billing.apply_sliding_scale(
        actor=front_desk, patient=poor, household_size=1, annual_income="9000"
    )
    # then the order is by waiting time alone
    assert _order(api(nurse)) == ["Early, Rich", "Later, Pat"]
    # and swapping payer and income changes nothing
    rich.payer_type, rich.income_band = "medicaid", "under_25k"
    rich.save()
    poor.payer_type, poor.income_band = "self_pay", "100k_plus"
    poor.save()
    assert _order(api(nurse)) == ["Early, Rich", "Later, Pat"]


def test_front_desk_sees_the_order_and_tier_but_not_the_clinical_reasons(api, nurse, front_desk):
    high = person(front_desk, "Hana", "Urgent")
    referred(front_desk, high, 2)
    scale(nurse, high, "cssrs_screener", CSSRS_HIGH)
    row = api(front_desk).get("/waiting-list").json()[0]
    assert row["priority"] == "Urgent"
    assert row["reasons"] == []


def test_declined_and_already_treated_patients_are_not_waiting(
    api, prescriber, nurse, front_desk, patient
):
    from ketaclinic.intake.models import Referral

    # given a declined referral and a referred patient who has had a first session
    other = person(front_desk, "Dee", "Declined")
    referred(front_desk, other, 10)
    Referral.objects.filter(patient=other).update(status="declined")
    referred(front_desk, patient, 20)
    course = start_course(prescriber, nurse, patient)
    assert [r["name"] for r in api(nurse).get("/waiting-list").json()] == ["Rivera, Jordan"]
    complete(session(course, 1), prescriber, nurse, at=timezone.now(), dose_mg="56", devices=2)
    # then nobody is waiting
    assert api(nurse).get("/waiting-list").json() == []
