"""Outcome-reporting choices as data: instrument, milestones, suppression, age bands, shifts.

Every value carries its source. Clinical cut-offs (response, remission) are not repeated here:
they come from the measures app's instrument definitions (and a clinic's overrides of them), so
the dashboard and the patient chart can never disagree about who responded.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketaclinic.measures.instruments import RESPONSE_REDUCTION_PERCENT

# --- outcome definition ---------------------------------------------------------------------

# The scale outcomes are reported on. PHQ-9 is free to use, self-reported (so it is collected
# at nearly every visit) and has a published remission cut-off (see docs/outcomes.md).
# A reporting choice, not a clinical fact: change it here (or per request) to report MADRS.
# The *_SOURCE strings are shown on the outcomes pages: they name the paper or say plainly
# that a value is a choice of this software.
OUTCOME_INSTRUMENT = "phq9"
OUTCOME_INSTRUMENT_SOURCE = (
    "reporting default of this software, configurable (not a clinical fact); the scale: PHQ-9, "
    "Kroenke, Spitzer & Williams, J Gen Intern Med 2001;16:606-613"
)

# The percentage itself comes from the measures app, so the dashboard and the patient chart
# count the same patients as responders.
RESPONSE_PERCENT = RESPONSE_REDUCTION_PERCENT
RESPONSE_PERCENT_SOURCE = (
    "the usual definition of response in depression trials, a reduction of 50% or more from "
    "baseline; the same rule as on the patient chart, configurable"
)

# Reporting points after sessions 2, 4 and 6 of a course.
MILESTONE_SESSIONS = (2, 4, 6)
MILESTONE_SOURCE = "reporting choice of this software, configurable (not a clinical fact)"

# Safety-alert codes that are blood-pressure alerts (protocols.definitions._vital_alerts).
BP_ALERT_CODES = ("hypertension", "bp_rise")
BP_ALERT_SOURCE = "the blood-pressure alerts of the clinic's protocols (hypertension, rise)"

# --- small-cell suppression -----------------------------------------------------------------

# CMS cell size suppression policy: no cell of 1 to 10 (beneficiaries, events) is displayed.
# Zero is shown (it is not a small cell under that policy). Complementary suppression then
# hides a second cell wherever a single hidden cell could be worked out from a total.
SMALL_CELL_MIN = 11
SMALL_CELL_POLICY = "CMS Cell Size Suppression Policy"
SMALL_CELL_SOURCE = f"{SMALL_CELL_POLICY}: counts of 1 to 10 are not displayed"

# --- age ------------------------------------------------------------------------------------

# HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(C): ages over 89 are aggregated into 90 or older.
AGE_TOP_CODE = 90
AGE_TOP_LABEL = "90+"
AGE_TOP_SOURCE = "HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(C)"


@dataclass(frozen=True)
class AgeBand:
    low: int
    high: int | None  # inclusive; None = open-ended
    label: str


# Ten-year bands as commonly used in US health statistics (18-24 split off as young adults),
# with the Safe Harbor top code as the last band.
AGE_BANDS = (
    AgeBand(0, 17, "under 18"),
    AgeBand(18, 24, "18-24"),
    AgeBand(25, 34, "25-34"),
    AgeBand(35, 44, "35-44"),
    AgeBand(45, 54, "45-54"),
    AgeBand(55, 64, "55-64"),
    AgeBand(65, 74, "65-74"),
    AgeBand(75, 89, "75-89"),
    AgeBand(AGE_TOP_CODE, None, AGE_TOP_LABEL),
)
AGE_BANDS_SOURCE = f"ketaclinic reporting bands; top band per {AGE_TOP_SOURCE}"

# --- de-identification ----------------------------------------------------------------------

# Dates of one patient move together by a whole number of days drawn (from a keyed hash) in
# [-MAX, +MAX], never 0: intervals between a patient's events are exact, calendar dates are not.
MAX_DATE_SHIFT_DAYS = 365
DATE_SHIFT_SOURCE = (
    "ketaclinic de-identification default (configurable); per-patient shifting as in "
    "limited data set / expert determination practice"
)
PSEUDONYM_HEX_LENGTH = 32  # 128 bits of HMAC-SHA-256: collisions are not a practical concern

# Equity dimensions: patient attribute -> heading (patients.models TextChoices give the labels).
EQUITY_DIMENSIONS = (
    ("race", "Race"),
    ("ethnicity", "Ethnicity"),
    ("sex", "Sex"),
    ("age_band", "Age band at course start"),
    ("payer_type", "Payer"),
    ("income_band", "Household income"),
)
