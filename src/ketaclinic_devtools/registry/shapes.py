"""Shapes of the SYNTHETIC registry: mixes and rates that make the data look like a clinic's.

Nothing here is a clinical fact or a statistic. Values are loosely shaped on the published
series of IV ketamine (e.g. the Yale series: severe hypertension in about 1% of IV
sessions; peak rise about +16/+11 mmHg at 40 min) so dashboards and benchmarks see realistic
volumes; every clinical threshold the generator checks against comes from the protocol
definitions, never from this file.
"""

from __future__ import annotations

SOURCE = "synthetic registry shape (ketaclinic); not clinical data"

# --- demographics (patients.models choices) ---------------------------------------------------
SEXES = (("female", 60), ("male", 37), ("other", 2), ("unknown", 1))
RACES = (
    ("american_indian_alaska_native", 1),
    ("asian", 6),
    ("black", 13),
    ("native_hawaiian_pacific_islander", 1),
    ("white", 60),
    ("multiple", 4),
    ("other", 5),
    ("declined", 3),
    ("unknown", 7),
)
ETHNICITIES = (("hispanic", 18), ("not_hispanic", 75), ("declined", 3), ("unknown", 4))
PAYERS = (
    ("self_pay", 45),
    ("commercial", 35),
    ("medicare", 8),
    ("medicaid", 6),
    ("va_military", 3),
    ("other", 2),
    ("unknown", 1),
)
INCOMES = (
    ("under_25k", 15),
    ("25k_50k", 25),
    ("50k_100k", 30),
    ("100k_plus", 20),
    ("declined", 6),
    ("unknown", 4),
)
# Age at referral: mostly adults 20-70; a few very old patients exercise the "90+" top code.
AGE_MIN, AGE_MODE, AGE_MAX = 19, 41, 84
OLDEST_SHARE = 0.004  # ages 90-96

# --- intake funnel ----------------------------------------------------------------------------
REFERRAL_OUTCOMES = (
    ("referred", 3),
    ("intake_in_progress", 4),
    ("declined", 8),
    ("eligible", 85),
)
TRIALS_PER_PATIENT = (2, 4)
DAYS_REFERRAL_TO_COURSE = (7, 35)

# --- courses ----------------------------------------------------------------------------------
PROTOCOL_MIX = (("iv_ketamine", 55), ("esketamine_trd", 35), ("esketamine_mdsi", 10))
SECOND_COURSE_SHARE = 0.12
DAYS_BETWEEN_COURSES = (30, 120)
PRE_DOSE_ABORT_SHARE = 0.03

# Trajectory types: (name, share, fraction of baseline removed at full effect, dropout share).
TRAJECTORIES = (
    ("remitter", 0.28, (0.78, 0.95), 0.05),
    ("responder", 0.24, (0.52, 0.72), 0.08),
    ("partial", 0.20, (0.25, 0.45), 0.15),
    ("non_responder", 0.28, (0.0, 0.2), 0.28),
)
# Sessions to reach ~63% of the full effect (IV faster than intranasal in the synthetic shape).
EFFECT_TAU_SESSIONS = {"iv_ketamine": 1.6, "esketamine_trd": 3.0, "esketamine_mdsi": 2.5}
BASELINE_PHQ9 = (19.0, 4.0, 10, 27)  # mean, sd, min, max
SCORE_NOISE_SD = 2.0
SCORE_BEFORE_SESSION_SHARE = 0.9
FINAL_SCORE_SHARE = 0.8

# --- monitoring -------------------------------------------------------------------------------
# Minutes after the dose start at which post-dose vitals are taken (pre-dose is always taken).
VITALS_MINUTES = {"iv_ketamine": (20, 40, 70), "esketamine": (40, 120)}
SYSTOLIC = (122.0, 12.0)
DIASTOLIC = (76.0, 6.0)
SESSION_BP_SD = (5.0, 3.0)  # one patient's pre-dose BP from session to session
BP_RISE_AT_40 = {"iv_ketamine": (16.0, 11.0), "esketamine": (12.0, 8.0)}
BP_RISE_SD = (8.0, 3.5)
SEVERE_RISE_SHARE = 0.01
HEART_RATE = (78.0, 10.0)
SPO2 = (97.4, 1.3)
RESP_RATE = (15.0, 2.2)

# Adverse events per dosed session, by drug: code -> probability.
ADVERSE_EVENTS = {
    "ketamine": {
        "dissociation": 0.08,
        "nausea": 0.06,
        "dizziness": 0.05,
        "headache": 0.04,
        "sedation": 0.02,
        "anxiety_emergence": 0.02,
        "vomiting": 0.01,
    },
    "esketamine": {
        "dissociation": 0.18,
        "nausea": 0.07,
        "dizziness": 0.06,
        "sedation": 0.05,
        "headache": 0.05,
        "vomiting": 0.02,
        "anxiety_emergence": 0.01,
    },
}
AE_SEVERITY = (("mild", 80), ("moderate", 17), ("severe", 3))
AE_ACTIONS = (("none", 70), ("observation_extended", 20), ("medication_given", 10))

# Item 9 (self-harm thoughts) above 0: more likely the higher the total.
ITEM9_PER_POINT = 1 / 45

# --- ledger -----------------------------------------------------------------------------------
LEDGER_DAYS = 90
