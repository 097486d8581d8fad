"""Prior authorizations through the API: dated steps, illegal steps refused, denial and
appeal linked, units never stored, every change audited."""

import datetime as dt

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.authorizations.models import AuthorizationChange
from tests.authorizations.helpers import coverage, today
from tests.treatments.helpers import course_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(clinic_hours, prescriber, nurse, patient):
    return course_today(prescriber, nurse, patient)


def start(client, patient, **body):
    response = client.post(f"/patients/{patient.id}/authorizations", body)
    assert response.status_code == 201, response.content
    return response.json()


def step(client, authorization, **body):
    return client.post(f"/authorizations/{authorization['id']}/status", body)


def test_a_course_is_authorized_step_by_step(api, front_desk, patient, course):
    client = api(front_desk)
    plan = coverage(front_desk, patient)
    # given a draft for the patient's course
    draft = start(client, patient, course_id=str(course.id), coverage_id=str(plan.id))
    assert (draft["status"], draft["drug"], draft["payer_name"]) == (
        "draft",
        "esketamine",
        "Example commercial payer",
    )
    assert draft["next_statuses"] == ["submitted"]
    # when it is submitted, then approved for 12 sessions
    day = today(patient.clinic)
    submitted = step(client, draft, to="submitted", payer_reference="PA-2026-001")
    assert submitted.status_code == 200
    assert submitted.json()["submitted_on"] == day.isoformat()
    approved = step(
        client,
        draft,
        to="approved",
        approved_units=12,
        approved_dose_mg="84",
        valid_from=day.isoformat(),
        valid_to=(day + dt.timedelta(days=180)).isoformat(),
    )
    # then the approval carries its units, dates and the payer's reference
    body = approved.json()
    assert approved.status_code == 200, body
    assert (body["status"], body["approved_units"], body["payer_reference"]) == (
        "approved",
        12,
        "PA-2026-001",
    )
    assert body["usage"] == {
        "unit": "session",
        "approved": 12,
        "used": 0,
        "left": 12,
        "planned": 12,
    }
    assert [s["problem"] for s in body["sessions"]].count("units_used_up") == 4
    assert [c["to_status"] for c in body["changes"]] == ["submitted", "approved"]
    assert AuditEvent.objects.filter(action="authorization.status_changed").count() == 2


def test_an_illegal_step_is_refused_with_409(api, front_desk, patient):
    client = api(front_desk)
    draft = start(client, patient, protocol_code="esketamine_trd")
    response = step(
        client,
        draft,
        to="approved",
        approved_units=4,
        valid_from="2026-01-01",
        valid_to="2026-06-30",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert "it may become: submitted" in response.json()["detail"]
    assert not AuthorizationChange.objects.exists()


def test_an_approval_without_units_or_dates_is_refused_naming_them(api, front_desk, patient):
    client = api(front_desk)
    draft = start(client, patient, protocol_code="esketamine_trd")
    step(client, draft, to="submitted")
    response = step(client, draft, to="approved")
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"approved_units", "valid_from", "valid_to"}


@pytest.mark.parametrize("field", ["valid_to", "valid_from", "approved_units"])
def test_an_approvals_units_and_dates_cannot_be_cleared(api, front_desk, patient, field):
    client = api(front_desk)
    draft = start(client, patient, protocol_code="esketamine_trd")
    day = today(patient.clinic).isoformat()
    step(client, draft, to="submitted")
    approved = step(client, draft, to="approved", approved_units=12, valid_from=day, valid_to=day)
    assert approved.status_code == 200, approved.json()

    response = client.patch(f"/authorizations/{draft['id']}", {field: None})

    assert response.status_code == 422
    assert response.json()["fields"][field] == "required for an approval"


def test_an_appeal_links_to_the_denial_it_answers(api, front_desk, patient):
    client = api(front_desk)
    draft = start(client, patient, protocol_code="esketamine_trd")
    step(client, draft, to="submitted")
    # a denial needs the payer's reason
    assert step(client, draft, to="denied").status_code == 422
    denied = step(client, draft, to="denied", reason="Only one failed trial documented.")
    assert denied.json()["denial_reason"] == "Only one failed trial documented."
    # when the clinic appeals
    appealed = step(client, draft, to="appealed", note="Second trial's records attached.")
    # then the appeal points at the denial
    changes = appealed.json()["changes"]
    denial = next(c for c in changes if c["to_status"] == "denied")
    assert changes[-1]["to_status"] == "appealed" and changes[-1]["appeals_id"] == denial["id"]
    assert appealed.json()["next_statuses"] == ["pending", "approved", "denied"]


def test_an_expired_authorization_cannot_change(api, front_desk, patient):
    client = api(front_desk)
    draft = start(client, patient, protocol_code="esketamine_trd")
    day = today(patient.clinic).isoformat()
    step(client, draft, to="submitted")
    step(client, draft, to="approved", approved_units=2, valid_from=day, valid_to=day)
    assert step(client, draft, to="expired").status_code == 200
    assert step(client, draft, to="approved").status_code == 409
    patch = client.patch(f"/authorizations/{draft['id']}", {"note": "late"})
    assert patch.status_code == 409


def test_a_step_dated_before_the_previous_one_is_refused(api, front_desk, patient):
    client = api(front_desk)
    draft = start(client, patient, protocol_code="esketamine_trd")
    step(client, draft, to="submitted")
    yesterday = (today(patient.clinic) - dt.timedelta(days=1)).isoformat()
    response = step(client, draft, to="pending", on=yesterday)
    assert response.status_code == 422 and "previous change" in response.json()["fields"]["on"]


def test_dates_outside_the_calendar_are_refused_naming_each(api, front_desk, patient):
    client = api(front_desk)
    draft = start(client, patient, protocol_code="esketamine_trd")
    first = step(client, draft, to="submitted", on="0001-01-01")
    assert first.status_code == 422 and "1900-01-01" in first.json()["fields"]["on"]
    step(client, draft, to="submitted")
    approved = step(
        client, draft, to="approved", approved_units=6,
        valid_from="0001-01-02", valid_to="9999-12-31",
    )  # fmt: skip
    assert approved.status_code == 422
    assert {"valid_from", "valid_to"} <= set(approved.json()["fields"])


def test_devices_are_counted_for_esketamine_only(api, front_desk, patient):
    client = api(front_desk)
    response = client.post(
        f"/patients/{patient.id}/authorizations", {"protocol_code": "iv_ketamine", "unit": "device"}
    )
    assert response.status_code == 422
    assert "esketamine" in response.json()["fields"]["unit"]


def test_an_unknown_protocol_or_no_target_is_refused(api, front_desk, patient):
    client = api(front_desk)
    unknown = client.post(f"/patients/{patient.id}/authorizations", {"protocol_code": "nope"})
    assert unknown.json()["fields"] == {"protocol_code": "a protocol of this clinic"}
    nothing = client.post(f"/patients/{patient.id}/authorizations", {})
    assert set(nothing.json()["fields"]) == {"course_id"}


def test_an_authorization_before_the_course_is_linked_later(api, front_desk, patient, course):
    client = api(front_desk)
    draft = start(client, patient, protocol_code="esketamine_trd")
    assert draft["course_id"] is None and draft["sessions"] == []
    linked = client.patch(f"/authorizations/{draft['id']}", {"course_id": str(course.id)})
    assert linked.status_code == 200, linked.content
    assert linked.json()["course_id"] == str(course.id)
    assert len(linked.json()["sessions"]) == 16
    assert AuditEvent.objects.filter(action="authorization.updated").count() == 1


def test_a_course_of_another_drug_cannot_be_linked(api, front_desk, patient, course):
    client = api(front_desk)
    draft = start(client, patient, protocol_code="iv_ketamine")
    response = client.patch(f"/authorizations/{draft['id']}", {"course_id": str(course.id)})
    assert response.status_code == 422
    assert "ketamine" in response.json()["fields"]["course_id"]


def test_approved_units_are_corrected_only_on_an_approval(api, front_desk, patient):
    client = api(front_desk)
    draft = start(client, patient, protocol_code="esketamine_trd")
    refused = client.patch(f"/authorizations/{draft['id']}", {"approved_units": 20})
    assert refused.status_code == 409
    day = today(patient.clinic).isoformat()
    step(client, draft, to="submitted")
    step(client, draft, to="approved", approved_units=12, valid_from=day, valid_to=day)
    amended = client.patch(f"/authorizations/{draft['id']}", {"approved_units": 20})
    assert amended.status_code == 200 and amended.json()["approved_units"] == 20
    event = AuditEvent.objects.filter(action="authorization.updated").get()
    assert event.changes["approved_units"] == {"from": 12, "to": 20}


def test_a_status_change_is_a_record_that_cannot_be_edited(api, front_desk, patient):
    client = api(front_desk)
    draft = start(client, patient, protocol_code="esketamine_trd")
    step(client, draft, to="submitted")
    change = AuthorizationChange.objects.get()
    change.note = "rewritten"
    with pytest.raises(ValueError):
        change.save()
    with pytest.raises(ValueError):
        change.delete()


def test_units_used_are_not_a_stored_field():
    from ketaclinic.authorizations.models import PriorAuthorization

    names = {f.name for f in PriorAuthorization._meta.get_fields()}
    assert not {"used_units", "units_used", "remaining_units"} & names
