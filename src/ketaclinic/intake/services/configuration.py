"""Clinic configuration writes: the dose table and the intake thresholds."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from ketaclinic.audit.services import (
    assign,
    diff,
    record_event,
    update_clinic_settings,
)
from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.permissions import require

from .. import queries
from ..antidepressants import normalize_drug_name
from ..models import (
    ClinicAntidepressant,
    IntakeSettings,
)
from .intake import MAX_DAILY_DOSE_MG, _decimal

# --- clinic configuration -----------------------------------------------------------------------


def set_clinic_antidepressant(
    *, actor, name: str, drug_class: str, min_daily_dose_mg, source: str
) -> ClinicAntidepressant:
    """Replace a built-in dose-table row for this clinic (same name) or add a drug."""
    require(actor, "intake.configure")
    errors = {}
    name = normalize_drug_name(name)
    dose = _decimal(min_daily_dose_mg, "min_daily_dose_mg", errors)
    if not name:
        errors["name"] = "Name the drug (lower-case generic name)."
    if dose is not None and not (Decimal(0) < dose <= MAX_DAILY_DOSE_MG):
        errors["min_daily_dose_mg"] = f"Must be more than 0 and at most {MAX_DAILY_DOSE_MG}."
    if dose is None and "min_daily_dose_mg" not in errors:
        errors["min_daily_dose_mg"] = "Required."
    if not source.strip():
        errors["source"] = "Say where the dose comes from."
    if errors:
        raise InvalidInput("Please correct: " + ", ".join(sorted(errors)), fields=errors)
    with transaction.atomic():
        row, created = ClinicAntidepressant.objects.select_for_update().get_or_create(
            clinic_id=actor.clinic_id,
            name=name,
            defaults={"drug_class": drug_class, "min_daily_dose_mg": dose, "source": source},
        )
        before = assign(
            row,
            {"drug_class": drug_class.strip(), "min_daily_dose_mg": dose, "source": source.strip()},
        )
        row.updated_by = actor
        row.save()
        record_event(
            actor=actor,
            action="intake.dose_table_changed",
            obj=row,
            clinic=row.clinic,
            changes={"name": name, "created": created, **diff(row, before, before.keys())},
        )
    return row


def update_intake_settings(*, actor, **changes) -> IntakeSettings:
    """Change the clinic's trial length, TRD trial count or default protocol."""
    require(actor, "intake.configure")
    allowed = {"min_trial_weeks", "min_failed_trials_for_trd", "default_protocol_code"}
    unknown = set(changes) - allowed
    errors = dict.fromkeys(unknown, "not an intake setting")
    if "min_trial_weeks" in changes and not (1 <= int(changes["min_trial_weeks"]) <= 52):
        errors["min_trial_weeks"] = "Between 1 and 52 weeks."
    if "min_failed_trials_for_trd" in changes and not (
        1 <= int(changes["min_failed_trials_for_trd"]) <= 10
    ):
        errors["min_failed_trials_for_trd"] = "Between 1 and 10."
    if "default_protocol_code" in changes:
        queries.resolve_protocol(actor.clinic, changes["default_protocol_code"])
    if errors:
        raise InvalidInput("Please correct: " + ", ".join(sorted(errors)), fields=errors)
    return update_clinic_settings(
        IntakeSettings, actor=actor, values=changes, action="intake.settings_changed"
    )
