"""The flowsheet: vitals with alert rules, MOAA/S, CADSS-6, Aldrete, alerts, adverse events."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.treatments import codes as c
from ketaclinic.treatments import rules
from ketaclinic.treatments.models import (
    DOSED_STATUSES,
    PRE_DOSE_STATUSES,
    AdverseEvent,
    ScaleEntry,
    SessionAlert,
    SessionStatus,
    TreatmentSession,
    VitalSignsEntry,
)
from ketaclinic.treatments.services.common import (
    add_entry,
    audit,
    locked,
    locked_entry,
    moment,
    refresh_readiness,
    since_dose,
)
from ketaclinic.treatments.state import definition_for, state_of

# What a raised alert carries from the rule that raised it onto its SessionAlert row.
ALERT_FIELDS = ("code", "label", "message", "measure", "value", "threshold", "comparison", "source")


def _raise_alerts(actor, row, raised: list[rules.RaisedAlert], at, **link) -> list[SessionAlert]:
    return [
        add_entry(
            actor,
            row,
            SessionAlert,
            "session.alert_raised",
            {"code": alert.code, "message": alert.message},
            raised_at=at,
            **{name: getattr(alert, name) for name in ALERT_FIELDS},
            **link,
        )
        for alert in raised
    ]


def vitals_reading(values: dict) -> rules.Vitals:
    """The reading of typed vitals; 422 naming each unknown or implausible value."""
    unknown = set(values) - set(rules.VITAL_FIELDS)
    if unknown:
        raise InvalidInput(
            "Unknown vitals: " + ", ".join(sorted(unknown)),
            fields=dict.fromkeys(unknown, "not a vital sign"),
        )
    reading = rules.Vitals(**values)
    errors = rules.validate_vitals(reading)
    if errors:
        raise InvalidInput("Please correct the vitals: " + ", ".join(sorted(errors)), fields=errors)
    return reading


def chart_vitals(
    actor,
    row,
    values: dict,
    *,
    measured_at: datetime.datetime | None,
    now: datetime.datetime,
    pre_dose: bool,
    not_before: datetime.datetime | None = None,
    not_before_label: str = "",
) -> tuple[VitalSignsEntry, rules.Vitals]:
    """Write one vitals entry of a locked session, audited in the caller's transaction.

    The only place a VitalSignsEntry is created: the flowsheet (record_vitals) and the
    pre-dose checklist (transitions.record_pre_checks) both chart through it."""
    at = moment(
        measured_at,
        field="measured_at",
        now=now,
        not_before=not_before,
        not_before_label=not_before_label,
    )
    reading = vitals_reading(values)
    entry = add_entry(
        actor,
        row,
        VitalSignsEntry,
        "session.vitals_recorded",
        {"pre_dose": pre_dose, **values, "measured_at": at},
        measured_at=at,
        pre_dose=pre_dose,
        recorded_by=actor,
        **values,
    )
    return entry, reading


# Pre-dose vitals may be taken shortly before check-in (in the waiting room), not earlier.
PRE_DOSE_LEAD = datetime.timedelta(minutes=30)
PRE_DOSE_LEAD_LABEL = "30 minutes before check-in"


def pre_dose_floor(row) -> datetime.datetime | None:
    """The earliest time a pre-dose reading of the session may carry."""
    return row.checked_in_at - PRE_DOSE_LEAD if row.checked_in_at else None


def record_vitals(
    *, actor, session, measured_at: datetime.datetime | None = None, **values
) -> tuple[VitalSignsEntry, list[SessionAlert], TreatmentSession]:
    """Add a vitals entry. After the dose it is checked against the protocol's alert rules;
    the raised alerts are returned (and stay open until acknowledged)."""
    require(actor, "session.run")
    vitals_reading(values)  # 422 before taking the session's lock
    now = timezone.now()
    with transaction.atomic():
        row = locked(session, *PRE_DOSE_STATUSES, *DOSED_STATUSES, doing="record vitals")
        pre_dose = row.status in PRE_DOSE_STATUSES
        entry, reading = chart_vitals(
            actor,
            row,
            values,
            measured_at=measured_at,
            now=now,
            pre_dose=pre_dose,
            not_before=pre_dose_floor(row) if pre_dose else row.dose_started_at,
            not_before_label=PRE_DOSE_LEAD_LABEL if pre_dose else "the dose start",
        )
        at = entry.measured_at
        alerts: list[SessionAlert] = []
        if not pre_dose:
            state = state_of(row, now)
            raised = rules.vitals_alerts(definition_for(row).alerts, reading, state.baseline)
            alerts = _raise_alerts(actor, row, raised, at, vitals_entry=entry)
        refresh_readiness(actor, row, at=at)
    return entry, alerts, row


def record_scale(
    *,
    actor,
    session,
    scale: str,
    score: int | None = None,
    items: dict | list | None = None,
    measured_at: datetime.datetime | None = None,
) -> tuple[ScaleEntry, list[SessionAlert], TreatmentSession]:
    """A MOAA/S (score 0-5), CADSS-6 (six items 0-4) or modified Aldrete (five items 0-2)."""
    require(actor, "session.run")
    if scale == "moaas":
        errors = rules.validate_moaas(score) if score is not None else {"score": "required"}
        if errors:
            raise InvalidInput("MOAA/S is a whole number from 0 to 5.", fields=errors)
        total, stored = score, {}
    elif scale == "cadss6":
        try:
            total = rules.score_cadss6(list(items or []))
        except (ValueError, TypeError) as exc:
            raise InvalidInput(str(exc), fields={"items": str(exc)}) from exc
        stored = {str(n): v for n, v in enumerate(items, 1)}
    elif scale == "aldrete":
        try:
            total = rules.aldrete_total(dict(items or {}))
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"Modified Aldrete: {exc}", fields={"items": str(exc)}) from exc
        stored = {k: items[k] for k in rules.ALDRETE_ITEMS}
    else:
        raise InvalidInput("Unknown scale.", fields={"scale": "moaas, cadss6 or aldrete"})
    now = timezone.now()
    with transaction.atomic():
        row = locked(session, *DOSED_STATUSES, doing=f"record {scale}")
        at = since_dose(measured_at, row, now=now, field="measured_at")
        charted = {"scale": scale, "score": total, "items": stored, "measured_at": at}
        entry = add_entry(
            actor, row, ScaleEntry, "session.scale_recorded", charted, recorded_by=actor, **charted
        )
        alerts = []
        if scale == "moaas":
            raised = rules.moaas_alerts(definition_for(row).alerts, total)
            alerts = _raise_alerts(actor, row, raised, at, scale_entry=entry)
        refresh_readiness(actor, row, at=at)
    return entry, alerts, row


def acknowledge_alert(
    *, actor, session, alert_id, intervention: str, note: str = ""
) -> TreatmentSession:
    """Acknowledge an open alert with what was done about it (an intervention record)."""
    require(actor, "session.run")
    if intervention not in dict(c.INTERVENTIONS):
        raise InvalidInput(
            "Say what was done about the alert.",
            fields={"intervention": "one of " + ", ".join(dict(c.INTERVENTIONS))},
        )
    if intervention == "other" and not note.strip():
        raise InvalidInput("Describe the intervention.", fields={"note": "required for other"})
    with transaction.atomic():
        row = locked(session)
        alert = locked_entry(SessionAlert, row, alert_id, "No such alert.")
        if alert.acknowledged_at is not None:
            raise Conflict("The alert has already been acknowledged.", code="already_acknowledged")
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), actor
        alert.intervention, alert.intervention_note = intervention, note.strip()
        alert.save()
        audit(
            actor,
            "session.alert_acknowledged",
            alert,
            {"code": alert.code, "intervention": intervention, "note": note.strip()},
            patient=row.patient,
        )
        refresh_readiness(actor, row)
    return row


def _event_fields(data: dict, *, partial: bool) -> dict:
    choices = {
        "code": dict(c.ADVERSE_EVENTS),
        "severity": dict(c.SEVERITIES),
        "action": dict(c.ADVERSE_EVENT_ACTIONS),
        "outcome": dict(c.ADVERSE_EVENT_OUTCOMES),
    }
    errors = {}
    for name, allowed in choices.items():
        if name in data and data[name] not in allowed:
            errors[name] = "one of " + ", ".join(allowed)
        elif name not in data and not partial:
            errors[name] = "required"
    if data.get("code") == "other" and not (data.get("description") or "").strip():
        errors["description"] = "describe the event"
    if errors:
        raise InvalidInput("Please correct: " + ", ".join(sorted(errors)), fields=errors)
    return data


def record_adverse_event(
    *,
    actor,
    session,
    code: str,
    severity: str,
    action: str,
    outcome: str,
    onset_at: datetime.datetime | None = None,
    resolved_at: datetime.datetime | None = None,
    description: str = "",
) -> AdverseEvent:
    """An adverse event from the coded list, with severity, action and outcome."""
    require(actor, "session.run")
    coded = {"code": code, "severity": severity, "action": action, "outcome": outcome}
    _event_fields(coded | {"description": description}, partial=False)
    _refuse_resolution_without_outcome(outcome, resolved_at)
    now = timezone.now()
    with transaction.atomic():
        row = locked(session)
        if row.status == SessionStatus.SCHEDULED:
            raise Conflict("The session has not started.", code="illegal_transition")
        onset = moment(
            onset_at,
            field="onset_at",
            now=now,
            not_before=row.checked_in_at,
            not_before_label="check-in",
        )
        resolved = _resolved_at(resolved_at, onset, now) if outcome == "resolved" else None
        times = {"onset_at": onset, "resolved_at": resolved}
        event = add_entry(
            actor,
            row,
            AdverseEvent,
            "session.adverse_event_recorded",
            coded | times,
            description=description.strip(),
            recorded_by=actor,
            **coded,
            **times,
        )
        refresh_readiness(actor, row)
    return event


def _refuse_resolution_without_outcome(outcome: str, resolved_at) -> None:
    """A resolution time with another outcome would count the event as over (discharge and
    the REMS form read `resolved_at`): refuse it, naming the field."""
    if resolved_at is not None and outcome != "resolved":
        raise InvalidInput(
            "Please correct: resolved_at.",
            fields={"resolved_at": "only with the outcome resolved"},
        )


def _resolved_at(value: datetime.datetime | None, onset: datetime.datetime, now):
    """When an adverse event resolved: now by default, never before its onset."""
    return moment(
        value, field="resolved_at", now=now, not_before=onset, not_before_label="the onset"
    )


def _outcome_of(event: AdverseEvent) -> dict:
    return {name: getattr(event, name) for name in ("outcome", "action", "resolved_at")}


def update_adverse_event(
    *,
    actor,
    session,
    event_id,
    outcome: str,
    resolved_at: datetime.datetime | None = None,
    action: str | None = None,
) -> AdverseEvent:
    """Record how an adverse event went on (e.g. resolved at a time)."""
    require(actor, "session.run")
    changes = {"outcome": outcome} | ({"action": action} if action else {})
    _event_fields(changes, partial=True)
    _refuse_resolution_without_outcome(outcome, resolved_at)
    now = timezone.now()
    with transaction.atomic():
        row = locked(session)
        event = locked_entry(AdverseEvent, row, event_id, "No such adverse event.")
        before = _outcome_of(event)
        event.outcome = outcome
        if action:
            event.action = action
        event.resolved_at = (
            _resolved_at(resolved_at, event.onset_at, now) if outcome == "resolved" else None
        )
        event.save()
        audit(
            actor,
            "session.adverse_event_updated",
            event,
            {"from": before, "to": _outcome_of(event)},
            patient=row.patient,
        )
        refresh_readiness(actor, row)
    return event
