"""PDMP writes (record and correct checks, the rule table, the practice state) and the gate.

Every write is one transaction with its audit event. `require_recent_check` is the guard the
treatments app calls when a prescriber signs a controlled-substance order.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from ketaclinic.audit.services import assign, diff, record_event
from ketaclinic.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from ketaclinic.core.permissions import can, require

from . import queries, rules
from .models import Finding, PdmpCheck, PdmpRule, PdmpSettings

TRANSACTION_ID_MAX = 100
NOTE_MAX = 2000
REASON_MAX = 300
# A clock a little ahead of the server's is not a check in the future.
CLOCK_SKEW = datetime.timedelta(minutes=5)


def _refuse(errors: dict[str, str], what: str = "The PDMP check cannot be recorded") -> None:
    if errors:
        raise InvalidInput(f"{what}: " + ", ".join(sorted(errors)) + ".", fields=errors)


def _prescriber_for(actor, prescriber):
    """The prescriber whose check this is: the actor, or the one a delegate names."""
    if can(actor, "pdmp.record"):
        if prescriber is not None and prescriber.pk != actor.pk:
            raise InvalidInput(
                "A prescriber records their own PDMP checks.",
                fields={"prescriber_id": "Leave empty, or give your own id."},
            )
        return actor
    require(actor, "pdmp.record_delegate")
    if prescriber is None:
        raise InvalidInput(
            "Name the prescriber on whose behalf you checked the PDMP.",
            fields={"prescriber_id": "The prescriber you checked for, as their delegate."},
        )
    if queries.prescriber_of_clinic(actor.clinic_id, prescriber.pk) is None:
        raise InvalidInput(
            "The PDMP check must be recorded for an active prescriber of the clinic.",
            fields={"prescriber_id": "An active prescriber of this clinic."},
        )
    return prescriber


def check_problems(
    *, state, checked_at, transaction_id, finding, concern_note, note, now
) -> dict[str, str]:
    """{field: what must hold} for the content of a check entry."""
    errors: dict[str, str] = {}
    if state not in rules.US_STATES:
        errors["state"] = "A two-letter US state code, e.g. NY."
    if not isinstance(checked_at, datetime.datetime) or timezone.is_naive(checked_at):
        errors["checked_at"] = "A date and time with its UTC offset."
    elif checked_at > now + CLOCK_SKEW:
        errors["checked_at"] = "The check cannot be in the future."
    if not transaction_id:
        errors["transaction_id"] = "The PDMP's transaction or report id is required."
    elif len(transaction_id) > TRANSACTION_ID_MAX:
        errors["transaction_id"] = f"At most {TRANSACTION_ID_MAX} characters."
    if finding not in Finding.values:
        errors["finding"] = "no_concern or concern."
    elif finding == Finding.CONCERN and not concern_note:
        errors["concern_note"] = "Say what the concern is (in your words, not the report's)."
    elif finding == Finding.NO_CONCERN and concern_note:
        errors["concern_note"] = "Only with the finding 'concern'; use the note otherwise."
    if len(concern_note) > NOTE_MAX:
        errors["concern_note"] = f"At most {NOTE_MAX} characters."
    if len(note) > NOTE_MAX:
        errors["note"] = f"At most {NOTE_MAX} characters."
    return errors


CHECK_FIELDS = ("state", "checked_at", "transaction_id", "finding", "concern_note", "note")


def _check_values(*, state, checked_at, transaction_id, finding, concern_note, note) -> dict:
    """The content of a check entry as typed, trimmed (the state in capitals)."""
    return {
        "state": (state or "").strip().upper(),
        "checked_at": checked_at,
        "transaction_id": (transaction_id or "").strip(),
        "finding": finding,
        "concern_note": (concern_note or "").strip(),
        "note": (note or "").strip(),
    }


def _create_check(actor, *, action: str, changes: dict | None = None, **fields) -> PdmpCheck:
    """Add one entry to the log with its audit event (the entry's content, then `changes`)."""
    check = PdmpCheck.objects.create(clinic_id=actor.clinic_id, recorded_by=actor, **fields)
    record_event(
        actor=actor,
        action=action,
        obj=check,
        patient=check.patient,
        changes=_audited(check) | (changes or {}),
    )
    return check


def _audited(check: PdmpCheck) -> dict:
    # The notes stay in the entry itself; the audit event says whether one was given.
    return {
        "state": check.state,
        "checked_at": check.checked_at,
        "transaction_id": check.transaction_id,
        "finding": check.finding,
        "prescriber": check.prescriber.username,
        "checked_by": check.checked_by.username,
        "by_delegate": check.by_delegate,
        "concern_note_given": bool(check.concern_note),
        "note_given": bool(check.note),
    }


def record_check(
    *,
    actor,
    patient,
    state: str,
    checked_at: datetime.datetime,
    transaction_id: str,
    finding: str,
    concern_note: str = "",
    note: str = "",
    prescriber=None,
    now: datetime.datetime | None = None,
) -> PdmpCheck:
    """Record a PDMP query: by a prescriber, or by a nurse as delegate for a named prescriber.

    Only who checked, when, the state, the program's transaction id and the finding are kept:
    never the report."""
    who = _prescriber_for(actor, prescriber)
    if patient.clinic_id != actor.clinic_id:
        raise NotFound("No such patient.")
    values = _check_values(
        state=state,
        checked_at=checked_at,
        transaction_id=transaction_id,
        finding=finding,
        concern_note=concern_note,
        note=note,
    )
    _refuse(check_problems(**values, now=now or timezone.now()))
    with transaction.atomic():
        return _create_check(
            actor,
            action="pdmp.check_recorded",
            patient=patient,
            prescriber=who,
            checked_by=actor,
            **values,
        )


def correct_check(
    *,
    actor,
    check: PdmpCheck,
    reason: str,
    entered_in_error: bool = False,
    state: str = "",
    checked_at: datetime.datetime | None = None,
    transaction_id: str = "",
    finding: str = "",
    concern_note: str = "",
    note: str = "",
    now: datetime.datetime | None = None,
) -> PdmpCheck:
    """Replace a wrong entry by a new one that references it, or mark it entered in error.

    Nothing is edited or deleted. The prescriber of record or whoever recorded the entry may
    correct it, once: a later mistake is corrected on the correction."""
    if not (can(actor, "pdmp.record") or can(actor, "pdmp.record_delegate")):
        require(actor, "pdmp.record")
    if not queries.may_correct(actor, check):
        raise Forbidden(queries.CORRECTORS)
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "Say what was wrong with the entry."
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"At most {REASON_MAX} characters."
    if entered_in_error:
        values = {}
    else:
        values = _check_values(
            state=state,
            checked_at=checked_at,
            transaction_id=transaction_id,
            finding=finding,
            concern_note=concern_note,
            note=note,
        )
        errors |= check_problems(**values, now=now or timezone.now())
    _refuse(errors, "The correction cannot be recorded")
    try:
        with transaction.atomic():
            original = (
                PdmpCheck.objects.select_for_update()
                .select_related("patient", "prescriber", "checked_by")
                .get(pk=check.pk, clinic_id=actor.clinic_id)
            )
            if original.entered_in_error:
                raise Conflict("This entry marks another as entered in error; it stands as is.")
            if PdmpCheck.objects.filter(corrects=original).exists():
                raise Conflict("This entry was already corrected: correct the newer entry.")
            if entered_in_error:
                # The marker repeats what it withdraws, so the log reads on its own.
                values = {name: getattr(original, name) for name in CHECK_FIELDS} | {"note": ""}
            correction = _create_check(
                actor,
                action="pdmp.check_marked_in_error" if entered_in_error else "pdmp.check_corrected",
                changes={"corrects": str(original.pk), "reason": reason},
                patient=original.patient,
                prescriber=original.prescriber,
                checked_by=original.checked_by,
                corrects=original,
                correction_reason=reason,
                entered_in_error=entered_in_error,
                **values,
            )
    except IntegrityError:
        raise Conflict("This entry was already corrected: correct the newer entry.") from None
    return correction


# --- the rule table and the practice state ------------------------------------------------------


def _rule_values(clinic, row: dict) -> tuple[dict, dict[str, str]]:
    values = {
        "state": (row.get("state") or "").strip().upper(),
        "before_prescribing": row.get("before_prescribing", False),
        "before_administering": row.get("before_administering", False),
        "frequency": row.get("frequency") or "",
        "window_days": row.get("window_days"),
        "source": (row.get("source") or "").strip() or rules.CLINIC_ENTERED,
        "scope": (row.get("scope") or "").strip(),
        "last_reviewed_on": row.get("last_reviewed_on") or clinic.today(),
    }
    errors = rules.rule_problems(
        **{k: values[k] for k in ("state", "before_prescribing", "before_administering")},
        frequency=values["frequency"],
        window_days=values["window_days"],
        source=values["source"],
    )
    reviewed = values["last_reviewed_on"]
    if not isinstance(reviewed, datetime.date) or reviewed > clinic.today():
        errors["last_reviewed_on"] = "A date, not in the future."
    if len(values["scope"]) > NOTE_MAX:
        errors["scope"] = f"At most {NOTE_MAX} characters."
    return values, errors


def _save_rule(actor, values: dict) -> PdmpRule:
    row = (
        PdmpRule.objects.select_for_update()
        .filter(clinic_id=actor.clinic_id, state=values["state"])
        .first()
    )
    created = row is None
    if created:
        row = PdmpRule(clinic_id=actor.clinic_id, state=values["state"])
    fields = PdmpRule.EDITABLE_FIELDS
    before = assign(row, {name: values[name] for name in fields})
    changed = diff(row, {} if created else before, fields)
    if changed:
        row.updated_by = actor
        row.save()
        record_event(
            actor=actor,
            action="pdmp.rule_set",
            obj=row,
            clinic=actor.clinic,
            changes={"state": row.state, "created": created, **changed},
        )
    return row


def set_rules(*, actor, rows: list[dict], practice_state: str | None = None) -> list[PdmpRule]:
    """Add or change the clinic's rows (each replaces its state's built-in row), and optionally
    confirm the state the clinic practises in; all or nothing."""
    require(actor, "pdmp.rules_manage")
    checked, errors = [], {}
    for index, row in enumerate(rows):
        values, problems = _rule_values(actor.clinic, row)
        errors |= {f"rules.{index}.{name}": message for name, message in problems.items()}
        checked.append(values)
    states = [v["state"] for v in checked]
    if len(states) != len(set(states)):
        errors["rules"] = "Each state at most once."
    if practice_state is not None and practice_state.strip().upper() not in rules.US_STATES:
        errors["practice_state"] = "A two-letter US state code, e.g. NY."
    _refuse(errors, "The PDMP rules cannot be saved")
    try:
        with transaction.atomic():
            saved = [_save_rule(actor, values) for values in checked]
            if practice_state is not None:
                _confirm(actor, practice_state.strip().upper())
    except IntegrityError:
        raise Conflict("The rule table changed at the same moment; try again.") from None
    return saved


def set_rule(*, actor, **row) -> PdmpRule:
    """Add or change one state's row of the clinic's rule table."""
    return set_rules(actor=actor, rows=[row])[0]


def _confirm(actor, state: str) -> PdmpSettings:
    settings, created = PdmpSettings.objects.select_for_update().get_or_create(
        clinic_id=actor.clinic_id,
        defaults={"practice_state": state, "confirmed_by": actor, "confirmed_at": timezone.now()},
    )
    previous = None if created else settings.practice_state
    settings.practice_state, settings.confirmed_by = state, actor
    settings.confirmed_at = timezone.now()
    settings.save()
    record_event(
        actor=actor,
        action="pdmp.practice_state_confirmed",
        obj=settings,
        clinic=actor.clinic,
        changes={"practice_state": {"from": previous, "to": state}},
    )
    return settings


def confirm_practice_state(*, actor, state: str) -> PdmpSettings:
    """The clinic confirms the state it practises in: whose rule the signing gate applies."""
    require(actor, "pdmp.rules_manage")
    state = (state or "").strip().upper()
    if state not in rules.US_STATES:
        raise InvalidInput(
            "The state cannot be confirmed: practice_state.",
            fields={"practice_state": "A two-letter US state code, e.g. NY."},
        )
    with transaction.atomic():
        return _confirm(actor, state)


# --- the gate at signing -----------------------------------------------------------------------


def require_recent_check(
    *,
    prescriber,
    patient,
    event: str,
    at: datetime.datetime,
    previous_order_at: datetime.datetime | None = None,
) -> rules.Status:
    """Refuse (422, field `pdmp_check`) an order the clinic's state rule forbids without a
    recent enough PDMP check; the message names the rule and its source.

    Called by the service that signs a controlled-substance order, inside its transaction;
    `previous_order_at` is the patient's previous such order (for rules that want a check
    before every order)."""
    if event not in {e.value for e in rules.Event}:
        raise InvalidInput("Unknown PDMP event.", fields={"event": "prescribing or administering."})
    settings = queries.practice_settings(patient.clinic_id)
    if settings is None:
        message = (
            "The clinic has not confirmed the state it practises in, so no PDMP rule can be "
            "applied: a clinic administrator confirms it on the PDMP rules page."
        )
        raise InvalidInput(message, fields={"pdmp_check": message})
    status = queries.check_status(
        patient,
        prescriber,
        settings.practice_state,
        event,
        at,
        previous_order_at=previous_order_at,
    )
    if status.blocks:
        raise InvalidInput(status.message, fields={"pdmp_check": status.message})
    return status
