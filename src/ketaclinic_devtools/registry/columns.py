"""Column order of every table the registry generator fills (rows are tuples in this order)."""

BASE = "id clinic_id created_at "

PATIENT = (
    BASE + "mrn given_name family_name date_of_birth sex phone email address_line city region "
    "postal_code emergency_contact_name emergency_contact_phone emergency_contact_relationship "
    "weight_kg race ethnicity payer_type income_band updated_at"
).split()
REFERRAL = (BASE + "patient_id status source referred_on referring_clinician updated_at").split()
HISTORY = (
    BASE + "patient_id episode_onset current_severity augmentation_used psychotherapy ect_used "
    "tms_used updated_by_id updated_at"
).split()
TRIAL = (
    BASE + "patient_id drug daily_dose_mg started_on ended_on weeks adherence outcome "
    "current_episode recorded_by_id updated_at"
).split()
ANSWER = (BASE + "patient_id key answer recorded_by_id recorded_at").split()
DECISION = (
    BASE + "patient_id protocol_code drug outcome recommendation reasons decided_by_id"
).split()
CONSENT = (
    BASE + "patient_id document_id consent_type version signer_name signer_relationship "
    "witness_name signed_on recorded_by_id"
).split()
COURSE = (
    BASE + "patient_id protocol_version_id protocol_code status start_date weight_kg "
    "started_by_id ended_at end_reason"
).split()
SESSION = (
    BASE + "patient_id course_id protocol_version_id protocol_code number phase scheduled_date "
    "planned_dose_mg planned_dose_mg_per_kg status chair weight_kg checked_in_at "
    "pre_checks_done_at dose_started_at devices_given last_device_at monitoring_started_at "
    "infusion_ended_at ready_at monitored_by_id ready_to_leave_at discharged_at "
    "discharged_by_id escort_present aborted_at abort_reason rems_submitted_at "
    "rems_submitted_by_id updated_at"
).split()
SESSION_DEFAULTS = dict.fromkeys(SESSION) | {
    "chair": "",
    "devices_given": 0,
    "escort_present": False,
    "abort_reason": "",
    "status": "scheduled",
}
ORDER = (
    BASE + "session_id dose_mg dose_mg_per_kg weight_kg bag_volume_ml duration_min devices "
    "ordered_by_id signed_at product checked_by_id checked_at"
).split()
VITALS = (
    BASE + "session_id measured_at systolic diastolic heart_rate spo2 resp_rate pre_dose "
    "recorded_by_id"
).split()
SESSION_ALERT = (
    BASE + "session_id code label message measure value threshold comparison source raised_at "
    "vitals_entry_id acknowledged_at acknowledged_by_id intervention"
).split()
ADVERSE_EVENT = (
    BASE + "session_id code severity onset_at action outcome resolved_at recorded_by_id"
).split()
RESPONSE = (
    BASE + "patient_id instrument instrument_version answers total severity administered_at "
    "source entered_by_id"
).split()
SAFETY_ALERT = (
    BASE + "patient_id response_id code message must_act status raised_at acknowledged_at "
    "acknowledged_by_id action_note"
).split()
LEDGER_ENTRY = (
    BASE + "sequence entry_type occurred_at actor_id actor_name lot_id location_id "
    "to_location_id quantity stock_delta unit session_id patient_id related_entry_id witness_id "
    "witness_name second_witness_id second_witness_name reason data prev_hash hash"
).split()
DRUG_CLOSURE = (
    BASE + "session_id closed_by_id closed_at drawn administered wasted returned ledger_head"
).split()
