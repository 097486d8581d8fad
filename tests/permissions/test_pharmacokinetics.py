"""Every pharmacokinetics endpoint x every role: decision support, so never the front desk."""

import pytest

from tests.permissions import EVERYONE, OUT, A, C, F, N, P, call

pytestmark = pytest.mark.django_db

# No clinic's data is read or written: another clinic's admin is simply a clinic admin here.
CLINICAL = {P: 200, N: 200, F: 403, A: 200, C: 200, OUT: 200}
PLAN = {
    "model": "clements_1981",
    "weight_kg": 70,
    "age_years": 40,
    "doses": [{"route": "iv", "start_min": 0, "duration_min": 40, "mg": 35}],
}

API_MATRIX = [
    ("get", "/pk/models", None, CLINICAL),
    ("post", "/pk/simulate", PLAN, CLINICAL),
]


@pytest.mark.parametrize("role", [*EVERYONE, OUT])
@pytest.mark.parametrize(("method", "path", "body", "expected"), API_MATRIX)
def test_api_permission_matrix(api, personas, role, method, path, body, expected):
    response = call(api(personas[role]), method, path, body)
    assert response.status_code == expected[role], (role, method, path, response.content[:300])


@pytest.mark.parametrize(("method", "path", "body", "expected"), API_MATRIX)
def test_api_without_a_token_answers_401(api, method, path, body, expected):
    assert call(api(), method, path, body).status_code == 401


def test_the_front_desk_is_told_why_it_may_not_simulate(api, front_desk):
    response = api(front_desk).post("/pk/simulate", PLAN)
    assert response.status_code == 403
    assert "simulate" in response.json()["detail"].lower()
