"""Every foundation endpoint and page x every role: the expected status code.

Each app keeps its own table in tests/permissions/test_<app>.py.
"""

import pytest

from tests.permissions import EVERYONE, OUT, A, C, F, N, P

pytestmark = pytest.mark.django_db


NEW = {"given_name": "Ada", "family_name": "Byron", "date_of_birth": "1985-12-10", "sex": "female"}

# (method, path template, body, {role: status}); roles not listed answer `default`.
API_MATRIX = [
    ("get", "/patients", None, dict.fromkeys(EVERYONE, 200) | {OUT: 200}),
    ("post", "/patients", NEW, {P: 201, N: 201, F: 201, C: 201, A: 403, OUT: 201}),
    ("get", "/patients/{patient}", None, dict.fromkeys(EVERYONE, 200) | {OUT: 404}),
    (
        "patch",
        "/patients/{patient}",
        {"phone": "(555) 000-1111"},
        {P: 200, N: 200, F: 200, C: 200, A: 403, OUT: 404},
    ),
    ("get", "/audit-events", None, {P: 403, N: 403, F: 403, A: 200, C: 200, OUT: 200}),
    ("get", "/tokens", None, dict.fromkeys(EVERYONE, 200) | {OUT: 200}),
    # A token never creates tokens (that needs a signed-in session): 403 for every role.
    ("post", "/tokens", {"name": "x"}, dict.fromkeys(EVERYONE, 403) | {OUT: 403}),
    ("get", "/me", None, dict.fromkeys(EVERYONE, 200) | {OUT: 200}),
]

PAGE_MATRIX = [
    ("/", dict.fromkeys(EVERYONE, 200) | {OUT: 200}),
    ("/patients/", dict.fromkeys(EVERYONE, 200) | {OUT: 200}),
    ("/patients/new/", {P: 200, N: 200, F: 200, C: 200, A: 403, OUT: 200}),
    ("/patients/{patient}/", dict.fromkeys(EVERYONE, 200) | {OUT: 404}),
    ("/patients/{patient}/edit/", {P: 200, N: 200, F: 200, C: 200, A: 403, OUT: 404}),
    ("/audit/", {P: 403, N: 403, F: 403, A: 200, C: 200, OUT: 200}),
    ("/account/tokens/", dict.fromkeys(EVERYONE, 200) | {OUT: 200}),
]


@pytest.mark.parametrize("role", [*EVERYONE, OUT])
@pytest.mark.parametrize(("method", "path", "body", "expected"), API_MATRIX)
def test_api_permission_matrix(api, personas, patient, role, method, path, body, expected):
    client = api(personas[role])
    url = path.format(patient=patient.id)
    response = (
        getattr(client, method)(url, body) if body is not None else getattr(client, method)(url)
    )
    assert response.status_code == expected[role], (role, method, url, response.content[:300])


@pytest.mark.parametrize(("method", "path", "body", "expected"), API_MATRIX)
def test_api_without_a_token_answers_401(api, patient, method, path, body, expected):
    client = api()
    url = path.format(patient=patient.id)
    response = (
        getattr(client, method)(url, body) if body is not None else getattr(client, method)(url)
    )
    assert response.status_code == 401


@pytest.mark.parametrize("role", [*EVERYONE, OUT])
@pytest.mark.parametrize(("path", "expected"), PAGE_MATRIX)
def test_page_permission_matrix(web, personas, patient, role, path, expected):
    response = web(personas[role]).get(path.format(patient=patient.id))
    assert response.status_code == expected[role], (role, path)
