"""Permission matrix: every intake endpoint x every role (and another clinic, and no login)."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from ketaclinic.core.permissions import Role
from ketaclinic.intake import queries, services
from ketaclinic.patients.services import register_patient
from tests.conftest import ApiClient
from tests.intake.helpers import eligible_intake

pytestmark = pytest.mark.django_db

BUNDLE = (Path(__file__).parents[1] / "intake" / "fixtures" / "partial_referral.json").read_text()

P, N, F, A, C = (
    Role.PRESCRIBER,
    Role.NURSE,
    Role.FRONT_DESK,
    Role.AUDITOR,
    Role.CLINIC_ADMIN,
)


@dataclass
class World:
    patient: object
    fresh: object
    trial: object
    unknown_trial: object
    consent: object


@pytest.fixture(scope="module")
def world(prescriber, nurse, front_desk, patient):
    eligible_intake(nurse, patient)
    trial = services.record_trial(
        actor=nurse,
        patient=patient,
        drug="mirtazapine",
        daily_dose_mg=30,
        weeks=8,
        outcome="response",
    )
    unknown = services.record_trial(
        actor=nurse,
        patient=patient,
        drug="agomelatine",
        daily_dose_mg=50,
        weeks=8,
        outcome="no_response",
    )
    consent = services.record_consent(
        actor=nurse,
        patient=patient,
        consent_type="esketamine_rems",
        signer_name="Jordan Rivera",
        witness_name="Sam Jones",
        signed_on=queries.clinic_today(patient.clinic),
    )
    fresh = register_patient(
        actor=front_desk,
        given_name="Ana",
        family_name="Lopez",
        date_of_birth="1991-02-03",
        sex="female",
    )
    return World(patient, fresh, trial, unknown, consent)


def pt(w):
    return f"/patients/{w.patient.id}"


# (name, method, path(world), body(world) or None, {role: status}; outsider derived below)
ENDPOINTS = [
    (
        "list trials",
        "get",
        lambda w: pt(w) + "/antidepressant-trials",
        None,
        {P: 200, N: 200, F: 403, A: 200, C: 200},
    ),
    (
        "record trial",
        "post",
        lambda w: pt(w) + "/antidepressant-trials",
        lambda w: {"drug": "sertraline", "daily_dose_mg": 100, "weeks": 8, "outcome": "response"},
        {P: 201, N: 201, F: 403, A: 403, C: 403},
    ),
    (
        "update trial",
        "patch",
        lambda w: f"{pt(w)}/antidepressant-trials/{w.trial.id}",
        lambda w: {"notes": "checked"},
        {P: 200, N: 200, F: 403, A: 403, C: 403},
    ),
    (
        "confirm trial",
        "post",
        lambda w: f"{pt(w)}/antidepressant-trials/{w.unknown_trial.id}/confirm",
        lambda w: {"dose_adequate": True},
        {P: 200, N: 403, F: 403, A: 403, C: 403},
    ),
    (
        "remove trial",
        "delete",
        lambda w: f"{pt(w)}/antidepressant-trials/{w.trial.id}",
        None,
        {P: 204, N: 204, F: 403, A: 403, C: 403},
    ),
    (
        "get history",
        "get",
        lambda w: pt(w) + "/treatment-history",
        None,
        {P: 200, N: 200, F: 403, A: 200, C: 200},
    ),
    (
        "put history",
        "put",
        lambda w: pt(w) + "/treatment-history",
        lambda w: {"tms_used": True},
        {P: 200, N: 200, F: 403, A: 403, C: 403},
    ),
    (
        "get checklist",
        "get",
        lambda w: pt(w) + "/contraindications",
        None,
        {P: 200, N: 200, F: 403, A: 200, C: 200},
    ),
    (
        "put checklist",
        "put",
        lambda w: pt(w) + "/contraindications",
        lambda w: {"psychosis_history": "no"},
        {P: 200, N: 200, F: 403, A: 403, C: 403},
    ),
    (
        "get eligibility",
        "get",
        lambda w: pt(w) + "/eligibility",
        None,
        {P: 200, N: 200, F: 403, A: 200, C: 200},
    ),
    (
        "list decisions",
        "get",
        lambda w: pt(w) + "/eligibility/decisions",
        None,
        {P: 200, N: 200, F: 403, A: 200, C: 200},
    ),
    (
        "decide",
        "post",
        lambda w: pt(w) + "/eligibility/decisions",
        lambda w: {"protocol": "esketamine_trd", "outcome": "approve"},
        {P: 201, N: 403, F: 403, A: 403, C: 403},
    ),
    (
        "treatment blockers",
        "get",
        lambda w: pt(w) + "/treatment-blockers",
        None,
        {P: 200, N: 200, F: 403, A: 200, C: 200},
    ),
    (
        "list consents",
        "get",
        lambda w: pt(w) + "/consents",
        None,
        {P: 200, N: 200, F: 403, A: 200, C: 200},
    ),
    (
        "record consent",
        "post",
        lambda w: pt(w) + "/consents",
        lambda w: {
            "consent_type": "ketamine_off_label",
            "signer_name": "Jordan Rivera",
            "witness_name": "Sam Jones",
            "signed_on": queries.clinic_today(w.patient.clinic).isoformat(),
        },
        {P: 201, N: 201, F: 403, A: 403, C: 403},
    ),
    (
        "revoke consent",
        "post",
        lambda w: f"{pt(w)}/consents/{w.consent.id}/revoke",
        lambda w: {"reason": "withdrawn"},
        {P: 200, N: 200, F: 403, A: 403, C: 403},
    ),
    # clinic-wide endpoints (another clinic's user acts on its own clinic)
    (
        "consent documents",
        "get",
        lambda w: "/consent-documents",
        None,
        {P: 200, N: 200, F: 403, A: 200, C: 200},
    ),
    (
        "publish consent document",
        "post",
        lambda w: "/consent-documents",
        lambda w: {"consent_type": "esketamine_rems", "title": "v2", "body": "text"},
        {P: 201, N: 403, F: 403, A: 403, C: 201},
    ),
    (
        "fhir import",
        "post",
        lambda w: "/fhir/import",
        "bundle",
        {P: 201, N: 201, F: 403, A: 403, C: 403},
    ),
    (
        "waiting list",
        "get",
        lambda w: "/intake/referrals",
        None,
        {P: 200, N: 200, F: 200, A: 200, C: 200},
    ),
    (
        "put on waiting list",
        "post",
        lambda w: "/intake/referrals",
        lambda w: {"patient_id": str(w.fresh.id)},
        {P: 201, N: 201, F: 201, A: 403, C: 201},
    ),
    (
        "dose table",
        "get",
        lambda w: "/intake/antidepressants",
        None,
        {P: 200, N: 200, F: 403, A: 200, C: 200},
    ),
    (
        "change dose table",
        "put",
        lambda w: "/intake/antidepressants/sertraline",
        lambda w: {"drug_class": "SSRI", "min_daily_dose_mg": 50, "source": "clinic ATRQ copy"},
        {P: 200, N: 403, F: 403, A: 403, C: 200},
    ),
    (
        "get settings",
        "get",
        lambda w: "/intake/settings",
        None,
        {P: 200, N: 200, F: 403, A: 200, C: 200},
    ),
    (
        "change settings",
        "put",
        lambda w: "/intake/settings",
        lambda w: {"min_trial_weeks": 6},
        {P: 200, N: 403, F: 403, A: 403, C: 200},
    ),
]
CLINIC_WIDE = {
    "consent documents",
    "publish consent document",
    "fhir import",
    "waiting list",
    "dose table",
    "change dose table",
    "get settings",
    "change settings",
}


def outsider_status(name, expected):
    """Another clinic's admin: clinic-wide endpoints act on their own clinic like an admin;
    on this clinic's patient they get 404 where an admin may act, else 403 for the role."""
    admin = expected[C]
    if name in CLINIC_WIDE:
        return admin
    if name == "put on waiting list":
        return 404
    return 404 if admin < 400 else 403


CASES = [
    pytest.param(name, method, path, body, role, status, id=f"{name}-{role}")
    for name, method, path, body, expected in ENDPOINTS
    for role, status in [
        *expected.items(),
        ("outsider", outsider_status(name, expected)),
        ("anonymous", 401),
    ]
]


@pytest.mark.parametrize(("name", "method", "path", "body", "role", "status"), CASES)
def test_permission_matrix(world, personas, name, method, path, body, role, status):
    client = ApiClient(None if role == "anonymous" else personas[role])
    url = path(world)
    if body == "bundle":
        response = client.client.post(
            "/api/v1" + url, data=BUNDLE, content_type="application/json", headers=client.headers
        )
    elif method in ("get", "delete"):
        response = getattr(client, method)(url)
    else:
        response = getattr(client, method)(url, body(world))
    assert response.status_code == status, (name, role, response.content[:300])


def test_every_intake_endpoint_is_in_the_matrix():
    from ketaclinic.intake.api import router

    routes = {
        (method.lower(), path)
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    }
    assert len(routes) == len(ENDPOINTS)
