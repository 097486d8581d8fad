"""Protocol definitions as JSON data (clinic copies) and the checks a clinic edit must pass."""

from __future__ import annotations

import types
import typing
from dataclasses import fields, is_dataclass, replace
from decimal import Decimal
from typing import Any

from ketaclinic.protocols.definitions import (
    CONSENT_TYPES,
    DRUGS,
    ESKETAMINE,
    FIXED_MG,
    KETAMINE,
    MG_PER_KG,
    ProtocolDefinition,
)
from ketaclinic.protocols.shapes import FIRST_DEVICE, ObservationRule
from ketaclinic.protocols.sources import (
    DOSING_WEIGHTS,
    ESKETAMINE_LABEL_DOSES,
    ESKETAMINE_LABEL_FLOORS,
    JURISDICTIONS,
    KETAMINE_STRENGTHS_MG_PER_ML,
)


def to_data(value: Any) -> Any:
    """A definition (or part of one) as JSON-safe data; Decimals become strings."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [to_data(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def _convert(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(inner[0], value)
    if origin is tuple:
        return tuple(_convert(typing.get_args(tp)[0], v) for v in value)
    if isinstance(tp, type) and is_dataclass(tp):
        return from_data(tp, value)
    if tp is Decimal:
        return Decimal(str(value))
    if tp is int and not isinstance(value, bool):
        return int(value)
    return value


def from_data(cls: type, data: dict[str, Any]) -> Any:
    """Rebuild a dataclass (e.g. ProtocolDefinition) from `to_data` output; ignore unknown keys."""
    hints = typing.get_type_hints(cls)
    kwargs = {f.name: _convert(hints[f.name], data[f.name]) for f in fields(cls) if f.name in data}
    return cls(**kwargs)


def merge_changes(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge a clinic's changes into a definition's data (lists are replaced whole)."""
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_changes(merged[key], value)
        else:
            merged[key] = value
    return merged


def validate_definition(definition: ProtocolDefinition) -> list[str]:
    """Problems that make a (clinic-edited) definition unsafe or unusable; empty when fine."""
    problems: list[str] = []
    dose = definition.dose
    if definition.drug not in DRUGS:
        problems.append(f"drug must be one of {', '.join(DRUGS)}")
    if definition.consent_type not in CONSENT_TYPES:
        problems.append(f"consent_type must be one of {', '.join(CONSENT_TYPES)}")
    if definition.configured:
        if dose.basis == MG_PER_KG:
            needed = ("default_mg_per_kg", "min_mg_per_kg", "max_mg_per_kg")
            problems += [f"dose.{n} must be set" for n in needed if getattr(dose, n) is None]
            if not problems and not (
                dose.min_mg_per_kg <= dose.default_mg_per_kg <= dose.max_mg_per_kg
            ):
                problems.append(
                    "dose: min_mg_per_kg <= default_mg_per_kg <= max_mg_per_kg must hold"
                )
        elif dose.basis == FIXED_MG:
            if not dose.allowed_doses_mg:
                problems.append("dose.allowed_doses_mg must list at least one dose")
            if dose.first_dose_mg is None:
                problems.append("dose.first_dose_mg must be set")
        else:
            problems.append(f"dose.basis must be {MG_PER_KG} or {FIXED_MG}")
        if not definition.phases:
            problems.append("at least one schedule phase is needed")
    for phase in definition.phases:
        if phase.sessions_per_period < 1 or phase.period_weeks < 1:
            problems.append(
                f"phase {phase.code}: sessions_per_period and period_weeks must be >= 1"
            )
        if phase.min_gap_days < 1:
            problems.append(f"phase {phase.code}: min_gap_days must be >= 1")
    for rule in definition.alerts:
        if rule.comparison not in (">=", ">", "<=", "<"):
            problems.append(f"alert {rule.code}: comparison must be one of >=, >, <=, <")
    if dose.max_dose_mg is not None and dose.max_dose_mg <= 0:
        problems.append("dose.max_dose_mg must be positive")
    problems += _label_problems(definition)
    return problems


def _listed(values) -> str:
    return ", ".join(str(v) for v in values)


def _floor_problems(definition: ProtocolDefinition, where: str) -> list[str]:
    """What the label fixes for every esketamine session, kept by a clinic's copy."""
    floors = ESKETAMINE_LABEL_FLOORS.get(definition.jurisdiction)
    if floors is None:
        return []
    dose, rule = definition.dose, definition.observation
    problems = []
    if dose.device_mg != floors.device_mg:
        problems.append(
            f"dose.device_mg: {where} has {floors.device_mg} mg devices ({floors.source})"
        )
    if (dose.rest_between_devices_min or 0) < floors.rest_between_devices_min:
        problems.append(
            f"dose.rest_between_devices_min: at least {floors.rest_between_devices_min} minutes "
            f"between devices under {where} ({floors.source})"
        )
    if (
        rule.minimum_min is None
        or rule.minimum_min < floors.observation_min
        or rule.measured_from != FIRST_DEVICE
    ):
        problems.append(
            f"observation.minimum_min: at least {floors.observation_min} minutes from the first "
            f"device under {where} ({floors.source})"
        )
    if floors.prescriber_on_site and not definition.prescriber_on_site_required:
        problems.append(
            f"prescriber_on_site_required: {where} requires a prescriber on site during "
            f"administration and monitoring ({floors.source})"
        )
    if floors.rems_form and not definition.rems_form_required:
        problems.append(
            f"rems_form_required: {where} requires a REMS Patient Monitoring Form for each "
            f"session ({floors.source})"
        )
    return problems


def held_to_label(definition: ProtocolDefinition) -> ProtocolDefinition:
    """A stored version as it applies: a copy saved before the label's floors were checked,
    and looser than them, is read with the floors in their place (never the looser value)."""
    floors = ESKETAMINE_LABEL_FLOORS.get(definition.jurisdiction)
    if floors is None or definition.drug != ESKETAMINE or definition.dose.basis != FIXED_MG:
        return definition
    dose, rule = definition.dose, definition.observation
    if (dose.rest_between_devices_min or 0) < floors.rest_between_devices_min:
        dose = replace(dose, rest_between_devices_min=floors.rest_between_devices_min)
    if (
        rule.minimum_min is None
        or rule.minimum_min < floors.observation_min
        or rule.measured_from != FIRST_DEVICE
    ):
        rule = ObservationRule(
            max(rule.minimum_min or 0, floors.observation_min), FIRST_DEVICE, floors.source
        )
    return replace(
        definition,
        dose=dose,
        observation=rule,
        prescriber_on_site_required=definition.prescriber_on_site_required
        or floors.prescriber_on_site,
        rems_form_required=definition.rems_form_required or floors.rems_form,
    )


def _label_problems(definition: ProtocolDefinition) -> list[str]:
    """A clinic copy may narrow what the product label allows, never widen it."""
    problems: list[str] = []
    dose = definition.dose
    if definition.jurisdiction not in JURISDICTIONS:
        problems.append(f"jurisdiction must be one of {_listed(JURISDICTIONS)}")
        return problems
    if dose.dosing_weight not in DOSING_WEIGHTS:
        problems.append(f"dose.dosing_weight must be one of {_listed(DOSING_WEIGHTS)}")
    if dose.syringe_step_ml <= 0 or dose.pump_rate_step_ml_per_h <= 0:
        problems.append("dose.syringe_step_ml and dose.pump_rate_step_ml_per_h must be positive")
    elif dose.syringe_step_ml % Decimal("0.01") or dose.pump_rate_step_ml_per_h % Decimal("0.1"):
        # Orders record volumes to 0.01 mL and rates to 0.1 mL/h: a finer step would be
        # rounded when saved, possibly up.
        problems.append(
            "dose.syringe_step_ml must be a multiple of 0.01 mL and dose.pump_rate_step_ml_per_h "
            "a multiple of 0.1 mL/h"
        )
    if definition.drug == KETAMINE and dose.basis == MG_PER_KG and definition.configured:
        strengths = _listed(KETAMINE_STRENGTHS_MG_PER_ML)
        if not dose.concentrations_mg_per_ml:
            problems.append(f"dose.concentrations_mg_per_ml must list strengths ({strengths})")
        elif not set(dose.concentrations_mg_per_ml) <= set(KETAMINE_STRENGTHS_MG_PER_ML):
            problems.append(
                f"dose.concentrations_mg_per_ml: only the marketed strengths {strengths} mg/mL"
            )
    label = ESKETAMINE_LABEL_DOSES.get(definition.jurisdiction)
    if definition.drug == ESKETAMINE and dose.basis == FIXED_MG and label is not None:
        where = f"the {definition.jurisdiction} label"
        if not set(dose.allowed_doses_mg) <= set(label.doses_mg):
            problems.append(
                f"dose.allowed_doses_mg: {where} allows {_listed(label.doses_mg)} mg "
                f"({label.source})"
            )
        older = label.doses_mg_age_65_plus or label.doses_mg
        if not set(dose.allowed_doses_mg_age_65_plus) <= set(older):
            problems.append(
                f"dose.allowed_doses_mg_age_65_plus: {where} allows {_listed(older)} mg at 65 "
                f"and over ({label.age_65_plus_source or label.source})"
            )
        problems += _floor_problems(definition, where)
        if dose.first_dose_mg is not None and dose.first_dose_mg not in label.doses_mg:
            problems.append(f"dose.first_dose_mg: {where} allows {_listed(label.doses_mg)} mg")
        if dose.first_dose_mg_age_65_plus is not None and (
            dose.first_dose_mg_age_65_plus != label.first_dose_mg_age_65_plus
        ):
            problems.append(
                f"dose.first_dose_mg_age_65_plus: {where} has no separate first dose at 65 and "
                f"over ({label.source})"
                if label.first_dose_mg_age_65_plus is None
                else f"dose.first_dose_mg_age_65_plus must be {label.first_dose_mg_age_65_plus} "
                f"({label.age_65_plus_source})"
            )
    return problems
