"""Every staff-administration endpoint and page x every role: only clinic administrators manage
staff; another clinic's administrator gets 404 for this clinic's people."""

import pytest

from ketaclinic.core.permissions import Role
from tests.factories import make_user
from tests.permissions import EVERYONE, OUT, A, C, F, N, P, call

pytestmark = pytest.mark.django_db

ADMIN_ONLY = {P: 403, N: 403, F: 403, A: 403, C: 200, OUT: 200}
ADMIN_ON_MEMBER = {P: 403, N: 403, F: 403, A: 403, C: 200, OUT: 404}
NEW = {"username": "new_rn", "password": "temporary-pass-2041", "role": "nurse"}

API_MATRIX = [
    ("get", "/staff", None, ADMIN_ONLY),
    ("post", "/staff", NEW, {P: 403, N: 403, F: 403, A: 403, C: 201, OUT: 201}),
    ("get", "/staff/{member}", None, ADMIN_ON_MEMBER),
    ("post", "/staff/{member}/role", {"role": "front_desk"}, ADMIN_ON_MEMBER),
    ("post", "/staff/{member}/deactivate", {}, ADMIN_ON_MEMBER),
    ("post", "/staff/{inactive}/reactivate", {}, ADMIN_ON_MEMBER),
    ("post", "/staff/{member}/password", {"password": "temporary-pass-2041"}, ADMIN_ON_MEMBER),
    ("post", "/staff/{member}/mfa-reset", {}, ADMIN_ON_MEMBER),
    ("get", "/security-policy", None, ADMIN_ONLY),
    ("put", "/security-policy", {"mfa_required_for_all": True}, ADMIN_ONLY),
]

PAGE_MATRIX = [
    ("/staff/", ADMIN_ONLY),
    ("/staff/new/", ADMIN_ONLY),
    ("/staff/{member}/", ADMIN_ON_MEMBER),
    ("/account/", dict.fromkeys(EVERYONE, 200) | {OUT: 200}),
    ("/account/password/", dict.fromkeys(EVERYONE, 200) | {OUT: 200}),
    ("/login/two-factor/", dict.fromkeys(EVERYONE, 200) | {OUT: 200}),
]

POST_PAGES = [
    ("/staff/{member}/deactivate/", {}, {P: 403, N: 403, F: 403, A: 403, C: 302, OUT: 404}),
    (
        "/staff/{member}/role/",
        {"role": "nurse"},
        {P: 403, N: 403, F: 403, A: 403, C: 302, OUT: 404},
    ),
    ("/staff/security/", {"mfa_required_for_all": "on"}, ADMIN_ONLY | {C: 302, OUT: 302}),
]


@pytest.fixture(scope="module")
def world(clinic):
    member = make_user(clinic, "rn_target", Role.NURSE)
    inactive = make_user(clinic, "rn_gone", Role.NURSE, is_active=False)
    return {"member": member.id, "inactive": inactive.id}


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
@pytest.mark.parametrize(("path", "body", "expected"), POST_PAGES)
def test_post_page_permission_matrix(web, personas, world, role, path, body, expected):
    response = web(personas[role]).post(path.format(**world), body)
    assert response.status_code == expected[role], (role, path)


@pytest.mark.parametrize("path", ["/staff/", "/account/", "/account/password/", "/staff/new/"])
def test_pages_need_a_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/login/")
