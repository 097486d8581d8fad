"""Billing rules hold whichever way in: the settings page and the API, a correction dated
before earlier assessments, the report asked through the API at the clinic's date."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from ketaclinic.audit.models import AuditEvent
from ketaclinic.billing import charges, queries, services
from ketaclinic.billing.models import SlidingScale
from tests.billing.helpers import fee_schedule, local, sliding_scale

pytestmark = pytest.mark.django_db

SETTINGS = {
    "place_of_service": "11", "poverty_region": "contiguous", "dispute_threshold": "400",
    "infusion_push_max_minutes": "15", "infusion_additional_more_than_minutes": "30",
    "esketamine_low_dose_max_mg": "56", "charge_at_discharge": "automatic",
}  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("esketamine_low_dose_max_mg", "-1"),
        ("esketamine_low_dose_max_mg", "56.25"),
        ("infusion_push_max_minutes", "61"),
        ("infusion_additional_more_than_minutes", "60"),
    ],
)
def test_the_settings_page_refuses_a_coding_rule_the_api_refuses(
    web, api, clinic_admin, patient, field, value
):
    # when an administrator saves a coding rule out of its bounds on the page
    page = web(clinic_admin).post("/billing/settings/", SETTINGS | {field: value})
    # then the page names the field, and the rule in force is unchanged
    assert page.status_code == 200
    assert page.context["form"].errors[field]
    kept = queries.billing_settings(patient.clinic)
    assert kept.esketamine_low_dose_max_mg == Decimal("56")
    assert (kept.infusion_push_max_minutes, kept.infusion_additional_more_than_minutes) == (15, 30)
    # as the API refuses it
    answer = api(clinic_admin).patch("/billing/settings", {field: value})
    assert answer.status_code == 422 and field in answer.json()["fields"]


def test_the_service_refuses_a_coding_rule_out_of_bounds(clinic_admin):
    with pytest.raises(services.InvalidInput) as refused:
        services.update_billing_settings(
            actor=clinic_admin,
            esketamine_low_dose_max_mg=Decimal("0"),
            infusion_push_max_minutes=-5,
        )
    assert set(refused.value.fields) == {"esketamine_low_dose_max_mg", "infusion_push_max_minutes"}


def test_the_sliding_scale_page_asks_for_a_band_discount_left_empty(web, clinic_admin, clinic):
    # when a band has its income limit and no discount
    page = web(clinic_admin).post(
        "/billing/sliding-scale/",
        {
            "table": "1", "table-name": "Scale", "table-effective_from": "2020-01-01",
            "table-max_1": "100", "table-discount_1": "75",
            "table-max_2": "150", "table-discount_2": "",
            "table-discount_3": "0",
        },
    )  # fmt: skip
    # then the table is not saved (those households would get the next band's discount)
    assert not SlidingScale.objects.filter(clinic=clinic).exists()
    assert "Give this band&#x27;s discount (0 for none)." in page.content.decode()


def test_a_backdated_assessment_gives_one_discount_per_day(clinic_admin, front_desk, patient):
    fee_schedule(clinic_admin)
    sliding_scale(clinic_admin)

    def assess(income, start):
        services.apply_sliding_scale(
            actor=front_desk, patient=patient, household_size=1,
            annual_income=income, effective_from=start,
        )  # fmt: skip

    def consultation():
        return charges.add_charge(
            actor=front_desk, patient=patient, service="consultation",
            service_date=dt.date(2026, 1, 15),
        )  # fmt: skip

    first = consultation()
    assess("15000", dt.date(2026, 1, 1))  # 75% from 1 January
    assess("90000", dt.date(2026, 3, 1))  # none from 1 March (January's ends there)
    assess("20000", dt.date(2025, 12, 1))  # a correction: 50% from 1 December
    second = consultation()  # the same service on the same day
    first.refresh_from_db()
    assert first.discount_percent == second.discount_percent == Decimal("50.00")
    assert queries.assessment_on(patient, dt.date(2026, 1, 15)).discount_percent == Decimal("50")
    # and the correction's audit event names the two assessments it ended, and how
    [event] = [
        e
        for e in AuditEvent.objects.filter(action="billing.sliding_scale_applied")
        if e.changes["effective_from"] == "2025-12-01"
    ]
    ended = [e["ended_on"] for e in event.changes["assessments_ended"]]
    assert sorted(ended, key=str) == sorted(
        [{"from": "2026-03-01", "to": "2026-01-01"}, {"from": None, "to": "2026-03-01"}], key=str
    )


def test_the_report_api_counts_assessments_on_the_clinics_date(
    api, clinic_admin, front_desk, patient
):
    sliding_scale(clinic_admin)
    # 21:30 in New York on 31 March is already 1 April in UTC
    with time_machine.travel(local(patient.clinic, 2026, 3, 31, 21, 30), tick=False):
        services.apply_sliding_scale(
            actor=front_desk, patient=patient, household_size=1, annual_income="15000"
        )
    report = api(clinic_admin).get("/reports/billing", **{"from": "2026-03-01", "to": "2026-03-31"})
    assert report.json()["discounts"]["assessments_by_discount"] == {"75%": 1}
    april = api(clinic_admin).get("/reports/billing", **{"from": "2026-04-01", "to": "2026-04-30"})
    assert april.json()["discounts"]["assessments_by_discount"] == {}
