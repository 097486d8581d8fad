"""Shared fixtures: a clinic with one persona per role, another clinic, and API clients."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from ketaclinic.accounts.services import create_api_token
from tests import schema_cache
from tests.clock import CLINIC_TZ, clinic_moment, clinic_today, start_run_clock
from tests.factories import (
    every_persona,
    make_clinic,
    make_hilltop,
    make_lakeside,
    make_outsider,
    make_staff,
    register_jordan,
)

_RUN_CLOCK = None


def pytest_configure(config):
    global _RUN_CLOCK
    schema_cache.install()
    _RUN_CLOCK = start_run_clock()
    if _RUN_CLOCK is not None:
        config.stash["clock"] = _RUN_CLOCK


# Packages whose modules take minutes each (a browser, or the seeded demo clinic). The workers
# take whole modules in collection order (--dist loadscope), so these go first: a long module
# started last would keep one worker busy while the other has nothing left to do.
LONG_FIRST = (
    "tests/e2e/test_security_headers.py",  # every main page of every role, in the browser
    "tests/e2e/test_accessibility_and_layout.py",
    "tests/e2e/",
    "tests/demo/",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    def rank(item):
        path = item.nodeid
        return next((i for i, prefix in enumerate(LONG_FIRST) if path.startswith(prefix)), 99)

    items.sort(key=rank)  # stable: modules and tests keep their order within each rank


def pytest_report_header(config):
    now = dt.datetime.now(CLINIC_TZ)
    return f"clinic clock: {now:%Y-%m-%d %H:%M %Z}" + (" (moved)" if _RUN_CLOCK else "")


def pytest_unconfigure(config):
    if _RUN_CLOCK is not None:
        _RUN_CLOCK.stop()


@pytest.fixture
def clinic_hours():
    """The clinic is open: 14:00 clinic time on today's clinic date, the clock ticking on."""
    with time_machine.travel(clinic_moment(clinic_today(), 14), tick=True) as traveller:
        yield traveller


@pytest.fixture(scope="module")
def clinic_hours_for_module():
    """`clinic_hours` for a module whose shared `world` tells a clinic-day story (a session
    dosed half an hour ago, still today): the module runs in the afternoon of the clinic date."""
    with time_machine.travel(clinic_moment(clinic_today(), 14), tick=True) as traveller:
        yield traveller


@pytest.fixture
def at_clinic_time():
    """at_clinic_time(hour, minute=0, days=0): move the ticking clock to that clinic time."""
    travellers = []

    def _at(hour, minute=0, days=0):
        day = clinic_today() + dt.timedelta(days=days)
        traveller = time_machine.travel(clinic_moment(day, hour, minute), tick=True)
        traveller.start()
        travellers.append(traveller)
        return clinic_moment(day, hour, minute)

    yield _at
    for traveller in reversed(travellers):
        traveller.stop()


@pytest.fixture
def clinic(db):
    return make_lakeside()


@pytest.fixture
def other_clinic(db):
    return make_hilltop()


@pytest.fixture
def riverside(clinic):
    """A second location of the test clinic's organization (Hilltop is another organization)."""
    return make_clinic(
        "Riverside Clinic", "riverside", organization=clinic.organization, mrn_prefix="RV"
    )


@pytest.fixture
def prescriber(clinic):
    return make_staff(clinic, "prescriber")


@pytest.fixture
def prescriber2(clinic):
    return make_staff(clinic, "prescriber2")


@pytest.fixture
def nurse(clinic):
    return make_staff(clinic, "nurse")


@pytest.fixture
def nurse2(clinic):
    return make_staff(clinic, "nurse2")


@pytest.fixture
def front_desk(clinic):
    return make_staff(clinic, "front_desk")


@pytest.fixture
def auditor(clinic):
    return make_staff(clinic, "auditor")


@pytest.fixture
def clinic_admin(clinic):
    return make_staff(clinic, "clinic_admin")


@pytest.fixture
def outsider(other_clinic):
    """A clinic admin of another clinic: must never see anything of `clinic`."""
    return make_outsider(other_clinic)


personas = pytest.fixture(every_persona, name="personas")


class ApiClient:
    """A test client that sends a bearer token and JSON bodies."""

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            _, token = create_api_token(actor=None, user=user, name="test")
            self.token = token
            self.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method, path, data=None, **params):
        kwargs = {"headers": self.headers}
        if data is not None:
            kwargs["data"] = data
            kwargs["content_type"] = "application/json"
        if params:
            kwargs["query_params"] = params
        return getattr(self.client, method)("/api/v1" + path, **kwargs)

    def get(self, path, **params):
        return self._call("get", path, **params)

    def post(self, path, data=None):
        return self._call("post", path, data if data is not None else {})

    def put(self, path, data=None):
        return self._call("put", path, data if data is not None else {})

    def patch(self, path, data=None):
        return self._call("patch", path, data if data is not None else {})

    def delete(self, path):
        return self._call("delete", path)


@pytest.fixture
def api():
    """api(user) -> an ApiClient authenticated as that user; api() is anonymous."""
    return ApiClient


@pytest.fixture
def web():
    """web(user) -> a Django test client logged in as that user (session auth)."""

    def _web(user=None):
        client = Client()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _web


@pytest.fixture
def patient(clinic, front_desk):
    return register_jordan(front_desk)


@pytest.fixture
def other_patient(other_clinic, outsider):
    from ketaclinic.patients.services import register_patient

    return register_patient(
        actor=outsider,
        given_name="Morgan",
        family_name="Hill",
        date_of_birth="1979-07-01",
        sex="male",
    )
