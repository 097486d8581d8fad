"""Built-in treatment protocols as data: every dose, schedule and threshold next to its source."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# Where each value comes from. "(verify)" marks values the reference (clinical.md) takes
# from secondary sources or that the reference does not give at all: they are defaults a
# clinic must check, and every one of them can be changed in a clinic's copy of the protocol.
ESK_LABEL = (
    "FDA label, Spravato (DailyMed set id d81a6a79-a74a-44b7-822c-0dfa3036eaed); "
    "spravatohcp.com dosing pages; clinical.md section 1"
)
ESK_REMS = "Spravato REMS (FDA REMS id 386); clinical.md section 1"
IV_TRIALS = (
    "Zarate 2006; Sanacora et al., JAMA Psychiatry 2017;74:399; ASKP3 practice range "
    "0.5-1.0 mg/kg over 40-60 min; clinical.md section 2"
)
IV_INDUCTION = "typically 6 infusions over 2-3 weeks (2-3 per week); clinical.md section 2"
IV_MONITORING = (
    "Emory series (684 infusions): BP every 10 min during infusion and every 15 min after; "
    "clinical.md section 2"
)
IV_ALERTS = "alert / stop levels commonly used, clinical.md section 2 (verify; configurable)"
ISSUE_ALERTS = "ketaclinic issue 5 example alert rules (verify; configurable)"
ALDRETE = "modified Aldrete score of 9 or more; BP within 20% of baseline; clinical.md section 2"
MOAAS = "MOAA/S (Chernik 1990), 5 = responds readily to name; clinical.md section 4"
CLINIC_DEFINED = "clinic-defined: the reference gives no value (clinic must configure)"
PLANNING = "ketaclinic planning default, not a clinical fact (configurable)"

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

# REMS Patient Monitoring Form classes (clinical.md section 1); reviewed at every pre-check.
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
    first_dose_age_65_source: str = ""
    allowed_doses_mg: tuple[Decimal, ...] = ()
    device_mg: Decimal | None = None
    rest_between_devices_min: int | None = None
    # Absolute per-session ceiling; a computed dose above it is capped and flagged.
    max_dose_mg: Decimal | None = None
    max_dose_source: str = ""
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


@dataclass(frozen=True)
class AlertRule:
    """One vitals or scale check: `measure comparison value` raises alert `code`."""

    code: str
    label: str
    measure: str
    comparison: str  # one of >=, >, <=, <
    value: Decimal
    source: str


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
    pregnancy_test_applicable: bool = True
    rems_form_required: bool = False
    # False for clinic-defined placeholders: no course may start until a clinic copy sets it.
    configured: bool = True
    needs_configuration: tuple[str, ...] = ()


def _d(value: str) -> Decimal:
    return Decimal(value)


def _vital_alerts(
    *, systolic: str, diastolic: str, systolic_diastolic_source: str
) -> tuple[AlertRule, ...]:
    return (
        AlertRule(
            "hypertension",
            "Hypertension",
            "systolic",
            ">=",
            _d(systolic),
            systolic_diastolic_source,
        ),
        AlertRule(
            "hypertension",
            "Hypertension",
            "diastolic",
            ">=",
            _d(diastolic),
            systolic_diastolic_source,
        ),
        AlertRule(
            "bp_rise", "BP rise from baseline", "systolic_rise", ">=", _d("40"), ISSUE_ALERTS
        ),
        AlertRule(
            "bp_rise", "BP rise from baseline", "diastolic_rise", ">=", _d("25"), ISSUE_ALERTS
        ),
        AlertRule("tachycardia", "Tachycardia", "heart_rate", ">", _d("110"), IV_ALERTS),
        AlertRule("bradycardia", "Bradycardia", "heart_rate", "<", _d("50"), ISSUE_ALERTS),
        AlertRule("hypoxemia", "Low oxygen saturation", "spo2", "<", _d("92"), IV_ALERTS),
        AlertRule("bradypnea", "Slow breathing", "resp_rate", "<", _d("10"), ISSUE_ALERTS),
        AlertRule("oversedation", "Deep sedation", "moaas", "<=", _d("2"), ISSUE_ALERTS),
    )


_ESKETAMINE_ASSESSMENTS = (
    AssessmentTime("moaas", (40,), True, f"{CLINIC_DEFINED}; aligned with the 40-min BP check"),
    AssessmentTime("cadss6", (40,), True, f"{CLINIC_DEFINED}; aligned with the 40-min BP check"),
)
_IV_ASSESSMENTS = (
    AssessmentTime("moaas", (20, 40), True, f"{CLINIC_DEFINED}; during and after the infusion"),
    AssessmentTime("cadss6", (40,), True, f"{CLINIC_DEFINED}; at the end of a 40-min infusion"),
)

_ESKETAMINE_DISCHARGE = DischargeCriteria(
    aldrete_min=9,
    bp_within_pct_of_baseline=_d("20"),
    moaas_required=5,
    escort_required=True,
    effects_resolved_required=True,
    source=f"{ALDRETE}; {MOAAS}; ride home required ({ESK_LABEL})",
    effects_source=(
        f"observe until sedation, dissociation and respiratory depression resolve ({ESK_LABEL})"
    ),
)

_ESKETAMINE_MONITORING = MonitoringRule(
    source=f"BP before dosing, about 40 min after, then as clinically warranted ({ESK_LABEL})",
    pre_dose=True,
    checkpoints_min=(40,),
    checkpoint_window_min=5,
    then_every_min=None,
    before_discharge=True,
    pulse_oximetry_continuous=True,
    assessments=_ESKETAMINE_ASSESSMENTS,
)

_ESKETAMINE_COMMON: dict[str, Any] = {
    "drug": ESKETAMINE,
    "route": "intranasal",
    "consent_type": ESKETAMINE_REMS,
    "monitoring": _ESKETAMINE_MONITORING,
    "alerts": _vital_alerts(
        systolic="180", diastolic="110", systolic_diastolic_source=ISSUE_ALERTS
    ),
    "pre_dose": PreDoseRule(
        _d("140"), _d("90"), f"pre-dose BP above 140/90: weigh risk (verify wording; {ESK_LABEL})"
    ),
    "fasting": FastingRule(
        120, 30, 60, f"no food 2 h, no liquids 30 min, nasal products 1 h ({ESK_LABEL})"
    ),
    "observation": ObservationRule(
        120, FIRST_DEVICE, f"at least 2 hours after dosing ({ESK_LABEL}; {ESK_REMS})"
    ),
    "discharge": _ESKETAMINE_DISCHARGE,
    "rems_form_required": True,
}

ESKETAMINE_TRD = ProtocolDefinition(
    code="esketamine_trd",
    name="Esketamine nasal spray, treatment-resistant depression (label schedule)",
    summary="Weeks 1-4 twice weekly (day 1 56 mg, then 56 or 84 mg); weeks 5-8 weekly; "
    "week 9 on every 2 weeks or weekly.",
    dose=DoseRule(
        basis=FIXED_MG,
        source=ESK_LABEL,
        first_dose_mg=_d("56"),
        first_dose_mg_age_65_plus=_d("28"),
        first_dose_age_65_source=f"age 65+: some labels start at 28 mg (verify; {ESK_LABEL})",
        allowed_doses_mg=(_d("28"), _d("56"), _d("84")),
        device_mg=_d("28"),
        rest_between_devices_min=5,
        max_dose_mg=_d("84"),
        max_dose_source=f"doses 56 or 84 mg ({ESK_LABEL})",
    ),
    phases=(
        SchedulePhase(
            code="induction",
            name="Induction",
            weeks=4,
            sessions_per_period=2,
            source=f"weeks 1-4 twice weekly ({ESK_LABEL})",
            min_gap_days=2,
            min_gap_source="derived from 'twice weekly': never on consecutive days (verify)",
            planned_dose_mg=_d("56"),
            alternative="56 or 84 mg",
        ),
        SchedulePhase(
            code="optimization",
            name="Optimization",
            weeks=4,
            sessions_per_period=1,
            source=f"weeks 5-8 once weekly ({ESK_LABEL})",
            min_gap_days=2,
            min_gap_source="derived from 'once weekly' (verify)",
            planned_dose_mg=_d("56"),
            alternative="56 or 84 mg",
        ),
        SchedulePhase(
            code="maintenance",
            name="Maintenance",
            weeks=None,
            sessions_per_period=1,
            period_weeks=2,
            source=(
                "week 9 on every 2 weeks or weekly, least frequent that keeps response "
                f"({ESK_LABEL})"
            ),
            min_gap_days=2,
            min_gap_source="derived from the phase frequency (verify)",
            planned_dose_mg=_d("56"),
            planned_sessions_if_open_ended=4,
            alternative="weekly; 56 or 84 mg",
        ),
    ),
    exposure=ExposureLimit(
        30,
        9,
        _d("756"),
        "derived from the label's most frequent schedule (twice weekly at 84 mg: 9 sessions, "
        "756 mg in 30 days); the reference sets no exposure limit (verify; configurable)",
    ),
    pregnancy_test_applicable=True,
    **_ESKETAMINE_COMMON,
)

ESKETAMINE_MDSI = ProtocolDefinition(
    code="esketamine_mdsi",
    name="Esketamine nasal spray, depression with acute suicidal ideation (MDSI)",
    summary="84 mg twice weekly for 4 weeks; may reduce to 56 mg.",
    dose=DoseRule(
        basis=FIXED_MG,
        source=f"MDSI: 84 mg twice weekly for 4 weeks, may reduce to 56 mg ({ESK_LABEL})",
        first_dose_mg=_d("84"),
        allowed_doses_mg=(_d("56"), _d("84")),
        device_mg=_d("28"),
        rest_between_devices_min=5,
        max_dose_mg=_d("84"),
        max_dose_source=f"MDSI 84 mg ({ESK_LABEL})",
    ),
    phases=(
        SchedulePhase(
            code="treatment",
            name="Treatment",
            weeks=4,
            sessions_per_period=2,
            source=f"84 mg twice weekly for 4 weeks ({ESK_LABEL})",
            min_gap_days=2,
            min_gap_source="derived from 'twice weekly': never on consecutive days (verify)",
            planned_dose_mg=_d("84"),
            alternative="may reduce to 56 mg",
        ),
    ),
    exposure=ExposureLimit(
        30,
        9,
        _d("756"),
        "derived from the MDSI schedule (twice weekly at 84 mg in 30 days); the reference sets "
        "no exposure limit (verify; configurable)",
    ),
    **_ESKETAMINE_COMMON,
)

IV_KETAMINE = ProtocolDefinition(
    code="iv_ketamine",
    name="IV racemic ketamine infusion (off-label)",
    drug=KETAMINE,
    route="intravenous",
    consent_type=KETAMINE_OFF_LABEL,
    summary="0.5 mg/kg over 40 min (range 0.5-1.0 mg/kg over 40-60 min); induction 6 infusions "
    "over 2-3 weeks.",
    dose=DoseRule(
        basis=MG_PER_KG,
        source=IV_TRIALS,
        default_mg_per_kg=_d("0.5"),
        min_mg_per_kg=_d("0.5"),
        max_mg_per_kg=_d("1.0"),
        default_duration_min=40,
        min_duration_min=40,
        max_duration_min=60,
        # The reference gives a per-kg range and no absolute ceiling; a clinic may set one in
        # its copy (for example a dosing-weight cap). The per-kg maximum always applies.
        max_dose_mg=None,
        max_dose_source=f"maximum 1.0 mg/kg ({IV_TRIALS}); absolute mg cap: {CLINIC_DEFINED}",
    ),
    phases=(
        SchedulePhase(
            code="induction",
            name="Induction",
            weeks=3,
            sessions_per_period=3,
            total_sessions=6,
            source=IV_INDUCTION,
            min_gap_days=2,
            min_gap_source="derived from 2-3 infusions per week: at least one day between (verify)",
            planned_dose_mg_per_kg=_d("0.5"),
            alternative="courses of 4-6 infusions are common; maintenance is individual",
        ),
    ),
    monitoring=MonitoringRule(
        source=IV_MONITORING,
        pre_dose=True,
        during_infusion_every_min=10,
        after_infusion_every_min=15,
        before_discharge=True,
        pulse_oximetry_continuous=True,
        assessments=_IV_ASSESSMENTS,
    ),
    alerts=_vital_alerts(systolic="180", diastolic="100", systolic_diastolic_source=IV_ALERTS),
    pre_dose=PreDoseRule(
        _d("180"),
        _d("100"),
        f"the intra-session alert level applied before dosing; {CLINIC_DEFINED} (verify)",
    ),
    fasting=FastingRule(None, None, None, CLINIC_DEFINED),
    observation=ObservationRule(
        None, INFUSION_END, f"after the infusion ends, per clinic protocol; {CLINIC_DEFINED}"
    ),
    discharge=DischargeCriteria(
        aldrete_min=9,
        bp_within_pct_of_baseline=_d("20"),
        moaas_required=5,
        escort_required=True,
        effects_resolved_required=True,
        source=f"{ALDRETE}; {MOAAS}; responsible adult escort (clinical.md section 2)",
        effects_source="no unresolved sedation, dissociation or respiratory depression (verify)",
    ),
    exposure=ExposureLimit(
        30,
        6,
        None,
        f"derived from the induction course ({IV_INDUCTION}); the reference sets no exposure "
        "limit (verify; configurable)",
    ),
    needs_configuration=("minimum observation time after the infusion ends",),
)


def _clinic_defined_placeholder(code: str, name: str, route: str) -> ProtocolDefinition:
    # The reference has no IM or oral protocol. These placeholders carry the conservative
    # IV monitoring and alert rules, no dose at all, and `configured=False`: a course cannot
    # start under them until a clinic copy sets every dose value and marks it configured.
    return ProtocolDefinition(
        code=code,
        name=name,
        drug=KETAMINE,
        route=route,
        consent_type=KETAMINE_OFF_LABEL,
        summary="Clinic must configure: dose, schedule and observation time are not set.",
        dose=DoseRule(
            basis=MG_PER_KG if route == "intramuscular" else FIXED_MG,
            source=CLINIC_DEFINED,
            max_dose_source=CLINIC_DEFINED,
        ),
        phases=(),
        monitoring=MonitoringRule(
            source=f"placeholder copied from IV monitoring ({IV_MONITORING}); {CLINIC_DEFINED}",
            during_infusion_every_min=None,
            after_infusion_every_min=15,
            before_discharge=True,
            pulse_oximetry_continuous=True,
            assessments=_IV_ASSESSMENTS,
        ),
        alerts=_vital_alerts(systolic="180", diastolic="100", systolic_diastolic_source=IV_ALERTS),
        pre_dose=PreDoseRule(_d("180"), _d("100"), f"placeholder; {CLINIC_DEFINED}"),
        fasting=FastingRule(None, None, None, CLINIC_DEFINED),
        observation=ObservationRule(None, DOSE_START, CLINIC_DEFINED),
        discharge=IV_KETAMINE.discharge,
        exposure=ExposureLimit(30, None, None, CLINIC_DEFINED),
        configured=False,
        needs_configuration=(
            "dose rule (mg/kg or fixed mg) and maximum dose",
            "schedule phases",
            "minimum observation time",
            "monitoring intervals",
        ),
    )


IM_KETAMINE = _clinic_defined_placeholder(
    "im_ketamine", "IM racemic ketamine (clinic-defined)", "intramuscular"
)
ORAL_KETAMINE = _clinic_defined_placeholder(
    "oral_ketamine", "Oral racemic ketamine (clinic-defined)", "oral"
)

PROTOCOLS: dict[str, ProtocolDefinition] = {
    p.code: p for p in (IV_KETAMINE, ESKETAMINE_TRD, ESKETAMINE_MDSI, IM_KETAMINE, ORAL_KETAMINE)
}
