"""Protocol writes (audited): clinic versions and the clinic calendar; schedule and dose math."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from ketaclinic.audit.services import record_event
from ketaclinic.core import queries as core_queries
from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.protocols import queries, rules
from ketaclinic.protocols.definitions import FIXED_MG, PROTOCOLS, ProtocolDefinition
from ketaclinic.protocols.editing import from_data, merge_changes, to_data, validate_definition
from ketaclinic.protocols.models import ClinicCalendar, ProtocolVersion

CODE_PATTERN = "lowercase letters, digits and underscores"


def ensure_version(clinic, code: str) -> ProtocolVersion:
    """The version a new course runs under: the clinic's newest, else a snapshot of the built-in.

    A built-in snapshot is refreshed (as a new version) when the software's built-in data
    changed since, so a session always records exactly the values it ran under.
    """
    latest = queries.latest_version(clinic, code)
    builtin = PROTOCOLS.get(code)
    if latest is not None and not (
        latest.is_builtin and builtin is not None and latest.definition != to_data(builtin)
    ):
        return latest
    if builtin is None:
        raise queries.UnknownProtocol(code)
    try:
        with transaction.atomic():
            return ProtocolVersion.objects.create(
                clinic_id=getattr(clinic, "pk", clinic),
                code=code,
                base_code=code,
                version=(latest.version + 1) if latest else 1,
                name=builtin.name,
                definition=to_data(builtin),
                is_builtin=True,
                change_note="Built-in protocol as shipped.",
            )
    except IntegrityError:
        # Another request created the same snapshot at the same moment.
        return queries.latest_version(clinic, code)


def _checked(definition_data: dict) -> ProtocolDefinition:
    try:
        definition = from_data(ProtocolDefinition, definition_data)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise InvalidInput(f"The protocol values are not valid: {exc}.") from exc
    problems = validate_definition(definition)
    if problems:
        raise InvalidInput(
            "The protocol cannot be saved: " + "; ".join(problems) + ".",
            fields={"changes": "; ".join(problems)},
        )
    return definition


def _save_version(
    actor, source, data: dict, *, version: int, note: str, action: str, changes: dict
) -> ProtocolVersion:
    """Check `data` (a protocol merged with its changes) and save it as a version of the
    clinic's protocol `data["code"]`, based on `source`'s built-in protocol; audited."""
    definition = _checked(data)
    saved = ProtocolVersion.objects.create(
        clinic_id=actor.clinic_id,
        code=data["code"],
        base_code=source.base_code,
        version=version,
        name=definition.name,
        definition=to_data(definition),
        change_note=note,
        created_by=actor,
    )
    record_event(actor=actor, action=action, obj=saved, changes=changes)
    return saved


def change_protocol(*, actor, code: str, changes: dict, note: str) -> ProtocolVersion:
    """Save the clinic's changed values of a protocol as its next version."""
    require(actor, "protocol.configure")
    if not note.strip():
        raise InvalidInput("Say why the protocol changes.", fields={"note": "required"})
    with transaction.atomic():
        current = ensure_version(actor.clinic, code)
        data = merge_changes(current.definition, changes) | {"code": code}
        version = current.version + 1
        audited = {"code": code, "version": version, "changes": changes, "note": note}
        return _save_version(
            actor,
            current,
            data,
            version=version,
            note=note.strip(),
            action="protocol.changed",
            changes=audited,
        )


def copy_protocol(
    *, actor, source_code: str, new_code: str, name: str, changes: dict, note: str = ""
) -> ProtocolVersion:
    """Copy a protocol under a new code (version 1), with changed values."""
    require(actor, "protocol.configure")
    errors = {}
    if not new_code or not new_code.replace("_", "").isalnum() or new_code != new_code.lower():
        errors["new_code"] = CODE_PATTERN
    elif new_code in PROTOCOLS or queries.latest_version(actor.clinic, new_code):
        errors["new_code"] = "a protocol with this code exists"
    if not name.strip():
        errors["name"] = "required"
    if errors:
        raise InvalidInput("Please correct: " + ", ".join(sorted(errors)), fields=errors)
    with transaction.atomic():
        source = ensure_version(actor.clinic, source_code)
        data = merge_changes(source.definition, changes) | {"code": new_code, "name": name.strip()}
        origin = f"{source_code} v{source.version}"
        return _save_version(
            actor,
            source,
            data,
            version=1,
            note=note.strip() or f"Copied from {origin}.",
            action="protocol.copied",
            changes={"from": origin, "code": new_code, "changes": changes},
        )


def set_open_weekdays(*, actor, weekdays: list[int]) -> ClinicCalendar:
    """The weekdays the clinic treats on (Monday = 0)."""
    require(actor, "clinic.calendar")
    days = sorted(set(weekdays))
    if not days or any(d not in range(7) for d in days):
        raise InvalidInput(
            "Give at least one weekday from 0 (Monday) to 6 (Sunday).",
            fields={"weekdays": "0-6, at least one"},
        )
    return set_clinic_value(
        ClinicCalendar,
        actor=actor,
        field="open_weekdays",
        value=days,
        action="clinic.open_days_set",
    )


def set_clinic_value(model, *, actor, field: str, value, action: str, **also):
    """Set one value on the actor's clinic's row of `model` (a one-row-per-clinic settings
    model, created on first use) under a row lock, with the `also` fields; audited as the
    value's from/to."""
    with transaction.atomic():
        row, _ = model.objects.select_for_update().get_or_create(clinic_id=actor.clinic_id)
        before = getattr(row, field)
        setattr(row, field, value)
        for name, other in also.items():
            setattr(row, name, other)
        row.save()
        record_event(
            actor=actor, action=action, obj=row, changes={field: {"from": before, "to": value}}
        )
    return row


def preview_schedule(
    *,
    actor,
    code: str,
    start_date: datetime.date,
    weight_kg: Decimal | None = None,
    age_years: int | None = None,
    maintenance_sessions: int | None = None,
) -> rules.CoursePlan:
    """Planned sessions of a course under a protocol, without saving anything."""
    require(actor, "protocol.view")
    definition = queries.access_protocol(actor, code).definition
    _require_plausible_weight(actor.clinic_id, weight_kg)
    weekdays, closed = queries.clinic_calendar(actor.clinic_id)
    try:
        return rules.plan_course(
            definition,
            start_date,
            open_weekdays=weekdays,
            closed_dates=closed,
            weight_kg=weight_kg,
            age_years=age_years,
            maintenance_sessions=maintenance_sessions,
        )
    except rules.ProtocolNotConfigured as exc:
        raise Conflict(str(exc), code="protocol_not_configured") from exc


def _require_plausible_weight(clinic, weight_kg, *, field: str = "weight_kg") -> None:
    errors = core_queries.weight_errors(clinic, weight_kg, field=field)
    if errors:
        raise InvalidInput(f"Please correct: {field}.", fields=errors)


DOSE_INPUTS = (
    "weight_kg",
    "concentration_mg_per_ml",
    "bag_volume_ml",
    "dose_mg_per_kg",
    "duration_min",
    "dose_mg",
    "height_cm",
    "sex",
    "age_years",
)


def calculate(definition, *, clinic, **inputs):
    """The calculator and the order share this: one weight rule, one dose rule, 422 naming
    each field that breaks them (rules.DoseInputError -> InvalidInput)."""
    unknown = set(inputs) - set(DOSE_INPUTS)
    if unknown:
        raise InvalidInput(
            "Unknown dose inputs: " + ", ".join(sorted(unknown)),
            fields=dict.fromkeys(unknown, "not a dose input"),
        )
    try:
        if definition.dose.basis == FIXED_MG:
            if inputs.get("dose_mg") is None:
                raise rules.DoseInputError({"dose_mg": "is required for this protocol"})
            return rules.calculate_devices(
                definition, dose_mg=inputs["dose_mg"], age_years=inputs.get("age_years")
            )
        missing = {
            name: "is required for this protocol"
            for name in ("weight_kg", "concentration_mg_per_ml", "bag_volume_ml")
            if inputs.get(name) is None
        }
        if missing:
            raise rules.DoseInputError(missing)
        return rules.calculate_infusion(
            definition,
            weight_kg=inputs["weight_kg"],
            concentration_mg_per_ml=inputs["concentration_mg_per_ml"],
            bag_volume_ml=inputs["bag_volume_ml"],
            dose_mg_per_kg=inputs.get("dose_mg_per_kg"),
            duration_min=inputs.get("duration_min"),
            height_cm=inputs.get("height_cm"),
            sex=inputs.get("sex") or "",
            weight_range=core_queries.plausible_weight_range(clinic),
        )
    except rules.DoseInputError as exc:
        raise InvalidInput(
            "The dose cannot be calculated: " + ", ".join(sorted(exc.errors)) + ".",
            fields=exc.errors,
        ) from exc


def calculate_dose(*, actor, code: str, **inputs):
    """Dose calculation for the API and the order form; bad inputs are 422 with field names."""
    require(actor, "dose.calculate")
    definition = queries.access_protocol(actor, code).definition
    if not definition.configured:
        raise Conflict(
            f"{code} is clinic-defined and not configured yet.", code="protocol_not_configured"
        )
    inputs = {k: v for k, v in inputs.items() if v is not None}
    return definition, calculate(definition, clinic=actor.clinic_id, **inputs)
