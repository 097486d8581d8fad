"""Charges: from completed sessions (codes, units by duration, drug amount) and added by hand."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ketaclinic.accounts.queries import staff_here
from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import Conflict, DomainError, InvalidInput, raise_invalid
from ketaclinic.core.permissions import require
from ketaclinic.treatments import queries as treatment_queries

from . import estimates, queries, rules
from .definitions import SERVICES
from .models import AUTOMATIC, Charge
from .services import _decimal, _save_charges, _set_discount


def _local(moment: datetime.datetime, clinic) -> datetime.datetime:
    return timezone.localtime(moment, clinic.tz)


def session_visit(session, definition) -> tuple[rules.Visit, str]:
    """What was given in a completed session, and a readable basis for the units."""
    kind = estimates.visit_kind(definition)
    order = getattr(session, "order", None)
    clinic = session.patient.clinic
    if kind == rules.INFUSION:
        start, end = session.dose_started_at, session.infusion_ended_at
        if start is None or end is None:
            raise Conflict(
                "The infusion start or end time is missing: no units can be counted.",
                code="no_infusion_times",
            )
        minutes = int((end - start).total_seconds() // 60)
        dose = order.dose_mg if order else None
        basis = (
            f"infusion {minutes} min ({_local(start, clinic):%H:%M}-{_local(end, clinic):%H:%M})"
        )
        if dose is not None:
            basis += f", {dose} mg ordered"
        return rules.Visit(rules.INFUSION, dose, duration_min=minutes), basis
    if kind == rules.ESKETAMINE:
        device_mg = definition.dose.device_mg
        devices = session.devices_given or None
        dose = device_mg * devices if devices else (order.dose_mg if order else None)
        basis = f"{dose} mg, {devices or '?'} device(s) of {device_mg} mg"
        return (
            rules.Visit(rules.ESKETAMINE, dose, devices=devices, device_mg=device_mg),
            basis,
        )
    raise Conflict(
        f"{definition.name} has no automatic charge codes: add a manual charge.",
        code="not_billable",
    )


def _service_date(session) -> datetime.date:
    if session.dose_started_at:
        return _local(session.dose_started_at, session.patient.clinic).date()
    return session.scheduled_date


def _charges_for(actor, session) -> list[Charge]:
    if session.status != treatment_queries.SessionStatus.DISCHARGED:
        raise Conflict(
            "Only a completed (discharged) session is charged.", code="session_not_completed"
        )
    if Charge.objects.filter(session=session, voided_at__isnull=True).exists():
        raise Conflict("The session is already charged.", code="already_charged")
    visit, basis = session_visit(session, treatment_queries.session_definition(session))
    day = _service_date(session)
    schedule = queries.fee_schedule_on(session.clinic_id, day)
    if schedule is None:
        raise Conflict(f"No fee schedule is in force on {day.isoformat()}.", code="no_fee_schedule")
    settings = queries.billing_settings(session.patient.clinic)
    found = rules.visit_lines(
        visit,
        queries.prices_of(schedule),
        infusion_rule=queries.infusion_rule(settings),
        esketamine_rule=queries.esketamine_rule(settings),
    )
    if not found.lines:
        raise Conflict("Nothing to charge: " + " ".join(found.warnings), code="nothing_to_charge")
    order = getattr(session, "order", None)
    provider = order.ordered_by if order else session.course.started_by
    assessment = queries.assessment_on(session.patient, day)
    charges = []
    for line in found.lines:
        charge = Charge(
            clinic_id=session.clinic_id,
            patient=session.patient,
            session=session,
            course=session.course,
            service_date=day,
            service=line.service,
            code=line.code,
            description=line.description,
            quantity=line.quantity.quantize(rules.CENT),
            unit_price=line.unit_price,
            amount=line.total,
            fee_schedule=schedule,
            basis=basis,
            rendering_provider=provider,
            created_by=actor,
        )
        _set_discount(charge, assessment)
        charges.append(charge)
    return charges


def charge_session(*, actor, session) -> list[Charge]:
    """Charge a completed session: its code(s), units by duration, and the drug used."""
    require(actor, "billing.charge")
    with transaction.atomic():
        row = treatment_queries.session_for_update(session, clinic_id=actor.clinic_id)
        charges = _charges_for(actor, row)
        _save_charges(charges)
        record_event(
            actor=actor,
            action="billing.session_charged",
            obj=row,
            patient=row.patient,
            changes={
                "lines": [f"{c.code or c.service} x {c.quantity}" for c in charges],
                "amount": sum((c.amount for c in charges), Decimal("0")),
                "discount": sum((c.discount_amount for c in charges), Decimal("0")),
            },
        )
    return charges


def charge_at_discharge(*, actor, session, **_signal) -> list[Charge]:
    """Receiver of treatments' `session_discharged`: charge the session now when the clinic
    charges at discharge (the default), inside the discharge's transaction.

    The discharging nurse need not hold billing permissions: the clinic's setting is the
    authorization. A session that cannot be charged (no fee schedule, no automatic code)
    never blocks the discharge: the reason is audited and the session waits for the
    billing page, like under the manual setting.
    """
    if queries.billing_settings(session.patient.clinic).charge_at_discharge != AUTOMATIC:
        return []
    try:
        with transaction.atomic():  # a savepoint: a refusal leaves the discharge intact
            charges = _charges_for(actor, session)
            _save_charges(charges)
    except DomainError as exc:
        record_event(
            actor=actor,
            action="billing.discharge_not_charged",
            obj=session,
            patient=session.patient,
            changes={"reason": exc.message},
        )
        return []
    record_event(
        actor=actor,
        action="billing.session_charged",
        obj=session,
        patient=session.patient,
        changes={
            "at_discharge": True,
            "lines": [f"{c.code or c.service} x {c.quantity}" for c in charges],
            "amount": sum((c.amount for c in charges), Decimal("0")),
            "discount": sum((c.discount_amount for c in charges), Decimal("0")),
        },
    )
    return charges


@dataclass
class BatchResult:
    charged: list = field(default_factory=list)  # (session, [charges])
    skipped: list = field(default_factory=list)  # (session, reason)


def charge_completed_sessions(*, actor, patient=None) -> BatchResult:
    """Charge every completed session not charged yet; each session is its own transaction,
    so one that cannot be charged (say, no price) never blocks the others."""
    require(actor, "billing.charge")
    charged_ids = Charge.objects.filter(
        clinic_id=actor.clinic_id, session__isnull=False, voided_at__isnull=True
    ).values("session_id")
    sessions = treatment_queries.discharged_sessions(actor, patient=patient, excluding=charged_ids)
    result = BatchResult()
    for session in sessions:
        try:
            result.charged.append((session, charge_session(actor=actor, session=session)))
        except DomainError as exc:
            result.skipped.append((session, exc.message))
    return result


def add_charge(
    *,
    actor,
    patient,
    service: str,
    service_date: datetime.date,
    quantity=1,
    rendering_provider=None,
    basis: str = "",
) -> Charge:
    """Add a charge by hand (a consultation, a follow-up, a correction) at the price in force."""
    require(actor, "billing.charge")
    errors: dict[str, str] = {}
    if service not in SERVICES:
        errors["service"] = "Unknown service."
    qty = _decimal(quantity, "quantity", errors, minimum=Decimal("0.01"))
    today = queries.clinic_today(patient.clinic)
    if service_date > today:
        errors["service_date"] = "A charge is for a service already given."
    if (
        rendering_provider is not None
        # a service already given: its provider may have left since
        and not staff_here(patient.clinic_id, active_only=False)
        .filter(pk=rendering_provider.pk)
        .exists()
    ):
        errors["rendering_provider"] = "Not a member of this clinic."
    raise_invalid(errors)
    schedule = queries.fee_schedule_on(patient.clinic_id, service_date)
    price = queries.prices_of(schedule).get(service) if schedule else None
    if price is None:
        raise InvalidInput(
            f"{SERVICES[service].label} has no price on {service_date.isoformat()}.",
            fields={"service": "not in the fee schedule in force"},
        )
    line = rules.Line(service, price.code, price.description, qty, price.unit_price)
    charge = Charge(
        clinic_id=patient.clinic_id,
        patient=patient,
        service_date=service_date,
        service=service,
        code=price.code,
        description=price.description,
        quantity=qty.quantize(rules.CENT),
        unit_price=price.unit_price,
        amount=line.total,
        fee_schedule=schedule,
        basis=basis.strip()[:200],
        rendering_provider=rendering_provider,
        created_by=actor,
    )
    with transaction.atomic():
        _set_discount(charge, queries.assessment_on(patient, service_date))
        charge.save()
        record_event(
            actor=actor,
            action="billing.charge_added",
            obj=charge,
            patient=patient,
            changes={
                "service": service,
                "code": charge.code,
                "quantity": qty,
                "amount": charge.amount,
                "discount": charge.discount_amount,
            },
        )
    return charge
