"""Billing facts as data: service codes, time rules, the dispute threshold, each with its source."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# Code sets: CPT is the AMA's, HCPCS Level II is CMS's. Strings here are shown to users
# (fee schedule, estimates, superbills), so they name the code set or the rule, never an
# internal document.
CPT = "AMA CPT code set"
HCPCS = "CMS HCPCS Level II code set"
CPT_INFUSION_TIME = (
    "AMA CPT guidelines for hydration, therapeutic, prophylactic and diagnostic injections and "
    "infusions (96360-96379): 96365 'initial, up to 1 hour' is reported for an infusion of more "
    "than 15 minutes (15 minutes or less is an IV push, 96374); +96366 'each additional hour' "
    "for an interval of more than 30 minutes beyond the last full hour (91-150 min: 1 unit, "
    "151-210 min: 2 units). Some payers publish their own rule: verify with each payer "
    "(configurable)"
)
G_CODES = (
    f"{HCPCS}, effective 1 January 2020: G2082 (up to 56 mg esketamine nasal "
    "self-administration) and G2083 (over 56 mg), each an established-patient visit including "
    "2 hours post-administration observation (Medicare)"
)
NSA_DISPUTE = (
    "No Surprises Act, 45 CFR 149.620 (patient-provider dispute resolution): billed charges "
    "substantially in excess of the Good Faith Estimate means at least $400 more for a provider "
    "or facility; the patient may start the dispute within 120 calendar days of the bill"
)
NSA_GFE = (
    "No Surprises Act, 45 CFR 149.610 (Good Faith Estimates for uninsured or self-pay individuals)"
)
CMS_POS = "CMS place of service code set: 11 = Office (verify for your setting)"
CLINIC_DATA = "clinic data: the clinic sets its own prices (no fee is a fact)"

# Money is exact: Decimal cents, rounded half-up once per line (see rules.money).
DISPUTE_THRESHOLD = Decimal("400.00")
PLACE_OF_SERVICE_OFFICE = "11"


@dataclass(frozen=True)
class Service:
    """A billable service a clinic prices in its fee schedule."""

    key: str
    label: str
    default_code: str
    unit: str
    source: str
    # Discounts from the sliding scale apply unless the clinic says otherwise.
    discountable: bool = True


IV_FIRST_HOUR = "iv_infusion_first_hour"
IV_ADDITIONAL_HOUR = "iv_infusion_additional_hour"
ESK_UP_TO_56 = "esketamine_session_up_to_56mg"
ESK_OVER_56 = "esketamine_session_over_56mg"
KETAMINE_PER_MG = "ketamine_drug_per_mg"
ESKETAMINE_PER_DEVICE = "esketamine_drug_per_device"
CONSULTATION = "consultation"
FOLLOW_UP = "follow_up"

SERVICES: dict[str, Service] = {
    s.key: s
    for s in (
        Service(
            IV_FIRST_HOUR,
            "IV infusion, initial, up to 1 hour",
            "96365",
            "session",
            f"{CPT}: 96365 (intravenous infusion, initial, up to 1 hour)",
        ),
        Service(
            IV_ADDITIONAL_HOUR,
            "IV infusion, each additional hour",
            "96366",
            "hour",
            f"{CPT}: +96366 (each additional hour)",
        ),
        Service(
            ESK_UP_TO_56,
            "Esketamine session, up to 56 mg, with 2 h observation",
            "G2082",
            "session",
            G_CODES,
        ),
        Service(
            ESK_OVER_56,
            "Esketamine session, over 56 mg, with 2 h observation",
            "G2083",
            "session",
            G_CODES,
        ),
        # The reference names no drug code (the esketamine drug code changed in 2026:
        # verify); the clinic enters the code its payers expect, or leaves it blank.
        Service(
            KETAMINE_PER_MG,
            "Ketamine (drug), per mg",
            "",
            "mg",
            f"{CLINIC_DATA}; drug code: clinic-entered",
        ),
        Service(
            ESKETAMINE_PER_DEVICE,
            "Esketamine 28 mg nasal device (drug), per device",
            "",
            "device",
            f"{CLINIC_DATA}; drug code: clinic-entered (the {HCPCS} drug code for esketamine "
            "changed on 1 January 2026: verify with each payer)",
        ),
        # E/M levels depend on the visit; the reference gives none, so the clinic chooses.
        Service(
            CONSULTATION,
            "Consultation (new patient evaluation)",
            "",
            "visit",
            f"{CPT}: evaluation and management (E/M) codes; the level is the clinic's choice",
        ),
        Service(
            FOLLOW_UP,
            "Follow-up visit",
            "",
            "visit",
            f"{CPT}: evaluation and management (E/M) codes; the level is the clinic's choice",
        ),
    )
}


@dataclass(frozen=True)
class InfusionTimeRule:
    """CPT time rule for IV infusion units (configurable per clinic)."""

    initial_code: str = "96365"
    additional_code: str = "96366"
    # 96365 needs more than this many minutes (15 or less is reported as a push).
    push_max_minutes: int = 15
    hour_minutes: int = 60
    # Another unit of 96366 needs MORE than this many minutes beyond the last full hour.
    additional_more_than_minutes: int = 30
    source: str = CPT_INFUSION_TIME


@dataclass(frozen=True)
class EsketamineCodeRule:
    """G2082 up to and including the dose limit, G2083 above it."""

    up_to_mg: Decimal = Decimal("56")
    low_code: str = "G2082"
    high_code: str = "G2083"
    source: str = G_CODES


@dataclass(frozen=True)
class Diagnosis:
    code: str
    description: str


ICD10_SOURCE = (
    "ICD-10-CM tabular list (CDC National Center for Health Statistics), categories F32 and F33 "
    "(major depressive disorder, single episode and recurrent); descriptions abbreviated "
    "(verify against the current ICD-10-CM release)"
)
# F32.x / F33.x codes offered in the chart; any code of the form F32.x / F33.x is accepted.
DIAGNOSES: tuple[Diagnosis, ...] = (
    Diagnosis("F32.0", "Major depressive disorder, single episode, mild"),
    Diagnosis("F32.1", "Major depressive disorder, single episode, moderate"),
    Diagnosis(
        "F32.2", "Major depressive disorder, single episode, severe without psychotic features"
    ),
    Diagnosis("F32.3", "Major depressive disorder, single episode, severe with psychotic features"),
    Diagnosis("F32.4", "Major depressive disorder, single episode, in partial remission"),
    Diagnosis("F32.5", "Major depressive disorder, single episode, in full remission"),
    Diagnosis("F32.9", "Major depressive disorder, single episode, unspecified"),
    Diagnosis("F33.0", "Major depressive disorder, recurrent, mild"),
    Diagnosis("F33.1", "Major depressive disorder, recurrent, moderate"),
    Diagnosis("F33.2", "Major depressive disorder, recurrent, severe without psychotic features"),
    Diagnosis("F33.3", "Major depressive disorder, recurrent, severe with psychotic symptoms"),
    Diagnosis("F33.41", "Major depressive disorder, recurrent, in partial remission"),
    Diagnosis("F33.42", "Major depressive disorder, recurrent, in full remission"),
    Diagnosis("F33.9", "Major depressive disorder, recurrent, unspecified"),
)
DIAGNOSIS_PATTERN = r"^F3[23]\.[0-9A-Z]{1,2}$"

# What a Good Faith Estimate tells the patient (45 CFR 149.610(c)), in plain words.
GFE_DISCLAIMERS = (
    "This Good Faith Estimate shows the costs of items and services that are reasonably "
    "expected for your health care needs. It is based on information known when it was made.",
    "It does not include unknown or unexpected costs that may arise during treatment. You "
    "could be charged more if complications or special circumstances occur, or if your "
    "treatment plan changes.",
    "If you are billed at least $400 more than this Good Faith Estimate for this provider, "
    "you have the right to dispute the bill. You may contact the clinic to ask them to update "
    "the bill, to negotiate it, or whether financial assistance is available. You may also "
    "start the patient-provider dispute resolution process with the U.S. Department of Health "
    "and Human Services within 120 calendar days of the date on the original bill.",
    "This Good Faith Estimate is not a contract and does not require you to obtain the items "
    "or services from any of the providers or facilities named in it.",
    "For questions or more information about your right to a Good Faith Estimate or the "
    "dispute process, visit www.cms.gov/nosurprises.",
)


# Bounds of the configurable coding rules (plausibility, not clinical values): the settings
# service checks them for the page and the API alike, and the API schema states the same.
MINUTE_RULE_MAX = {"infusion_push_max_minutes": 60, "infusion_additional_more_than_minutes": 59}
LOW_DOSE_MG_BELOW = Decimal("10000")  # the column holds 5 digits, one after the point
