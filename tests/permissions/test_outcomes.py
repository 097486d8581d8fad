"""Every outcomes endpoint and page for every role: front desk and nurses see no analytics."""

import pytest

pytestmark = pytest.mark.django_db

READERS = {"prescriber", "auditor", "clinic_admin", "outsider"}
API_PATHS = ["/outcomes/summary", "/outcomes/equity"]
PAGES = ["/outcomes/", "/outcomes/equity/"]
ROLES = ["prescriber", "nurse", "front_desk", "auditor", "clinic_admin", "outsider"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", API_PATHS)
def test_each_role_gets_the_expected_status_from_the_api(role, path, personas, api):
    response = api(personas[role]).get(path)
    assert response.status_code == (200 if role in READERS else 403), response.content


@pytest.mark.parametrize("path", API_PATHS)
def test_the_api_needs_authentication(path, api):
    assert api().get(path).status_code == 401


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", PAGES)
def test_each_role_gets_the_expected_status_from_the_pages(role, path, personas, web):
    response = web(personas[role]).get(path)
    assert response.status_code == (200 if role in READERS else 403)


@pytest.mark.parametrize("path", PAGES)
def test_the_pages_need_a_login(path, web):
    response = web().get(path)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_front_desk_has_no_outcomes_link_in_the_navigation(front_desk, web):
    page = web(front_desk).get("/").content.decode()
    assert 'href="/outcomes/"' not in page


def test_a_prescriber_has_the_outcomes_link(prescriber, web):
    page = web(prescriber).get("/").content.decode()
    assert 'href="/outcomes/"' in page


def test_another_clinics_admin_sees_only_their_own_clinic(personas, api, prescriber, front_desk):
    from tests.outcomes.builders import hand_built_registry

    hand_built_registry(prescriber, front_desk)
    body = api(personas["outsider"]).get("/outcomes/summary").json()
    assert body["courses"] == 0
