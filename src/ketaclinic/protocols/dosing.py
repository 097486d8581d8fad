"""Pure dose math: dosing weight, infusion volumes and pump rate, nasal devices, label doses."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from ketaclinic.core.numbers import DEFAULT_WEIGHT_RANGE, WeightRange, number_problem
from ketaclinic.protocols.definitions import ESKETAMINE, FIXED_MG, MG_PER_KG, ProtocolDefinition
from ketaclinic.protocols.sources import (
    ACTUAL,
    ADJUSTED,
    ADJUSTED_FACTOR,
    CM_PER_INCH,
    DEVINE_BASE_KG,
    DEVINE_FROM_INCHES,
    DEVINE_KG_PER_INCH,
    DOSING_WEIGHTS,
    ESKETAMINE_LABEL_DOSES,
    LabelDoses,
)

# Rounding, written down once (docs/treatment-day.md repeats it); every step rounds DOWN so
# rounding never raises a dose above its ceiling:
# - a dose (and a dosing weight) is rounded down to 0.1 mg (0.1 kg);
# - the drawn volume is rounded down to the syringe step (DoseRule.syringe_step_ml), and the
#   dose given is what that volume holds;
# - a pump rate is rounded down to the pump's step (DoseRule.pump_rate_step_ml_per_h).
DOSE_STEP_MG = Decimal("0.1")
WEIGHT_STEP_KG = Decimal("0.1")
VOLUME_STEP_ML = Decimal("0.01")
MINUTES_STEP = Decimal("0.1")


class DoseInputError(ValueError):
    """Dose inputs outside the protocol's limits; `errors` maps each field to what must hold."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


# --- label doses -----------------------------------------------------------------------------


def label_doses(protocol: ProtocolDefinition) -> LabelDoses | None:
    """The esketamine doses the protocol's jurisdiction's label allows (None: not esketamine)."""
    if protocol.drug != ESKETAMINE:
        return None
    return ESKETAMINE_LABEL_DOSES.get(protocol.jurisdiction)


def _older(age_years: int | None) -> bool:
    return age_years is not None and age_years >= 65


def allowed_doses(protocol: ProtocolDefinition, age_years: int | None) -> tuple[Decimal, ...]:
    """Fixed doses the protocol allows for a patient of this age, never beyond its label."""
    rule = protocol.dose
    older = _older(age_years)
    doses = (
        rule.allowed_doses_mg_age_65_plus
        if older and rule.allowed_doses_mg_age_65_plus
        else rule.allowed_doses_mg
    )
    label = label_doses(protocol)
    if label is not None:
        permitted = (
            label.doses_mg_age_65_plus if older and label.doses_mg_age_65_plus else label.doses_mg
        )
        doses = tuple(d for d in doses if d in permitted)
    return doses


def first_dose(protocol: ProtocolDefinition, age_years: int | None) -> Decimal | None:
    """Day 1 dose: the label's separate dose at 65 and over only where the label has one."""
    rule = protocol.dose
    label = label_doses(protocol)
    if (
        _older(age_years)
        and rule.first_dose_mg_age_65_plus is not None
        and (label is None or label.first_dose_mg_age_65_plus == rule.first_dose_mg_age_65_plus)
    ):
        return rule.first_dose_mg_age_65_plus
    return rule.first_dose_mg


@dataclass(frozen=True)
class DosingWeight:
    """The weight a mg/kg dose multiplies, how it was found, and from what."""

    basis: str
    weight_kg: Decimal
    dosing_weight_kg: Decimal
    source: str
    ideal_body_weight_kg: Decimal | None = None
    height_cm: Decimal | None = None
    sex: str = ""


@dataclass(frozen=True)
class InfusionCalculation:
    """A weight-based infusion: what to draw, the bag, and the pump setting.

    `dose_mg` is what the drawn volume holds (the dose given); it never exceeds
    `calculated_dose_mg` (dosing weight x mg/kg, rounded down), which never exceeds
    `max_dose_mg` (the per-kg maximum and the clinic's maximum, when set).
    """

    dose_mg: Decimal
    calculated_dose_mg: Decimal
    dose_mg_per_kg: Decimal
    max_dose_mg: Decimal
    clinic_max_dose_mg: Decimal | None
    weight_kg: Decimal
    dosing_weight_kg: Decimal
    dosing_weight_basis: str
    dosing_weight_source: str
    ideal_body_weight_kg: Decimal | None
    height_cm: Decimal | None
    concentration_mg_per_ml: Decimal
    draw_volume_ml: Decimal
    bag_volume_ml: Decimal
    infusion_volume_ml: Decimal
    duration_min: int
    rate_ml_per_h: Decimal
    actual_duration_min: Decimal
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeviceCalculation:
    """A fixed nasal dose: how many 28 mg devices, and the rest between them."""

    dose_mg: Decimal
    max_dose_mg: Decimal | None
    allowed_doses_mg: tuple[Decimal, ...]
    devices: int
    device_mg: Decimal
    rest_between_devices_min: int | None


def _listed(values) -> str:
    return ", ".join(str(v) for v in values)


def _number(errors: dict[str, str], name: str, value, *, zero_ok: bool = False) -> None:
    problem = number_problem(value)
    if problem is None and (Decimal(value) < 0 or (Decimal(value) == 0 and not zero_ok)):
        problem = "must not be negative" if zero_ok else "must be greater than 0"
    if problem:
        errors[name] = problem


def max_dose_note(protocol: ProtocolDefinition) -> str:
    """The per-session maximum as users read it: the clinic's choice, or that none is set."""
    dose = protocol.dose
    if dose.basis == MG_PER_KG:
        if dose.max_dose_mg is None:
            return (
                "no clinic maximum set (the absolute mg per session is the clinic's choice); "
                f"the per-kg maximum of {dose.max_mg_per_kg} mg/kg applies"
            )
        return f"{dose.max_dose_mg} mg per session: the clinic's choice, not a clinical fact"
    if dose.max_dose_mg is None:
        return "no maximum set"
    return f"{dose.max_dose_mg} mg per session ({dose.max_dose_source})"


def rounding_text(protocol: ProtocolDefinition) -> str:
    """How every number of a calculation was rounded (all down: never above a ceiling)."""
    dose = protocol.dose
    if dose.basis == FIXED_MG:
        return f"whole {dose.device_mg} mg devices; no rounding"
    return (
        "dosing weight x mg/kg is rounded down to 0.1 mg (calculated_dose_mg); the drawn volume "
        f"is rounded DOWN to the syringe step ({dose.syringe_step_ml} mL), so the dose given "
        "(dose_mg, what the drawn volume holds) never exceeds the calculated dose or its "
        "ceiling; infusion volume = bag + drawn volume; the pump rate is rounded down to the "
        f"pump step ({dose.pump_rate_step_ml_per_h} mL/h) so the pump never runs faster than "
        "ordered"
    )


def dosing_weight(
    protocol: ProtocolDefinition,
    *,
    weight_kg: Decimal,
    height_cm: Decimal | None = None,
    sex: str = "",
    weight_range: WeightRange = DEFAULT_WEIGHT_RANGE,
) -> DosingWeight:
    """Actual, ideal (Devine 1974) or adjusted body weight, as the protocol's basis says.

    Ideal and adjusted weights are rounded down to 0.1 kg and must themselves be plausible
    weights (a mistyped height gives an implausible ideal weight).
    """
    rule = protocol.dose
    errors: dict[str, str] = {}
    problem = weight_range.problem(weight_kg)
    if problem:
        errors["weight_kg"] = problem
    basis = rule.dosing_weight
    source = DOSING_WEIGHTS.get(basis, "")
    if basis == ACTUAL:
        if errors:
            raise DoseInputError(errors)
        weight = Decimal(weight_kg)
        return DosingWeight(ACTUAL, weight, weight, source)
    if height_cm is None:
        errors["height_cm"] = f"is required: the protocol doses by {basis} body weight ({source})"
    elif number_problem(height_cm):
        errors["height_cm"] = number_problem(height_cm)
    elif Decimal(height_cm) / CM_PER_INCH < DEVINE_FROM_INCHES:
        errors["height_cm"] = (
            "must be at least 152.4 cm (5 feet): ideal body weight (Devine 1974) is given from "
            "5 feet up; dose this patient by actual body weight"
        )
    if sex not in DEVINE_BASE_KG:
        errors["sex"] = (
            "must be male or female: ideal body weight (Devine 1974) is given for men and women"
        )
    if errors:
        raise DoseInputError(errors)
    inches_over = Decimal(height_cm) / CM_PER_INCH - DEVINE_FROM_INCHES
    ideal = (DEVINE_BASE_KG[sex] + DEVINE_KG_PER_INCH * inches_over).quantize(
        WEIGHT_STEP_KG, ROUND_DOWN
    )
    weight = Decimal(weight_kg)
    dosing = ideal
    if basis == ADJUSTED:
        dosing = (ideal + ADJUSTED_FACTOR * (weight - ideal)).quantize(WEIGHT_STEP_KG, ROUND_DOWN)
    problem = weight_range.problem(dosing)
    if problem:
        raise DoseInputError(
            {"height_cm": f"gives a dosing weight of {dosing} kg, which {problem}"}
        )
    return DosingWeight(basis, weight, dosing, source, ideal, Decimal(height_cm), sex)


def calculate_infusion(
    protocol: ProtocolDefinition,
    *,
    weight_kg: Decimal,
    concentration_mg_per_ml: Decimal,
    bag_volume_ml: Decimal,
    dose_mg_per_kg: Decimal | None = None,
    duration_min: int | None = None,
    height_cm: Decimal | None = None,
    sex: str = "",
    weight_range: WeightRange = DEFAULT_WEIGHT_RANGE,
) -> InfusionCalculation:
    """Dose, draw volume, bag volume and pump rate for a mg/kg infusion.

    The drawn drug is added to the bag (nothing is withdrawn first), so the infusion volume
    is bag + draw. A dose above the clinic's maximum is refused, never silently capped.
    """
    rule = protocol.dose
    if rule.basis != MG_PER_KG:
        raise DoseInputError({"protocol": "is not a weight-based (mg/kg) protocol"})
    per_kg = Decimal(dose_mg_per_kg) if dose_mg_per_kg is not None else rule.default_mg_per_kg
    minutes = duration_min if duration_min is not None else rule.default_duration_min
    errors: dict[str, str] = {}
    problem = weight_range.problem(weight_kg)
    if problem:
        errors["weight_kg"] = problem
    _number(errors, "concentration_mg_per_ml", concentration_mg_per_ml)
    _number(errors, "bag_volume_ml", bag_volume_ml, zero_ok=True)
    if "concentration_mg_per_ml" not in errors:
        concentration = Decimal(concentration_mg_per_ml)
        if rule.concentrations_mg_per_ml and concentration not in rule.concentrations_mg_per_ml:
            errors["concentration_mg_per_ml"] = (
                f"must be one of {_listed(rule.concentrations_mg_per_ml)} mg/mL "
                f"({rule.concentrations_source})"
            )
        elif (
            concentration in rule.must_dilute_mg_per_ml
            and "bag_volume_ml" not in errors
            and Decimal(bag_volume_ml) == 0
        ):
            errors["bag_volume_ml"] = (
                f"must be above 0 with {concentration} mg/mL: {rule.must_dilute_source}"
            )
    if per_kg is None:
        errors["dose_mg_per_kg"] = "is required (the protocol has no default)"
    elif number_problem(per_kg):
        errors["dose_mg_per_kg"] = number_problem(per_kg)
    elif (rule.min_mg_per_kg is not None and per_kg < rule.min_mg_per_kg) or (
        rule.max_mg_per_kg is not None and per_kg > rule.max_mg_per_kg
    ):
        errors["dose_mg_per_kg"] = (
            f"must be between {rule.min_mg_per_kg} and {rule.max_mg_per_kg} mg/kg ({rule.source})"
        )
    if minutes is None:
        errors["duration_min"] = "is required (the protocol has no default)"
    elif minutes <= 0 or (
        (rule.min_duration_min is not None and minutes < rule.min_duration_min)
        or (rule.max_duration_min is not None and minutes > rule.max_duration_min)
    ):
        errors["duration_min"] = (
            f"must be between {rule.min_duration_min} and {rule.max_duration_min} min "
            f"({rule.source})"
        )
    try:
        weight = dosing_weight(
            protocol, weight_kg=weight_kg, height_cm=height_cm, sex=sex, weight_range=weight_range
        )
    except DoseInputError as exc:
        errors = exc.errors | errors
    if errors:
        raise DoseInputError(errors)
    concentration = Decimal(concentration_mg_per_ml)
    calculated = (weight.dosing_weight_kg * per_kg).quantize(DOSE_STEP_MG, ROUND_DOWN)
    ceiling = (weight.dosing_weight_kg * (rule.max_mg_per_kg or per_kg)).quantize(
        DOSE_STEP_MG, ROUND_DOWN
    )
    if rule.max_dose_mg is not None:
        if calculated > rule.max_dose_mg:
            raise DoseInputError(
                {
                    "dose_mg_per_kg": (
                        f"{per_kg} mg/kg x {weight.dosing_weight_kg} kg = {calculated} mg is "
                        f"above the clinic's maximum of {rule.max_dose_mg} mg per session "
                        "(the clinic's choice): order a lower mg/kg"
                    )
                }
            )
        ceiling = min(ceiling, rule.max_dose_mg)
    step = rule.syringe_step_ml
    draw = (calculated / concentration / step).to_integral_value(ROUND_DOWN) * step
    if draw <= 0:
        raise DoseInputError(
            {"concentration_mg_per_ml": f"leaves less than one syringe step ({step} mL) to draw"}
        )
    given = (draw * concentration).quantize(DOSE_STEP_MG, ROUND_DOWN)
    volume = (Decimal(bag_volume_ml) + draw).quantize(VOLUME_STEP_ML, ROUND_DOWN)
    exact_rate = volume * 60 / Decimal(minutes)
    pump_step = rule.pump_rate_step_ml_per_h
    rate = (exact_rate / pump_step).to_integral_value(ROUND_DOWN) * pump_step
    if rate <= 0:
        raise DoseInputError({"bag_volume_ml": "gives no volume to infuse"})
    actual = (volume * 60 / rate).quantize(MINUTES_STEP, ROUND_HALF_UP)
    warnings = []
    if weight.dosing_weight_kg > weight.weight_kg:
        warnings.append(
            f"The dosing weight ({weight.basis} body weight, {weight.dosing_weight_kg} kg) is "
            f"above the measured weight ({weight.weight_kg} kg)."
        )
    if given < calculated:
        warnings.append(
            f"The drawn volume holds {given} mg, {calculated - given} mg below the calculated "
            f"{calculated} mg: volumes are rounded down to the {step} mL syringe step."
        )
    return InfusionCalculation(
        dose_mg=given,
        calculated_dose_mg=calculated,
        dose_mg_per_kg=per_kg,
        max_dose_mg=ceiling,
        clinic_max_dose_mg=rule.max_dose_mg,
        weight_kg=weight.weight_kg,
        dosing_weight_kg=weight.dosing_weight_kg,
        dosing_weight_basis=weight.basis,
        dosing_weight_source=weight.source,
        ideal_body_weight_kg=weight.ideal_body_weight_kg,
        height_cm=weight.height_cm,
        concentration_mg_per_ml=concentration,
        draw_volume_ml=draw.quantize(VOLUME_STEP_ML),
        bag_volume_ml=Decimal(bag_volume_ml),
        infusion_volume_ml=volume,
        duration_min=minutes,
        rate_ml_per_h=rate.quantize(pump_step),
        actual_duration_min=actual,
        warnings=tuple(warnings),
    )


def calculate_devices(
    protocol: ProtocolDefinition, *, dose_mg: Decimal, age_years: int | None = None
) -> DeviceCalculation:
    """Number of nasal devices for a fixed dose (28 mg each): a label dose, never above the
    protocol's maximum (an order above it is refused, not capped)."""
    rule = protocol.dose
    if rule.basis != FIXED_MG or rule.device_mg is None:
        raise DoseInputError({"protocol": "is not a device-based (fixed mg) protocol"})
    problem = number_problem(dose_mg)
    if problem:
        raise DoseInputError({"dose_mg": problem})
    requested = Decimal(dose_mg)
    allowed = allowed_doses(protocol, age_years)
    if requested not in allowed:
        older = allowed_doses(protocol, 70)
        if age_years is None and requested in older:
            message = (
                f"{requested} mg is a dose for patients 65 and over only: give age_years "
                f"({rule.age_65_plus_source})"
            )
        elif requested in older and not _older(age_years):
            message = (
                f"must be one of {_listed(allowed)} mg under 65; {requested} mg is for patients "
                f"65 and over ({rule.age_65_plus_source})"
            )
        else:
            message = f"must be one of {_listed(allowed)} mg ({rule.source})"
        raise DoseInputError({"dose_mg": message})
    if rule.max_dose_mg is not None and requested > rule.max_dose_mg:
        raise DoseInputError(
            {
                "dose_mg": f"{requested} mg is above the maximum of {rule.max_dose_mg} mg per "
                f"session ({rule.max_dose_source})"
            }
        )
    devices = requested / rule.device_mg
    if devices != devices.to_integral_value():
        raise DoseInputError({"dose_mg": f"must be a whole number of {rule.device_mg} mg devices"})
    return DeviceCalculation(
        dose_mg=requested,
        max_dose_mg=rule.max_dose_mg,
        allowed_doses_mg=allowed,
        devices=int(devices),
        device_mg=rule.device_mg,
        rest_between_devices_min=rule.rest_between_devices_min,
    )
