"""Permission matrix: every PDMP endpoint and page x every role (and another clinic, no login)."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from ketaclinic.audit.models import AuditEvent
from ketaclinic.core.permissions import Role
from ketaclinic.pdmp.api import router
from tests.conftest import ApiClient
from tests.pdmp.helpers import record

pytestmark = pytest.mark.django_db

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
    prescriber: object
    check: object


@pytest.fixture(scope="module")
def world(prescriber, nurse, patient):
    # The nurse recorded it as the prescriber's delegate: both may correct it.
    check = record(nurse, patient, prescriber=prescriber)
    return World(patient, prescriber, check)


def pt(w):
    return f"/patients/{w.patient.id}"


def check_body(w):
    return {
        "state": "NY",
        "checked_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
        "transaction_id": "NY-1",
        "finding": "no_concern",
        "prescriber_id": str(w.prescriber.id),
    }


# (name, method, path(world), body(world) or None, {role: status}); outsider derived below
ENDPOINTS = [
    (
        "record check",
        "post",
        lambda w: pt(w) + "/pdmp-checks",
        check_body,
        {P: 201, N: 201, F: 403, A: 403, C: 403},
    ),
    (
        "list checks",
        "get",
        lambda w: pt(w) + "/pdmp-checks",
        None,
        {P: 200, N: 403, F: 403, A: 200, C: 200},
    ),
    (
        "correct check",
        "post",
        lambda w: f"{pt(w)}/pdmp-checks/{w.check.id}/corrections",
        lambda w: {"reason": "wrong patient", "entered_in_error": True},
        {P: 201, N: 201, F: 403, A: 403, C: 403},
    ),
    (
        "status",
        "get",
        lambda w: (
            f"{pt(w)}/pdmp-status?event=administering&state=AK&prescriber_id={w.prescriber.id}"
        ),
        None,
        {P: 200, N: 200, F: 403, A: 200, C: 200},
    ),
    # clinic-wide endpoints (another clinic's user acts on its own clinic)
    ("rule table", "get", lambda w: "/pdmp/rules", None, {P: 200, N: 200, F: 403, A: 200, C: 200}),
    (
        "change rule table",
        "put",
        lambda w: "/pdmp/rules",
        lambda w: {"practice_state": "NY"},
        {P: 403, N: 403, F: 403, A: 403, C: 200},
    ),
    (
        "report",
        "get",
        lambda w: "/pdmp/report?from=2026-01-01&to=2026-01-31",
        None,
        {P: 403, N: 403, F: 403, A: 200, C: 200},
    ),
]
CLINIC_WIDE = {"rule table", "change rule table", "report"}


def outsider_status(name, expected):
    """Another clinic's admin: clinic-wide endpoints answer as for an admin; on this clinic's
    patient, 404 where an admin may act, else the admin's 403."""
    admin = expected[C]
    if name in CLINIC_WIDE:
        return admin
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
    if method == "get":
        response = client.client.get("/api/v1" + url, headers=client.headers)
    else:
        response = getattr(client, method)(url, body(world))
    assert response.status_code == status, (name, role, response.content[:300])


def test_every_pdmp_endpoint_is_in_the_matrix():
    routes = {
        (method.lower(), path)
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    }
    assert len(routes) == len(ENDPOINTS)


PAGES = [
    (
        "chart tab",
        lambda w: f"/patients/{w.patient.id}/pdmp/",
        {P: 200, N: 200, F: 403, A: 200, C: 200},
    ),
    (
        "correct page",
        lambda w: f"/patients/{w.patient.id}/pdmp/checks/{w.check.id}/correct/",
        {P: 200, N: 200, F: 403, A: 403, C: 403},
    ),
    ("rule table page", lambda w: "/pdmp/rules/", {P: 200, N: 200, F: 403, A: 200, C: 200}),
    ("edit rule page", lambda w: "/pdmp/rules/OH/", {P: 403, N: 403, F: 403, A: 403, C: 200}),
    ("report page", lambda w: "/pdmp/report/", {P: 403, N: 403, F: 403, A: 200, C: 200}),
]
PAGE_CLINIC_WIDE = {"rule table page", "edit rule page", "report page"}


@pytest.mark.parametrize(
    ("name", "path", "role", "status"),
    [
        pytest.param(name, path, role, status, id=f"{name}-{role}")
        for name, path, expected in PAGES
        for role, status in [
            *expected.items(),
            (
                "outsider",
                outsider_status(name, expected) if name not in PAGE_CLINIC_WIDE else expected[C],
            ),
        ]
    ],
)
def test_page_permission_matrix(world, personas, web, name, path, role, status):
    response = web(personas[role]).get(path(world))
    assert response.status_code == status, (name, role)


@pytest.mark.parametrize(
    "path",
    [
        lambda w: f"/patients/{w.patient.id}/pdmp/checks/",
        lambda w: "/pdmp/rules/practice-state/",
    ],
)
def test_front_desk_can_post_nothing_to_the_pdmp_pages(world, front_desk, web, path):
    response = web(front_desk).post(path(world), {"practice_state": "NY"})
    assert response.status_code == 403


# What each endpoint writes to the audit trail when it answers.
AUDITED = {
    "record check": ["pdmp.check_recorded"],
    "list checks": ["patient.viewed"],
    "correct check": ["pdmp.check_marked_in_error"],
    "status": ["patient.viewed"],
    "rule table": [],
    "change rule table": ["pdmp.practice_state_confirmed"],
    "report": ["pdmp.report_viewed"],
}


def test_every_endpoint_has_its_audit_expectation():
    assert sorted(AUDITED) == sorted(name for name, *_ in ENDPOINTS)


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "expected"),
    [pytest.param(*endpoint, id=endpoint[0]) for endpoint in ENDPOINTS],
)
def test_every_endpoint_writes_its_audit_event(world, personas, name, method, path, body, expected):
    role = next(r for r in (P, N, C, A) if expected[r] < 300)
    client = ApiClient(personas[role])
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    url = path(world)
    if method == "get":
        response = client.client.get("/api/v1" + url, headers=client.headers)
    else:
        response = getattr(client, method)(url, body(world))
    assert response.status_code == expected[role], response.content[:300]
    written = AuditEvent.objects.exclude(pk__in=before)
    assert sorted(e.action for e in written) == AUDITED[name]
    assert all(e.actor_id == personas[role].pk for e in written)
