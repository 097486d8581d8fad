"""Permission matrix: every protocols and treatments endpoint x every role, other clinic, no login.

An allowed role gets past authorization (the answer may still be 409/422 for the record's
state); a refused role gets 403; another clinic's admin gets 404 for this clinic's records
when their role has the action (never a hint that the record exists) and 403 otherwise.
"""

from dataclasses import dataclass

import pytest
from django.db import transaction

from ketaclinic.core.permissions import Role
from ketaclinic.patients.services import register_patient
from ketaclinic.treatments import services
from tests.conftest import ApiClient
from tests.treatments.helpers import course_today, dosing_started, first_session

pytestmark = pytest.mark.django_db

P, N, F, A, C = Role.PRESCRIBER, Role.NURSE, Role.FRONT_DESK, Role.AUDITOR, Role.CLINIC_ADMIN
ALL = {P, N, F, A, C}
READERS = {P, N, A, C}
STAFF = {P, N}


@dataclass
class World:
    patient: object
    course: object
    scheduled: object
    dosed: object
    alert: object
    event: object


@pytest.fixture(scope="module")
def world(clinic_hours_for_module, prescriber, nurse, front_desk, patient):
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    other = register_patient(
        actor=front_desk,
        given_name="Kai",
        family_name="Ng",
        date_of_birth="1990-01-01",
        sex="male",
        weight_kg="80",
    )
    other_course = course_today(prescriber, nurse, other, "esketamine_trd")
    dosed = dosing_started(first_session(other_course), prescriber, nurse, minutes_ago=30)
    _, alerts, _ = services.record_vitals(
        actor=nurse, session=dosed, systolic=190, diastolic=100, heart_rate=80
    )
    event = services.record_adverse_event(
        actor=nurse,
        session=dosed,
        code="nausea",
        severity="mild",
        action="none",
        outcome="resolving",
    )
    return World(patient, course, first_session(course), dosed, alerts[0], event)


def s(w):
    return f"/sessions/{w.scheduled.id}"


def d(w):
    return f"/sessions/{w.dosed.id}"


# (name, method, path(world), body or None, allowed roles, "global" when not a clinic record)
ENDPOINTS = [
    ("protocols", "get", lambda w: "/protocols", None, ALL, True),
    ("protocol", "get", lambda w: "/protocols/esketamine_trd", None, ALL, True),
    (
        "schedule preview",
        "post",
        lambda w: "/protocols/esketamine_trd/schedule-preview",
        {"start_date": "2030-01-07"},
        ALL,
        True,
    ),
    (
        "protocol version",
        "post",
        lambda w: "/protocols/iv_ketamine/versions",
        {"changes": {}, "note": "n"},
        {P},
        True,
    ),
    (
        "protocol copy",
        "post",
        lambda w: "/protocols/iv_ketamine/copies",
        {"code": "iv_copy", "name": "Copy"},
        {P},
        True,
    ),
    (
        "open days",
        "put",
        lambda w: "/clinic/open-days",
        {"weekdays": [0, 1, 2, 3, 4]},
        {P, C},
        True,
    ),
    (
        "dose calculation",
        "post",
        lambda w: "/dose-calculations",
        {"protocol": "esketamine_trd", "dose_mg": 56},
        STAFF,
        True,
    ),
    (
        "start course",
        "post",
        lambda w: f"/patients/{w.patient.id}/courses",
        {"protocol": "esketamine_trd", "start_date": "2030-01-07"},
        {P},
        False,
    ),
    ("list courses", "get", lambda w: f"/patients/{w.patient.id}/courses", None, READERS, False),
    ("exposure", "get", lambda w: f"/patients/{w.patient.id}/exposure", None, READERS, False),
    ("course", "get", lambda w: f"/courses/{w.course.id}", None, READERS, False),
    ("stop course", "post", lambda w: f"/courses/{w.course.id}/stop", {"reason": "r"}, {P}, False),
    ("reschedule", "post", lambda w: f"{s(w)}/reschedule", {"date": "2030-01-08"}, STAFF, False),
    ("sessions", "get", lambda w: "/sessions", None, READERS, True),
    ("session", "get", lambda w: s(w), None, READERS, False),
    ("check in", "post", lambda w: f"{s(w)}/check-in", {"chair": "1"}, STAFF, False),
    ("pre-checks", "post", lambda w: f"{s(w)}/pre-checks", {}, STAFF, False),
    (
        "go/no-go",
        "post",
        lambda w: f"{s(w)}/go-no-go",
        {"decision": "go", "note": "n"},
        {P},
        False,
    ),
    ("order", "post", lambda w: f"{s(w)}/order", {"dose_mg": 56}, {P}, False),
    (
        "second check",
        "post",
        lambda w: f"{s(w)}/second-check",
        {"lot_id": "", "calculation_confirmed": True},
        STAFF,
        False,
    ),
    ("start dose", "post", lambda w: f"{s(w)}/start-dose", {}, STAFF, False),
    ("device", "post", lambda w: f"{d(w)}/devices", {}, STAFF, False),
    ("end infusion", "post", lambda w: f"{d(w)}/end-infusion", {}, STAFF, False),
    ("vitals", "post", lambda w: f"{d(w)}/vitals", {"heart_rate": 80}, STAFF, False),
    ("scale", "post", lambda w: f"{d(w)}/scales", {"scale": "moaas", "score": 5}, STAFF, False),
    (
        "acknowledge",
        "post",
        lambda w: f"{d(w)}/alerts/{w.alert.id}/acknowledge",
        {"intervention": "rechecked"},
        STAFF,
        False,
    ),
    (
        "adverse event",
        "post",
        lambda w: f"{d(w)}/events",
        {"code": "nausea", "severity": "mild", "action": "none", "outcome": "resolved"},
        STAFF,
        False,
    ),
    (
        "update event",
        "post",
        lambda w: f"{d(w)}/events/{w.event.id}",
        {"outcome": "resolved"},
        STAFF,
        False,
    ),
    ("ready", "post", lambda w: f"{d(w)}/ready-for-discharge", None, STAFF, False),
    ("discharge", "post", lambda w: f"{d(w)}/discharge", {"escort_present": True}, STAFF, False),
    ("abort", "post", lambda w: f"{s(w)}/abort", {"reason": "r"}, STAFF, False),
    ("note", "put", lambda w: f"{d(w)}/note", {"text": "t"}, STAFF, False),
    ("sign note", "post", lambda w: f"{d(w)}/note/sign", None, {P}, False),
    ("addendum", "post", lambda w: f"{d(w)}/note/addenda", {"text": "t"}, STAFF, False),
    ("rems form", "get", lambda w: f"{d(w)}/rems-form", None, READERS, False),
    ("rems pdf", "get", lambda w: f"{d(w)}/rems-form.pdf", None, READERS, False),
    (
        "rems submitted",
        "post",
        lambda w: f"{d(w)}/rems-form/submitted",
        {},
        {P, N, C},
        False,
    ),
    ("rems due", "get", lambda w: "/rems-forms/due", None, READERS, True),
]

ROLES = [*sorted(ALL), "outsider", "anonymous"]


def call(client, method, path, body):
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, body)


def expected(role, allowed, is_global) -> str:
    if role == "anonymous":
        return "401"
    if role == "outsider":
        if C not in allowed:
            return "403"
        return "passes" if is_global else "404"
    return "passes" if role in allowed else "403"


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "allowed", "is_global"),
    ENDPOINTS,
    ids=[e[0] for e in ENDPOINTS],
)
def test_permission_matrix(world, personas, name, method, path, body, allowed, is_global):
    # every role calls the endpoint on the same world; each call is rolled back afterwards
    outcomes, wanted = {}, {}
    for role in ROLES:
        client = ApiClient() if role == "anonymous" else ApiClient(personas[role])
        with transaction.atomic():
            status = call(client, method, path(world), body).status_code
            transaction.set_rollback(True)
        outcomes[role] = "passes" if status not in (401, 403, 404) else str(status)
        wanted[role] = expected(role, allowed, is_global)

    assert outcomes == wanted


def test_the_matrix_covers_every_route_of_both_apps():
    from ketaclinic.protocols.api import router as protocols_router
    from ketaclinic.treatments.api import router as treatments_router
    from ketaclinic.treatments.course_api import router as courses_router

    routes = {
        (method.lower(), path)
        for router in (protocols_router, treatments_router, courses_router)
        for path, view in router.path_operations.items()
        for op in view.operations
        for method in op.methods
    }
    assert len(routes) == len(ENDPOINTS)


PAGES = [
    ("/treatments/board/", READERS),
    ("/treatments/board/rows/", READERS),
    ("/treatments/rems/", READERS),
    ("/protocols/", ALL),
    ("/protocols/esketamine_trd/", ALL),
]


@pytest.mark.parametrize(("url", "allowed"), PAGES)
def test_pages_are_open_to_the_roles_that_may_see_them(world, personas, web, url, allowed):
    for role in sorted(ALL):
        status = web(personas[role]).get(url).status_code
        assert status == (200 if role in allowed else 403), (role, status)


def test_a_session_page_of_another_clinic_is_not_found(world, outsider, web):
    assert web(outsider).get(f"/treatments/sessions/{world.dosed.id}/").status_code == 404
    assert web(outsider).get(f"/patients/{world.patient.id}/treatment/").status_code == 404


def test_front_desk_cannot_open_a_session_page(world, front_desk, web):
    assert web(front_desk).get(f"/treatments/sessions/{world.dosed.id}/").status_code == 403
