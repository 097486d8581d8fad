"""Intake writes: referral, history, trials, checklist, eligibility decision; each audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from ketaclinic.audit.services import assign, record_event, save_changes
from ketaclinic.core.calendar import date_problem
from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.intake.rules.trials import MAX_DAILY_DOSE_MG, MAX_TRIAL_WEEKS
from ketaclinic.patients.services import add_to_record, refuse_unknown_fields, save_to_record

from .. import queries, rules
from ..antidepressants import lookup, normalize_drug_name
from ..models import (
    Adherence,
    AntidepressantTrial,
    ContraindicationAnswer,
    EligibilityDecision,
    Referral,
    ReferralSource,
    ReferralStatus,
    TreatmentHistory,
    TrialOutcome,
)

# --- referral status ----------------------------------------------------------------------------


def _set_status(actor, referral: Referral, status: str) -> None:
    if referral.status != status:
        before = referral.status
        referral.status = status
        save_to_record(
            referral,
            actor=actor,
            action="intake.referral_status_changed",
            changes={"status": {"from": before, "to": status}},
            update_fields=["status", "updated_at"],
        )


def open_referral(actor, patient, **fields) -> Referral:
    """Create the patient's referral from `fields` and audit it (its status and source)."""
    return add_to_record(
        Referral,
        patient,
        actor=actor,
        action="intake.referral_created",
        changes=lambda referral: {"status": referral.status, "source": referral.source},
        **fields,
    )


def _intake_started(actor, patient) -> None:
    """Intake data was recorded: a referred patient is now 'intake in progress'."""
    referral = Referral.objects.select_for_update().filter(patient=patient).first()
    if referral is None:
        open_referral(
            actor,
            patient,
            status=ReferralStatus.INTAKE_IN_PROGRESS,
            source=ReferralSource.CLINIC,
            referred_on=queries.clinic_today(patient.clinic),
        )
    elif referral.status == ReferralStatus.REFERRED:
        _set_status(actor, referral, ReferralStatus.INTAKE_IN_PROGRESS)


def create_referral(
    *,
    actor,
    patient,
    referred_on: dt.date | None = None,
    referring_clinician: str = "",
    reason: str = "",
    source: str = ReferralSource.MANUAL,
) -> Referral:
    """Put a patient on the waiting list (status 'referred'); a second referral is refused."""
    require(actor, "referral.create")
    today = queries.clinic_today(patient.clinic)
    referred_on = referred_on or today
    if referred_on > today:
        message = "The referral date cannot be in the future."
        raise InvalidInput(message, fields={"referred_on": message})
    if date_problem(referred_on):
        message = f"The date {date_problem(referred_on)}."
        raise InvalidInput(message, fields={"referred_on": message})
    with transaction.atomic():
        if Referral.objects.filter(patient=patient).exists():
            raise Conflict("This patient is already on the intake waiting list.")
        referral = open_referral(
            actor,
            patient,
            referred_on=referred_on,
            referring_clinician=referring_clinician.strip()[:200],
            reason=reason.strip(),
            source=source,
        )
    return referral


# --- treatment history --------------------------------------------------------------------------


def update_history(*, actor, patient, **changes) -> TreatmentHistory:
    """Change episode onset, severity, augmentation, psychotherapy, ECT and TMS history."""
    require(actor, "intake.record")
    refuse_unknown_fields(
        changes, TreatmentHistory.EDITABLE_FIELDS, "Unknown fields", "not a treatment history field"
    )
    errors = {}
    onset = changes.get("episode_onset")
    if onset is not None and onset > queries.clinic_today(patient.clinic):
        errors["episode_onset"] = "The episode onset cannot be in the future."
    elif onset is not None and date_problem(onset):
        errors["episode_onset"] = f"The date {date_problem(onset)}."
    severity = changes.get("current_severity")
    if severity not in (None, "") and severity not in set(rules.Severity):
        errors["current_severity"] = "Choose one of: " + ", ".join(rules.Severity)
    if errors:
        raise InvalidInput("Please correct: " + ", ".join(sorted(errors)), fields=errors)
    with transaction.atomic():
        history, _ = TreatmentHistory.objects.select_for_update().get_or_create(
            patient=patient, defaults={"clinic_id": patient.clinic_id}
        )
        values = {
            name: "" if value is None and name != "episode_onset" else value
            for name, value in changes.items()
        }
        before = assign(history, {**values, "updated_by": actor})
        if save_changes(
            history, before, values, actor=actor, action="intake.history_updated", patient=patient
        ):
            _intake_started(actor, patient)
        else:
            history.updated_by = before["updated_by"]
    return history


# --- antidepressant trials ----------------------------------------------------------------------


def _decimal(value, field: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        errors[field] = "Enter a number."
        return None


# The places a trial's numbers are stored to (AntidepressantTrial's columns): a finer value
# would be saved as another.
TRIAL_PLACES = {
    name: AntidepressantTrial._meta.get_field(name).decimal_places
    for name in ("daily_dose_mg", "weeks")
}


def _clean_trial(data: dict, table, today: dt.date) -> dict:
    """Validated trial fields; the drug becomes its table name when the table knows it."""
    errors: dict[str, str] = {}
    cleaned = dict(data)
    if "drug" in data:
        name = normalize_drug_name(data.get("drug") or "")
        if not name:
            errors["drug"] = "Name the drug (lower-case generic name, or free text)."
        row = lookup(name, table) if name else None
        cleaned["drug"] = row.name if row else name[:120]
    for field, limit in (("daily_dose_mg", MAX_DAILY_DOSE_MG), ("weeks", MAX_TRIAL_WEEKS)):
        if field in data:
            value = _decimal(data[field], field, errors)
            if value is not None and not (Decimal(0) <= value <= limit):
                errors[field] = f"Must be between 0 and {limit}."
            elif value is not None and value != round(value, TRIAL_PLACES[field]):
                # (0.001 mg would be stored as 0)
                places = TRIAL_PLACES[field]
                errors[field] = f"At most {places} decimal place{'s' if places > 1 else ''}."
            if field == "daily_dose_mg" and value == 0:
                errors[field] = "A daily dose must be more than 0 mg."
            cleaned[field] = value
    if "outcome" in data and (data["outcome"] or "") not in {"", *TrialOutcome.values}:
        errors["outcome"] = "Choose one of: " + ", ".join(TrialOutcome.values)
    if "adherence" in data and data["adherence"] not in Adherence.values:
        errors["adherence"] = "Choose one of: " + ", ".join(Adherence.values)
    for field in ("started_on", "ended_on"):
        if data.get(field) and data[field] > today:
            errors[field] = "The date cannot be in the future."
        elif data.get(field) and date_problem(data[field]):
            errors[field] = f"The date {date_problem(data[field])}."
    if errors:
        raise InvalidInput("Please correct: " + ", ".join(sorted(errors)), fields=errors)
    return cleaned


def _derive_weeks(trial: AntidepressantTrial, weeks_given: bool) -> None:
    if trial.started_on and trial.ended_on and trial.ended_on < trial.started_on:
        message = "The trial cannot end before it started."
        raise InvalidInput(message, fields={"ended_on": message})
    if not weeks_given and trial.started_on and trial.ended_on:
        days = (trial.ended_on - trial.started_on).days
        weeks = (Decimal(days) / 7).quantize(Decimal("0.1"))
        if weeks > MAX_TRIAL_WEEKS:
            message = (
                f"From {trial.started_on.isoformat()} to {trial.ended_on.isoformat()} is "
                f"{weeks} weeks, more than {MAX_TRIAL_WEEKS}: check the start date."
            )
            raise InvalidInput(message, fields={"started_on": message})
        trial.weeks = weeks


def record_trial(
    *,
    actor,
    patient,
    drug: str,
    daily_dose_mg=None,
    weeks=None,
    started_on: dt.date | None = None,
    ended_on: dt.date | None = None,
    adherence: str = Adherence.UNKNOWN,
    outcome: str = "",
    current_episode: bool = True,
    clinician_confirmed_adequate: bool = False,
    notes: str = "",
) -> AntidepressantTrial:
    """Record a trial. A drug outside the dose table is kept as free text and flagged."""
    require(actor, "intake.record")
    if clinician_confirmed_adequate:
        require(actor, "intake.confirm_trial")
    table = queries.dose_table_for(patient.clinic)
    data = _clean_trial(
        {
            "drug": drug,
            "daily_dose_mg": daily_dose_mg,
            "weeks": weeks,
            "started_on": started_on,
            "ended_on": ended_on,
            "adherence": adherence,
            "outcome": outcome or "",
        },
        table,
        queries.clinic_today(patient.clinic),
    )
    trial = AntidepressantTrial(
        clinic_id=patient.clinic_id,
        patient=patient,
        current_episode=current_episode,
        clinician_confirmed_adequate=clinician_confirmed_adequate,
        notes=notes.strip(),
        recorded_by=actor,
        **data,
    )
    if clinician_confirmed_adequate:
        trial.reviewed_by, trial.reviewed_at = actor, timezone.now()
    _derive_weeks(trial, weeks not in (None, ""))
    with transaction.atomic():
        save_to_record(
            trial,
            actor=actor,
            action="intake.trial_recorded",
            changes={
                "drug": trial.drug,
                "in_dose_table": lookup(trial.drug, table) is not None,
                "daily_dose_mg": trial.daily_dose_mg,
                "weeks": trial.weeks,
                "outcome": trial.outcome,
                "current_episode": trial.current_episode,
            },
        )
        _intake_started(actor, patient)
    return trial


TRIAL_EDITABLE = (
    "drug",
    "daily_dose_mg",
    "weeks",
    "started_on",
    "ended_on",
    "adherence",
    "outcome",
    "current_episode",
    "notes",
)


def update_trial(*, actor, trial: AntidepressantTrial, **changes) -> AntidepressantTrial:
    """Correct a trial's fields (a reviewed imported trial stays reviewed; a clinician's dose
    confirmation is withdrawn when the drug or dose changes)."""
    require(actor, "intake.record")
    refuse_unknown_fields(
        changes, TRIAL_EDITABLE, "These fields cannot be changed", "not an editable trial field"
    )
    table = queries.dose_table_for(trial.patient.clinic)
    cleaned = _clean_trial(changes, table, queries.clinic_today(trial.patient.clinic))
    with transaction.atomic():
        locked = AntidepressantTrial.objects.select_for_update().get(pk=trial.pk)
        before = assign(
            locked,
            {
                name: "" if value is None and name in ("outcome", "notes") else value
                for name, value in cleaned.items()
            },
        )
        _derive_weeks(locked, "weeks" in changes)
        redosed = any(
            before[name] != getattr(locked, name)
            for name in ("drug", "daily_dose_mg")
            if name in before
        )
        if locked.clinician_confirmed_adequate and redosed:
            # A clinician confirmed a different drug or dose: that judgement no longer applies.
            before |= assign(locked, {"clinician_confirmed_adequate": False})
        save_changes(
            locked,
            before,
            before,
            actor=actor,
            action="intake.trial_updated",
            patient=locked.patient,
        )
    return locked


def confirm_trial(*, actor, trial: AntidepressantTrial, dose_adequate: bool = False):
    """A prescriber reviews a trial: an imported one then counts; for a dose the table cannot
    judge (drug not in it, or no verified minimum), dose_adequate=True records that the clinician
    judged the dose adequate."""
    require(actor, "intake.confirm_trial")
    table = queries.dose_table_for(trial.patient.clinic)
    with transaction.atomic():
        locked = AntidepressantTrial.objects.select_for_update().get(pk=trial.pk)
        if not locked.outcome:
            raise InvalidInput(
                "Record the trial's outcome before confirming it.",
                fields={"outcome": "required before confirmation"},
            )
        changes = {}
        if locked.needs_review:
            changes["needs_review"] = {"from": True, "to": False}
            locked.needs_review = False
        row = lookup(locked.drug, table)
        judgeable = row is not None and not row.dose_needs_confirmation(locked.daily_dose_mg)
        if dose_adequate and not judgeable and not locked.clinician_confirmed_adequate:
            changes["clinician_confirmed_adequate"] = {"from": False, "to": True}
            locked.clinician_confirmed_adequate = True
        if not changes:
            raise Conflict(
                "Nothing to confirm: the trial is not imported, and the dose table already "
                "judges its dose."
            )
        locked.reviewed_by, locked.reviewed_at = actor, timezone.now()
        save_to_record(locked, actor=actor, action="intake.trial_confirmed", changes=changes)
    return locked


def remove_trial(*, actor, trial: AntidepressantTrial) -> None:
    """Delete a trial entered in error; the audit event keeps what it said."""
    require(actor, "intake.record")
    with transaction.atomic():
        record_event(
            actor=actor,
            action="intake.trial_removed",
            obj=trial,
            patient=trial.patient,
            changes={
                "drug": trial.drug,
                "daily_dose_mg": trial.daily_dose_mg,
                "weeks": trial.weeks,
                "outcome": trial.outcome,
                "import_key": trial.import_key,
            },
        )
        trial.delete()


# --- contraindication checklist -----------------------------------------------------------------


def record_contraindications(*, actor, patient, answers: dict[str, str], note: str = ""):
    """Set answers (yes/no/unknown) for any subset of the checklist; each keeps who and when."""
    require(actor, "intake.record")
    bad_keys = sorted(set(answers) - set(rules.QUESTION_KEYS))
    bad_values = sorted(k for k, v in answers.items() if v not in set(rules.Answer))
    if bad_keys or bad_values or not answers:
        fields = dict.fromkeys(bad_keys, "not a checklist question")
        fields |= dict.fromkeys(
            (k for k in bad_values if k not in bad_keys), "answer yes, no or unknown"
        )
        if not answers:
            fields["__all__"] = "Give at least one answer."
        raise InvalidInput("Please correct: " + ", ".join(sorted(fields)), fields=fields)
    now = timezone.now()
    with transaction.atomic():
        existing = {
            row.key: row
            for row in ContraindicationAnswer.objects.select_for_update().filter(patient=patient)
        }
        changed = {}
        for key, answer in answers.items():
            row = existing.get(key)
            if row is not None and row.answer == answer:
                continue
            changed[key] = {"from": row.answer if row else None, "to": answer}
            if row is None:
                row = ContraindicationAnswer(clinic_id=patient.clinic_id, patient=patient, key=key)
            row.answer, row.note = answer, note.strip()[:300]
            row.recorded_by, row.recorded_at = actor, now
            row.save()
        if changed:
            record_event(
                actor=actor,
                action="intake.contraindications_recorded",
                patient=patient,
                obj=patient,
                changes=changed,
            )
            _intake_started(actor, patient)
    return queries.answers_of(patient)


# --- eligibility decision -----------------------------------------------------------------------


def decide_eligibility(
    *,
    actor,
    patient,
    protocol_code: str | None,
    outcome: str,
    note: str = "",
    justification: str = "",
) -> EligibilityDecision:
    """A prescriber approves or declines; approving against the recommendation needs a
    justification, and unknown checklist answers block approval."""
    require(actor, "intake.decide")
    if outcome not in EligibilityDecision.Outcome.values:
        raise InvalidInput(
            "The decision must be approve or decline.", fields={"outcome": "approve or decline"}
        )
    with transaction.atomic():
        view = queries.eligibility_for(patient, protocol_code)
        errors = rules.decision_errors(outcome, view.result, justification)
        if errors:
            raise InvalidInput(" ".join(errors.values()), fields=errors)
        decision = add_to_record(
            EligibilityDecision,
            patient,
            actor=actor,
            action="intake.eligibility_decided",
            changes=lambda decision: {
                "protocol": decision.protocol_code,
                "drug": decision.drug,
                "outcome": outcome,
                "recommendation": decision.recommendation,
                "against_recommendation": decision.against_recommendation,
                "justification": decision.justification,
            },
            protocol_code=view.protocol.code,
            drug=view.protocol.drug,
            outcome=outcome,
            recommendation=view.result.recommendation,
            reasons=list(view.result.reasons),
            note=note.strip(),
            justification=justification.strip(),
            decided_by=actor,
        )
        _intake_started(actor, patient)
        referral = Referral.objects.select_for_update().get(patient=patient)
        # Eligible while the latest decision for any drug is an approval.
        latest: dict[str, str] = {}
        for drug, verdict in (
            EligibilityDecision.objects.filter(patient=patient)
            .order_by("-created_at")
            .values_list("drug", "outcome")
        ):
            latest.setdefault(drug, verdict)
        approved = EligibilityDecision.Outcome.APPROVE in latest.values()
        _set_status(
            actor, referral, ReferralStatus.ELIGIBLE if approved else ReferralStatus.DECLINED
        )
    return decision


# --- the gate, for services that start treatment ------------------------------------------------


def require_may_treat(patient, protocol_code: str) -> None:
    """Raise Conflict naming every unmet condition (for treatment services to call)."""
    blockers = queries.treatment_blockers(patient, protocol_code)
    if blockers:
        raise Conflict(
            "Treatment cannot start: " + "; ".join(blockers) + ".", code="intake_incomplete"
        )
