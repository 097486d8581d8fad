"""Course estimates: a course's (or a previewed plan's) sessions priced by the fee schedule."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Min

from ketaclinic.core.errors import Conflict
from ketaclinic.protocols.queries import access_protocol
from ketaclinic.protocols.services import preview_schedule
from ketaclinic.treatments import queries as treatment_queries

from . import queries, rules
from .models import FeeSchedule, SlidingScaleAssessment


@dataclass(frozen=True)
class EstimateView:
    """What an estimate shows: the priced lines and where the prices and discount came from."""

    patient: object
    course: object | None
    protocol_code: str
    protocol_name: str
    start_date: datetime.date
    result: rules.Estimate
    fee_schedule: FeeSchedule
    assessment: SlidingScaleAssessment | None
    diagnosis: object | None

    @property
    def totals(self) -> rules.Totals:
        return self.result.totals

    @property
    def discount_rule(self) -> str:
        return self.assessment.rule if self.assessment else ""

    def lines_data(self) -> list[dict]:
        return [
            {
                "phase": p.line.phase,
                "phase_name": p.line.phase_name,
                "service": p.line.service,
                "code": p.line.code,
                "description": p.line.description,
                "quantity": p.line.quantity,
                "unit_price": p.line.unit_price,
                "total": p.total,
                "discount": p.discount,
            }
            for p in self.totals.lines
        ]


def visit_kind(definition) -> str | None:
    """INFUSION for IV weight-based protocols, ESKETAMINE for the nasal device, else None."""
    if definition.drug == "esketamine" and definition.dose.device_mg:
        return rules.ESKETAMINE
    if definition.route == "intravenous":
        return rules.INFUSION
    return None


@dataclass(frozen=True)
class PlannedSession:
    phase: str
    planned_dose_mg: Decimal | None


def planned_visits(definition, sessions) -> list[rules.Visit]:
    """Visits of planned sessions (objects with phase and planned_dose_mg)."""
    kind = visit_kind(definition)
    if kind is None:
        raise Conflict(
            f"{definition.name} has no billing codes in ketaclinic (only IV infusion and "
            "esketamine sessions are estimated); add manual charges instead.",
            code="not_estimable",
        )
    names = {p.code: p.name for p in definition.phases}
    return [
        rules.Visit(
            kind=kind,
            dose_mg=s.planned_dose_mg,
            duration_min=definition.dose.default_duration_min if kind == rules.INFUSION else None,
            device_mg=definition.dose.device_mg,
            phase=s.phase,
            phase_name=names.get(s.phase, s.phase.title()),
        )
        for s in sessions
    ]


def build(
    *, patient, definition, sessions, start_date, course=None, on: datetime.date | None = None
) -> EstimateView:
    """Price planned sessions with the fee schedule and sliding scale in force on the start."""
    day = on or start_date
    schedule = queries.fee_schedule_on(patient.clinic_id, day)
    if schedule is None:
        raise Conflict(
            "The clinic has no fee schedule in force on "
            f"{day.isoformat()}: a clinic administrator must add one.",
            code="no_fee_schedule",
        )
    assessment = queries.assessment_on(patient, day)
    settings = queries.billing_settings(patient.clinic)
    result = rules.estimate(
        planned_visits(definition, sessions),
        queries.prices_of(schedule),
        discount_percent=assessment.discount_percent if assessment else Decimal("0"),
        infusion_rule=queries.infusion_rule(settings),
        esketamine_rule=queries.esketamine_rule(settings),
    )
    return EstimateView(
        patient=patient,
        course=course,
        protocol_code=definition.code,
        protocol_name=definition.name,
        start_date=start_date,
        result=result,
        fee_schedule=schedule,
        assessment=assessment,
        diagnosis=queries.current_diagnosis(patient),
    )


def for_course(course, *, today: datetime.date) -> EstimateView:
    """The whole course as planned: every session that is not aborted, priced as of the later
    of the course start and today (the prices a patient would be charged from now on)."""
    definition = treatment_queries.course_definition(course)
    # Sessions as (phase, planned dose) groups counted in SQL, in the order of their first
    # session: the same visits, without a row object per session of a long course.
    groups = (
        treatment_queries.course_sessions(course, include_aborted=False)
        .order_by()
        .values("phase", "planned_dose_mg")
        .annotate(n=Count("id"), first=Min("number"))
        .order_by("first")
    )
    sessions = [
        PlannedSession(row["phase"], row["planned_dose_mg"])
        for row in groups
        for _ in range(row["n"])
    ]
    return build(
        patient=course.patient,
        definition=definition,
        sessions=sessions,
        start_date=course.start_date,
        course=course,
        on=max(course.start_date, today),
    )


def for_plan(*, actor, patient, protocol_code: str, start_date: datetime.date) -> EstimateView:
    """An estimate before any course exists, from the protocol's planned schedule."""
    definition = access_protocol(actor, protocol_code).definition
    plan = preview_schedule(
        actor=actor,
        code=protocol_code,
        start_date=start_date,
        weight_kg=patient.weight_kg,
        age_years=patient.age_on(start_date),
    )
    return build(
        patient=patient,
        definition=definition,
        sessions=plan.sessions,
        start_date=plan.sessions[0].date if plan.sessions else start_date,
    )
