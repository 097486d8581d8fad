"""A tour of what users see on the demo clinic: every page, PDF and API answer a role can open.

Tests that check something about everything a user reads (sources cited, no raw codes, headers)
take the tour instead of listing pages by hand, so a new page is checked without being added.
Pages and GET endpoints are found from the URL patterns and the OpenAPI document; their path
parameters are filled with ids of the demo clinic's rows.
"""

import re
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from ketaclinic.accounts.models import User
from ketaclinic.core.models import Clinic
from ketaclinic.core.permissions import Role

ROLES = (Role.CLINIC_ADMIN, Role.PRESCRIBER, Role.NURSE, Role.FRONT_DESK, Role.AUDITOR)
# Pages that only act (their GET answers 405 or redirects) or end the visit.
SKIPPED_PAGES = re.compile(r"(^logout/|/(revoke|remove|stop|resolve|void|acknowledge)/$)")


@dataclass(frozen=True)
class Visit:
    role: str
    path: str
    status: int
    content_type: str
    body: bytes

    @property
    def is_pdf(self) -> bool:
        return self.content_type.startswith("application/pdf")


def demo_ids() -> dict[str, list[str]]:
    """Ids of the demo clinic's rows by the name of the URL parameter that takes them."""
    clinic = Clinic.objects.get(slug="demo")

    def ids(label: str, **filters) -> list[str]:
        model = apps.get_model(label)
        rows = model.objects.filter(clinic=clinic, **filters).order_by("created_at")
        return [str(pk) for pk in rows.values_list("pk", flat=True)[:3]]

    sessions = apps.get_model("treatments.TreatmentSession").objects.filter(clinic=clinic)
    picked = [
        *sessions.filter(status="discharged").order_by("-scheduled_date")[:2],
        *sessions.filter(~Q(status__in=("discharged", "aborted", "scheduled")))[:2],
    ]
    protocol_codes = (
        apps.get_model("protocols.ProtocolVersion")
        .objects.filter(clinic=clinic)
        .values_list("code", flat=True)
        .distinct()
    )
    return {
        "patient_id": [str(s.patient_id) for s in picked] or ids("patients.Patient"),
        "session_id": [str(s.pk) for s in picked],
        "course_id": ids("treatments.Course"),
        "response_id": ids("measures.MeasureResponse"),
        "estimate_id": ids("billing.GoodFaithEstimate"),
        "entry_id": ids("inventory.LedgerEntry"),
        "lot_id": ids("inventory.Lot"),
        "code": sorted(set(protocol_codes))[:3],
        "instrument": ["phq9", "qids_sr16", "cssrs_screener"],
    }


def user_of(role: str) -> User:
    return User.objects.filter(clinic__slug="demo", role=role, is_active=True).first()


def client_for(role: str) -> Client:
    client = Client()
    client.force_login(user_of(role), backend="django.contrib.auth.backends.ModelBackend")
    return client


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _fill(route: str, ids: dict[str, list[str]]) -> list[str]:
    """Every filling of the route's parameters with the first known ids (one per id)."""
    names = [m.group("name") for m in PARAM.finditer(route)]
    if not names:
        return ["/" + route.replace("^", "").replace("$", "")]
    if any(name not in ids or not ids[name] for name in names):
        return []
    count = max(len(ids[name]) for name in names)
    paths = []
    for i in range(count):
        chosen = {name: ids[name][min(i, len(ids[name]) - 1)] for name in names}
        paths.append("/" + PARAM.sub(lambda m, chosen=chosen: chosen[m.group("name")], route))
    return sorted(set(paths))


def page_paths(ids) -> list[str]:
    """Every HTML page (and PDF) route of the site filled with demo ids."""
    paths = []
    for route in _patterns(get_resolver()):
        if route.startswith("api/") or route.startswith("r/") or SKIPPED_PAGES.search(route):
            continue
        paths += _fill(route, ids)
    return sorted(set(paths))


def api_paths(ids) -> list[str]:
    """Every GET operation of the API filled with demo ids (from the OpenAPI document)."""
    schema = Client().get("/api/v1/openapi.json").json()
    paths = []
    for route, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        route = route.removeprefix("/api/v1/")
        filled = _fill(re.sub(r"\{(\w+)\}", r"<\1>", route), ids)
        paths += [f"/api/v1{p}" for p in filled]
    return sorted(set(paths))


def visit_all(paths, roles=ROLES) -> list[Visit]:
    """GET each path as each role; keep the answers that succeeded."""
    visits = []
    for role in roles:
        client = client_for(role)
        for path in paths:
            response = client.get(path)
            if response.status_code != 200:
                continue
            body = b"".join(response) if response.streaming else response.content
            visits.append(
                Visit(role, path, response.status_code, response.get("Content-Type", ""), body)
            )
    return visits
