"""What the research export contains: one table per entity, each column with its treatment.

An allow-list: a column appears only if it is listed here. Names, contacts, addresses, MRNs,
dates of birth, staff identities and every free-text field are simply never listed; ids become
keyed pseudonyms; every date and time of a patient moves by that patient's offset.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketaclinic.outcomes.rules import KEEP, PSEUDONYM, SHIFT, Column


@dataclass(frozen=True)
class TableSpec:
    name: str
    model: str  # "app_label.ModelName"
    description: str
    patient: str  # source field holding the patient id (for the date shift)
    columns: tuple[Column, ...]
    # Source fields read besides the columns' own (used to derive values, never exported).
    extra: tuple[str, ...] = ()
    # Columns computed in Python from other fields (not read from the database).
    derived: tuple[str, ...] = ()


def pid(source: str = "patient_id") -> Column:
    return Column("patient", source, PSEUDONYM, "Patient pseudonym (HMAC-SHA-256)", "patient")


def ref(name: str, source: str, kind: str, what: str) -> Column:
    return Column(name, source, PSEUDONYM, f"{what} pseudonym (HMAC-SHA-256)", kind)


def keep(name: str, description: str, dtype: str = "string", source: str | None = None) -> Column:
    return Column(name, source or name, KEEP, description, dtype=dtype)


def shifted(name: str, description: str, dtype: str = "timestamp", source=None) -> Column:
    return Column(name, source or name, SHIFT, f"{description} (shifted)", dtype=dtype)


AGE_AT_INDEX = (
    "Age in years at the first course start (else at registration); over 89 reported as 90+"
)

TABLES = (
    TableSpec(
        "patients",
        "patients.Patient",
        "One row per patient. No name, contact, address, MRN or date of birth.",
        "id",
        (
            ref("patient", "id", "patient", "Patient"),
            ref("clinic", "clinic_id", "clinic", "Clinic"),
            keep("sex", "Administrative sex"),
            keep(
                "age_at_index",
                "Age in years at the first course start (else at registration); "
                "over 89 reported as 90+",
            ),
            keep("race", "Self-reported race (OMB)"),
            keep("ethnicity", "Self-reported ethnicity (OMB)"),
            keep("payer_type", "Payer type"),
            keep("income_band", "Self-reported household income band"),
            keep("weight_kg", "Weight in kg", "decimal"),
            shifted("registered_at", "Registration time", source="created_at"),
        ),
        extra=("date_of_birth",),
        derived=("age_at_index",),
    ),
    TableSpec(
        "courses",
        "treatments.Course",
        "Treatment courses. The reason a course ended (free text) is not exported.",
        "patient_id",
        (
            ref("course", "id", "course", "Course"),
            pid(),
            keep("protocol_code", "Protocol code"),
            keep("status", "active, completed or stopped"),
            shifted("start_date", "First planned session day", "date"),
            shifted("ended_at", "When the course ended"),
            keep("weight_kg", "Dosing weight in kg", "decimal"),
        ),
    ),
    TableSpec(
        "sessions",
        "treatments.TreatmentSession",
        "Treatment sessions. Abort reasons, override notes and chairs are not exported.",
        "patient_id",
        (
            ref("session", "id", "session", "Session"),
            ref("course", "course_id", "course", "Course"),
            pid(),
            keep("protocol_code", "Protocol code"),
            keep("number", "Position in the course, from 1", "int"),
            keep("phase", "Protocol phase"),
            keep("status", "Session status"),
            shifted("scheduled_date", "Planned day", "date"),
            shifted("checked_in_at", "Check-in"),
            shifted("dose_started_at", "First device or infusion start"),
            shifted("infusion_ended_at", "Infusion end (IV)"),
            shifted("last_device_at", "Last device (intranasal)"),
            shifted("discharged_at", "Discharge"),
            shifted("aborted_at", "Abort"),
            keep("planned_dose_mg", "Planned dose, mg", "decimal"),
            keep("dose_mg", "Ordered dose, mg", "decimal", source="order__dose_mg"),
            keep("devices_given", "Nasal devices given", "int"),
            keep("weight_kg", "Weight at the session, kg", "decimal"),
        ),
    ),
    TableSpec(
        "vitals",
        "treatments.VitalSignsEntry",
        "Vital signs recorded during sessions.",
        "session__patient_id",
        (
            ref("session", "session_id", "session", "Session"),
            pid("session__patient_id"),
            shifted("measured_at", "Measurement time"),
            keep("pre_dose", "Taken before the dose", "bool"),
            keep("systolic", "Systolic BP, mmHg", "int"),
            keep("diastolic", "Diastolic BP, mmHg", "int"),
            keep("heart_rate", "Heart rate, /min", "int"),
            keep("spo2", "SpO2, %", "int"),
            keep("resp_rate", "Respiratory rate, /min", "int"),
        ),
    ),
    TableSpec(
        "session_alerts",
        "treatments.SessionAlert",
        "Safety alerts raised during sessions. Intervention notes are not exported.",
        "session__patient_id",
        (
            ref("session", "session_id", "session", "Session"),
            pid("session__patient_id"),
            keep("code", "Alert rule code"),
            keep("measure", "Measure checked"),
            keep("value", "Measured value", "decimal"),
            keep("threshold", "Rule threshold", "decimal"),
            keep("comparison", "Rule comparison"),
            shifted("raised_at", "When raised"),
            shifted("acknowledged_at", "When acknowledged"),
            keep("intervention", "Intervention code"),
        ),
    ),
    TableSpec(
        "adverse_events",
        "treatments.AdverseEvent",
        "Adverse events. The free-text description is not exported.",
        "session__patient_id",
        (
            ref("session", "session_id", "session", "Session"),
            pid("session__patient_id"),
            keep("code", "Coded event"),
            keep("severity", "mild, moderate or severe"),
            keep("action", "Action taken (code)"),
            keep("outcome", "Outcome (code)"),
            shifted("onset_at", "Onset"),
            shifted("resolved_at", "Resolution"),
        ),
    ),
    TableSpec(
        "measure_responses",
        "measures.MeasureResponse",
        "Rating-scale responses: item scores and totals.",
        "patient_id",
        (
            ref("response", "id", "response", "Response"),
            pid(),
            keep("instrument", "Instrument code"),
            keep("instrument_version", "Instrument version"),
            keep("total", "Total score", "int"),
            keep("severity", "Severity band or risk level"),
            keep("answers", "Item scores as JSON {item: score}", "json"),
            keep("source", "staff, self_report or referral"),
            shifted("administered_at", "When completed"),
            shifted("referral_confirmed_at", "When a clinician confirmed a score from a referral"),
        ),
    ),
    TableSpec(
        "measure_alerts",
        "measures.SafetyAlert",
        "Safety-item alerts from rating scales. Messages and action notes are not exported.",
        "patient_id",
        (
            ref("response", "response_id", "response", "Response"),
            pid(),
            keep("code", "Safety rule code"),
            keep("status", "open or acknowledged"),
            shifted("raised_at", "When raised"),
            shifted("acknowledged_at", "When acknowledged"),
        ),
    ),
    TableSpec(
        "antidepressant_trials",
        "intake.AntidepressantTrial",
        "Antidepressant trials. Drugs outside the dose table are reported as 'other'; notes "
        "are not exported.",
        "patient_id",
        (
            pid(),
            keep("drug", "Generic name (dose-table names only; else 'other')"),
            keep("daily_dose_mg", "Daily dose, mg", "decimal"),
            keep("weeks", "Duration in weeks", "decimal"),
            keep("adherence", "Adherence"),
            keep("outcome", "Trial outcome"),
            keep("current_episode", "In the current episode", "bool"),
            shifted("started_on", "Start", "date"),
            shifted("ended_on", "End", "date"),
        ),
    ),
    TableSpec(
        "eligibility_decisions",
        "intake.EligibilityDecision",
        "Prescribers' eligibility decisions. Notes and justifications are not exported.",
        "patient_id",
        (
            pid(),
            keep("protocol_code", "Protocol code"),
            keep("drug", "ketamine or esketamine"),
            keep("outcome", "approve or decline"),
            keep("recommendation", "The software's recommendation"),
            shifted("decided_at", "Decision time", source="created_at"),
        ),
    ),
    TableSpec(
        "treatment_histories",
        "intake.TreatmentHistory",
        "Current-episode history. All notes are not exported.",
        "patient_id",
        (
            pid(),
            shifted("episode_onset", "Onset of the current episode", "date"),
            keep("current_severity", "Current severity"),
            keep("augmentation_used", "Augmentation in the episode", "bool"),
            keep("psychotherapy", "Psychotherapy in the episode", "bool"),
            keep("ect_used", "ECT in the episode", "bool"),
            keep("tms_used", "TMS in the episode", "bool"),
        ),
    ),
)
TABLES_BY_NAME = {t.name: t for t in TABLES}
