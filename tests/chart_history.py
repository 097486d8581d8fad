"""A patient with a long treatment history, written in bulk (the chart tests and bench/).

`build_history(clinic, users, sessions=500)` gives one patient an active esketamine course of
`sessions` discharged sessions, three days apart and ending yesterday, each with vital signs
before and after the dose, a PHQ-9 (a GAD-7 every fourth session) whose answers fall over the
course, a charge per session and a payment every fourth session, a PDMP check every fifth
session and an acknowledged item-9 safety alert every tenth. The rows are written with
`bulk_create` (the services would take minutes for 500 sessions); the values are the ones the
services would have written (scores and severities come from the scoring rules).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from ketaclinic.billing.models import Charge, Payment
from ketaclinic.measures import rules as measure_rules
from ketaclinic.measures.instruments import INSTRUMENTS
from ketaclinic.measures.models import AlertStatus, MeasureResponse, SafetyAlert
from ketaclinic.patients.services import register_patient
from ketaclinic.pdmp.models import PdmpCheck
from ketaclinic.protocols.services import ensure_version
from ketaclinic.treatments.models import Course, TreatmentSession, VitalSignsEntry

PROTOCOL = "esketamine_trd"
FEE = Decimal("650.00")


def _answers(count: int, n: int, session: int, total: int) -> dict[str, int]:
    """Answers to `count` items whose sum falls from about 2.2 per item to 0.6 over the course
    (with a little wobble), so the trajectory looks like a responder's."""
    progress = session / max(total, 1)
    level = 2.2 - 1.6 * progress + (0.3 if session % 7 == 0 else 0.0)
    whole = int(level)
    extra = round((level - whole) * count)
    return {str(i): min(3, whole + (1 if i <= extra else 0)) for i in range(1, count + 1)}


def _response(clinic, patient, nurse, code: str, answers: dict, at: datetime):
    scored = measure_rules.score(INSTRUMENTS[code], answers)
    return MeasureResponse(
        clinic=clinic,
        patient=patient,
        instrument=code,
        instrument_version=INSTRUMENTS[code].version,
        answers=scored.answers,
        total=scored.total,
        severity=scored.severity or "",
        administered_at=at,
        source="staff",
        entered_by=nurse,
    )


def build_history(clinic, users: dict, sessions: int, *, label: str | None = None, today=None):
    """`users`: {"prescriber", "nurse", "front_desk"} of `clinic`. Returns the patient."""
    prescriber, nurse, desk = users["prescriber"], users["nurse"], users["front_desk"]
    today = today or clinic.today()
    patient = register_patient(
        actor=desk,
        given_name=label or f"History{sessions}",
        family_name="Chartcase",
        date_of_birth=date(1975, 5, 5),
        sex="female",
        weight_kg="70.0",
    )
    version = ensure_version(clinic, PROTOCOL)
    start = today - timedelta(days=3 * sessions + 1)
    course = Course.objects.create(
        clinic=clinic,
        patient=patient,
        protocol_version=version,
        protocol_code=PROTOCOL,
        status="active",
        start_date=start,
        started_by=prescriber,
    )
    rows, vitals, responses, charges, payments, checks = [], [], [], [], [], []
    for n in range(1, sessions + 1):
        day = start + timedelta(days=3 * n)
        dose = datetime(day.year, day.month, day.day, 15, tzinfo=UTC)
        rows.append(
            TreatmentSession(
                clinic=clinic,
                patient=patient,
                course=course,
                protocol_version=version,
                protocol_code=PROTOCOL,
                number=n,
                phase="induction" if n <= 8 else "maintenance",
                scheduled_date=day,
                planned_dose_mg=56,
                status="discharged",
                checked_in_at=dose - timedelta(minutes=20),
                dose_started_at=dose,
                devices_given=2,
                discharged_at=dose + timedelta(hours=2),
                monitored_by=nurse,
                discharged_by=nurse,
                escort_present=True,
            )
        )
        responses.append(
            _response(
                clinic,
                patient,
                nurse,
                "phq9",
                _answers(9, 9, n, sessions),
                dose - timedelta(minutes=30),
            )
        )
        if n % 4 == 1:
            responses.append(
                _response(
                    clinic,
                    patient,
                    nurse,
                    "gad7",
                    _answers(7, 7, n, sessions),
                    dose - timedelta(minutes=29),
                )
            )
        if n % 4 == 0:
            payments.append(
                Payment(
                    clinic=clinic,
                    patient=patient,
                    amount=FEE * 4,
                    method="card",
                    received_on=day,
                    reference=f"R{n:05d}",
                    recorded_by=desk,
                )
            )
        if n % 5 == 1:
            checks.append(
                PdmpCheck(
                    clinic=clinic,
                    patient=patient,
                    state="CA",
                    checked_at=dose - timedelta(days=1),
                    prescriber=prescriber,
                    checked_by=prescriber,
                    recorded_by=prescriber,
                    transaction_id=f"CURES-{n:06d}",
                    finding="no_concern",
                )
            )
    TreatmentSession.objects.bulk_create(rows)
    for s in rows:
        for minutes in (-10, 40, 120):
            vitals.append(
                VitalSignsEntry(
                    clinic=clinic,
                    session=s,
                    measured_at=s.dose_started_at + timedelta(minutes=minutes),
                    systolic=128 + (12 if minutes == 40 else 0),
                    diastolic=80,
                    heart_rate=76,
                    spo2=98,
                    resp_rate=14,
                    pre_dose=minutes < 0,
                    recorded_by=nurse,
                )
            )
        charges.append(
            Charge(
                clinic=clinic,
                patient=patient,
                session=s,
                course=course,
                service_date=s.scheduled_date,
                service="esketamine_session_up_to_56mg",
                code="G2082",
                description="Esketamine session, up to 56 mg, with 2 h observation",
                quantity=Decimal("1"),
                unit_price=FEE,
                amount=FEE,
                created_by=desk,
            )
        )
    VitalSignsEntry.objects.bulk_create(vitals)
    MeasureResponse.objects.bulk_create(responses)
    Charge.objects.bulk_create(charges)
    Payment.objects.bulk_create(payments)
    PdmpCheck.objects.bulk_create(checks)
    alerts = [
        SafetyAlert(
            clinic=clinic,
            patient=patient,
            response=r,
            code="phq9_item9",
            message="PHQ-9 item 9 (thoughts of self-harm) answered above 0.",
            must_act="prescriber",
            status=AlertStatus.ACKNOWLEDGED,
            raised_at=r.administered_at,
            acknowledged_at=r.administered_at + timedelta(minutes=20),
            acknowledged_by=prescriber,
            action_note="C-SSRS completed, no current intent; safety plan reviewed.",
        )
        for i, r in enumerate(x for x in responses if x.instrument == "phq9")
        if i % 10 == 9
    ]
    SafetyAlert.objects.bulk_create(alerts)
    return patient
