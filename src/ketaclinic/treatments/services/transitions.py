"""Session transitions: check-in, pre-checks, go/no-go, order, second check, dosing, discharge."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ketaclinic.core.errors import Conflict, Forbidden, InvalidInput
from ketaclinic.core.permissions import can, require
from ketaclinic.core.queries import weight_errors
from ketaclinic.intake.queries import treatment_blockers
from ketaclinic.protocols import services as protocol_services
from ketaclinic.protocols.definitions import CONCOMITANT_MEDICATION_CLASSES
from ketaclinic.treatments import codes as c
from ketaclinic.treatments import rules
from ketaclinic.treatments.models import (
    PRE_DOSE_STATUSES,
    PreCheck,
    SessionStatus,
    TreatmentSession,
    VitalSignsEntry,
)
from ketaclinic.treatments.services.common import (
    audit,
    issues_fields,
    locked,
    moment,
    move,
    refresh_readiness,
    require_status,
    since_dose,
)
from ketaclinic.treatments.services.courses import record_rems_enrollment
from ketaclinic.treatments.services.flowsheet import (
    PRE_DOSE_LEAD_LABEL,
    chart_vitals,
    pre_dose_floor,
)
from ketaclinic.treatments.signals import session_discharged
from ketaclinic.treatments.state import SessionState, definition_for, state_of


def _intake_blockers(session) -> list[str]:
    return treatment_blockers(session.patient, session.protocol_code)


def check_in(
    *,
    actor,
    session,
    chair: str = "",
    weight_kg: Decimal | None = None,
    at: datetime.datetime | None = None,
):
    """The patient has arrived: take a chair; the session now runs under the current protocol.

    The front desk may check a patient in; the weight is clinical, charted by clinical staff."""
    require(actor, "session.arrive")
    if weight_kg is not None:
        require(actor, "session.run")
    now = timezone.now()
    arrived = moment(at, field="at", now=now)
    errors = weight_errors(session.clinic_id, weight_kg)
    if errors:
        raise InvalidInput("Please correct: weight_kg.", fields=errors)
    with transaction.atomic():
        row = locked(session)
        # Check-in happens on the planned day (charting it later is fine, with its time).
        day = timezone.localtime(arrived, row.patient.clinic.tz).date()
        if row.status == SessionStatus.SCHEDULED and row.scheduled_date != day:
            raise Conflict(
                f"The session is planned for {row.scheduled_date.isoformat()}, not "
                f"{day.isoformat()}: move it first.",
                code="not_today",
            )
        version = protocol_services.ensure_version(row.patient.clinic, row.protocol_code)
        row.protocol_version = version
        row.chair = chair.strip()[:20]
        changes = {"chair": row.chair, "protocol_version": f"{version.code} v{version.version}"}
        if weight_kg is not None:
            # The weight of the day doses an IV order: who charted it, and what it replaced.
            changes["weight_kg"] = {"from": row.weight_kg, "to": weight_kg}
            row.weight_kg = weight_kg
        row.checked_in_at = arrived
        move(actor, row, SessionStatus.CHECKED_IN, changes=changes)
    return row


def _pre_check_facts(session, pre_check: PreCheck, baseline, now) -> rules.PreCheckFacts:
    return rules.PreCheckFacts(
        now=now,
        intake_blockers=tuple(_intake_blockers(session)),
        pre_dose_vitals=baseline,
        **{name: getattr(pre_check, name) for name in PreCheck.FACTS},
    )


def pre_check_issues(state: SessionState) -> tuple[list[rules.Issue], list[rules.Issue]]:
    """(blocking issues, reasons for a prescriber's go/no-go) of a session's pre-checks."""
    session = state.session
    pre_check = getattr(session, "pre_check", None)
    if pre_check is None:
        return [rules.Issue("pre_checks", "Pre-checks not recorded.")], []
    facts = _pre_check_facts(session, pre_check, state.baseline, state.now)
    return (
        rules.evaluate_pre_checks(state.definition, facts),
        rules.decision_reasons(state.definition, facts),
    )


# The checklist's answers, and the REMS enrollment (kept on the course).
PRE_CHECK_FIELDS = (*PreCheck.ANSWERS, "rems_patient_enrolled")


def record_pre_checks(*, actor, session, vitals: dict | None = None, **answers) -> TreatmentSession:
    """Save the pre-dose checklist (and pre-dose vitals); complete it when nothing is open.

    Partial answers are kept; the session moves to pre-checks done only when no blocking
    issue remains. High BP or a positive pregnancy test then needs a prescriber's go/no-go.
    """
    require(actor, "session.run")
    unknown = set(answers) - set(PRE_CHECK_FIELDS)
    if unknown:
        raise InvalidInput(
            "Unknown pre-check fields: " + ", ".join(sorted(unknown)),
            fields=dict.fromkeys(unknown, "not a pre-check field"),
        )
    classes = {code for code, _ in CONCOMITANT_MEDICATION_CLASSES}
    bad = set(answers.get("medication_classes") or ()) - classes
    if bad:
        raise InvalidInput(
            "Unknown medication classes: " + ", ".join(sorted(bad)),
            fields={"medication_classes": "one of " + ", ".join(sorted(classes))},
        )
    if answers.get("pregnancy_test") not in (None, "", *dict(c.PREGNANCY_TEST_RESULTS)):
        raise InvalidInput(
            "Unknown pregnancy test result.",
            fields={"pregnancy_test": "negative, positive or not_applicable"},
        )
    now = timezone.now()
    for name in PreCheck.TIMES:
        if answers.get(name) is not None:
            moment(answers[name], field=name, now=now)
    enrolled = answers.pop("rems_patient_enrolled", None)
    with transaction.atomic():
        row = locked(session, SessionStatus.CHECKED_IN, doing="record pre-checks")
        if enrolled is not None:
            # Recorded on the course: the REMS form asks it once, at the first treatment.
            record_rems_enrollment(actor=actor, course=row.course, enrolled=bool(enrolled))
        pre_check = getattr(row, "pre_check", None) or PreCheck(
            clinic_id=row.clinic_id, session=row, recorded_by=actor, recorded_at=now
        )
        for name, value in answers.items():
            if name in ("escort_name", "escort_phone") and value is not None:
                value = value.strip()
            setattr(pre_check, name, value if value is not None else getattr(pre_check, name))
        pre_check.recorded_by, pre_check.recorded_at = actor, now
        pre_check.medication_classes = sorted(pre_check.medication_classes or [])
        pre_check.save()
        if vitals:
            _record_pre_dose_vitals(actor, row, vitals, now)
        state = state_of_row(row, now)
        issues, reasons = pre_check_issues(state)
        pre_check.decision_needed = bool(reasons)
        pre_check.decision_reasons = [r.message for r in reasons]
        pre_check.save(update_fields=["decision_needed", "decision_reasons"])
        audit(
            actor,
            "session.pre_checks_recorded",
            row,
            {
                "answers": {k: v for k, v in answers.items() if k not in ("escort_phone",)}
                | ({"rems_patient_enrolled": enrolled} if enrolled is not None else {}),
                "open": [i.code for i in issues],
                "decision_reasons": pre_check.decision_reasons,
            },
        )
        if not issues:
            row.pre_checks_done_at = now
            move(actor, row, SessionStatus.PRE_CHECKS_DONE)
    return row


def _record_pre_dose_vitals(actor, row, values: dict, now) -> VitalSignsEntry:
    values = dict(values)
    entry, _ = chart_vitals(
        actor,
        row,
        values,
        measured_at=values.pop("measured_at", None),
        now=now,
        pre_dose=True,
        not_before=pre_dose_floor(row),
        not_before_label=PRE_DOSE_LEAD_LABEL,
    )
    return entry


def decide_go_no_go(*, actor, session, decision: str, note: str) -> TreatmentSession:
    """The prescriber decides whether to dose despite high pre-dose BP (or another finding)."""
    require(actor, "session.prescribe")
    if decision not in (c.GO, c.NO_GO):
        raise InvalidInput("Decide go or no_go.", fields={"decision": "go or no_go"})
    if not note.strip():
        raise InvalidInput("A go/no-go decision needs a note.", fields={"note": "required"})
    now = timezone.now()
    with transaction.atomic():
        row = locked(session, *PRE_DOSE_STATUSES, doing="decide go/no-go")
        _, reasons = pre_check_issues(state_of_row(row, now))
        if not reasons:
            raise Conflict("No finding needs a go/no-go decision.", code="no_decision_needed")
        pre_check = row.pre_check
        pre_check.decision, pre_check.decision_note = decision, note.strip()
        pre_check.decided_by, pre_check.decided_at = actor, now
        pre_check.decision_reasons = [r.message for r in reasons]
        pre_check.save()
        audit(
            actor,
            "session.go_no_go",
            row,
            {"decision": decision, "note": note, "reasons": pre_check.decision_reasons},
        )
        if decision == c.NO_GO:
            row.aborted_at, row.abort_reason = now, f"No-go: {note.strip()}"
            move(actor, row, SessionStatus.ABORTED, changes={"reason": row.abort_reason})
    return row


def state_of_row(row, now) -> SessionState:
    return state_of(row, now)


def start_dose(*, actor, session, at: datetime.datetime | None = None) -> TreatmentSession:
    """First device given / infusion started. IV sessions go straight on to monitoring."""
    require(actor, "session.run")
    now = timezone.now()
    with transaction.atomic():
        row = locked(session)
        if row.status == SessionStatus.CHECKED_IN:
            # Name what the pre-checks still miss (e.g. prescriber_on_site), not only the status.
            open_issues, _ = pre_check_issues(state_of_row(row, now))
            if open_issues:
                raise Conflict(
                    "The dose cannot start: the pre-checks are not done: "
                    + "; ".join(i.message for i in open_issues),
                    fields=issues_fields(open_issues),
                    code="dose_blocked",
                )
        require_status(row, SessionStatus.PRE_CHECKS_DONE, doing="start the dose")
        state = state_of_row(row, now)
        issues, reasons = pre_check_issues(state)
        problems = {}
        if issues:
            problems |= issues_fields(issues)
        order = getattr(row, "order", None)
        if order is None:
            problems["order"] = "No signed order."
        elif order.checked_at is None:
            problems["second_check"] = "The second check is not recorded."
        findings = [r.message for r in reasons]
        if reasons and row.pre_check.decision != c.GO:
            problems["go_no_go"] = "A prescriber's go decision is needed: " + "; ".join(findings)
        elif reasons and not rules.decision_stands(
            row.pre_check.decision, row.pre_check.decision_reasons, reasons
        ):
            problems["go_no_go"] = (
                "A new go decision is needed: the findings changed since the decision ("
                + "; ".join(row.pre_check.decision_reasons or [])
                + "); now: "
                + "; ".join(findings)
            )
        if problems:
            raise Conflict(
                "The dose cannot start: " + "; ".join(problems.values()),
                fields=problems,
                code="dose_blocked",
            )
        # Not before the pre-dose reading the dose was decided on (the REMS form's "blood
        # pressure prior to administration" is that reading).
        baseline = state.baseline_entry
        floor, floor_label = row.checked_in_at, "check-in"
        if baseline is not None and (floor is None or baseline.measured_at > floor):
            floor, floor_label = baseline.measured_at, "the pre-dose vitals"
        started = moment(at, field="at", now=now, not_before=floor, not_before_label=floor_label)
        row.dose_started_at, row.monitored_by = started, actor
        row.devices_given = 1 if order.devices else 0
        move(
            actor,
            row,
            SessionStatus.DOSING,
            changes={"dose_started_at": started, "dose_mg": order.dose_mg},
        )
        if state.infusion or (order.devices or 0) <= 1:
            row.last_device_at = started if order.devices else None
            row.monitoring_started_at = started
            move(actor, row, SessionStatus.MONITORING)
    return row


def record_device(*, actor, session, at: datetime.datetime | None = None) -> TreatmentSession:
    """The next nasal device is given; after the last one the session is monitored."""
    require(actor, "session.run")
    now = timezone.now()
    with transaction.atomic():
        row = locked(session, SessionStatus.DOSING, doing="record a device")
        order = row.order
        if not order.devices or row.devices_given >= order.devices:
            raise Conflict("Every ordered device has been given.", code="devices_done")
        previous = row.last_device_at or row.dose_started_at
        given = moment(
            at, field="at", now=now, not_before=previous, not_before_label="the last device"
        )
        rest = definition_for(row).dose.rest_between_devices_min or 0
        if given < previous + datetime.timedelta(minutes=rest):
            raise Conflict(
                f"Wait {rest} minutes between devices ({definition_for(row).dose.source}).",
                fields={"at": f"at least {rest} min after the previous device"},
                code="device_rest",
            )
        row.devices_given += 1
        row.last_device_at = given
        row.save()
        audit(
            actor,
            "session.device_given",
            row,
            {"device": row.devices_given, "of": order.devices, "at": given},
        )
        if row.devices_given == order.devices:
            row.monitoring_started_at = given
            move(actor, row, SessionStatus.MONITORING)
    return row


def end_infusion(*, actor, session, at: datetime.datetime | None = None) -> TreatmentSession:
    """The IV infusion has finished: observation after the infusion starts counting."""
    require(actor, "session.run")
    now = timezone.now()
    with transaction.atomic():
        row = locked(session, SessionStatus.MONITORING, doing="end the infusion")
        if not state_of_row(row, now).infusion:
            raise Conflict("This session has no infusion.", code="no_infusion")
        if row.infusion_ended_at is not None:
            raise Conflict("The infusion has already ended.", code="infusion_ended")
        ended = since_dose(at, row, now=now)
        row.infusion_ended_at = ended
        row.save()
        audit(actor, "session.infusion_ended", row, {"at": ended})
        refresh_readiness(actor, row, at=ended)
    return row


def _criteria_unmet(what: str, issues: list[rules.Issue]) -> Conflict:
    """The 409 naming each unmet discharge criterion once."""
    return Conflict(
        f"{what}: " + ", ".join(dict.fromkeys(i.code for i in issues)) + ".",
        fields=issues_fields(issues),
        code="discharge_criteria_unmet",
    )


def mark_ready(*, actor, session) -> TreatmentSession:
    """Confirm the patient is ready for discharge (409 naming what is still unmet)."""
    require(actor, "session.run")
    now = timezone.now()
    with transaction.atomic():
        row = locked(session, SessionStatus.MONITORING, doing="mark ready for discharge")
        issues = state_of_row(row, now).clinical_issues
        if issues:
            raise _criteria_unmet("Not ready for discharge", issues)
        row.ready_at = now
        if row.ready_to_leave_at is None:
            row.ready_to_leave_at = now
        move(actor, row, SessionStatus.READY_FOR_DISCHARGE)
    return row


def discharge(
    *,
    actor,
    session,
    escort_present: bool,
    override_note: str = "",
    ready_to_leave_at: datetime.datetime | None = None,
    pulse_oximetry_monitored: bool | None = None,
    at: datetime.datetime | None = None,
) -> TreatmentSession:
    """The patient leaves. Unmet criteria answer 409 unless a prescriber overrides with a note.

    The criteria are judged at the discharge time (`at`, default now), so charting a
    discharge later never turns an early departure into a compliant one.
    """
    require(actor, "session.run")
    with transaction.atomic():
        row = locked(
            session, SessionStatus.MONITORING, SessionStatus.READY_FOR_DISCHARGE, doing="discharge"
        )
        now = since_dose(at, row, now=timezone.now())
        # A discharge charted later is judged on what had been charted for up to its time.
        state = state_of(row, now, as_of=at is not None)
        issues = state.discharge_issues(escort_present=escort_present)
        override = override_note.strip()
        if issues and not override:
            raise _criteria_unmet("Discharge criteria not met", issues)
        if issues and not can(actor, "session.prescribe"):
            raise Forbidden("Only a prescriber may discharge with unmet criteria.")
        if ready_to_leave_at is not None:
            row.ready_to_leave_at = since_dose(
                ready_to_leave_at, row, now=now, field="ready_to_leave_at"
            )
        elif row.ready_to_leave_at is None:
            row.ready_to_leave_at = now
        row.escort_present = escort_present
        if pulse_oximetry_monitored is not None:
            row.pulse_oximetry_monitored = pulse_oximetry_monitored
        row.discharge_unmet = [{"code": i.code, "message": i.message} for i in issues]
        if issues:
            row.discharge_override_note, row.discharge_overridden_by = override, actor
        if row.status == SessionStatus.MONITORING:
            row.ready_at = now
            move(actor, row, SessionStatus.READY_FOR_DISCHARGE)
        row.discharged_at, row.discharged_by = now, actor
        move(
            actor,
            row,
            SessionStatus.DISCHARGED,
            changes={
                "escort_present": escort_present,
                "pulse_oximetry_monitored": row.pulse_oximetry_monitored,
                "override_note": override,
                "unmet": [i.code for i in issues],
                "observed_min": state.minutes_since_dose,
            },
        )
        # Apps above treatments act on the discharge in this same transaction (charges).
        session_discharged.send(sender=TreatmentSession, actor=actor, session=row)
    return row


def abort(*, actor, session, reason: str) -> TreatmentSession:
    """Stop the session at any open point, with the reason."""
    require(actor, "session.run")
    if not reason.strip():
        raise InvalidInput("Say why the session is aborted.", fields={"reason": "required"})
    with transaction.atomic():
        row = locked(session)
        row.aborted_at, row.abort_reason = timezone.now(), reason.strip()
        move(actor, row, SessionStatus.ABORTED, changes={"reason": row.abort_reason})
    return row


__all__ = [
    "abort",
    "check_in",
    "decide_go_no_go",
    "discharge",
    "end_infusion",
    "mark_ready",
    "pre_check_issues",
    "record_device",
    "record_pre_checks",
    "start_dose",
]
