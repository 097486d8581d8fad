"""The equity report: referral to first treatment and dropout by payer and income band."""

import datetime as dt

import pytest

from ketaclinic.intake.models import Referral
from tests.access.helpers import person

pytestmark = pytest.mark.django_db
FROM, TO = "2026-01-01", "2026-06-30"


def _refer(desk, n, prefix, **extra):
    for i in range(n):
        patient = person(desk, f"{prefix}{i}", "Test", **extra)
        Referral.objects.create(
            clinic=patient.clinic, patient=patient, referred_on=dt.date(2026, 2, 1 + i % 20)
        )


def test_the_access_report_suppresses_small_cells(api, front_desk, clinic_admin):
    # given 14 self-pay referrals with a low income, and 3 on Medicaid with a high income
    _refer(front_desk, 14, "S", payer_type="self_pay", income_band="under_25k")
    _refer(front_desk, 3, "M", payer_type="medicaid", income_band="100k_plus")
    # when the clinic admin opens the report
    response = api(clinic_admin).get("/reports/access", **{"from": FROM, "to": TO})
    assert response.status_code == 200
    body = response.json()
    payer = {row["group"]: row for row in body["breakdowns"]["payer_type"]}
    income = {row["group"]: row for row in body["breakdowns"]["income_band"]}
    # then the 3 Medicaid patients are not shown, and neither is anything that would reveal
    # them (the self-pay count, which with the shown total of 17 would give 3 away)
    assert payer["medicaid"]["referred"] is None
    assert payer["medicaid"]["suppressed"] is True
    assert payer["self_pay"]["referred"] is None
    assert income["100k_plus"]["referred"] is None
    # and empty groups show a true zero
    assert payer["commercial"]["referred"] == 0
    assert body["all"]["referred"] == 17
    assert body["threshold"] == 11
    assert "CMS cell size suppression" in body["suppression_source"]


def test_large_groups_show_their_counts_and_medians(api, front_desk, clinic_admin):
    _refer(front_desk, 12, "A", payer_type="self_pay")
    _refer(front_desk, 11, "B", payer_type="commercial")
    body = api(clinic_admin).get("/reports/access", **{"from": FROM, "to": TO}).json()
    payer = {row["group"]: row for row in body["breakdowns"]["payer_type"]}
    assert (payer["self_pay"]["referred"], payer["commercial"]["referred"]) == (12, 11)
    # nobody treated yet: zero treated is shown, no median exists
    assert payer["self_pay"]["treated"] == 0
    assert payer["self_pay"]["median_days_to_first_treatment"] is None


def test_front_desk_and_nurses_cannot_open_the_equity_report(api, front_desk, nurse):
    for user in (front_desk, nurse):
        assert api(user).get("/reports/access", **{"from": FROM, "to": TO}).status_code == 403
