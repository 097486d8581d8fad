"""Shape intake rows and rule results for the API and the pages (plain dicts, no writes)."""

from __future__ import annotations

from . import queries, rules
from .antidepressants import lookup


def _name(user) -> str | None:
    return user.display_name if user is not None else None


def trial_rows(patient, trials=None) -> list[dict]:
    """Each trial with the rules' verdict beside it (adequate, counts toward TRD, why)."""
    table = queries.dose_table_for(patient.clinic)
    settings = queries.intake_settings(patient.clinic).as_rule_settings()
    trials = (
        list(queries.trials_of(patient).select_related("recorded_by", "reviewed_by"))
        if (trials is None)
        else trials
    )
    rows = []
    for trial in trials:
        row = lookup(trial.drug, table)
        verdict = rules.assess_trial(trial.as_rule_trial(), table, settings)
        if trial.needs_review:
            status = "imported — needs review"
        elif row is None and not trial.clinician_confirmed_adequate:
            status = "not in dose table — needs confirmation"
        elif verdict.dose_needs_confirmation:
            status = "dose needs a clinician's confirmation"
        else:
            status = "recorded"
        rows.append(
            {
                "id": trial.id,
                "trial": trial,
                "drug": trial.drug,
                "in_dose_table": row is not None,
                "drug_class": row.drug_class if row else None,
                "min_daily_dose_mg": row.min_daily_dose_mg if row else None,
                "dose_source": row.source if row else "",
                "needs_verification": bool(row and row.needs_verification),
                "dose_needs_confirmation": verdict.dose_needs_confirmation,
                "daily_dose_mg": trial.daily_dose_mg,
                "weeks": trial.weeks,
                "started_on": trial.started_on,
                "ended_on": trial.ended_on,
                "adherence": trial.adherence,
                "outcome": trial.outcome or None,
                "current_episode": trial.current_episode,
                "clinician_confirmed_adequate": trial.clinician_confirmed_adequate,
                "needs_review": trial.needs_review,
                "status": status,
                "adequate": verdict.adequate,
                "counts_toward_trd": verdict.counts_as_failed,
                "reasons": list(verdict.reasons),
                "source_text": trial.source_text,
                "notes": trial.notes,
                "recorded_by": _name(trial.recorded_by),
                "reviewed_by": _name(trial.reviewed_by),
                "created_at": trial.created_at,
            }
        )
    return rows


def answer_rows(patient, answers=None) -> list[dict]:
    answers = queries.answers_of(patient) if answers is None else answers
    rows = []
    for question in rules.QUESTIONS:
        row = answers.get(question.key)
        rows.append(
            {
                "key": question.key,
                "question": question.label,
                "esketamine_absolute": question.esketamine_absolute,
                "absolute_for": list(question.absolute_drugs),
                "source": question.source,
                "answer": row.answer if row else "unknown",
                "answered": row is not None,
                "recorded_by": _name(row.recorded_by) if row else None,
                "recorded_at": row.recorded_at if row else None,
                "note": row.note if row else "",
            }
        )
    return rows


def history_dict(history) -> dict:
    return {
        **{name: getattr(history, name) for name in history.EDITABLE_FIELDS},
        "current_severity": history.current_severity or None,
        "updated_by": _name(history.updated_by) if history.pk else None,
        "updated_at": history.updated_at if history.pk else None,
    }


def eligibility_dict(view: queries.EligibilityView, patient) -> dict:
    result = view.result
    facts = view.protocol
    return {
        "protocol": {
            "code": facts.code,
            "name": facts.name,
            "drug": facts.drug,
            "consent_type": facts.consent_type,
        },
        "trd": result.trd,
        "adequate_failed_trials": result.adequate_failed_trials,
        "failed_drugs": list(result.failed_drugs),
        "maudsley": {
            "score": result.maudsley.score,
            "band": result.maudsley.band,
            "items": result.maudsley.items,
            "missing": list(result.maudsley.missing),
            "note": result.maudsley.note,
        },
        "contraindications": list(result.contraindications),
        "cautions": list(result.cautions),
        "unknown": list(result.unknown),
        "suicide_risk": {
            "level": result.suicide_risk.level,
            "urgent_review": result.suicide_risk.urgent_review,
        },
        "recommendation": str(result.recommendation),
        "reasons": list(result.reasons),
        "approval_blocked": result.approval_blocked,
        "treatment_blockers": queries.treatment_blockers(patient, facts.code),
    }


def decision_dict(decision) -> dict:
    return {
        "id": decision.id,
        "protocol_code": decision.protocol_code,
        "drug": decision.drug,
        "outcome": decision.outcome,
        "recommendation": decision.recommendation,
        "against_recommendation": decision.against_recommendation,
        "reasons": decision.reasons,
        "note": decision.note,
        "justification": decision.justification,
        "decided_by": decision.decided_by.display_name,
        "decided_at": decision.created_at,
    }


def consent_dict(consent) -> dict:
    return {
        "id": consent.id,
        "consent_type": consent.consent_type,
        "version": consent.version,
        "document_title": consent.document.title,
        "signer_name": consent.signer_name,
        "signer_relationship": consent.signer_relationship,
        "witness_name": consent.witness_name,
        "signed_on": consent.signed_on,
        "recorded_by": consent.recorded_by.display_name,
        "active": consent.is_active,
        "revoked_at": consent.revoked_at,
        "revoked_by": _name(consent.revoked_by),
        "revocation_reason": consent.revocation_reason,
    }


def referral_dict(referral) -> dict:
    return {
        "id": referral.id,
        "patient_id": referral.patient_id,
        "patient_name": f"{referral.patient.family_name}, {referral.patient.given_name}",
        "mrn": referral.patient.mrn,
        "status": referral.status,
        "source": referral.source,
        "referred_on": referral.referred_on,
        "referring_clinician": referral.referring_clinician,
    }
