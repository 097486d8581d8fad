"""Built-in treatment protocols as data: every dose, schedule and threshold next to its source."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ketaclinic.protocols.shapes import (  # noqa: F401 (other apps read these here)
    COMPARISON_SYMBOLS,
    CONCOMITANT_MEDICATION_CLASSES,
    CONSENT_TYPES,
    DOSE_START,
    DRUGS,
    ESKETAMINE,
    ESKETAMINE_REMS,
    FIRST_DEVICE,
    FIXED_MG,
    INFUSION_END,
    KETAMINE,
    KETAMINE_OFF_LABEL,
    MEASURE_NAMES,
    MG_PER_KG,
    AlertRule,
    AssessmentTime,
    DischargeCriteria,
    DoseRule,
    ExposureLimit,
    FastingRule,
    MonitoringRule,
    ObservationRule,
    PreDoseRule,
    ProtocolDefinition,
    SchedulePhase,
    readable_comparison,
)
from ketaclinic.protocols.sources import (
    ACTUAL,
    ALDRETE,
    CLINIC_DEFINED,
    CLINIC_MAXIMUM,
    COMMON_ALERT,
    DEFAULT_ALERT,
    DOSING_WEIGHTS,
    ESK_BP_CATEGORIES,
    ESK_EU_AGE_65,
    ESK_EU_DOSES,
    ESK_LABEL,
    ESK_REMS,
    ESK_REMS_2024,
    ESK_SMPC,
    ESK_US_DOSES,
    ESKETAMINE_LABEL_FLOORS,
    EU_EMA,
    IV_INDUCTION,
    IV_MONITORING,
    IV_TRIALS,
    KETALAR,
    KETAMINE_DILUTION_SOURCE,
    KETAMINE_STRENGTHS_MG_PER_ML,
    KETAMINE_STRENGTHS_SOURCE,
    MOAAS,
    SPO2_ALERT,
    US_FDA,
)


def _d(value: str) -> Decimal:
    return Decimal(value)


def _vital_alerts(*, systolic: str, diastolic: str, hypertension_source: str, rise_source: str):
    return (
        AlertRule(
            "hypertension", "Hypertension", "systolic", ">=", _d(systolic), hypertension_source
        ),
        AlertRule(
            "hypertension", "Hypertension", "diastolic", ">=", _d(diastolic), hypertension_source
        ),
        AlertRule("bp_rise", "BP rise from baseline", "systolic_rise", ">=", _d("40"), rise_source),
        AlertRule(
            "bp_rise", "BP rise from baseline", "diastolic_rise", ">=", _d("25"), rise_source
        ),
        AlertRule("tachycardia", "Tachycardia", "heart_rate", ">", _d("110"), COMMON_ALERT),
        AlertRule("bradycardia", "Bradycardia", "heart_rate", "<", _d("50"), DEFAULT_ALERT),
        AlertRule("hypoxemia", "Low oxygen saturation", "spo2", "<", _d("92"), SPO2_ALERT),
        AlertRule("bradypnea", "Slow breathing", "resp_rate", "<", _d("10"), DEFAULT_ALERT),
        AlertRule("oversedation", "Deep sedation", "moaas", "<=", _d("2"), DEFAULT_ALERT),
    )


_ESKETAMINE_ALERTS = _vital_alerts(
    systolic="180",
    diastolic="110",
    hypertension_source=ESK_BP_CATEGORIES,
    rise_source=ESK_BP_CATEGORIES,
)
_IV_ALERTS = _vital_alerts(
    systolic="180", diastolic="100", hypertension_source=COMMON_ALERT, rise_source=DEFAULT_ALERT
)

_ESKETAMINE_ASSESSMENTS = (
    AssessmentTime("moaas", (40,), True, f"{CLINIC_DEFINED}; aligned with the 40-min BP check"),
    AssessmentTime("cadss6", (40,), True, f"{CLINIC_DEFINED}; aligned with the 40-min BP check"),
)
_IV_ASSESSMENTS = (
    AssessmentTime("moaas", (20, 40), True, f"{CLINIC_DEFINED}; during and after the infusion"),
    AssessmentTime("cadss6", (40,), True, f"{CLINIC_DEFINED}; at the end of a 40-min infusion"),
)


def _esketamine_common(label: str, *, us: bool) -> dict[str, Any]:
    """What every esketamine protocol of a jurisdiction shares: monitoring, checks, discharge."""
    return {
        "drug": ESKETAMINE,
        "route": "intranasal",
        "consent_type": ESKETAMINE_REMS,
        "jurisdiction": US_FDA if us else EU_EMA,
        "monitoring": MonitoringRule(
            source=(
                f"BP before dosing, at about 40 min, then as clinically warranted ({label})"
                + (f"; pulse oximetry at every session ({ESK_REMS_2024})" if us else "")
            ),
            pre_dose=True,
            checkpoints_min=(40,),
            checkpoint_window_min=5,
            then_every_min=None,
            before_discharge=True,
            pulse_oximetry_continuous=True,
            assessments=_ESKETAMINE_ASSESSMENTS,
        ),
        "alerts": _ESKETAMINE_ALERTS,
        "pre_dose": PreDoseRule(
            _d("140"),
            _d("90"),
            f"pre-dose BP above 140/90: weigh risk (verify wording; {ESK_LABEL})"
            if us
            else (
                "the SmPC asks to weigh risk and benefit when baseline BP is elevated and gives no "
                f"number in section 4.2 ({ESK_SMPC}); 140/90 is the US label's level, kept as a "
                "clinic-configurable threshold (verify)"
            ),
        ),
        "fasting": FastingRule(
            120,
            30,
            60,
            f"no food 2 h, no liquids 30 min, nasal corticosteroid or decongestant 1 h ({label})"
            + ("" if us else " (verify)"),
        ),
        "observation": (
            ObservationRule(
                ESKETAMINE_LABEL_FLOORS[US_FDA].observation_min,
                FIRST_DEVICE,
                f"at least 2 hours after dosing ({ESK_LABEL}; {ESK_REMS})",
            )
            if us
            else ObservationRule(
                None,
                FIRST_DEVICE,
                f"monitor until clinically stable and ready to leave; no minimum time ({label}); "
                "the clinic may set one",
            )
        ),
        "discharge": DischargeCriteria(
            aldrete_min=9,
            bp_within_pct_of_baseline=_d("20"),
            moaas_required=5,
            escort_required=True,
            effects_resolved_required=True,
            source=(
                f"{ALDRETE}; {MOAAS}; no driving until the next day after restful sleep, so a "
                f"ride home ({label})"
            ),
            effects_source=(
                "observe until sedation, dissociation and respiratory depression resolve "
                + (f"({ESK_LABEL}; {ESK_REMS_2024})" if us else f"({label}) (verify)")
            ),
        ),
        "rems_form_required": us,
        "prescriber_on_site_required": us,
        "prescriber_on_site_source": (
            f"a prescriber on site during administration and monitoring ({ESK_REMS})" if us else ""
        ),
    }


def _esketamine_trd_phases(label: str) -> tuple[SchedulePhase, ...]:
    return (
        SchedulePhase(
            code="induction",
            name="Induction",
            weeks=4,
            sessions_per_period=2,
            source=f"weeks 1-4 twice weekly ({label})",
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
            source=f"weeks 5-8 once weekly ({label})",
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
                f"week 9 on every 2 weeks or weekly, least frequent that keeps response ({label})"
            ),
            min_gap_days=2,
            min_gap_source="derived from the phase frequency (verify)",
            planned_dose_mg=_d("56"),
            planned_sessions_if_open_ended=4,
            alternative="weekly; 56 or 84 mg",
        ),
    )


_ESKETAMINE_EXPOSURE = ExposureLimit(
    30,
    9,
    _d("756"),
    "derived from the label's most frequent schedule (twice weekly at 84 mg: 9 sessions, "
    "756 mg in 30 days); no primary source sets an exposure limit (verify; configurable)",
)


def _esketamine_dose(*, source: str, first_dose_mg: str, max_dose_source: str, **more):
    """An esketamine dose rule: fixed mg from 28 mg devices given 5 minutes apart, 56 or 84
    mg a session and never above 84 mg (`more`: the EU SmPC's doses at 65 and over)."""
    return DoseRule(
        basis=FIXED_MG,
        source=source,
        first_dose_mg=_d(first_dose_mg),
        allowed_doses_mg=(_d("56"), _d("84")),
        device_mg=_d("28"),
        rest_between_devices_min=5,
        max_dose_mg=_d("84"),
        max_dose_source=max_dose_source,
        **more,
    )


ESKETAMINE_TRD = ProtocolDefinition(
    code="esketamine_trd",
    name="Esketamine nasal spray, treatment-resistant depression (US label schedule)",
    summary="Weeks 1-4 twice weekly (day 1 56 mg for every adult, then 56 or 84 mg); weeks 5-8 "
    "weekly; week 9 on every 2 weeks or weekly.",
    dose=_esketamine_dose(
        source=ESK_US_DOSES,
        first_dose_mg="56",
        max_dose_source=f"84 mg, the highest label dose ({ESK_LABEL})",
    ),
    phases=_esketamine_trd_phases(ESK_LABEL),
    exposure=_ESKETAMINE_EXPOSURE,
    pregnancy_test_applicable=True,
    **_esketamine_common(ESK_LABEL, us=True),
)

ESKETAMINE_TRD_EU = ProtocolDefinition(
    code="esketamine_trd_eu",
    name="Esketamine nasal spray, treatment-resistant depression (EU SmPC schedule)",
    summary="Weeks 1-4 twice weekly (day 1 56 mg; 28 mg at 65 and over, then 28, 56 or 84 mg); "
    "weeks 5-8 weekly; week 9 on every 2 weeks or weekly.",
    dose=_esketamine_dose(
        source=ESK_EU_DOSES,
        first_dose_mg="56",
        max_dose_source=f"84 mg, the highest dose of the SmPC ({ESK_SMPC})",
        first_dose_mg_age_65_plus=_d("28"),
        allowed_doses_mg_age_65_plus=(_d("28"), _d("56"), _d("84")),
        age_65_plus_source=ESK_EU_AGE_65,
    ),
    phases=_esketamine_trd_phases(ESK_SMPC),
    exposure=_ESKETAMINE_EXPOSURE,
    pregnancy_test_applicable=True,
    **_esketamine_common(ESK_SMPC, us=False),
)

ESKETAMINE_MDSI = ProtocolDefinition(
    code="esketamine_mdsi",
    name="Esketamine nasal spray, depression with acute suicidal ideation (MDSI, US label)",
    summary="84 mg twice weekly for 4 weeks; may reduce to 56 mg.",
    dose=_esketamine_dose(
        source=f"MDSI: 84 mg twice weekly for 4 weeks, may reduce to 56 mg ({ESK_LABEL})",
        first_dose_mg="84",
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
        "derived from the MDSI schedule (twice weekly at 84 mg in 30 days); no primary source "
        "sets an exposure limit (verify; configurable)",
    ),
    **_esketamine_common(ESK_LABEL, us=True),
)

# Racemic ketamine is given off-label in the US, whatever the route.
_KETAMINE_OFF_LABEL_US = {
    "drug": KETAMINE,
    "consent_type": KETAMINE_OFF_LABEL,
    "jurisdiction": US_FDA,
}

IV_KETAMINE = ProtocolDefinition(
    code="iv_ketamine",
    name="IV racemic ketamine infusion (off-label)",
    route="intravenous",
    **_KETAMINE_OFF_LABEL_US,
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
        # No clinical source gives an absolute ceiling: it is the clinic's choice, set in its
        # version of the protocol. Until then the order form and the calculator say so.
        max_dose_mg=None,
        max_dose_source=CLINIC_MAXIMUM,
        dosing_weight=ACTUAL,
        dosing_weight_source=(
            f"{DOSING_WEIGHTS[ACTUAL]}; the basis is the clinic's choice (clinic-configurable: "
            "actual, ideal or adjusted body weight)"
        ),
        concentrations_mg_per_ml=KETAMINE_STRENGTHS_MG_PER_ML,
        concentrations_source=KETAMINE_STRENGTHS_SOURCE,
        must_dilute_mg_per_ml=(_d("100"),),
        must_dilute_source=KETAMINE_DILUTION_SOURCE,
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
    alerts=_IV_ALERTS,
    pre_dose=PreDoseRule(
        _d("180"),
        _d("100"),
        "the intra-session alert level applied before dosing; the label contraindicates ketamine "
        f"where a significant rise in BP would be a serious hazard ({KETALAR}) "
        "(verify; clinic-configurable)",
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
        source=(
            f"{ALDRETE}; {MOAAS}; released only when recovery is complete, accompanied by a "
            f"responsible adult ({KETALAR})"
        ),
        effects_source="no unresolved sedation, dissociation or respiratory depression (verify)",
    ),
    exposure=ExposureLimit(
        30,
        6,
        None,
        f"derived from the induction course ({IV_INDUCTION}); no primary source sets an exposure "
        "limit (verify; configurable)",
    ),
    needs_configuration=(
        "minimum observation time after the infusion ends",
        "absolute maximum mg per session (the clinic's choice; none is set)",
    ),
)


def _clinic_defined_placeholder(code: str, name: str, route: str) -> ProtocolDefinition:
    # No primary source gives an IM or oral protocol. These placeholders carry the
    # conservative IV monitoring and alert rules, no dose at all, and `configured=False`: a
    # course cannot start under them until a clinic copy sets every dose value.
    return ProtocolDefinition(
        code=code,
        name=name,
        route=route,
        **_KETAMINE_OFF_LABEL_US,
        summary="Clinic must configure: dose, schedule and observation time are not set.",
        dose=DoseRule(
            basis=MG_PER_KG if route == "intramuscular" else FIXED_MG,
            source=CLINIC_DEFINED,
            max_dose_source=CLINIC_DEFINED,
            concentrations_mg_per_ml=KETAMINE_STRENGTHS_MG_PER_ML
            if route == "intramuscular"
            else (),
            concentrations_source=KETAMINE_STRENGTHS_SOURCE if route == "intramuscular" else "",
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
        alerts=_IV_ALERTS,
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
    p.code: p
    for p in (
        IV_KETAMINE,
        ESKETAMINE_TRD,
        ESKETAMINE_MDSI,
        ESKETAMINE_TRD_EU,
        IM_KETAMINE,
        ORAL_KETAMINE,
    )
}
