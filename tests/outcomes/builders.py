"""A small hand-built registry whose every rate is worked out by hand in the tests.

Rows are written directly (not through services): the services rightly refuse courses that
start in the past, and these tests need a fixed past. Each builder then refreshes the
patient's outcome facts, as the services do inside their writes.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from ketaclinic.measures.models import MeasureResponse
from ketaclinic.outcomes.facts import refresh_patient
from ketaclinic.patients.services import register_patient
from ketaclinic.protocols.services import ensure_version
from ketaclinic.treatments.models import AdverseEvent, Course, SessionAlert, TreatmentSession

MARCH_3 = date(2025, 3, 3)  # a Monday


def at(day: date, offset_days: int, hour: int, minute: int = 0) -> datetime:
    base = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
    return base + timedelta(days=offset_days)


def make_patient(registrar, given: str, **extra):
    values = {
        "given_name": given,
        "family_name": "Testperson",
        "date_of_birth": date(1980, 6, 15),
        "sex": "female",
        "race": "white",
        "ethnicity": "not_hispanic",
        "payer_type": "commercial",
        "income_band": "50k_100k",
    }
    values.update(extra)
    return register_patient(actor=registrar, **values)


@dataclass
class Built:
    course: Course
    sessions: dict[int, TreatmentSession] = field(default_factory=dict)


def make_course(
    prescriber,
    patient,
    code: str,
    start: date,
    status: str,
    *,
    doses: dict[int, int] | None = None,
    aborted: tuple[int, ...] = (),
    scores: tuple[tuple[int, int], ...] = (),
    score_hour: int = 14,
) -> Built:
    """A course with dosed sessions {number: day offset} (dose at 15:00 UTC), aborted session
    numbers, and PHQ-9 scores (day offset, total) at 14:30 UTC."""
    version = ensure_version(patient.clinic, code)
    course = Course.objects.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        protocol_version=version,
        protocol_code=code,
        status=status,
        start_date=start,
        started_by=prescriber,
        ended_at=None if status == "active" else at(start, 30, 12),
    )
    built = Built(course)
    for number, offset in sorted((doses or {}).items()):
        built.sessions[number] = TreatmentSession.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            course=course,
            protocol_version=version,
            protocol_code=code,
            number=number,
            phase="induction",
            scheduled_date=start + timedelta(days=offset),
            status="discharged",
            dose_started_at=at(start, offset, 15),
            discharged_at=at(start, offset, 17),
        )
    for number in aborted:
        built.sessions[number] = TreatmentSession.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            course=course,
            protocol_version=version,
            protocol_code=code,
            number=number,
            phase="induction",
            scheduled_date=start + timedelta(days=14 + number),
            status="aborted",
            aborted_at=at(start, 14 + number, 12),
        )
    for offset, total in scores:
        phq9(patient, at(start, offset, score_hour, 30), total)
    refresh_patient(patient.clinic_id, patient.pk)
    return built


def phq9(patient, when: datetime, total: int, instrument: str = "phq9"):
    items = [0] * 9
    for i in range(total):
        items[i % 9] += 1
    response = MeasureResponse.objects.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        instrument=instrument,
        instrument_version="1",
        answers={str(i + 1): v for i, v in enumerate(items)},
        total=total,
        severity="",
        administered_at=when,
        source="staff",
    )
    refresh_patient(patient.clinic_id, patient.pk)
    return response


def adverse_event(session, code: str, severity: str = "mild"):
    event = AdverseEvent.objects.create(
        clinic_id=session.clinic_id,
        session=session,
        code=code,
        severity=severity,
        onset_at=session.dose_started_at + timedelta(minutes=20),
        action="none",
        outcome="resolved",
        recorded_by=session.course.started_by,
    )
    refresh_patient(session.clinic_id, session.patient_id)
    return event


def alert(session, code: str, measure: str, value: int, threshold: int):
    row = SessionAlert.objects.create(
        clinic_id=session.clinic_id,
        session=session,
        code=code,
        label=code,
        message=f"{measure} {value}",
        measure=measure,
        value=value,
        threshold=threshold,
        comparison=">=",
        source="test",
        raised_at=session.dose_started_at + timedelta(minutes=40),
    )
    refresh_patient(session.clinic_id, session.patient_id)
    return row


def hand_built_registry(prescriber, registrar):
    """Seven courses of six patients (see test_summary_correctness.py for the hand counts)."""
    p1 = make_patient(registrar, "Ada")
    p2 = make_patient(registrar, "Bo", sex="male", race="black", payer_type="medicaid")
    p3 = make_patient(registrar, "Cy", date_of_birth=date(1930, 1, 1))
    p4 = make_patient(registrar, "Di")
    p5 = make_patient(registrar, "Ed", sex="male")
    p6 = make_patient(registrar, "Fay", ethnicity="hispanic")
    # A: responds on day 7 (9 <= 10), remits by the last score (4 < 5); an intake score before
    # the start, a GAD-7 score and the next course's scores must all be ignored.
    phq9(p1, at(MARCH_3, -11, 14), 25)
    phq9(p1, at(MARCH_3, 1, 14), 2, instrument="gad7")
    a = make_course(
        prescriber,
        p1,
        "iv_ketamine",
        MARCH_3,
        "completed",
        doses={1: 0, 2: 2, 3: 4, 4: 7, 5: 9, 6: 11},
        scores=((0, 20), (2, 16), (4, 12), (7, 9), (9, 6), (11, 5), (18, 4)),
    )
    # B: drops out after 3 sessions without response (censored on day 4).
    b = make_course(
        prescriber,
        p2,
        "iv_ketamine",
        MARCH_3,
        "stopped",
        doses={1: 0, 2: 2, 3: 4},
        aborted=(4, 5, 6),
        scores=((0, 18), (2, 17), (4, 15)),
    )
    # C: responds on day 3 (24 -> 11 is 54% lower); no score after session 2's dose.
    c = make_course(
        prescriber,
        p3,
        "esketamine_trd",
        MARCH_3,
        "active",
        doses={1: 0, 2: 3},
        scores=((0, 24), (3, 11)),
    )
    # D: a baseline only: not evaluable.
    make_course(
        prescriber,
        p4,
        "esketamine_trd",
        MARCH_3,
        "completed",
        doses={1: 0, 2: 3},
        scores=((0, 22),),
    )
    # E: no score at all.
    make_course(prescriber, p5, "iv_ketamine", MARCH_3, "active", doses={1: 0})
    # F: exactly 50% lower (20 -> 10) is a response; 10 is not a remission.
    may_5 = date(2025, 5, 5)
    make_course(
        prescriber,
        p6,
        "esketamine_mdsi",
        may_5,
        "completed",
        doses={1: 0, 2: 3},
        scores=((0, 20), (4, 10)),
    )
    # G: Ada's second course; its scores belong to it, not to A.
    june_2 = date(2025, 6, 2)
    make_course(
        prescriber,
        p1,
        "iv_ketamine",
        june_2,
        "active",
        doses={1: 0, 2: 2},
        scores=((0, 15), (3, 3)),
    )
    adverse_event(a.sessions[1], "nausea")
    adverse_event(c.sessions[2], "dissociation", severity="severe")
    alert(b.sessions[1], "hypertension", "systolic", 184, 180)
    alert(a.sessions[3], "tachycardia", "heart_rate", 118, 110)
    return {"A": a, "B": b, "C": c, "patients": [p1, p2, p3, p4, p5, p6]}
