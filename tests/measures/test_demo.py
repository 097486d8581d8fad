"""The measures demo step: months of scores (remitters, responders, non-responders), an open
alert and an unused self-report link whose URL seed_demo prints."""

import random

import pytest
from django.utils import timezone
from faker import Faker

from ketaclinic.accounts import demo as accounts_demo
from ketaclinic.accounts.models import User
from ketaclinic.core.demo import DemoContext
from ketaclinic.measures import demo as measures_demo
from ketaclinic.measures.models import MeasureRequest, MeasureResponse, SafetyAlert
from ketaclinic.measures.queries import patient_history
from ketaclinic.patients import demo as patients_demo
from ketaclinic.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_the_demo_has_realistic_trajectories_one_open_alert_and_a_printed_link():
    # when the demo steps up to measures run (as seed_demo runs them, by ORDER)
    fake = Faker("en_US")
    fake.seed_instance(7)
    ctx = DemoContext(
        seed=7, password="demo-pass-1234", now=timezone.now(), rng=random.Random(7), fake=fake
    )
    for step in sorted([accounts_demo, patients_demo, measures_demo], key=lambda m: m.ORDER):
        step.seed(ctx)
    printed = "\n".join(ctx.notes)
    # then one unused self-report link is printed
    link = MeasureRequest.objects.get(used_at__isnull=True, schedule__isnull=True)
    assert "/r/" in printed and "Unused self-report link" in printed
    assert link.instruments == ["phq9", "gad7"]
    # and exactly one safety alert is open
    assert SafetyAlert.objects.filter(status="open").count() == 1
    # and the PHQ-9 trajectories span months with remitters, responders and non-responders
    prescriber = User.objects.get(username="prescriber")
    outcomes = set()
    for patient in Patient.objects.filter(measure_responses__isnull=False).distinct():
        rows = patient_history(prescriber, patient, "phq9")
        latest = rows[0]
        span = rows[0].response.administered_at - rows[-1].response.administered_at
        assert span.days >= 90
        if latest.outcome.remission:
            outcomes.add("remission")
        elif latest.outcome.response:
            outcomes.add("response")
        else:
            outcomes.add("no response")
    assert outcomes == {"remission", "response", "no response"}
    assert MeasureResponse.objects.filter(instrument="madrs").exists()
    # and one patient's PHQ-9 from a referral is shown, unconfirmed, and not the baseline
    referral = MeasureResponse.objects.get(source="referral")
    rows = patient_history(prescriber, referral.patient, "phq9")
    assert [r.is_baseline for r in rows if r.response.pk == referral.pk] == [False]
    assert any(r.is_baseline for r in rows)
