"""A session through its states by the API; illegal transitions and missing steps are refused."""

import datetime as dt

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.treatments.models import TreatmentSession
from tests.treatments.helpers import (
    PRE_DOSE,
    ago,
    checked_in,
    course_today,
    dosing_started,
    emptied_lot,
    expired_lot,
    first_session,
    lot_in_stock,
    ordered,
    pre_checked,
)

# These stories happen in clinic hours (a session dosed two hours ago, still today).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_hours")]


@pytest.fixture
def esk(prescriber, nurse, patient):
    """Today's first esketamine session of an eligible, consented patient."""
    return first_session(course_today(prescriber, nurse, patient, "esketamine_trd"))


@pytest.fixture
def iv(prescriber, nurse, patient):
    return first_session(course_today(prescriber, nurse, patient, "iv_ketamine"))


def iso(moment):
    return moment.isoformat()


PRE_CHECKS = {
    "escort_confirmed": True,
    "escort_name": "Pat Escort",
    "prescriber_on_site": True,
    "rems_patient_enrolled": True,
    "medications_reviewed": True,
    "medication_classes": ["opioids"],
    "measures_done": True,
    "pregnancy_test": "not_applicable",
}


def test_a_whole_esketamine_session_runs_through_the_api(api, prescriber, nurse, nurse2, esk):
    n, p = api(nurse), api(prescriber)
    # check in
    answer = n.post(f"/sessions/{esk.id}/check-in", {"chair": "4", "at": iso(ago(150))})
    assert (answer.status_code, answer.json()["status"], answer.json()["chair"]) == (
        200,
        "checked_in",
        "4",
    )
    # pre-checks with pre-dose vitals
    answer = n.post(
        f"/sessions/{esk.id}/pre-checks",
        PRE_CHECKS
        | {
            "last_food_at": iso(ago(400)),
            "last_liquid_at": iso(ago(200)),
            "vitals": PRE_DOSE | {"measured_at": iso(ago(145))},
        },
    )
    assert answer.json()["status"] == "pre_checks_done"
    assert answer.json()["pre_check_issues"] == []
    # the prescriber signs 56 mg, a nurse does the second check
    answer = p.post(f"/sessions/{esk.id}/order", {"dose_mg": 56})
    assert answer.json()["order"]["devices"] == 2
    lot = lot_in_stock(esk.patient.clinic, "esketamine", lot_number="ESK1")
    answer = n.post(
        f"/sessions/{esk.id}/second-check",
        {"lot_id": str(lot.pk), "calculation_confirmed": True},
    )
    assert answer.json()["order"]["checked_by"] == "Sam Jones, RN"
    # the order carries the ledger's lot and product, not typed text
    assert answer.json()["order"]["lot_number"] == "ESK1"
    assert answer.json()["order"]["product"] == "Esketamine nasal spray 28 mg"
    # first device, second device 5 minutes later: now monitoring
    answer = n.post(f"/sessions/{esk.id}/start-dose", {"at": iso(ago(140))})
    assert (answer.json()["status"], answer.json()["devices_given"]) == ("dosing", 1)
    answer = n.post(f"/sessions/{esk.id}/devices", {"at": iso(ago(135))})
    assert answer.json()["status"] == "monitoring"
    assert answer.json()["dose_started_at"] is not None
    # flowsheet: vitals at about 40 min, MOAA/S, Aldrete, vitals before the end
    vitals = {"heart_rate": 76, "spo2": 97, "resp_rate": 14}
    assert (
        n.post(
            f"/sessions/{esk.id}/vitals",
            vitals | {"systolic": 140, "diastolic": 86, "measured_at": iso(ago(100))},
        ).status_code
        == 201
    )
    n.post(f"/sessions/{esk.id}/scales", {"scale": "moaas", "score": 5})
    n.post(
        f"/sessions/{esk.id}/scales",
        {"scale": "cadss6", "items": [0, 0, 0, 0, 0, 0]},
    )
    answer = n.post(
        f"/sessions/{esk.id}/scales",
        {
            "scale": "aldrete",
            "items": {
                "activity": 2,
                "respiration": 2,
                "circulation": 2,
                "consciousness": 2,
                "oxygen_saturation": 2,
            },
        },
    )
    assert answer.json()["entry"]["score"] == 10
    answer = n.post(f"/sessions/{esk.id}/vitals", vitals | {"systolic": 130, "diastolic": 82})
    # every clinical criterion holds after 135 minutes: ready for discharge
    assert answer.json()["session"]["status"] == "ready_for_discharge"
    # discharge with the escort
    answer = n.post(f"/sessions/{esk.id}/discharge", {"escort_present": True})
    assert answer.status_code == 200
    assert answer.json()["status"] == "discharged"
    # and every step is in the audit log
    actions = set(AuditEvent.objects.filter(object_id=str(esk.id)).values_list("action", flat=True))
    assert {
        "session.checked_in",
        "session.pre_checks_done",
        "session.dosing",
        "session.monitoring",
        "session.ready_for_discharge",
        "session.discharged",
    } <= actions


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("pre-checks", PRE_CHECKS),
        ("start-dose", {}),
        ("devices", {}),
        ("end-infusion", {}),
        ("ready-for-discharge", None),
        ("discharge", {"escort_present": True}),
    ],
)
def test_a_scheduled_session_refuses_every_later_step_with_409(api, nurse, esk, path, body):
    answer = api(nurse).post(f"/sessions/{esk.id}/{path}", body)

    assert answer.status_code == 409
    assert answer.json()["code"] == "illegal_transition"
    assert TreatmentSession.objects.get(pk=esk.id).status == "scheduled"


def test_checking_in_twice_is_refused(api, nurse, esk):
    assert api(nurse).post(f"/sessions/{esk.id}/check-in", {"chair": "1"}).status_code == 200

    answer = api(nurse).post(f"/sessions/{esk.id}/check-in", {"chair": "2"})

    assert answer.status_code == 409
    assert "cannot become checked_in" in answer.json()["detail"]


def test_a_discharged_or_aborted_session_cannot_be_aborted_again(api, nurse, esk):
    assert api(nurse).post(f"/sessions/{esk.id}/abort", {"reason": "No-show"}).status_code == 200

    answer = api(nurse).post(f"/sessions/{esk.id}/abort", {"reason": "again"})

    assert answer.status_code == 409
    assert TreatmentSession.objects.get(pk=esk.id).abort_reason == "No-show"


def test_aborting_needs_a_reason(api, nurse, esk):
    answer = api(nurse).post(f"/sessions/{esk.id}/abort", {"reason": "  "})

    assert answer.status_code == 422
    assert "reason" in answer.json()["fields"]


def test_a_session_planned_for_another_day_cannot_be_checked_in_today(
    api, prescriber, nurse, patient
):
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    later = TreatmentSession.objects.get(course=course, number=2)

    answer = api(nurse).post(f"/sessions/{later.id}/check-in", {"chair": "1"})

    assert answer.status_code == 409
    assert answer.json()["code"] == "not_today"


def test_incomplete_pre_checks_are_kept_and_listed_and_the_status_stays(api, nurse, esk):
    checked_in(esk, nurse)

    answer = api(nurse).post(f"/sessions/{esk.id}/pre-checks", {"escort_confirmed": True})

    body = answer.json()
    assert body["status"] == "checked_in"
    codes = {i["code"] for i in body["pre_check_issues"]}
    assert codes == {
        "fasting_food",
        "fasting_liquids",
        "prescriber_on_site",
        "medications",
        "measures",
        "pregnancy_test",
        "pre_dose_vitals",
    }
    assert body["pre_check"]["escort_confirmed"] is True


def test_eating_an_hour_ago_blocks_esketamine_pre_checks(api, nurse, esk):
    checked_in(esk, nurse)

    answer = api(nurse).post(
        f"/sessions/{esk.id}/pre-checks",
        PRE_CHECKS
        | {"last_food_at": iso(ago(60)), "last_liquid_at": iso(ago(60)), "vitals": PRE_DOSE},
    )

    assert answer.json()["status"] == "checked_in"
    issue = answer.json()["pre_check_issues"][0]
    assert issue["code"] == "fasting_food"
    assert "needs 120 min" in issue["message"]


def test_revoked_consent_blocks_the_pre_checks(api, prescriber, nurse, esk):
    from ketaclinic.intake import services as intake
    from ketaclinic.intake.models import ConsentRecord

    checked_in(esk, nurse)
    consent = ConsentRecord.objects.get(patient=esk.patient, consent_type="esketamine_rems")
    intake.revoke_consent(actor=nurse, consent=consent, reason="Patient withdrew consent.")

    answer = api(nurse).post(
        f"/sessions/{esk.id}/pre-checks",
        PRE_CHECKS
        | {"last_food_at": iso(ago(300)), "last_liquid_at": iso(ago(60)), "vitals": PRE_DOSE},
    )

    assert answer.json()["status"] == "checked_in"
    assert [i["code"] for i in answer.json()["pre_check_issues"]] == ["eligibility_consent"]


def test_high_pre_dose_bp_needs_the_prescribers_go_before_dosing(
    api, prescriber, nurse, nurse2, esk
):
    # given pre-dose BP 150/95 (above 140/90) and a checked order
    pre_checked(esk, nurse, vitals=PRE_DOSE | {"systolic": 150, "diastolic": 95})
    ordered(TreatmentSession.objects.get(pk=esk.id), prescriber, nurse)
    session = api(nurse).get(f"/sessions/{esk.id}").json()
    assert session["status"] == "pre_checks_done"
    assert [r["code"] for r in session["decision_reasons"]] == ["pre_dose_bp"]

    # when the nurse tries to start the dose, it is refused
    answer = api(nurse).post(f"/sessions/{esk.id}/start-dose", {})
    assert answer.status_code == 409
    assert "go_no_go" in answer.json()["fields"]

    # a nurse cannot decide; the prescriber's go needs a note
    assert api(nurse).post(
        f"/sessions/{esk.id}/go-no-go", {"decision": "go", "note": "ok"}
    ).status_code in (403,)
    assert (
        api(prescriber).post(f"/sessions/{esk.id}/go-no-go", {"decision": "go", "note": ""})
    ).status_code == 422
    answer = api(prescriber).post(
        f"/sessions/{esk.id}/go-no-go",
        {"decision": "go", "note": "Repeat 138/88 after rest; benefit outweighs risk."},
    )
    assert answer.status_code == 200

    # then dosing may start
    assert api(nurse).post(f"/sessions/{esk.id}/start-dose", {}).status_code == 200


def test_a_no_go_decision_aborts_the_session(api, prescriber, nurse, esk):
    pre_checked(esk, nurse, vitals=PRE_DOSE | {"systolic": 170, "diastolic": 100})

    answer = api(prescriber).post(
        f"/sessions/{esk.id}/go-no-go",
        {"decision": "no_go", "note": "BP too high today; GP review."},
    )

    assert answer.json()["status"] == "aborted"
    assert answer.json()["abort_reason"] == "No-go: BP too high today; GP review."


def test_the_dose_cannot_start_without_an_order_and_a_second_check(api, prescriber, nurse, esk):
    pre_checked(esk, nurse)

    answer = api(nurse).post(f"/sessions/{esk.id}/start-dose", {})
    assert answer.status_code == 409
    assert "order" in answer.json()["fields"]

    api(prescriber).post(f"/sessions/{esk.id}/order", {"dose_mg": 56})
    answer = api(nurse).post(f"/sessions/{esk.id}/start-dose", {})
    assert answer.status_code == 409
    assert "second_check" in answer.json()["fields"]


def test_the_second_check_must_be_someone_other_than_the_prescriber(api, prescriber, esk, nurse):
    pre_checked(esk, nurse)
    api(prescriber).post(f"/sessions/{esk.id}/order", {"dose_mg": 56})

    lot = lot_in_stock(esk.patient.clinic, "esketamine")
    answer = api(prescriber).post(
        f"/sessions/{esk.id}/second-check",
        {"lot_id": str(lot.pk), "calculation_confirmed": True},
    )

    assert answer.status_code == 409
    assert answer.json()["code"] == "same_person"


def test_the_second_check_confirms_the_calculation(api, prescriber, nurse, esk):
    pre_checked(esk, nurse)
    api(prescriber).post(f"/sessions/{esk.id}/order", {"dose_mg": 56})

    answer = api(nurse).post(
        f"/sessions/{esk.id}/second-check",
        {"lot_id": "", "calculation_confirmed": False},
    )

    assert answer.status_code == 422
    assert set(answer.json()["fields"]) == {"lot_id", "calculation_confirmed"}


@pytest.mark.parametrize(
    ("case", "problem"),
    [
        ("other drug", "a lot of ketamine, the session's protocol uses esketamine"),
        ("expired", "expired on"),
        ("none on hand", "none of this lot is on hand"),
        ("unknown", "not a lot of this clinic"),
    ],
)
def test_the_second_check_only_takes_a_lot_of_the_ledger_that_can_be_given(
    api, prescriber, nurse, esk, case, problem
):
    pre_checked(esk, nurse)
    api(prescriber).post(f"/sessions/{esk.id}/order", {"dose_mg": 56})
    clinic = esk.patient.clinic
    if case == "other drug":
        lot_id = str(lot_in_stock(clinic, "ketamine").pk)
    elif case == "expired":
        lot_id = str(expired_lot(clinic).pk)
    elif case == "none on hand":
        lot_id = str(emptied_lot(clinic).pk)
    else:
        lot_id = "8d3c1a52-0000-4000-8000-000000000000"

    answer = api(nurse).post(
        f"/sessions/{esk.id}/second-check", {"lot_id": lot_id, "calculation_confirmed": True}
    )

    assert answer.status_code == 422
    assert problem in answer.json()["fields"]["lot_id"]
    assert api(nurse).get(f"/sessions/{esk.id}").json()["order"]["checked_at"] is None


def test_a_dose_not_on_the_label_cannot_be_ordered(api, prescriber, nurse, esk):
    pre_checked(esk, nurse)

    answer = api(prescriber).post(f"/sessions/{esk.id}/order", {"dose_mg": 70})

    assert answer.status_code == 422
    assert "dose_mg" in answer.json()["fields"]


def test_devices_need_5_minutes_rest_between_them(api, prescriber, nurse, esk):
    pre_checked(esk, nurse, minutes_ago=5)
    ordered(TreatmentSession.objects.get(pk=esk.id), prescriber, nurse, dose_mg=84)
    api(nurse).post(f"/sessions/{esk.id}/start-dose", {"at": iso(ago(3))})

    answer = api(nurse).post(f"/sessions/{esk.id}/devices", {})

    assert answer.status_code == 409
    assert answer.json()["code"] == "device_rest"


def test_an_iv_order_stores_the_infusion_calculation(api, prescriber, nurse, iv):
    pre_checked(iv, nurse)

    answer = api(prescriber).post(
        f"/sessions/{iv.id}/order", {"concentration_mg_per_ml": 10, "bag_volume_ml": 100}
    )

    order = answer.json()["order"]
    # the fixture patient weighs 72.5 kg: 36.2 mg (rounded down), 3.62 mL, 103.62 mL over 40 min
    assert (order["dose_mg"], order["draw_volume_ml"], order["rate_ml_per_h"]) == (
        "36.2",
        "3.62",
        "155.4",
    )


def test_an_iv_session_is_monitored_from_the_infusion_start(api, prescriber, nurse, iv):
    session = dosing_started(iv, prescriber, nurse, minutes_ago=12)

    body = api(nurse).get(f"/sessions/{session.id}").json()

    assert body["status"] == "monitoring"
    assert body["next_vitals_reason"] == "every 10 min during infusion"
    assert body["vitals_overdue"] is True
    answer = api(nurse).post(f"/sessions/{session.id}/end-infusion", {})
    assert answer.json()["infusion_ended_at"] is not None
    assert answer.json()["next_vitals_reason"] == "every 15 min after infusion"


def test_charting_a_time_in_the_future_is_refused(api, nurse, esk):
    future = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)

    answer = api(nurse).post(f"/sessions/{esk.id}/check-in", {"at": iso(future)})

    assert answer.status_code == 422
    assert "at" in answer.json()["fields"]


def test_the_session_list_filters_by_status_and_date(api, nurse, esk):
    checked_in(esk, nurse)
    today = esk.scheduled_date.isoformat()

    checked = api(nurse).get("/sessions", status="checked_in", date=today).json()
    scheduled = api(nurse).get("/sessions", status="scheduled", date=today).json()

    assert [s["id"] for s in checked["items"]] == [str(esk.id)]
    assert scheduled["count"] == 0
    assert set(checked["items"][0]) >= {
        "id",
        "patient_id",
        "course_id",
        "protocol",
        "status",
        "chair",
        "dose_started_at",
    }
    assert api(nurse).get("/sessions", status="sleeping").status_code == 422
