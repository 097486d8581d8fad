"""Sources and label data the built-in protocols cite: labels, papers, formulas, strengths."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# Where each value comes from, named as users read it (the label, the paper, the regulation).
# "(verify)" marks values taken from secondary sources or not given by any primary source:
# they are defaults a clinic must check, and every one can be changed in a clinic's copy.
# docs/treatment-day.md lists each rule with its source.
US_FDA = "US-FDA"
EU_EMA = "EU-EMA"
JURISDICTIONS = (US_FDA, EU_EMA)

ESK_LABEL = (
    "Spravato US prescribing information (FDA; DailyMed set id "
    "d81a6a79-a74a-44b7-822c-0dfa3036eaed)"
)
ESK_SMPC = "Spravato summary of product characteristics, section 4.2 (EMA, EU SmPC)"
ESK_REMS = "Spravato REMS (FDA REMS id 386)"
ESK_REMS_2024 = "Spravato REMS modification of 31 Dec 2024 (FDA REMS id 386)"
ESK_US_DOSES = (
    f"day 1 56 mg for every adult, then 56 or 84 mg; the US label has no 28 mg dose ({ESK_LABEL})"
)
ESK_EU_DOSES = f"adults under 65: day 1 56 mg, then 56 or 84 mg ({ESK_SMPC})"
ESK_EU_AGE_65 = (
    f"adults 65 and over: day 1 28 mg, then 28, 56 or 84 mg, changed in 28 mg steps ({ESK_SMPC})"
)
KETALAR = (
    "Ketalar (ketamine hydrochloride injection) US label (DailyMed set id "
    "14e8f864-8b8a-4e7e-8439-e510d3107063)"
)
IV_TRIALS = (
    "0.5 mg/kg over 40 min: Zarate et al., Arch Gen Psychiatry 2006;63:856; Sanacora et al., "
    "JAMA Psychiatry 2017;74:399; practice range 0.5-1.0 mg/kg over 40-60 min (ASKP3 practice "
    "guidance)"
)
IV_INDUCTION = (
    "typically 6 infusions over 2-3 weeks (2-3 per week): a common induction course, not from "
    "a single primary source (verify; clinic-configurable)"
)
IV_MONITORING = (
    "Riva-Posse et al., J Affect Disord 2018 (Emory, 684 infusions): BP every 10 min during "
    "the infusion and every 15 min after"
)
COMMON_ALERT = "commonly used alert / stop level (verify; clinic-configurable)"
DEFAULT_ALERT = "default alert level, not taken from a primary source (verify; clinic-configurable)"
ESK_BP_CATEGORIES = (
    "the blood-pressure categories the Spravato US label reports from its trials (section 6.1), "
    f"used as alert levels ({ESK_LABEL}) (verify; clinic-configurable)"
)
SPO2_ALERT = (
    "commonly used alert level; the modified Aldrete score gives 2 points for SpO2 above 92% on "
    "room air (Aldrete 1995) (verify; clinic-configurable)"
)
ALDRETE = (
    "modified Aldrete score of 9 or more, circulation scored 2 when BP is within 20% of the "
    "pre-dose value (Aldrete, J Clin Anesth 1995;7:89)"
)
MOAAS = "MOAA/S (Chernik et al., J Clin Psychopharmacol 1990), 5 = responds readily to name"
CLINIC_DEFINED = "clinic-defined: no primary source gives a value (clinic must configure)"
CLINIC_MAXIMUM = (
    "the absolute mg per session is the clinic's choice, not a clinical fact "
    "(clinic-configurable); the per-kg maximum always applies"
)

# Marketed strengths of ketamine hydrochloride injection, from the product's label data.
KETAMINE_STRENGTHS_MG_PER_ML = (Decimal("10"), Decimal("50"), Decimal("100"))
KETAMINE_STRENGTHS_SOURCE = (
    f"marketed strengths: multiple-dose vials of 10, 50 and 100 mg/mL ({KETALAR})"
)
KETAMINE_DILUTION_SOURCE = (
    f"the label says not to give the 100 mg/mL strength intravenously without dilution ({KETALAR})"
)

# Dosing weight: what a mg/kg dose multiplies. Each formula with its source.
ACTUAL = "actual"
IDEAL = "ideal"
ADJUSTED = "adjusted"
DEVINE = (
    "ideal body weight = 50 kg (men) / 45.5 kg (women) + 2.3 kg per inch over 5 feet "
    "(Devine, Drug Intell Clin Pharm 1974;8:650)"
)
ADJUSTED_BODY_WEIGHT = (
    "adjusted body weight = ideal + 0.4 x (actual - ideal) (Bauer et al., Eur J Clin Pharmacol "
    "1983;24:643; Traynor et al., Antimicrob Agents Chemother 1995;39:545; derived for "
    "aminoglycosides: its use for ketamine is the clinic's choice)"
)
DOSING_WEIGHTS = {
    ACTUAL: "actual body weight: the weight measured for the session",
    IDEAL: DEVINE,
    ADJUSTED: f"{ADJUSTED_BODY_WEIGHT}; {DEVINE}",
}
DEVINE_BASE_KG = {"male": Decimal("50"), "female": Decimal("45.5")}
DEVINE_KG_PER_INCH = Decimal("2.3")
DEVINE_FROM_INCHES = Decimal("60")
CM_PER_INCH = Decimal("2.54")
ADJUSTED_FACTOR = Decimal("0.4")


@dataclass(frozen=True)
class LabelDoses:
    """The esketamine doses a jurisdiction's label allows (a protocol may allow fewer)."""

    doses_mg: tuple[Decimal, ...]
    source: str
    doses_mg_age_65_plus: tuple[Decimal, ...] = ()
    first_dose_mg_age_65_plus: Decimal | None = None
    age_65_plus_source: str = ""


@dataclass(frozen=True)
class LabelFloors:
    """What a jurisdiction's esketamine label fixes for every session: a clinic's copy of the
    protocol may be stricter, never looser."""

    device_mg: Decimal
    rest_between_devices_min: int
    observation_min: int  # counted from the first device
    prescriber_on_site: bool
    rems_form: bool
    source: str


# The US label and REMS (clinical reference, section 1): 28 mg devices 5 minutes apart, at
# least 2 hours of observation from the first device, a prescriber on site during
# administration and monitoring, a REMS Patient Monitoring Form for each session.
ESKETAMINE_LABEL_FLOORS = {
    US_FDA: LabelFloors(
        device_mg=Decimal("28"),
        rest_between_devices_min=5,
        observation_min=120,
        prescriber_on_site=True,
        rems_form=True,
        source=f"{ESK_LABEL}; {ESK_REMS}",
    ),
}


ESKETAMINE_LABEL_DOSES = {
    US_FDA: LabelDoses((Decimal("56"), Decimal("84")), ESK_US_DOSES),
    EU_EMA: LabelDoses(
        (Decimal("56"), Decimal("84")),
        ESK_EU_DOSES,
        doses_mg_age_65_plus=(Decimal("28"), Decimal("56"), Decimal("84")),
        first_dose_mg_age_65_plus=Decimal("28"),
        age_65_plus_source=ESK_EU_AGE_65,
    ),
}
