"""PDMP API: record and correct checks, a patient's log, the rule table, the status, the report."""

from __future__ import annotations

import dataclasses
from uuid import UUID

from django.utils import timezone
from ninja import Query, Router, Status

from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.permissions import can, require
from ketaclinic.patients.queries import access_patient

from . import queries, services
from .schemas import (
    CheckIn,
    CheckOut,
    CorrectionIn,
    PdmpReportPeriod,
    ReportOut,
    RulesIn,
    RuleTableOut,
    StatusOut,
    StatusQuery,
)

router = Router(tags=["pdmp"])
PATIENT = "/patients/{patient_id}"


def _require_recorder(user) -> None:
    if not can(user, "pdmp.record_delegate"):
        require(user, "pdmp.record")


def _prescriber(user, prescriber_id, field: str = "prescriber_id"):
    if prescriber_id is None:
        return None
    found = queries.prescriber_of_clinic(user.clinic_id, prescriber_id)
    if found is None:
        raise InvalidInput(
            "No active prescriber of this clinic has that id.",
            fields={field: "An active prescriber of this clinic."},
        )
    return found


def _aware(value, field: str):
    if value is not None and timezone.is_naive(value):
        raise InvalidInput(
            f"Give {field} with its UTC offset.",
            fields={field: "A date and time with its UTC offset, e.g. 2026-03-02T09:30:00-05:00."},
        )
    return value


@router.post(PATIENT + "/pdmp-checks", response={201: CheckOut})
def record_check(request, patient_id: UUID, payload: CheckIn):
    """Record a PDMP query (never the report): a nurse delegate names the prescriber."""
    _require_recorder(request.auth)
    patient = access_patient(request.auth, patient_id)
    data = payload.dict()
    prescriber = _prescriber(request.auth, data.pop("prescriber_id"))
    _aware(data["checked_at"], "checked_at")
    check = services.record_check(
        actor=request.auth, patient=patient, prescriber=prescriber, **data
    )
    return Status(201, check)


@router.get(PATIENT + "/pdmp-checks", response=list[CheckOut])
def list_checks(request, patient_id: UUID):
    """The patient's PDMP check log, newest first, corrections included (audited)."""
    require(request.auth, "pdmp.view")
    patient = access_patient(request.auth, patient_id, record_view=True)
    return list(queries.checks_of(request.auth, patient))


@router.post(PATIENT + "/pdmp-checks/{check_id}/corrections", response={201: CheckOut})
def correct_check(request, patient_id: UUID, check_id: UUID, payload: CorrectionIn):
    """Replace a wrong entry by a new one that references it, or mark it entered in error."""
    _require_recorder(request.auth)
    patient = access_patient(request.auth, patient_id)
    check = queries.access_check(request.auth, patient, check_id)
    data = payload.dict()
    _aware(data["checked_at"], "checked_at")
    return Status(201, services.correct_check(actor=request.auth, check=check, **data))


def _rule_out(row) -> dict:
    rule = row.rule
    return {
        **dataclasses.asdict(rule),
        "state_name": row.state_name,
        "replaces_built_in": rule.origin == "clinic" and row.built_in is not None,
    }


def _table(user) -> dict:
    settings = queries.practice_settings(user.clinic_id)
    return {
        "practice_state": settings.practice_state if settings else None,
        "practice_state_confirmed_by": settings.confirmed_by.display_name if settings else None,
        "practice_state_confirmed_at": settings.confirmed_at if settings else None,
        "rules": [_rule_out(row) for row in queries.rule_table(user.clinic_id)],
    }


@router.get("/pdmp/rules", response=RuleTableOut)
def get_rules(request):
    """The rule table: built-in rows (each citing its statute or regulation) and the clinic's
    own rows, which replace the built-in row of their state; and the confirmed practice state."""
    require(request.auth, "pdmp.rules_view")
    return _table(request.auth)


@router.put("/pdmp/rules", response=RuleTableOut)
def put_rules(request, payload: RulesIn):
    """Add or change the clinic's rows (all or nothing) and confirm its practice state."""
    services.set_rules(
        actor=request.auth,
        rows=[row.dict() for row in payload.rules],
        practice_state=payload.practice_state,
    )
    return _table(request.auth)


@router.get(PATIENT + "/pdmp-status", response=StatusOut)
def get_status(request, patient_id: UUID, query: Query[StatusQuery]):
    """Whether a PDMP check is required before the event and a recent enough one exists."""
    user = request.auth
    require(user, "pdmp.status")
    patient = access_patient(user, patient_id, record_view=True)
    prescriber = _prescriber(user, query.prescriber_id)
    if prescriber is None:
        if not can(user, "pdmp.record"):
            raise InvalidInput(
                "Name the prescriber whose order this is.",
                fields={"prescriber_id": "An active prescriber of this clinic."},
            )
        prescriber = user
    state = (query.state or "").upper()
    if not state:
        settings = queries.practice_settings(user.clinic_id)
        if settings is None:
            raise InvalidInput(
                "The clinic has not confirmed the state it practises in: give a state.",
                fields={"state": "A two-letter US state code, e.g. NY."},
            )
        state = settings.practice_state
    at = _aware(query.at, "at") or timezone.now()
    status = queries.check_status(
        patient,
        prescriber,
        state,
        query.event,
        at,
        previous_order_at=_aware(query.previous_order_at, "previous_order_at"),
    )
    rule = None
    if status.rule is not None:
        row = queries.RuleRow(status.rule, None)
        rule = _rule_out(row)
    return {**status.__dict__, "rule": rule}


@router.get("/pdmp/report", response=ReportOut)
def get_report(request, period: Query[PdmpReportPeriod]):
    """Standing PDMP checks per prescriber in a period of clinic dates (counts, the last check,
    findings with a concern), and the orders signed in it that no check covered. Opening the
    report is audited."""
    require(request.auth, "pdmp.report")
    if period.date_to < period.date_from:
        raise InvalidInput("'to' is before 'from'.", fields={"to": "on or after 'from'"})
    if (period.date_to - period.date_from).days > 366:
        raise InvalidInput("At most one year at a time.", fields={"to": "within a year of 'from'"})
    found = queries.report(request.auth, period.date_from, period.date_to)
    return {
        "date_from": found["from"],
        "date_to": found["to"],
        "practice_state": found["state"],
        "prescribers": [
            {
                "prescriber_id": row.prescriber.pk,
                "prescriber": row.prescriber.display_name,
                "checks": row.checks,
                "by_delegate": row.by_delegate,
                "last_check_at": row.last_check_at,
                "concerns": [
                    {
                        "check_id": c.pk,
                        "patient_id": c.patient_id,
                        "patient": f"{c.patient.family_name}, {c.patient.given_name}",
                        "mrn": c.patient.mrn,
                        "checked_at": c.checked_at,
                        "state": c.state,
                        "concern_note": c.concern_note,
                    }
                    for c in row.concerns
                ],
                "orders": row.orders,
                "orders_without_check": [
                    {
                        "order_id": o.order.order_id,
                        "patient_id": o.order.patient.pk,
                        "patient": f"{o.order.patient.family_name}, {o.order.patient.given_name}",
                        "mrn": o.order.patient.mrn,
                        "signed_at": o.order.signed_at,
                        "label": o.order.label,
                        "reason": o.reason,
                    }
                    for o in row.orders_without_check
                ],
            }
            for row in found["rows"]
        ],
    }
