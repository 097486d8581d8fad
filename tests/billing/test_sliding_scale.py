"""The clinic's sliding scale: exact boundaries, the rule shown, the approver, re-priced charges."""

import datetime as dt
from decimal import Decimal

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.billing import charges
from ketaclinic.billing.models import Charge, SlidingScaleAssessment
from tests.billing.helpers import fee_schedule, sliding_scale

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def scale(clinic_admin):
    fee_schedule(clinic_admin)
    return sliding_scale(clinic_admin)


@pytest.mark.parametrize(
    ("income", "discount", "band"),
    [
        ("31200.00", "75.00", "at or below 100%"),  # 2024 guideline, household of 4: $31,200
        ("31200.01", "50.00", "above 100% and at or below 150%"),
        ("46800.00", "50.00", "above 100% and at or below 150%"),
        ("46800.01", "25.00", "above 150% and at or below 200%"),
        ("62400.00", "25.00", "above 150% and at or below 200%"),
        ("62400.01", "0.00", "above 200%"),
    ],
)
def test_discounts_apply_exactly_at_the_boundaries_of_the_clinics_table(
    api, scale, front_desk, patient, income, discount, band
):
    # when the front desk applies the scale from a day in 2024 (2024 guideline in force)
    response = api(front_desk).post(
        f"/patients/{patient.id}/sliding-scale",
        {"household_size": 4, "annual_income": income, "effective_from": "2024-06-01"},
    )
    # then the band and discount follow the table exactly at each limit
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["discount_percent"], body["band"]) == (discount, band)
    assert body["guideline_year"] == 2024
    assert body["guideline_amount"] == "31200.00"


def test_the_approver_and_the_rule_are_recorded_and_audited(api, scale, front_desk, patient):
    body = (
        api(front_desk)
        .post(
            f"/patients/{patient.id}/sliding-scale",
            {
                "household_size": 2,
                "annual_income": "30000",
                "effective_from": "2025-03-01",
                "documentation": "2024 tax return seen",
            },
        )
        .json()
    )
    assert body["approved_by"] == "Kim Lee"
    assert body["rule"].startswith("Household of 2 people, annual income $30,000.00 = 141.9%")
    assert "2025 poverty guideline ($21,150" in body["rule"]
    assert AuditEvent.objects.filter(
        action="billing.sliding_scale_applied", actor=front_desk, patient=patient
    ).exists()


def test_applying_the_scale_discounts_charges_from_its_date_on_and_ends_the_previous_one(
    api, scale, front_desk, patient
):
    # given two consultations charged in March and May 2025
    for day in (dt.date(2025, 3, 3), dt.date(2025, 5, 5)):
        charges.add_charge(
            actor=front_desk, patient=patient, service="consultation", service_date=day
        )
    # when a 50% discount applies from April
    api(front_desk).post(
        f"/patients/{patient.id}/sliding-scale",
        {"household_size": 1, "annual_income": "20000", "effective_from": "2025-04-01"},
    )
    # then only the May charge is discounted, with the rule written on it
    march, may = Charge.objects.order_by("service_date")
    assert (march.discount_amount, may.discount_amount) == (D("0.00"), D("200.00"))
    assert "50% discount" in may.discount_rule
    # and a later assessment ends the first one
    api(front_desk).post(
        f"/patients/{patient.id}/sliding-scale",
        {"household_size": 1, "annual_income": "90000", "effective_from": "2025-06-01"},
    )
    first, second = SlidingScaleAssessment.objects.order_by("effective_from")
    assert first.ended_on == dt.date(2025, 6, 1)
    assert second.ended_on is None


def test_a_year_without_a_loaded_guideline_uses_the_latest_earlier_year_and_says_so(
    api, scale, front_desk, patient
):
    body = (
        api(front_desk)
        .post(
            f"/patients/{patient.id}/sliding-scale",
            {"household_size": 1, "annual_income": "10000", "effective_from": "2026-02-01"},
        )
        .json()
    )
    assert body["guideline_year"] == 2025
    assert "The 2026 guideline is not loaded; 2025 values used." in body["rule"]


def test_a_clinic_admin_loads_a_new_years_guideline_with_its_source(
    api, scale, clinic_admin, front_desk, patient
):
    response = api(clinic_admin).put(
        "/poverty-guidelines/2026/contiguous",
        {"first_person": "16000", "each_additional": "5600", "source": "Test value, not HHS"},
    )
    assert response.status_code == 200
    years = {(g["year"], g["region"]) for g in api(front_desk).get("/poverty-guidelines").json()}
    assert {(2024, "contiguous"), (2025, "contiguous"), (2026, "contiguous")} <= years
    body = (
        api(front_desk)
        .post(
            f"/patients/{patient.id}/sliding-scale",
            {"household_size": 1, "annual_income": "16000", "effective_from": "2026-02-01"},
        )
        .json()
    )
    assert (body["guideline_year"], body["discount_percent"]) == (2026, "75.00")


def test_the_lookup_answers_without_saving(api, scale, front_desk):
    body = (
        api(front_desk)
        .get("/sliding-scale/lookup", household_size=3, annual_income="26650", on="2025-07-01")
        .json()
    )
    assert (body["percent_of_guideline"], body["discount_percent"]) == ("100.0", "75.00")
    assert SlidingScaleAssessment.objects.count() == 0


def test_a_malformed_table_is_refused(api, clinic_admin):
    response = api(clinic_admin).post(
        "/sliding-scales",
        {
            "name": "Bad",
            "effective_from": "2030-01-01",
            "bands": [
                {"max_percent": "200", "discount_percent": "10"},
                {"max_percent": "100", "discount_percent": "50"},
            ],
        },
    )
    assert response.status_code == 422
    assert "must increase" in response.json()["detail"]


def test_a_clinic_admin_loads_guidelines_from_a_file_on_the_command_line(
    tmp_path, clinic_admin, front_desk
):
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from ketaclinic.billing.queries import guideline_for

    path = tmp_path / "g.json"
    path.write_text(
        json.dumps(
            [
                {
                    "year": 2026,
                    "region": "contiguous",
                    "first_person": "16000",
                    "each_additional": "5600",
                    "source": "Test file",
                }
            ]
        )
    )
    call_command("load_poverty_guidelines", clinic_admin.username, str(path))
    assert guideline_for(clinic_admin.clinic_id, 2026, "contiguous").first_person == D("16000")
    assert AuditEvent.objects.filter(action="billing.poverty_guideline_set").count() == 1
    with pytest.raises(CommandError, match="may not"):
        call_command("load_poverty_guidelines", front_desk.username, str(path))
