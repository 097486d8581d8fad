"""The shape of a protocol as data: dose rule, schedule, monitoring, alerts, discharge, limits."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ketaclinic.protocols.sources import ACTUAL, US_FDA

KETAMINE = "ketamine"
ESKETAMINE = "esketamine"
DRUGS = (KETAMINE, ESKETAMINE)
KETAMINE_OFF_LABEL = "ketamine_off_label"
ESKETAMINE_REMS = "esketamine_rems"
CONSENT_TYPES = (KETAMINE_OFF_LABEL, ESKETAMINE_REMS)

MG_PER_KG = "mg_per_kg"
FIXED_MG = "fixed_mg"

FIRST_DEVICE = "first_device"
INFUSION_END = "infusion_end"
DOSE_START = "dose_start"

# Classes the Spravato REMS Patient Monitoring Form asks about; reviewed at every pre-check.
CONCOMITANT_MEDICATION_CLASSES = (
    ("benzodiazepines", "Benzodiazepines"),
    ("sedative_hypnotics", "Non-benzodiazepine sedative-hypnotics"),
    ("psychostimulants", "Psychostimulants"),
    ("maois", "Monoamine oxidase inhibitors (MAOIs)"),
    ("opioids", "Opioids"),
)


@dataclass(frozen=True)
class DoseRule:
    """How a dose is chosen and its ceiling: per kg over minutes, or fixed mg (devices)."""

    basis: str
    source: str
    default_mg_per_kg: Decimal | None = None
    min_mg_per_kg: Decimal | None = None
    max_mg_per_kg: Decimal | None = None
    default_duration_min: int | None = None
    min_duration_min: int | None = None
    max_duration_min: int | None = None
    first_dose_mg: Decimal | None = None
    first_dose_mg_age_65_plus: Decimal | None = None
    # Doses allowed for patients 65 and over, when a label gives them their own (empty: same).
    allowed_doses_mg_age_65_plus: tuple[Decimal, ...] = ()
    age_65_plus_source: str = ""
    allowed_doses_mg: tuple[Decimal, ...] = ()
    device_mg: Decimal | None = None
    rest_between_devices_min: int | None = None
    # Absolute per-session ceiling; an order above it is refused (never silently capped).
    max_dose_mg: Decimal | None = None
    max_dose_source: str = ""
    # What a mg/kg dose multiplies: actual, ideal (Devine) or adjusted body weight.
    dosing_weight: str = ACTUAL
    dosing_weight_source: str = ""
    # Strengths that may be drawn from (empty: not a drawn drug), and those never given
    # intravenously without dilution (the bag must not be empty).
    concentrations_mg_per_ml: tuple[Decimal, ...] = ()
    concentrations_source: str = ""
    must_dilute_mg_per_ml: tuple[Decimal, ...] = ()
    must_dilute_source: str = ""
    # The drawn volume is rounded DOWN to the syringe's step, so the drawn mg never exceeds
    # the calculated dose.
    syringe_step_ml: Decimal = Decimal("0.01")
    # Infusion pumps are set in steps; the computed rate is rounded DOWN to this step so the
    # pump never runs faster than ordered (the infusion ends a few seconds later instead).
    pump_rate_step_ml_per_h: Decimal = Decimal("0.1")


@dataclass(frozen=True)
class SchedulePhase:
    """One phase of a course: how often, for how long, at what planned dose."""

    code: str
    name: str
    weeks: int | None  # None: open-ended (maintenance)
    sessions_per_period: int
    source: str
    period_weeks: int = 1
    total_sessions: int | None = None
    min_gap_days: int = 1
    min_gap_source: str = ""
    planned_dose_mg: Decimal | None = None
    planned_dose_mg_per_kg: Decimal | None = None
    # An open-ended phase is planned this many sessions ahead (for staff and cost estimates).
    planned_sessions_if_open_ended: int | None = None
    alternative: str = ""


@dataclass(frozen=True)
class AssessmentTime:
    """When a scale (MOAA/S, CADSS-6) is due, in minutes after the dose started."""

    scale: str
    minutes_after_dose: tuple[int, ...]
    before_discharge: bool
    source: str


@dataclass(frozen=True)
class MonitoringRule:
    """When vitals are due: fixed intervals (IV) or checkpoints after the dose (esketamine)."""

    source: str
    pre_dose: bool = True
    during_infusion_every_min: int | None = None
    after_infusion_every_min: int | None = None
    checkpoints_min: tuple[int, ...] = ()
    # A checkpoint "about 40 min" is met by an entry this many minutes either side.
    checkpoint_window_min: int = 5
    # After the checkpoints; None means "as clinically warranted" (no due time is computed).
    then_every_min: int | None = None
    before_discharge: bool = True
    pulse_oximetry_continuous: bool = False
    assessments: tuple[AssessmentTime, ...] = ()


# The protocol's codes in the words a prescriber reads on the protocol page.
WORDS = {
    KETAMINE_OFF_LABEL: "ketamine (off-label use)",
    ESKETAMINE_REMS: "esketamine (REMS enrollment)",
    MG_PER_KG: "mg per kg of body weight",
    FIXED_MG: "fixed mg",
    FIRST_DEVICE: "the first device",
    INFUSION_END: "the end of the infusion",
    DOSE_START: "the start of the dose",
}
# The dose rule's fields (DoseRule below), labelled with their units.
DOSE_FIELD_LABELS = {
    "basis": "Dose basis",
    "source": "Source",
    "default_mg_per_kg": "Default dose (mg/kg)",
    "min_mg_per_kg": "Lowest dose (mg/kg)",
    "max_mg_per_kg": "Highest dose (mg/kg)",
    "default_duration_min": "Default infusion time (min)",
    "min_duration_min": "Shortest infusion time (min)",
    "max_duration_min": "Longest infusion time (min)",
    "first_dose_mg": "First dose (mg)",
    "first_dose_mg_age_65_plus": "First dose at 65 and over (mg)",
    "allowed_doses_mg_age_65_plus": "Doses allowed at 65 and over (mg)",
    "age_65_plus_source": "Source for 65 and over",
    "allowed_doses_mg": "Doses allowed (mg)",
    "device_mg": "Dose per device (mg)",
    "rest_between_devices_min": "Rest between devices (min)",
    "max_dose_mg": "Ceiling per session (mg)",
    "max_dose_source": "Source for the ceiling",
    "dosing_weight": "Weight the dose is based on",
    "dosing_weight_source": "Source for the dosing weight",
    "concentrations_mg_per_ml": "Strengths drawn from (mg/mL)",
    "concentrations_source": "Source for the strengths",
    "must_dilute_mg_per_ml": "Strengths given only diluted (mg/mL)",
    "must_dilute_source": "Source for dilution",
    "syringe_step_ml": "Syringe step (mL)",
    "pump_rate_step_ml_per_h": "Pump rate step (mL/h)",
}


def in_words(code: str) -> str:
    """A protocol code as words (unknown codes lose their underscores)."""
    return WORDS.get(code, str(code).replace("_", " "))


# What alert rules measure and how they compare, in the words and symbols a nurse reads.
MEASURE_NAMES = {
    "systolic": "systolic BP",
    "diastolic": "diastolic BP",
    "systolic_rise": "systolic rise from baseline",
    "diastolic_rise": "diastolic rise from baseline",
    "heart_rate": "heart rate",
    "spo2": "SpO2",
    "resp_rate": "respiratory rate",
    "moaas": "MOAA/S",
}
COMPARISON_SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


def readable_comparison(measure: str, comparison: str, value) -> str:
    """`systolic >= 180` as a nurse reads it: "systolic BP ≥ 180"."""
    name = MEASURE_NAMES.get(measure, measure.replace("_", " "))
    return f"{name} {COMPARISON_SYMBOLS.get(comparison, comparison)} {value}"


@dataclass(frozen=True)
class AlertRule:
    """One vitals or scale check: `measure comparison value` raises alert `code`."""

    code: str
    label: str
    measure: str
    comparison: str  # one of >=, >, <=, <
    value: Decimal
    source: str

    @property
    def readable(self) -> str:
        return readable_comparison(self.measure, self.comparison, self.value)


@dataclass(frozen=True)
class PreDoseRule:
    """Pre-dose BP above these values needs a prescriber's go/no-go with a note."""

    systolic_above: Decimal | None
    diastolic_above: Decimal | None
    source: str


@dataclass(frozen=True)
class FastingRule:
    """Minimum time between food, liquids, nasal products and the dose."""

    food_min_before: int | None
    liquids_min_before: int | None
    nasal_products_min_before: int | None
    source: str


@dataclass(frozen=True)
class ObservationRule:
    """Minimum observation before discharge, counted from the first device or infusion end."""

    minimum_min: int | None
    measured_from: str
    source: str


@dataclass(frozen=True)
class DischargeCriteria:
    """What must hold before a patient leaves."""

    aldrete_min: int
    bp_within_pct_of_baseline: Decimal
    moaas_required: int
    escort_required: bool
    effects_resolved_required: bool
    source: str
    effects_source: str = ""


@dataclass(frozen=True)
class ExposureLimit:
    """Cumulative exposure per window above which a dependence-risk warning shows."""

    window_days: int
    max_sessions: int | None
    max_mg: Decimal | None
    source: str


@dataclass(frozen=True)
class ProtocolDefinition:
    """A complete treatment protocol; clinics copy it and change values (versioned)."""

    code: str
    name: str
    drug: str
    route: str
    consent_type: str
    summary: str
    dose: DoseRule
    phases: tuple[SchedulePhase, ...]
    monitoring: MonitoringRule
    alerts: tuple[AlertRule, ...]
    pre_dose: PreDoseRule
    fasting: FastingRule
    observation: ObservationRule
    discharge: DischargeCriteria
    exposure: ExposureLimit
    # Whose label the protocol follows: US-FDA or EU-EMA (doses differ, e.g. esketamine 28 mg).
    jurisdiction: str = US_FDA
    pregnancy_test_applicable: bool = True
    prescriber_on_site_required: bool = False
    prescriber_on_site_source: str = ""
    rems_form_required: bool = False
    # False for clinic-defined placeholders: no course may start until a clinic copy sets it.
    configured: bool = True
    needs_configuration: tuple[str, ...] = ()
