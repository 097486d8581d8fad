"""Every capacity page x every role: administrators manage, everyone else looks, another
clinic's administrator finds nothing of this clinic."""

import datetime as dt

import pytest

from ketaclinic.capacity import services
from tests.permissions import EVERYONE, OUT, A, C, F, N, P

pytestmark = pytest.mark.django_db

ALL_OK = dict.fromkeys(EVERYONE, 200) | {OUT: 200}
ADMIN_ONLY = {P: 403, N: 403, F: 403, A: 403, C: 200, OUT: 404}

PAGE_MATRIX = [
    ("/capacity/", ALL_OK),
    ("/capacity/shifts/", ALL_OK),
    ("/capacity/shifts/?week=2026-03-02", ALL_OK),
    ("/capacity/chairs/{chair}/", ADMIN_ONLY),
]

POST_PAGES = [
    (
        "/capacity/chairs/",
        {"name": "7", "iv_infusion": "on"},
        {P: 403, N: 403, F: 403, A: 403, C: 302, OUT: 302},
    ),
    ("/capacity/chairs/{chair}/", {"name": "1", "esketamine": "on"}, ADMIN_ONLY | {C: 302}),
    (
        "/capacity/hours/",
        {"weekday": "0", "opens": "08:00", "closes": "17:00"},
        {P: 403, N: 403, F: 403, A: 403, C: 302, OUT: 302},
    ),
    (
        "/capacity/staffing/",
        {"chairs_per_nurse": "3", "prescriber_for_esketamine": "on"},
        {P: 403, N: 403, F: 403, A: 403, C: 302, OUT: 302},
    ),
    (
        "/capacity/shifts/add/",
        {"staff": "{nurse}", "date": "2026-03-02", "starts_at": "08:00", "ends_at": "12:00"},
        # Another clinic's administrator cannot pick this clinic's nurse: a form error.
        {P: 403, N: 403, F: 403, A: 403, C: 302, OUT: 422},
    ),
    ("/capacity/shifts/{shift}/remove/", {}, ADMIN_ONLY | {C: 302}),
]


@pytest.fixture(scope="module")
def world(clinic_admin, nurse):
    chair = services.add_chair(actor=clinic_admin, name="1", iv_infusion=True)
    shift = services.add_shift(
        actor=clinic_admin,
        staff_id=nurse.pk,
        date=dt.date(2026, 3, 3),
        starts_at=dt.time(8),
        ends_at=dt.time(16),
    )
    return {"chair": chair.id, "shift": shift.id, "nurse": nurse.id}


@pytest.mark.parametrize("role", [*EVERYONE, OUT])
@pytest.mark.parametrize(("path", "expected"), PAGE_MATRIX)
def test_page_permission_matrix(web, personas, world, role, path, expected):
    response = web(personas[role]).get(path.format(**world))
    assert response.status_code == expected[role], (role, path)


@pytest.mark.parametrize("role", [*EVERYONE, OUT])
@pytest.mark.parametrize(("path", "data", "expected"), POST_PAGES)
def test_page_forms_permission_matrix(web, personas, world, role, path, data, expected):
    body = {k: v.format(**world) for k, v in data.items()}
    response = web(personas[role]).post(path.format(**world), body)
    assert response.status_code == expected[role], (role, path, response.content[:300])


@pytest.mark.parametrize(("path", "expected"), PAGE_MATRIX)
def test_pages_ask_anonymous_visitors_to_log_in(web, world, path, expected):
    response = web().get(path.format(**world))
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_the_capacity_link_shows_in_the_navigation_for_every_role(web, personas):
    for role in EVERYONE:
        assert b'href="/capacity/"' in web(personas[role]).get("/").content, role
