"""Every coverage and authorization endpoint and page x every role: the front desk manages,
clinical staff, auditors and administrators read, only clinical roles see the packet, only
the clinic administrator keeps checklists and the REMS certification; another clinic sees
nothing (404) of this one."""

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.authorizations import services
from ketaclinic.treatments.models import TreatmentSession
from tests.authorizations.helpers import approved, coverage, today
from tests.permissions import EVERYONE, OUT, A, C, F, N, P, call, fill
from tests.treatments.helpers import course_today

pytestmark = pytest.mark.django_db

READ = dict.fromkeys(EVERYONE, 200)
PACKET = {P: 200, N: 200, F: 403, A: 200, C: 200, OUT: 404}


def desk(ok):
    """Only the front desk; the other clinic's administrator may not manage at all (403)."""
    return {P: 403, N: 403, F: ok, A: 403, C: 403, OUT: 403}


def admin(ok, outsider):
    return {P: 403, N: 403, F: 403, A: 403, C: ok, OUT: outsider}


SECOND = {
    "payer_name": "Second payer",
    "member_id": "S-1",
    "effective_from": "2026-01-01",
    "order": 2,
}
CHECKLIST = {
    "payer_name": "Another payer",
    "source": "Another payer's medical policy (test)",
    "criteria": [{"kind": "rems_patient", "label": "REMS enrollment"}],
}

API_MATRIX = [
    ("get", "/patients/{patient}/coverages", None, READ | {OUT: 404}),
    ("post", "/patients/{patient}/coverages", SECOND, desk(201)),
    ("patch", "/coverages/{coverage}", {"group_number": "G-8"}, desk(200)),
    ("get", "/patients/{patient}/benefits-checks", None, READ | {OUT: 404}),
    (
        "post",
        "/patients/{patient}/benefits-checks",
        {"coverage_id": "{coverage}", "summary": "Covered."},
        desk(201),
    ),
    ("get", "/patients/{patient}/authorizations", None, READ | {OUT: 404}),
    ("post", "/patients/{patient}/authorizations", {"protocol_code": "esketamine_trd"}, desk(201)),
    ("get", "/authorizations/{authorization}", None, READ | {OUT: 404}),
    ("patch", "/authorizations/{authorization}", {"note": "Called the payer."}, desk(200)),
    ("post", "/authorizations/{draft}/status", {"to": "submitted"}, desk(200)),
    ("get", "/courses/{course}/authorizations", None, READ | {OUT: 404}),
    ("get", "/sessions/{session}/authorization-status", None, READ | {OUT: 404}),
    ("get", "/authorization-warnings", None, READ | {OUT: 200}),
    ("get", "/authorizations/{authorization}/packet", None, PACKET),
    ("get", "/authorizations/{authorization}/packet/fhir", None, PACKET),
    ("get", "/authorizations/{authorization}/packet/pdf", None, PACKET),
    ("get", "/payer-checklists", None, READ | {OUT: 200}),
    ("post", "/payer-checklists", CHECKLIST, admin(201, 201)),
    ("get", "/payer-checklists/{checklist}", None, READ | {OUT: 404}),
    ("put", "/payer-checklists/{checklist}", CHECKLIST, admin(200, 404)),
    ("get", "/authorization-settings", None, READ | {OUT: 200}),
    ("patch", "/authorization-settings", {"expiry_warning_days": 21}, admin(200, 200)),
]

A_PAGE = "/patients/{patient}/coverage/authorizations/{authorization}/"
PAGE_MATRIX = [
    ("/patients/{patient}/coverage/", READ | {OUT: 404}),
    (A_PAGE, READ | {OUT: 404}),
    (A_PAGE + "packet/", PACKET),
    (A_PAGE + "packet.pdf", PACKET),
    ("/courses/{course}/authorizations/", READ | {OUT: 404}),
    ("/authorizations/", READ | {OUT: 200}),
    ("/authorizations/settings/", READ | {OUT: 200}),
]

POST_PAGES = [
    (
        "/patients/{patient}/coverage/add/",
        {
            "coverage-order": "2",
            "coverage-payer_name": "Second payer",
            "coverage-member_id": "S-1",
            "coverage-subscriber_relationship": "self",
            "coverage-effective_from": "2026-01-01",
        },
        desk(302),
    ),
    ("/patients/{patient}/coverage/{coverage}/end/", {"effective_to": "{today}"}, desk(302)),
    (
        "/patients/{patient}/coverage/benefits-checks/",
        {
            "benefits-coverage_id": "{coverage}",
            "benefits-checked_on": "{today}",
            "benefits-covered": "yes",
            "benefits-prior_authorization_required": "yes",
            "benefits-summary": "Covered with PA.",
        },
        desk(302),
    ),
    (
        "/patients/{patient}/coverage/authorizations/",
        {"pa-target": "protocol:esketamine_trd", "pa-unit": "session"},
        desk(302),
    ),
    (
        "/patients/{patient}/coverage/authorizations/{draft}/status/",
        {"status-to": "submitted", "status-on": "{today}"},
        desk(302),
    ),
    (
        "/patients/{patient}/coverage/authorizations/{authorization}/details/",
        {"details-payer_reference": "PA-9"},
        desk(302),
    ),
    (
        "/authorizations/settings/site/",
        {"site-site_rems_certified": "true", "site-expiry_warning_days": "14"},
        admin(302, 302),
    ),
    (
        "/authorizations/checklists/copy-example/",
        {"copy-payer_name": "Another payer"},
        admin(302, 302),
    ),
    (
        "/authorizations/checklists/{checklist}/criteria/",
        {"criterion-kind": "manual", "criterion-label": "Letter of medical necessity"},
        admin(302, 404),
    ),
    ("/authorizations/checklists/{checklist}/criteria/1/remove/", {}, admin(302, 404)),
]


@pytest.fixture(scope="module")
def world(clinic_hours, prescriber, nurse, front_desk, clinic_admin, patient):
    course = course_today(prescriber, nurse, patient)
    plan = coverage(front_desk, patient)
    authorization = approved(front_desk, patient, units=12, course_id=course.id, coverage=plan)
    draft = services.create_authorization(
        actor=front_desk, patient=patient, protocol_code="iv_ketamine"
    )
    checklist = services.copy_example_checklist(
        actor=clinic_admin, payer_name="Example commercial payer"
    )
    return {
        "patient": patient.id,
        "course": course.id,
        "session": TreatmentSession.objects.get(course=course, number=1).id,
        "coverage": plan.id,
        "authorization": authorization.id,
        "draft": draft.id,
        "checklist": checklist.id,
        "today": today(patient.clinic).isoformat(),
    }


@pytest.mark.parametrize("role", [*EVERYONE, OUT])
@pytest.mark.parametrize(("method", "path", "body", "expected"), API_MATRIX)
def test_api_permission_matrix(api, personas, world, role, method, path, body, expected):
    response = call(api(personas[role]), method, fill(path, world), fill(body, world))
    assert response.status_code == expected[role], (role, method, path, response.content[:300])


@pytest.mark.parametrize(("method", "path", "body", "expected"), API_MATRIX)
def test_api_without_a_token_answers_401(api, world, method, path, body, expected):
    response = call(api(), method, fill(path, world), fill(body, world))
    assert response.status_code == 401


@pytest.mark.parametrize("role", [*EVERYONE, OUT])
@pytest.mark.parametrize(("path", "expected"), PAGE_MATRIX)
def test_page_permission_matrix(web, personas, world, role, path, expected):
    response = web(personas[role]).get(fill(path, world))
    assert response.status_code == expected[role], (role, path)


@pytest.mark.parametrize("role", [*EVERYONE, OUT])
@pytest.mark.parametrize(("path", "data", "expected"), POST_PAGES)
def test_page_forms_permission_matrix(web, personas, world, role, path, data, expected):
    response = web(personas[role]).post(fill(path, world), fill(data, world))
    assert response.status_code == expected[role], (role, path, response.content[:500])


def test_every_api_route_of_the_app_is_in_the_matrix():
    from ketaclinic.authorizations.api import router

    routes = {
        (method.lower(), path)
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    }
    listed = {(m, p.replace("{patient}", "{patient_id}")) for m, p, _, _ in API_MATRIX}
    named = {
        (
            m,
            p.replace("{coverage}", "{coverage_id}")
            .replace("{authorization}", "{authorization_id}")
            .replace("{draft}", "{authorization_id}")
            .replace("{course}", "{course_id}")
            .replace("{session}", "{session_id}")
            .replace("{checklist}", "{checklist_id}"),
        )
        for m, p in listed
    }
    assert routes == named


def test_auditors_and_administrators_read_everything_of_a_patient_and_change_none_of_it():
    for method, path, _, expected in API_MATRIX:
        if path.startswith(("/patients", "/authorizations/{", "/coverages")):
            assert expected[A] in ((200,) if method == "get" else (403,)), (method, path)


def test_the_front_desk_never_sees_the_packets_clinical_content(api, world, front_desk):
    client = api(front_desk)
    assert client.get(f"/authorizations/{world['authorization']}/packet").status_code == 403
    detail = client.get(f"/authorizations/{world['authorization']}").json()
    # the authorization shows units and sessions by number and day, no scores or trials
    assert detail["usage"]["approved"] == 12
    assert "phq" not in str(detail).lower() and "sertraline" not in str(detail).lower()


# What each endpoint writes to the audit trail when it answers (None: a clinic-wide or
# status read that shows no one's record).
AUDITED = {
    ("get", "/patients/{patient}/coverages"): ["patient.viewed"],
    ("post", "/patients/{patient}/coverages"): ["coverage.added"],
    ("patch", "/coverages/{coverage}"): ["coverage.updated"],
    ("get", "/patients/{patient}/benefits-checks"): ["patient.viewed"],
    ("post", "/patients/{patient}/benefits-checks"): ["coverage.benefits_checked"],
    ("get", "/patients/{patient}/authorizations"): ["patient.viewed"],
    ("post", "/patients/{patient}/authorizations"): ["authorization.created"],
    ("get", "/authorizations/{authorization}"): ["patient.viewed"],
    ("patch", "/authorizations/{authorization}"): ["authorization.updated"],
    ("post", "/authorizations/{draft}/status"): ["authorization.status_changed"],
    ("get", "/courses/{course}/authorizations"): ["patient.viewed"],
    ("get", "/sessions/{session}/authorization-status"): [],
    ("get", "/authorization-warnings"): [],
    ("get", "/authorizations/{authorization}/packet"): [
        "authorization.packet_prepared",
        "patient.viewed",
    ],
    ("get", "/authorizations/{authorization}/packet/fhir"): [
        "authorization.packet_prepared",
        "patient.viewed",
    ],
    ("get", "/authorizations/{authorization}/packet/pdf"): [
        "authorization.packet_prepared",
        "patient.viewed",
    ],
    ("get", "/payer-checklists"): [],
    ("post", "/payer-checklists"): ["authorization.checklist_saved"],
    ("get", "/payer-checklists/{checklist}"): [],
    ("put", "/payer-checklists/{checklist}"): ["authorization.checklist_saved"],
    ("get", "/authorization-settings"): [],
    ("patch", "/authorization-settings"): ["authorization.settings_changed"],
}


def test_every_api_route_has_its_audit_expectation():
    assert sorted(AUDITED) == sorted((m, p) for m, p, _, _ in API_MATRIX)


@pytest.mark.parametrize(("method", "path", "body", "expected"), API_MATRIX)
def test_every_api_route_writes_its_audit_event(api, personas, world, method, path, body, expected):
    role = next(r for r in (F, P, N, C, A) if expected[r] < 300)
    client = api(personas[role])  # (making its token is audited too)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    response = call(client, method, fill(path, world), fill(body, world))
    assert response.status_code == expected[role]
    written = AuditEvent.objects.exclude(pk__in=before)
    assert sorted(e.action for e in written) == AUDITED[(method, path)]
    assert all(e.actor_id == personas[role].pk for e in written)
