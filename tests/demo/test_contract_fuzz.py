"""Every operation of the published schema, fuzzed by schemathesis against the demo clinic.

A few generated requests per operation (valid and invalid ones), each sent with the demo
prescriber's token and, when that role is refused (403), again with the demo administrator's.
Every answer must be no server error, with a status code, content type and body that the
published schema declares. Generation is derandomized, so a run is reproducible.
Runs on SQLite and on PostgreSQL (whichever DATABASE_URL names).
"""

import os

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ketaclinic.accounts.services import create_api_token
from ketaclinic.authorizations.models import PriorAuthorization
from ketaclinic.config.api import api
from ketaclinic.patients.models import Patient
from ketaclinic.treatments.models import Course, TreatmentSession

# A few examples per operation, mode and phase keep the run within minutes on 2 cores.
MAX_EXAMPLES = 4
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Valid requests name a demo record in these path parameters half of the time (with the
# generated value otherwise, which mostly answers 404), so that they reach the endpoint's work.
KNOWN_RECORDS = {
    "patient_id": Patient,
    "session_id": TreatmentSession,
    "course_id": Course,
    "authorization_id": PriorAuthorization,
}
# The roles a request is tried with, in order: the next one only when the previous gets 403.
ROLES = ("prescriber", "admin")

pytestmark = pytest.mark.contract

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="api/v1/"))
schema.app = WSGIHandler()
# A deeper run adds the boundary cases: KETACLINIC_CONTRACT_PHASES=examples,fuzzing,coverage
# (about 10 minutes on 2 cores, too long for every `make test`).
schema.config.phases.update(
    phases=os.environ.get("KETACLINIC_CONTRACT_PHASES", "examples,fuzzing").split(",")
)
schema.config.generation.update(
    modes=["positive", "negative"],
    max_examples=MAX_EXAMPLES,
    deterministic=True,
    database="none",
)


@pytest.fixture(scope="module")
def demo_tokens(demo_clinic, django_db_blocker):
    """A bearer token per demo role. Every request of the module runs inside the demo clinic's
    transaction (rolled back at the end), so Django must not close the connection after each."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock():
            users = get_user_model().objects.filter(clinic=demo_clinic, username__in=ROLES)
            by_name = {user.username: user for user in users}
            tokens = {
                role: create_api_token(actor=None, user=by_name[role], name="contract fuzz")[1]
                for role in ROLES
            }
            records = {
                name: [
                    str(pk)
                    for pk in model.objects.filter(clinic=demo_clinic)
                    .order_by("pk")
                    .values_list("pk", flat=True)[:8]
                ]
                for name, model in KNOWN_RECORDS.items()
            }
            yield tokens, records
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
# `db` (the test's transaction, inside the module's) is shared by the operation's examples.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_operation_keeps_its_contract(case, db, demo_tokens):
    tokens, records = demo_tokens
    if case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE:
        for name, value in (case.path_parameters or {}).items():
            choices = records.get(name)
            if choices:
                # Deterministic: the same generated value always picks the same record.
                digest = sum(str(value).encode())
                if digest % 2 == 0:
                    case.path_parameters[name] = choices[digest // 2 % len(choices)]
    for role in ROLES:
        response = case.call_and_validate(
            headers={
                "Authorization": f"Bearer {tokens[role]}",
                # The in-process WSGI client does not decompress gzip as an HTTP client would.
                "Accept-Encoding": "identity",
            },
            checks=CHECKS,
        )
        if response.status_code != 403:
            break
