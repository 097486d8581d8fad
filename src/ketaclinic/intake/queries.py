"""Intake reads: eligibility, checklists, consents, the waiting list and the treatment gate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from ketaclinic.core.errors import Forbidden, InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.measures.queries import latest_severities
from ketaclinic.patients.queries import access_row
from ketaclinic.protocols.definitions import PROTOCOLS
from ketaclinic.protocols.queries import (
    UnknownProtocol,
    latest_version,
    protocol_facts,
    protocol_names,
    protocols_for,
)

from . import rules
from .antidepressants import Antidepressant, dose_table
from .consent_texts import TEMPLATES
from .models import (
    AntidepressantTrial,
    ClinicAntidepressant,
    ConsentDocument,
    ConsentRecord,
    ContraindicationAnswer,
    EligibilityDecision,
    IntakeSettings,
    Referral,
    ReferralItem,
    TreatmentHistory,
)

CSSRS_INSTRUMENT = "cssrs_screener"


# --- clinic configuration ---------------------------------------------------------------------


def clinic_today(clinic, now: dt.datetime | None = None) -> dt.date:
    """The clinic's local date (clinical dates are the clinic's, not the server's or UTC)."""
    return timezone.localdate(now or timezone.now(), clinic.tz)


def intake_settings(clinic) -> IntakeSettings:
    """The clinic's saved settings, or unsaved defaults (reads never write)."""
    found = IntakeSettings.objects.filter(clinic=clinic).first()
    return found or IntakeSettings(clinic=clinic)


def dose_table_for(clinic) -> dict[str, Antidepressant]:
    """The built-in ATRQ table with the clinic's own rows laid over it."""
    overrides = [
        Antidepressant(row.name, row.drug_class, row.min_daily_dose_mg, row.source)
        for row in ClinicAntidepressant.objects.filter(clinic=clinic)
    ]
    return dose_table(overrides)


def resolve_protocol(clinic, code: str | None):
    """ProtocolFacts for a code (the clinic's default when None); InvalidInput if unknown."""
    code = code or intake_settings(clinic).default_protocol_code
    try:
        return protocol_facts(clinic, code)
    except UnknownProtocol:
        raise InvalidInput(
            f"Unknown protocol {code!r}.", fields={"protocol": "no such protocol in this clinic"}
        ) from None


def base_protocol_code(clinic, code: str) -> str:
    """The built-in protocol a clinic's copy derives from (its indication), else the code."""
    version = latest_version(clinic, code)
    return getattr(version, "base_code", None) or code


def protocol_choices(user) -> list[tuple[str, str]]:
    """(code, name) of the protocols the user's clinic can use, built-ins when unreadable."""
    try:
        return [(row.code, row.definition.name) for row in protocols_for(user)]
    except Forbidden:
        return [(code, definition.name) for code, definition in PROTOCOLS.items()]


# --- patient data -------------------------------------------------------------------------------


def trials_of(patient):
    return AntidepressantTrial.objects.filter(patient=patient, clinic_id=patient.clinic_id)


def access_trial(user, patient, trial_id, *, action: str = "intake.view") -> AntidepressantTrial:
    return access_row(user, action, trials_of(patient), trial_id, "No such trial.")


def history_of(patient) -> TreatmentHistory:
    found = TreatmentHistory.objects.filter(clinic_id=patient.clinic_id, patient=patient).first()
    return found or TreatmentHistory(patient=patient, clinic_id=patient.clinic_id)


def answers_of(patient) -> dict[str, ContraindicationAnswer]:
    rows = ContraindicationAnswer.objects.filter(
        clinic_id=patient.clinic_id, patient=patient
    ).select_related("recorded_by")
    return {row.key: row for row in rows}


def referral_items_of(patient):
    return ReferralItem.objects.filter(clinic_id=patient.clinic_id, patient=patient)


def completed_months(since: dt.date, today: dt.date) -> int:
    months = (today.year - since.year) * 12 + (today.month - since.month)
    return max(0, months - (1 if today.day < since.day else 0))


def latest_cssrs_level(patient) -> str | None:
    """Risk level of the patient's latest C-SSRS screener (measures app), None if never taken."""
    found = latest_severities(patient.clinic_id, [patient.pk], [CSSRS_INSTRUMENT])
    level = found.get(patient.pk, {}).get(CSSRS_INSTRUMENT) or None
    return level if level in rules.CSSRS_LEVELS else None


# --- eligibility --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EligibilityView:
    protocol: object  # ProtocolFacts
    result: rules.Eligibility
    history: TreatmentHistory
    trials: list
    answers: dict


def eligibility_for(patient, protocol_code: str | None = None, *, today=None) -> EligibilityView:
    """Everything the eligibility panel and GET /eligibility show, computed from stored rows."""
    facts = resolve_protocol(patient.clinic, protocol_code)
    settings_row = intake_settings(patient.clinic)
    today = today or clinic_today(patient.clinic)
    history = history_of(patient)
    trials = list(trials_of(patient))
    answers = answers_of(patient)
    data = rules.EligibilityInput(
        drug=facts.drug,
        requires_trd=rules.protocol_requires_trd(base_protocol_code(patient.clinic, facts.code)),
        trials=[t.as_rule_trial() for t in trials],
        answers={key: row.answer for key, row in answers.items()},
        suicide_risk_level=latest_cssrs_level(patient),
        episode_duration_months=(
            completed_months(history.episode_onset, today) if history.episode_onset else None
        ),
        current_severity=history.current_severity or None,
        augmentation_used=history.augmentation_used,
        ect_used=history.ect_used,
    )
    result = rules.evaluate_eligibility(
        data, dose_table_for(patient.clinic), settings_row.as_rule_settings()
    )
    return EligibilityView(facts, result, history, trials, answers)


def decisions_of(patient):
    return EligibilityDecision.objects.filter(
        clinic_id=patient.clinic_id, patient=patient
    ).select_related("decided_by")


def decisions_named(patient) -> list[EligibilityDecision]:
    """The patient's decisions, each with `protocol_name` (the name the clinic knows it by)."""
    names = protocol_names(patient.clinic_id)
    decisions = list(decisions_of(patient))
    for decision in decisions:
        decision.protocol_name = names.get(decision.protocol_code, decision.protocol_code)
    return decisions


def latest_decision(patient, drug: str) -> EligibilityDecision | None:
    return decisions_of(patient).filter(drug=drug).order_by("-created_at").first()


# --- consent ------------------------------------------------------------------------------------


def current_document(clinic, consent_type: str) -> ConsentDocument:
    """The clinic's newest version, or the shipped template as an unsaved version 1."""
    found = (
        ConsentDocument.objects.filter(clinic=clinic, consent_type=consent_type)
        .order_by("-version")
        .first()
    )
    if found is not None:
        return found
    template = TEMPLATES[consent_type]
    return ConsentDocument(
        clinic=clinic,
        consent_type=consent_type,
        version=1,
        title=template.title,
        body=template.body,
    )


def consent_documents(clinic) -> list[ConsentDocument]:
    return [current_document(clinic, consent_type) for consent_type in TEMPLATES]


def consents_of(patient):
    return ConsentRecord.objects.filter(
        clinic_id=patient.clinic_id, patient=patient
    ).select_related("recorded_by", "revoked_by", "document")


def access_consent(user, patient, consent_id, *, action: str = "intake.view") -> ConsentRecord:
    return access_row(user, action, consents_of(patient), consent_id, "No such consent.")


def has_active_consent(patient, consent_type: str) -> bool:
    return ConsentRecord.objects.filter(
        clinic_id=patient.clinic_id,
        patient=patient,
        consent_type=consent_type,
        revoked_at__isnull=True,
    ).exists()


# --- the gate before treatment ------------------------------------------------------------------


def treatment_blockers(patient, protocol_code: str) -> list[str]:
    """Human-readable unmet conditions before a course or session under the protocol may start.

    Empty list = may treat: the latest decision for the protocol's drug is an approval, no
    checklist answer turned yes/unknown after it, and a signed, unrevoked consent of the
    protocol's consent type exists.
    """
    try:
        facts = protocol_facts(patient.clinic, protocol_code)
    except UnknownProtocol:
        return [f"Unknown protocol {protocol_code!r}"]
    decision = latest_decision(patient, facts.drug)
    changed: list[str] = []
    if decision is not None and decision.outcome == EligibilityDecision.Outcome.APPROVE:
        changed = list(
            ContraindicationAnswer.objects.filter(
                clinic_id=patient.clinic_id, patient=patient, recorded_at__gt=decision.created_at
            )
            .exclude(answer=rules.Answer.NO)
            .values_list("key", flat=True)
        )
    return rules.treatment_blockers_for(
        drug=facts.drug,
        consent_type=facts.consent_type,
        latest_decision=decision.outcome if decision else None,
        consent_signed=has_active_consent(patient, facts.consent_type),
        changed_since_approval=changed,
    )


# --- waiting list -------------------------------------------------------------------------------


def waiting_list(user, status: str = "", q: str = ""):
    """Referrals of the user's clinic with their patients, oldest referral first."""
    require(user, "referral.view")
    referrals = Referral.objects.visible_to(user).select_related("patient")
    if status:
        referrals = referrals.filter(status=status)
    q = (q or "").strip()
    if q:
        referrals = referrals.filter(
            Q(patient__family_name__icontains=q)
            | Q(patient__given_name__icontains=q)
            | Q(patient__mrn__iexact=q)
        )
    return referrals.order_by("referred_on", "created_at")


def referral_of(patient) -> Referral | None:
    return Referral.objects.filter(clinic_id=patient.clinic_id, patient=patient).first()


def waiting_referrals(user, statuses, *, excluding_patients=None) -> list[Referral]:
    """Referrals of the user's clinic in these statuses, with their patients, less the
    excluded patient ids (another app's list; it has checked its own permission)."""
    referrals = Referral.objects.visible_to(user).filter(status__in=tuple(statuses))
    if excluding_patients is not None:
        referrals = referrals.exclude(patient_id__in=excluding_patients)
    return list(referrals.select_related("patient"))


def referrals_between(user, date_from: dt.date, date_to: dt.date) -> list[Referral]:
    """Referrals of the user's clinic made in a date range, with their patients."""
    return list(
        Referral.objects.visible_to(user)
        .filter(referred_on__gte=date_from, referred_on__lte=date_to)
        .select_related("patient")
    )


def trials_to_confirm(user) -> list[AntidepressantTrial]:
    """Trials of the user's clinic waiting for a prescriber's review, by patient, with
    their patients."""
    require(user, "intake.confirm_trial")
    return list(
        AntidepressantTrial.objects.filter(clinic_id=user.clinic_id, needs_review=True)
        .select_related("patient")
        .order_by("patient__family_name", "patient__given_name", "drug")
    )
