"""The demo's treatment day, relative to now: a full chair board, history and REMS forms."""

import datetime as dt
import random

import pytest
from django.utils import timezone
from faker import Faker

from ketaclinic.accounts import demo as accounts_demo
from ketaclinic.core.demo import DEFAULT_DEMO_PASSWORD, DemoContext
from ketaclinic.intake import demo as intake_demo
from ketaclinic.inventory import demo as inventory_demo
from ketaclinic.inventory import queries as ledger_queries
from ketaclinic.inventory.diversion import diversion_report
from ketaclinic.patients import demo as patients_demo
from ketaclinic.pdmp import demo as pdmp_demo
from ketaclinic.treatments import demo as treatments_demo
from ketaclinic.treatments import queries as treatments_queries
from ketaclinic.treatments.models import Course, SessionAlert, TreatmentSession
from ketaclinic.treatments.queries import rems_due

pytestmark = pytest.mark.django_db


def load_demo():
    """The demo steps the treatment day builds on (the ledger's stock among them; the PDMP
    step confirms the clinic's state, without which no order is signed), then the treatment day
    itself."""
    fake = Faker("en_US")
    fake.seed_instance(11)
    ctx = DemoContext(
        seed=11,
        password=DEFAULT_DEMO_PASSWORD,
        now=timezone.now(),
        rng=random.Random(11),
        fake=fake,
    )
    for step in (
        accounts_demo,
        patients_demo,
        intake_demo,
        inventory_demo,
        pdmp_demo,
        treatments_demo,
    ):
        step.seed(ctx)
    return ctx


@pytest.fixture
def demo_db(clinic_hours):
    return load_demo()


def today(ctx):
    return timezone.localdate(timezone.now(), ctx.clinic.tz)


def test_the_demo_treatment_day_is_full_relative_to_now(demo_db):
    # (one test: loading the demo takes a while)
    # then today has a session in every state
    statuses = set(
        TreatmentSession.objects.filter(scheduled_date=today(demo_db)).values_list(
            "status", flat=True
        )
    )

    assert statuses == {
        "scheduled",
        "checked_in",
        "pre_checks_done",
        "dosing",
        "monitoring",
        "ready_for_discharge",
        "discharged",
        "aborted",
    }

    # and an esketamine and an IV session monitored since less than 30 minutes
    recent = timezone.now() - dt.timedelta(minutes=30)
    monitored = TreatmentSession.objects.filter(status="monitoring", dose_started_at__gte=recent)

    assert {s.protocol_code for s in monitored} >= {"esketamine_trd", "iv_ketamine"}

    # and an open BP alert on a monitored session
    open_bp = SessionAlert.objects.filter(
        acknowledged_at__isnull=True, code__in=("hypertension", "bp_rise")
    )

    assert open_bp.exists()
    assert {a.session.status for a in open_bp} == {"monitoring"}

    # and completed esketamine sessions of past days, with submitted, due and overdue forms
    past = TreatmentSession.objects.filter(
        scheduled_date__lt=today(demo_db),
        status="discharged",
        protocol_code__startswith="esketamine",
    )
    assert past.count() >= 10
    assert past.filter(rems_submitted_at__isnull=False).exists()
    due = rems_due(demo_db.user("nurse"))
    assert any(row["overdue"] for row in due)
    assert any(not row["overdue"] for row in due)

    # and courses in each phase
    phases = set(
        TreatmentSession.objects.filter(scheduled_date=today(demo_db)).values_list(
            "phase", flat=True
        )
    )

    assert phases >= {"induction", "optimization", "maintenance", "treatment"}
    assert set(Course.objects.values_list("protocol_code", flat=True)) == {
        "esketamine_trd",
        "esketamine_mdsi",
        "iv_ketamine",
    }


def test_the_demo_loaded_in_the_small_hours_keeps_last_nights_sessions_on_their_day(
    at_clinic_time,
):
    # given the clinic clock at 02:00
    at_clinic_time(2, 0)

    # when the demo loads
    ctx = load_demo()

    # then sessions that began before midnight are dated yesterday, the rest today
    day = today(ctx)
    arrived = {
        s.id: timezone.localdate(s.checked_in_at, ctx.clinic.tz)
        for s in TreatmentSession.objects.filter(checked_in_at__isnull=False)
    }
    for session in TreatmentSession.objects.filter(pk__in=arrived):
        assert session.scheduled_date == arrived[session.id]
    assert {d for d in arrived.values() if d >= day - dt.timedelta(days=1)} == {
        day - dt.timedelta(days=1),
        day,
    }

    # and the chair board still shows every patient in the clinic, whatever their date
    board = treatments_queries.board(ctx.user("nurse"))
    assert {row.session.status for row in board} >= {
        "checked_in",
        "pre_checks_done",
        "dosing",
        "monitoring",
        "ready_for_discharge",
    }


def test_every_dosed_demo_session_goes_through_the_chain_and_the_ledger_verifies(demo_db):
    auditor = demo_db.user("auditor")
    day = today(demo_db)
    dosed = TreatmentSession.objects.filter(dose_started_at__isnull=False).prefetch_related(
        "orders"
    )
    assert dosed.exists()
    for session in dosed:
        # the order carries a ledger lot, and the REMS form's lot is the ledger's
        assert session.order.lot_id is not None
        given, lots = treatments_queries.ledger_administration(session)
        assert lots == [session.order.lot_number]
        record = ledger_queries.session_drug_balance(session.pk)
        # past sessions are reconciled and closed on their day
        if session.scheduled_date < day:
            assert record.closed and record.balanced, session
            assert given == session.order.dose_mg
    assert ledger_queries.verify_ledger(auditor).valid
    # nothing in the demo is a signal of the chain
    report = diversion_report(auditor, date_from=day - dt.timedelta(days=40), date_to=day)
    chain = {
        "over_draw",
        "administered_not_ordered",
        "draw_without_order",
        "late_reconciliation",
        "witness_pairing",
    }
    assert [s for s in report.signals if s.kind in chain] == []
