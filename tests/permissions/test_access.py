"""Every access endpoint and page x every role; another clinic sees nothing of this one."""

import pytest

from ketaclinic.access.services import record_barrier
from tests.permissions import EVERYONE, OUT, A, C, F, N, P, call

pytestmark = pytest.mark.django_db

ALL_OK = dict.fromkeys(EVERYONE, 200)
RECORDERS = {P: 201, N: 201, F: 201, A: 403, C: 201, OUT: 404}
REPORTERS = {P: 200, N: 403, F: 403, A: 200, C: 200, OUT: 200}

API_MATRIX = [
    ("get", "/patients/{patient}/barriers", None, ALL_OK | {OUT: 404}),
    ("post", "/patients/{patient}/barriers", {"kind": "cost"}, RECORDERS),
    (
        "post",
        "/barriers/{barrier}/resolve",
        {"resolution": "Sliding scale applied"},
        {k: (200 if v == 201 else v) for k, v in RECORDERS.items()},
    ),
    ("get", "/waiting-list", None, ALL_OK | {OUT: 200}),
    ("get", "/at-risk", None, ALL_OK | {OUT: 200}),
    ("get", "/reports/access?from=2026-01-01&to=2026-06-30", None, REPORTERS),
    ("get", "/access/settings", None, ALL_OK | {OUT: 200}),
    (
        "patch",
        "/access/settings",
        {"unpaid_after_days": 45},
        {P: 403, N: 403, F: 403, A: 403, C: 200, OUT: 200},
    ),
]

PAGE_MATRIX = [
    ("/patients/{patient}/access/", ALL_OK | {OUT: 404}),
    ("/access/", ALL_OK | {OUT: 200}),
    ("/access/at-risk/", ALL_OK | {OUT: 200}),
    ("/access/report/", REPORTERS),
]

POST_PAGES = [
    (
        "/patients/{patient}/access/barriers/",
        {"kind": "transport"},
        {P: 302, N: 302, F: 302, A: 403, C: 302, OUT: 404},
    ),
    (
        "/access/barriers/{barrier}/resolve/",
        {"resolution": "Ride arranged"},
        {P: 302, N: 302, F: 302, A: 403, C: 302, OUT: 404},
    ),
]


@pytest.fixture(scope="module")
def world(front_desk, patient):
    barrier = record_barrier(actor=front_desk, patient=patient, kind="transport")
    return {"patient": patient.id, "barrier": barrier.id}


@pytest.mark.parametrize("role", [*EVERYONE, OUT])
@pytest.mark.parametrize(("method", "path", "body", "expected"), API_MATRIX)
def test_api_permission_matrix(api, personas, world, role, method, path, body, expected):
    response = call(api(personas[role]), method, path.format(**world), body)
    assert response.status_code == expected[role], (role, method, path, response.content[:300])


@pytest.mark.parametrize(("method", "path", "body", "expected"), API_MATRIX)
def test_api_without_a_token_answers_401(api, world, method, path, body, expected):
    assert call(api(), method, path.format(**world), body).status_code == 401


@pytest.mark.parametrize("role", [*EVERYONE, OUT])
@pytest.mark.parametrize(("path", "expected"), PAGE_MATRIX)
def test_page_permission_matrix(web, personas, world, role, path, expected):
    response = web(personas[role]).get(path.format(**world))
    assert response.status_code == expected[role], (role, path)


@pytest.mark.parametrize("role", [*EVERYONE, OUT])
@pytest.mark.parametrize(("path", "data", "expected"), POST_PAGES)
def test_page_forms_permission_matrix(web, personas, world, role, path, data, expected):
    response = web(personas[role]).post(path.format(**world), data)
    assert response.status_code == expected[role], (role, path, response.content[:300])


def test_auditors_may_read_everything_and_change_nothing():
    for method, path, _, expected in API_MATRIX:
        assert expected[A] == (200 if method == "get" else 403), (method, path)
