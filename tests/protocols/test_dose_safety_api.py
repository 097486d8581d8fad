"""Every dose path refuses an implausible weight; labels decide strengths and esketamine doses."""

import datetime as dt
import json

import pytest

from ketaclinic.core.errors import InvalidInput
from ketaclinic.patients import services as patient_services
from ketaclinic.treatments import services as treatment_services
from ketaclinic.treatments.models import Course
from tests.treatments.helpers import make_treatable

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2030, 3, 4)
RANGE_TEXT = "20-400 kg (the clinic's data-entry plausibility range)"
IV = {"protocol": "iv_ketamine", "concentration_mg_per_ml": 10, "bag_volume_ml": 100}


def raw_post(api_client, path, body: str):
    """A JSON body exactly as typed (to send exponents and NaN as a client would)."""
    return api_client.client.post(
        "/api/v1" + path, data=body, content_type="application/json", headers=api_client.headers
    )


@pytest.mark.parametrize("weight", [500, 1000, "1000", 19.9, 400.1])
def test_the_calculator_refuses_an_implausible_weight_naming_the_range(api, nurse, weight):
    answer = api(nurse).post("/dose-calculations", IV | {"weight_kg": weight})

    assert answer.status_code == 422
    assert answer.json()["fields"]["weight_kg"] == f"must be between {RANGE_TEXT}"


@pytest.mark.parametrize(
    "body",
    [
        '"weight_kg": "1e3"',
        '"weight_kg": "5e1"',
        '"weight_kg": "NaN"',
        '"weight_kg": NaN',
        '"weight_kg": Infinity',
        '"weight_kg": "-Infinity"',
        '"weight_kg": 1e3',
    ],
)
def test_exponents_nan_and_infinity_are_refused_naming_the_field(api, nurse, body):
    text = json.dumps(IV)[:-1] + ", " + body + "}"

    answer = raw_post(api(nurse), "/dose-calculations", text)

    assert answer.status_code == 422
    assert "weight_kg" in answer.json()["fields"]


def test_the_reviewers_55_55_kg_example_draws_0_55_ml_and_says_so(api, nurse):
    answer = api(nurse).post(
        "/dose-calculations",
        IV | {"weight_kg": "55.55", "dose_mg_per_kg": "1.0", "concentration_mg_per_ml": 100},
    )

    assert answer.status_code == 200
    body = answer.json()
    assert (body["calculated_dose_mg"], body["draw_volume_ml"], body["dose_mg"]) == (
        "55.5",
        "0.55",
        "55.0",
    )
    assert "never exceeds the calculated dose" in body["rounding"]
    assert any("rounded down to the 0.01 mL syringe step" in w for w in body["warnings"])


def test_a_strength_not_on_the_label_is_refused_naming_the_allowed_strengths(api, nurse):
    answer = api(nurse).post(
        "/dose-calculations", IV | {"weight_kg": 80, "concentration_mg_per_ml": 20}
    )

    assert answer.status_code == 422
    message = answer.json()["fields"]["concentration_mg_per_ml"]
    assert message.startswith("must be one of 10, 50, 100 mg/mL")
    assert "Ketalar" in message


def test_a_us_protocol_refuses_28_mg_citing_the_us_label(api, nurse):
    answer = api(nurse).post(
        "/dose-calculations", {"protocol": "esketamine_trd", "dose_mg": 28, "age_years": 70}
    )

    assert answer.status_code == 422
    message = answer.json()["fields"]["dose_mg"]
    assert "the US label has no 28 mg dose" in message
    assert "Spravato US prescribing information" in message


def test_an_eu_protocol_calculates_28_mg_for_a_65_year_old(api, nurse):
    answer = api(nurse).post(
        "/dose-calculations", {"protocol": "esketamine_trd_eu", "dose_mg": 28, "age_years": 65}
    )

    assert answer.status_code == 200
    assert (answer.json()["devices"], answer.json()["jurisdiction"]) == (1, "EU-EMA")


def test_the_us_schedule_preview_plans_56_mg_on_day_1_for_a_70_year_old(api, front_desk):
    answer = api(front_desk).post(
        "/protocols/esketamine_trd/schedule-preview",
        {"start_date": MONDAY.isoformat(), "age_years": 70},
    )

    assert answer.status_code == 200
    assert answer.json()["sessions"][0]["planned_dose_mg"] == "56"


def test_the_eu_schedule_preview_plans_28_mg_on_day_1_for_a_65_year_old(api, front_desk):
    answer = api(front_desk).post(
        "/protocols/esketamine_trd_eu/schedule-preview",
        {"start_date": MONDAY.isoformat(), "age_years": 65},
    )

    assert answer.status_code == 200
    assert answer.json()["sessions"][0]["planned_dose_mg"] == "28"


def test_a_schedule_preview_refuses_an_implausible_weight(api, prescriber):
    answer = api(prescriber).post(
        "/protocols/iv_ketamine/schedule-preview",
        {"start_date": MONDAY.isoformat(), "weight_kg": 500},
    )

    assert answer.status_code == 422
    assert RANGE_TEXT in answer.json()["fields"]["weight_kg"]


def test_a_course_is_not_planned_for_an_implausible_weight(api, prescriber, nurse, patient):
    make_treatable(prescriber, nurse, patient, "iv_ketamine")

    answer = api(prescriber).post(
        f"/patients/{patient.id}/courses",
        {"protocol": "iv_ketamine", "start_date": MONDAY.isoformat(), "weight_kg": "1e3"},
    )
    typed = api(prescriber).post(
        f"/patients/{patient.id}/courses",
        {"protocol": "iv_ketamine", "start_date": MONDAY.isoformat(), "weight_kg": 401},
    )

    assert (answer.status_code, typed.status_code) == (422, 422)
    assert "weight_kg" in answer.json()["fields"]
    assert RANGE_TEXT in typed.json()["fields"]["weight_kg"]
    assert Course.objects.count() == 0


def test_the_clinics_chosen_range_applies_to_the_calculator_and_courses(
    api, clinic_admin, prescriber, nurse, patient
):
    # given the clinic chose 35-250 kg
    answer = api(clinic_admin).put(
        "/clinic/weight-range", {"min_kg": "35", "max_kg": "250", "note": "adult clinic"}
    )
    assert answer.status_code == 200
    assert api(nurse).get("/clinic/weight-range").json() == {
        "min_kg": "35.0",
        "max_kg": "250.0",
        "meaning": "the clinic's data-entry plausibility range",
    }

    # when 260 kg is calculated, or a course is planned for it
    calc = api(nurse).post("/dose-calculations", IV | {"weight_kg": 260})
    make_treatable(prescriber, nurse, patient, "iv_ketamine")
    with pytest.raises(InvalidInput) as refused:
        treatment_services.start_course(
            actor=prescriber,
            patient=patient,
            protocol_code="iv_ketamine",
            start_date=MONDAY,
            weight_kg=260,
        )

    # then both are refused naming the clinic's range
    assert calc.status_code == 422
    assert "35-250 kg" in calc.json()["fields"]["weight_kg"]
    assert "35-250 kg" in refused.value.fields["weight_kg"]


def test_a_clinic_range_outside_20_to_400_kg_or_upside_down_is_refused(api, clinic_admin):
    wide = api(clinic_admin).put("/clinic/weight-range", {"min_kg": "10", "max_kg": "500"})
    upside = api(clinic_admin).put("/clinic/weight-range", {"min_kg": "200", "max_kg": "100"})

    assert wide.status_code == 422
    assert set(wide.json()["fields"]) == {"min_kg", "max_kg"}
    assert upside.json()["fields"] == {"max_kg": "must be above min_kg"}


def test_only_a_clinic_admin_or_prescriber_chooses_the_range(api, nurse, front_desk):
    for user in (nurse, front_desk):
        answer = api(user).put("/clinic/weight-range", {"min_kg": "30", "max_kg": "300"})
        assert answer.status_code == 403


def test_the_patient_record_keeps_to_the_clinics_range(clinic_admin, front_desk, patient):
    patient_services.set_weight_range(actor=clinic_admin, min_kg="35", max_kg="250")

    with pytest.raises(InvalidInput) as refused:
        patient_services.update_patient(actor=front_desk, patient=patient, weight_kg="300.0")

    assert "35-250 kg" in refused.value.fields["weight_kg"]
