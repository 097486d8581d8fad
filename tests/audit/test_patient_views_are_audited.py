"""Every GET that returns a patient's record writes `patient.viewed`, whichever route it is.

The routes are derived from the URL configuration, not listed by hand: a new page or endpoint
under a patient cannot skip the audit without this test failing. Routes that need a second
object (a response, a trial, an authorization...) must say how to build it in NESTED, or why
they are exempt; an unknown one fails the test.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import URLResolver, get_resolver

from ketaclinic.audit.models import AuditEvent
from ketaclinic.core.permissions import Role
from ketaclinic.measures import services as measures
from tests.authorizations.packet_world import packet_world, phq9_answers
from tests.billing.helpers import fee_schedule
from tests.pdmp.helpers import record as record_pdmp_check

PARAMETER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")

# Query parameters a route needs to answer (a period, a protocol, an event).
QUERY = {
    "api/v1/patients/<patient_id>/estimate": {"protocol": "esketamine_trd"},
    "api/v1/patients/<patient_id>/pdmp-status": {"event": "administering", "state": "NY"},
    "api/v1/patients/<patient_id>/superbill": {
        "from": "2026-01-01",
        "to": "2026-01-31",
        "format": "json",
    },
    "patients/<patient_id>/billing/superbill.pdf": {
        "date_from": "2026-01-01",
        "date_to": "2026-01-31",
    },
    "patients/<patient_id>/billing/superbill/": {
        "date_from": "2026-01-01",
        "date_to": "2026-01-31",
    },
}

# The order in which roles are tried: the first that may read the route is used.
ROLES = (Role.PRESCRIBER, Role.NURSE, Role.FRONT_DESK, Role.CLINIC_ADMIN, Role.AUDITOR)


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def patient_routes() -> tuple[list[str], list[str]]:
    """(routes whose only parameter is the patient, routes with further parameters)."""
    single, nested = set(), set()
    for route in _routes(get_resolver().url_patterns):
        names = PARAMETER.findall(route)
        if "patient_id" not in names:
            continue
        plain = PARAMETER.sub(lambda m: f"<{m.group(1)}>", route)
        (single if names == ["patient_id"] else nested).add(plain)
    return sorted(single), sorted(nested)


def _viewed(patient) -> int:
    return AuditEvent.objects.filter(action="patient.viewed", patient=patient).count()


def test_the_derived_list_holds_the_routes_the_review_named():
    single, _ = patient_routes()
    for tail in ("courses", "exposure", "barriers", "measure-alerts", "treatment-blockers"):
        assert f"api/v1/patients/<patient_id>/{tail}" in single


def test_every_patient_route_that_answers_a_get_audits_the_view(personas, patient, api, web):
    single, _ = patient_routes()
    fee_schedule(personas[Role.CLINIC_ADMIN])  # so that an estimate can be priced
    clients = {}
    for role in ROLES:
        clients[role] = (api(personas[role]), web(personas[role]))
    unaudited, unreachable, checked = [], [], 0
    for route in single:
        path = "/" + route.replace("<patient_id>", str(patient.pk))
        statuses = []
        for role in ROLES:
            api_client, web_client = clients[role]
            before = _viewed(patient)
            params = QUERY.get(route, {})
            if path.startswith("/api/v1/"):
                response = api_client.get(path.removeprefix("/api/v1"), **params)
            else:
                response = web_client.get(path, params)
            statuses.append(response.status_code)
            if response.status_code == 405:
                break
            if response.status_code not in (200, 204):
                continue
            checked += 1
            if _viewed(patient) == before:
                unaudited.append(f"{route} (as {role})")
            break
        else:
            unreachable.append(f"{route}: {statuses}")
    assert not unaudited, "GET answered the patient's data without patient.viewed: " + ", ".join(
        unaudited
    )
    assert not unreachable, "no role could read: " + "; ".join(unreachable)
    assert checked >= 30


def _response(people, patient) -> dict:
    response, _ = measures.record_measure(
        actor=people[Role.NURSE], patient=patient, instrument="phq9", answers=phq9_answers(12)
    )
    return {"response_id": response.pk}


def _authorization(people, patient) -> dict:
    authorization = packet_world(
        people[Role.PRESCRIBER],
        people[Role.NURSE],
        people[Role.FRONT_DESK],
        people[Role.CLINIC_ADMIN],
        patient,
    )
    return {"authorization_id": authorization.pk}


def _pdmp_check(people, patient) -> dict:
    return {"check_id": record_pdmp_check(people[Role.PRESCRIBER], patient).pk}


# Routes under a patient with a second identifier that answer a GET: how to build what they
# show. A route with a second identifier that answers GET and is missing here fails the test.
NESTED = {
    "patients/<patient_id>/measures/record/<instrument>/": lambda people, patient: {
        "instrument": "phq9"
    },
    "patients/<patient_id>/measures/responses/<response_id>/": _response,
    "patients/<patient_id>/coverage/authorizations/<authorization_id>/": _authorization,
    "patients/<patient_id>/coverage/authorizations/<authorization_id>/packet/": _authorization,
    "patients/<patient_id>/coverage/authorizations/<authorization_id>/packet.pdf": _authorization,
    "patients/<patient_id>/pdmp/checks/<check_id>/correct/": _pdmp_check,
}


def _get(route: str, values: dict, client_for):
    path = "/" + route
    for name, value in values.items():
        path = path.replace(f"<{name}>", str(value))
    api_client, web_client = client_for
    if path.startswith("/api/v1/"):
        return api_client.get(path.removeprefix("/api/v1"))
    return web_client.get(path)


def test_routes_with_a_second_identifier_that_answer_a_get_are_built_here(
    personas, patient, api, web
):
    _, nested = patient_routes()
    prescriber = (api(personas[Role.PRESCRIBER]), web(personas[Role.PRESCRIBER]))
    undeclared = []
    for route in nested:
        if route in NESTED:
            continue
        filler = {name: uuid.uuid4() for name in PARAMETER.findall(route)}
        filler["patient_id"] = patient.pk
        if _get(route, filler, prescriber).status_code != 405:
            undeclared.append(route)
    assert not undeclared, "say in NESTED how to build what these show: " + ", ".join(undeclared)


@pytest.mark.parametrize("route", sorted(NESTED))
def test_a_nested_patient_route_audits_the_view(route, personas, patient, api, web):
    values = {"patient_id": patient.pk, **NESTED[route](personas, patient)}
    statuses = []
    for role in ROLES:
        before = _viewed(patient)
        response = _get(route, values, (api(personas[role]), web(personas[role])))
        statuses.append(response.status_code)
        if response.status_code == 200:
            assert _viewed(patient) > before, f"{route} answered {role} without patient.viewed"
            return
    pytest.fail(f"no role could read {route}: {statuses}")
