"""The demo clinic shows intake in use and leaves most patients ready to treat."""

import random

import pytest
from django.utils import timezone
from faker import Faker

from ketaclinic.accounts import demo as accounts_demo
from ketaclinic.core.demo import DEFAULT_DEMO_PASSWORD, DemoContext
from ketaclinic.intake import demo as intake_demo
from ketaclinic.intake.models import EligibilityDecision, Referral
from ketaclinic.intake.queries import treatment_blockers
from ketaclinic.patients import demo as patients_demo
from ketaclinic.patients.models import Patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_ctx():
    fake = Faker("en_US")
    fake.seed_instance(7)
    ctx = DemoContext(
        seed=7, password=DEFAULT_DEMO_PASSWORD, now=timezone.now(), rng=random.Random(7), fake=fake
    )
    # the steps intake's demo builds on, then intake's own (later apps' steps are theirs)
    for step in (accounts_demo, patients_demo, intake_demo):
        step.seed(ctx)
    return ctx


def test_the_demo_has_every_waiting_list_status(demo_ctx):
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses == {"referred", "intake_in_progress", "eligible", "declined"}
    assert EligibilityDecision.objects.filter(outcome="decline").count() == 2
    assert Referral.objects.filter(source="fhir").count() == 1
    assert any(line.startswith("Intake:") for line in demo_ctx.notes)


def test_the_demos_approved_patients_may_be_treated(demo_ctx):
    approved = Patient.objects.filter(pk__in=demo_ctx.extra["intake_approved"])
    assert approved.count() >= 15
    assert set(approved.values_list("intake_referral__status", flat=True)) == {"eligible"}
    for patient in approved:
        assert treatment_blockers(patient, "esketamine_trd") == []
        assert treatment_blockers(patient, "iv_ketamine") == []
