"""The demo clinic, as `make demo` loads it, seeded once for every test of this package.

`seed_demo` is the slowest thing a test can ask for, and these tests only read what it made
(or change it inside their own transaction). The package's fixture runs it once per test
worker, at 14:00 clinic time, inside one transaction that is rolled back when the package ends;
each test asks for `db`, whose transaction nests inside and is rolled back after the test.
"""

import io
import os

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from tests.clock import clinic_moment, clinic_today
from tests.demo import DEMO_PASSWORD


class Seeded:
    """What `seed_demo` made and printed."""

    def __init__(self, clinic, output: str, var_dir):
        self.clinic = clinic
        self.output = output
        self.var_dir = var_dir


@pytest.fixture(scope="package")
def demo_seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    from ketaclinic.core.models import Clinic

    var_dir = tmp_path_factory.mktemp("demo-var")
    previous = os.environ.get("KETACLINIC_DEMO_PASSWORD")
    os.environ["KETACLINIC_DEMO_PASSWORD"] = DEMO_PASSWORD
    afternoon = time_machine.travel(clinic_moment(clinic_today(), 14), tick=True)
    try:
        with (
            afternoon,
            override_settings(VAR_DIR=var_dir),
            django_db_blocker.unblock(),
            transaction.atomic(),
        ):
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
            yield Seeded(Clinic.objects.get(slug="demo"), out.getvalue(), var_dir)
            transaction.set_rollback(True)
    finally:
        if previous is None:
            os.environ.pop("KETACLINIC_DEMO_PASSWORD", None)
        else:
            os.environ["KETACLINIC_DEMO_PASSWORD"] = previous


@pytest.fixture(scope="package")
def demo_clinic(demo_seeded):
    return demo_seeded.clinic
