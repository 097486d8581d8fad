"""The signed order and check-in keep to the same limits as the calculator: nothing else signs."""

from decimal import Decimal

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.protocols import services as protocols
from ketaclinic.treatments.models import Course, DoseOrder, TreatmentSession
from tests.treatments.helpers import (
    checked_in,
    course_today,
    first_session,
    ordered,
    pre_checked,
)

# These stories happen in clinic hours (sessions checked in today).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_hours")]

RANGE_TEXT = "20-400 kg (the clinic's data-entry plausibility range)"
IV_ORDER = {"concentration_mg_per_ml": 10, "bag_volume_ml": 100}


@pytest.fixture
def iv(prescriber, nurse, patient):
    return pre_checked(
        first_session(course_today(prescriber, nurse, patient, "iv_ketamine")), nurse
    )


@pytest.fixture
def esk(prescriber, nurse, patient):
    return first_session(course_today(prescriber, nurse, patient, "esketamine_trd"))


@pytest.mark.parametrize("weight", [500, 1000, "1e3", "NaN", "Infinity"])
def test_an_iv_order_with_an_implausible_weight_is_refused_and_nothing_is_signed(
    api, prescriber, iv, weight
):
    answer = api(prescriber).post(f"/sessions/{iv.id}/order", IV_ORDER | {"weight_kg": weight})

    assert answer.status_code == 422
    assert "weight_kg" in answer.json()["fields"]
    assert not DoseOrder.objects.filter(session=iv).exists()


def test_the_order_names_the_range_for_a_typed_weight_of_500_kg(api, prescriber, iv):
    answer = api(prescriber).post(f"/sessions/{iv.id}/order", IV_ORDER | {"weight_kg": 500})

    assert answer.json()["fields"]["weight_kg"] == f"must be between {RANGE_TEXT}"


def test_no_order_is_signed_above_the_clinics_maximum(api, prescriber, nurse, iv):
    # given the clinic set a 30 mg maximum, and the session runs under that version
    api(prescriber).post(
        "/protocols/iv_ketamine/versions",
        {"changes": {"dose": {"max_dose_mg": "30"}}, "note": "Clinic maximum per session."},
    )
    TreatmentSession.objects.filter(pk=iv.pk).update(
        protocol_version=protocols.ensure_version(iv.clinic, "iv_ketamine")
    )

    # when the prescriber orders 0.5 mg/kg of 72.5 kg (36.2 mg)
    answer = api(prescriber).post(f"/sessions/{iv.id}/order", IV_ORDER)

    # then it is refused naming the mg/kg and the clinic's maximum, and nothing is signed
    assert answer.status_code == 422
    assert "above the clinic's maximum of 30 mg" in answer.json()["fields"]["dose_mg_per_kg"]
    assert not DoseOrder.objects.filter(session=iv).exists()


def test_an_order_without_a_clinic_maximum_says_none_is_set(api, prescriber, iv):
    answer = api(prescriber).post(f"/sessions/{iv.id}/order", IV_ORDER)

    order = answer.json()["order"]
    assert order["max_dose_note"].startswith("no clinic maximum set")
    assert (order["dose_mg"], order["calculated_dose_mg"]) == ("36.2", "36.2")
    assert (order["dosing_weight_basis"], order["dosing_weight_kg"]) == ("actual", "72.5")


def test_an_order_draws_no_more_than_its_calculated_dose(api, prescriber, iv):
    # 72.5 kg x 0.75 mg/kg = 54.3 mg at 100 mg/mL: 0.543 mL is drawn as 0.54 mL = 54.0 mg
    answer = api(prescriber).post(
        f"/sessions/{iv.id}/order",
        {"dose_mg_per_kg": "0.75", "concentration_mg_per_ml": 100, "bag_volume_ml": 100},
    )

    order = answer.json()["order"]
    assert (order["calculated_dose_mg"], order["draw_volume_ml"], order["dose_mg"]) == (
        "54.3",
        "0.54",
        "54.0",
    )


def test_the_signed_order_keeps_the_mg_per_kg_that_was_signed(api, prescriber, iv):
    # 72.5 kg x 0.555 mg/kg = 40.2 mg: the order reads 0.555 mg/kg, not a rounded 0.56
    answer = api(prescriber).post(
        f"/sessions/{iv.id}/order", {"dose_mg_per_kg": "0.555"} | IV_ORDER
    )

    assert answer.status_code == 200, answer.json()
    order = DoseOrder.objects.get(session=iv)
    assert order.dose_mg_per_kg == Decimal("0.555")
    assert order.calculation["dose_mg_per_kg"] == "0.555"
    assert answer.json()["order"]["dose_mg_per_kg"] == "0.555"
    assert answer.json()["order"]["calculated_dose_mg"] == "40.2"


def test_an_order_of_a_strength_not_on_the_label_is_refused(api, prescriber, iv):
    answer = api(prescriber).post(
        f"/sessions/{iv.id}/order", {"concentration_mg_per_ml": 20, "bag_volume_ml": 100}
    )

    assert answer.status_code == 422
    assert "10, 50, 100 mg/mL" in answer.json()["fields"]["concentration_mg_per_ml"]


def test_an_order_on_ideal_body_weight_needs_the_height_and_uses_the_patients_sex(
    api, prescriber, iv
):
    # given the clinic doses IV ketamine by ideal body weight (a new version, used at check-in)
    protocols.change_protocol(
        actor=prescriber,
        code="iv_ketamine",
        changes={"dose": {"dosing_weight": "ideal"}},
        note="Dose by ideal body weight.",
    )
    TreatmentSession.objects.filter(pk=iv.pk).update(
        protocol_version=protocols.ensure_version(iv.clinic, "iv_ketamine")
    )

    missing = api(prescriber).post(f"/sessions/{iv.id}/order", IV_ORDER)
    signed = api(prescriber).post(f"/sessions/{iv.id}/order", IV_ORDER | {"height_cm": "162.6"})

    # then without a height it is refused; with it the woman's ideal weight is the basis:
    # 45.5 + 2.3 x 4.01 inches = 54.7 kg, 0.5 mg/kg = 27.3 mg
    assert missing.status_code == 422
    assert "height_cm" in missing.json()["fields"]
    order = signed.json()["order"]
    assert (order["dosing_weight_basis"], order["dosing_weight_kg"]) == ("ideal", "54.7")
    assert (order["weight_kg"], order["height_cm"], order["dose_mg"]) == ("72.5", "162.6", "27.3")


@pytest.mark.parametrize("age_years", [40, 70])
def test_a_us_esketamine_order_of_28_mg_is_refused_at_any_age(
    api, prescriber, nurse, patient, esk, age_years
):
    patient.date_of_birth = patient.date_of_birth.replace(
        year=esk.scheduled_date.year - age_years - 1
    )
    patient.save()
    pre_checked(esk, nurse)

    answer = api(prescriber).post(f"/sessions/{esk.id}/order", {"dose_mg": 28})

    assert answer.status_code == 422
    assert "the US label has no 28 mg dose" in answer.json()["fields"]["dose_mg"]


def test_check_in_refuses_an_implausible_weight_naming_the_range(api, nurse, esk):
    answer = api(nurse).post(f"/sessions/{esk.id}/check-in", {"chair": "2", "weight_kg": 450})
    typed = api(nurse).post(f"/sessions/{esk.id}/check-in", {"chair": "2", "weight_kg": "5e1"})

    assert answer.status_code == 422
    assert answer.json()["fields"]["weight_kg"] == f"must be between {RANGE_TEXT}"
    assert typed.status_code == 422
    assert TreatmentSession.objects.get(pk=esk.pk).status == "scheduled"


def test_the_weight_charted_at_check_in_is_in_the_audit_trail(api, nurse, esk):
    # given a patient whose last weight on record is 72.5 kg
    esk.weight_kg = Decimal("72.5")
    esk.save(update_fields=["weight_kg"])
    # when the nurse checks them in at 90 kg
    answer = api(nurse).post(f"/sessions/{esk.id}/check-in", {"chair": "2", "weight_kg": "90.0"})
    # then the check-in event names the weight charted and the one it replaced
    assert answer.status_code == 200
    event = AuditEvent.objects.get(action="session.checked_in", object_id=str(esk.id))
    assert event.actor_id == nurse.id
    assert event.changes["weight_kg"] == {"from": "72.5", "to": "90.0"}


def test_without_a_prescriber_on_site_the_esketamine_dose_cannot_start(api, prescriber, nurse, esk):
    # given pre-checks with everything but the prescriber-on-site confirmation
    session = pre_checked(esk, nurse, prescriber_on_site=False)
    assert session.status == "checked_in"
    ordered(session, prescriber, nurse)

    answer = api(nurse).post(f"/sessions/{esk.id}/start-dose", {})

    # then the dose is refused naming the field, and the pre-checks list it with its source
    assert answer.status_code == 409
    assert "prescriber_on_site" in answer.json()["fields"]
    issues = api(nurse).get(f"/sessions/{esk.id}").json()["pre_check_issues"]
    assert [i["code"] for i in issues] == ["prescriber_on_site"]
    assert "Spravato REMS" in issues[0]["message"]


def test_rems_enrollment_confirmed_at_the_pre_checks_is_kept_on_the_course(api, nurse, esk):
    checked_in(esk, nurse)

    api(nurse).post(f"/sessions/{esk.id}/pre-checks", {"rems_patient_enrolled": True})

    course = Course.objects.get(pk=esk.course_id)
    assert (course.rems_enrolled, course.rems_enrollment_confirmed_by) == (True, nurse)
    assert api(nurse).get(f"/courses/{course.id}").json()["rems_enrolled"] is True
