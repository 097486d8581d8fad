"""Protocols, schedule previews, dose calculations and clinic versions through the API."""

import datetime as dt

import pytest

from ketaclinic.protocols import services
from ketaclinic.protocols.models import ProtocolVersion
from ketaclinic.protocols.queries import protocol_facts
from ketaclinic.treatments.models import Course, TreatmentSession
from ketaclinic.treatments.queries import current_course_started_on

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2030, 3, 4)


def test_the_clinic_sees_the_built_in_protocols_with_their_sources(api, nurse):
    # when a nurse lists the protocols
    answer = api(nurse).get("/protocols")

    # then every built-in is there with drug, consent type and its sourced rules
    assert answer.status_code == 200
    rows = {row["code"]: row for row in answer.json()}
    assert set(rows) == {
        "iv_ketamine",
        "esketamine_trd",
        "esketamine_mdsi",
        "esketamine_trd_eu",
        "im_ketamine",
        "oral_ketamine",
    }
    assert {code: row["jurisdiction"] for code, row in rows.items()}["esketamine_trd_eu"] == (
        "EU-EMA"
    )
    esk = rows["esketamine_trd"]
    assert esk["jurisdiction"] == "US-FDA"
    assert (esk["drug"], esk["consent_type"]) == ("esketamine", "esketamine_rems")
    assert esk["definition"]["observation"]["minimum_min"] == 120
    assert "DailyMed" in esk["definition"]["observation"]["source"]
    assert rows["im_ketamine"]["configured"] is False
    assert rows["im_ketamine"]["needs_configuration"]


def test_a_schedule_preview_from_a_monday_follows_the_label_and_saves_nothing(api, front_desk):
    # when front desk previews an esketamine course starting on a Monday (for a cost estimate)
    answer = api(front_desk).post(
        "/protocols/esketamine_trd/schedule-preview", {"start_date": MONDAY.isoformat()}
    )

    # then weeks 1-4 have 8 sessions (twice weekly), weeks 5-8 one a week, day 1 at 56 mg
    assert answer.status_code == 200
    sessions = answer.json()["sessions"]
    induction = [s for s in sessions if s["phase"] == "induction"]
    assert len(induction) == 8
    assert [dt.date.fromisoformat(s["date"]).strftime("%a") for s in induction] == [
        "Mon",
        "Thu",
    ] * 4
    assert sessions[0] == {
        "number": 1,
        "date": "2030-03-04",
        "phase": "induction",
        "week": 1,
        "planned_dose_mg": "56",
        "planned_dose_mg_per_kg": None,
    }
    assert [s["week"] for s in sessions if s["phase"] == "optimization"] == [5, 6, 7, 8]
    # and nothing was saved
    assert Course.objects.count() == 0
    assert TreatmentSession.objects.count() == 0


def test_the_preview_respects_the_clinics_open_days(api, prescriber):
    services.set_open_weekdays(actor=prescriber, weekdays=[0, 1, 2])

    answer = api(prescriber).post(
        "/protocols/iv_ketamine/schedule-preview",
        {"start_date": MONDAY.isoformat(), "weight_kg": 80},
    )

    dates = [dt.date.fromisoformat(s["date"]) for s in answer.json()["sessions"]]
    assert [d.strftime("%a") for d in dates] == ["Mon", "Wed"] * 3
    assert all(s["planned_dose_mg"] == "40.0" for s in answer.json()["sessions"])


def test_a_preview_of_an_unconfigured_protocol_is_refused(api, prescriber):
    answer = api(prescriber).post(
        "/protocols/oral_ketamine/schedule-preview", {"start_date": MONDAY.isoformat()}
    )

    assert answer.status_code == 409
    assert answer.json()["code"] == "protocol_not_configured"


def test_an_unknown_protocol_is_not_found(api, prescriber):
    assert api(prescriber).get("/protocols/laughing_gas").status_code == 404
    answer = api(prescriber).post(
        "/protocols/laughing_gas/schedule-preview", {"start_date": MONDAY.isoformat()}
    )
    assert answer.status_code == 404


def test_an_80_kg_dose_calculation_is_exact_and_says_how_it_rounded(api, nurse):
    answer = api(nurse).post(
        "/dose-calculations",
        {
            "protocol": "iv_ketamine",
            "weight_kg": 80,
            "concentration_mg_per_ml": 10,
            "bag_volume_ml": 100,
        },
    )

    assert answer.status_code == 200
    body = answer.json()
    assert (body["dose_mg"], body["calculated_dose_mg"], body["draw_volume_ml"]) == (
        "40.0",
        "40.0",
        "4.00",
    )
    assert (body["infusion_volume_ml"], body["rate_ml_per_h"]) == ("104.00", "156.0")
    assert "rounded DOWN to the syringe step (0.01 mL)" in body["rounding"]
    assert body["max_dose_mg"] == "80.0"  # the ceiling: 80 kg x the 1.0 mg/kg maximum
    assert body["max_dose_note"].startswith("no clinic maximum set")
    assert (body["dosing_weight_basis"], body["dosing_weight_kg"]) == ("actual", "80")


def test_an_esketamine_dose_calculation_answers_the_devices(api, nurse):
    answer = api(nurse).post("/dose-calculations", {"protocol": "esketamine_trd", "dose_mg": 84})

    assert answer.status_code == 200
    assert (answer.json()["devices"], answer.json()["device_mg"]) == (3, "28")


def test_a_dose_outside_the_protocol_limits_is_422_naming_the_fields(api, nurse):
    answer = api(nurse).post(
        "/dose-calculations",
        {
            "protocol": "iv_ketamine",
            "weight_kg": 80,
            "concentration_mg_per_ml": 10,
            "bag_volume_ml": 100,
            "dose_mg_per_kg": 2,
            "duration_min": 10,
        },
    )

    assert answer.status_code == 422
    assert set(answer.json()["fields"]) == {"dose_mg_per_kg", "duration_min"}


def test_a_clinic_version_with_a_maximum_refuses_a_dose_above_it(api, prescriber, nurse):
    # given the clinic set a 50 mg maximum on IV ketamine (a new version)
    answer = api(prescriber).post(
        "/protocols/iv_ketamine/versions",
        {"changes": {"dose": {"max_dose_mg": "50"}}, "note": "Maximum agreed by the MDs."},
    )
    assert answer.status_code == 201
    assert answer.json()["version"] == 2

    # when a 120 kg patient is calculated at 0.5 mg/kg (60 mg), and a 90 kg one (45 mg)
    def calc(weight):
        return api(nurse).post(
            "/dose-calculations",
            {
                "protocol": "iv_ketamine",
                "weight_kg": weight,
                "concentration_mg_per_ml": 10,
                "bag_volume_ml": 100,
            },
        )

    above, within = calc(120), calc(90)

    # then 60 mg is refused naming the mg/kg and the clinic's maximum; 45 mg is calculated
    assert above.status_code == 422
    assert "above the clinic's maximum of 50 mg" in above.json()["fields"]["dose_mg_per_kg"]
    assert within.status_code == 200
    assert (within.json()["dose_mg"], within.json()["clinic_max_dose_mg"]) == ("45.0", "50")
    assert "the clinic's choice" in within.json()["max_dose_note"]


def test_an_unsafe_clinic_change_is_refused(api, prescriber):
    answer = api(prescriber).post(
        "/protocols/iv_ketamine/versions",
        {"changes": {"dose": {"default_mg_per_kg": "3"}}, "note": "typo"},
    )

    assert answer.status_code == 422
    assert ProtocolVersion.objects.filter(version__gt=1).count() == 0


def test_a_clinic_copy_resolves_to_its_base_protocols_drug_and_consent(api, prescriber, clinic):
    answer = api(prescriber).post(
        "/protocols/iv_ketamine/copies",
        {
            "code": "iv_ketamine_slow",
            "name": "IV ketamine over 60 minutes",
            "changes": {"dose": {"default_duration_min": 60}},
        },
    )

    assert answer.status_code == 201
    assert answer.json()["definition"]["dose"]["default_duration_min"] == 60
    facts = protocol_facts(clinic, "iv_ketamine_slow")
    assert (facts.drug, facts.consent_type) == ("ketamine", "ketamine_off_label")


def test_a_nurse_may_not_change_a_protocol(api, nurse):
    answer = api(nurse).post("/protocols/iv_ketamine/versions", {"changes": {}, "note": "no"})

    assert answer.status_code == 403


def test_current_course_started_on_is_none_without_a_course(patient):
    assert current_course_started_on(patient) is None
