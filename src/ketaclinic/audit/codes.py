"""Every audit action code, with what it records: the one registry of the audit vocabulary.

`record_event` refuses a code that is not here, so the audit log never holds a word nobody
defined. docs/audit.md is generated from this table (`ketaclinic audit_doc`) and a test keeps
the document in step with the code.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class AuditCode:
    code: str
    description: str

    @property
    def area(self) -> str:
        return self.code.split(".", 1)[0]


def _codes(*pairs: tuple[str, str]) -> dict[str, AuditCode]:
    return {code: AuditCode(code, description) for code, description in pairs}


CODES: dict[str, AuditCode] = _codes(
    # Reading a record: who saw what, and when.
    ("patient.viewed", "Opened a patient's record (chart, tab, document or API answer)"),
    ("session.viewed", "Opened a treatment session"),
    ("ledger.session_viewed", "Opened the drug record of a treatment session"),
    # Clinics, staff and access.
    ("clinic.created", "Created a clinic"),
    ("clinic.open_days_set", "Set the weekdays the clinic treats patients"),
    ("clinic.weight_range_set", "Set the clinic's plausible weight range for data entry"),
    (
        "clinic.pk_threshold_set",
        "Set or cleared the plasma concentration threshold for the predicted time below it",
    ),
    ("clinic.mfa_policy_changed", "Changed which roles must sign in with a second factor"),
    ("staff.added", "Added a member of staff"),
    ("staff.role_changed", "Changed a member of staff's role"),
    ("staff.deactivated", "Deactivated a member of staff (sessions and tokens ended)"),
    ("staff.reactivated", "Reactivated a member of staff"),
    ("staff.password_reset", "Set a temporary password for a member of staff"),
    ("staff.mfa_reset", "Reset a member of staff's second factor"),
    (
        "staff.membership_granted",
        "Gave a member of staff a role at another location of their organization",
    ),
    ("clinic.switched", "A member of staff switched to another of their clinics"),
    ("user.password_set", "Set a user's password"),
    ("account.password_changed", "A user changed their own password"),
    ("account.mfa_enrolled", "A user set up their second factor"),
    ("account.mfa_failed", "A wrong second-factor code was entered"),
    ("account.recovery_code_used", "A user signed in with a one-time recovery code"),
    ("account.recovery_codes_replaced", "A user replaced their recovery codes"),
    ("token.created", "Created an API token"),
    ("token.revoked", "Revoked an API token"),
    # Patients.
    ("patient.registered", "Registered a patient"),
    ("patient.updated", "Changed a patient's demographics or contacts"),
    (
        "patient.transferred_out",
        "Transferred a patient to another location of the organization (with consent)",
    ),
    ("patient.transferred_in", "Received a patient from another location of the organization"),
    (
        "network.diversion_viewed",
        "Read the diversion signals of every location of the organization",
    ),
    (
        "patient.earlier_care_viewed",
        "Opened a transferred patient's care at the location they came from (read-only)",
    ),
    # Measurement-based care.
    ("measure.recorded", "Recorded a rating scale"),
    ("measure.referral_recorded", "Kept a score that came with a referral"),
    ("measure.referral_confirmed", "A clinician confirmed a score that came with a referral"),
    ("measure_request.sent", "Sent a patient a self-report link"),
    ("measure_request.completed", "A patient completed a self-report link"),
    (
        "measure_request.not_delivered",
        "A self-report link was closed: the mail server did not take its email",
    ),
    ("measure_schedule.created", "Scheduled a rating scale"),
    ("measure_schedule.stopped", "Stopped a rating-scale schedule"),
    ("safety_alert.raised", "A rating scale raised a safety alert"),
    ("safety_alert.acknowledged", "A clinician acknowledged a safety alert"),
    ("instrument_settings.updated", "Changed the clinic's rating-scale settings"),
    ("instrument_text.loaded", "Loaded licensed item text of a rating scale"),
    # Intake.
    ("intake.referral_created", "Put a patient on the referral list"),
    ("intake.referral_status_changed", "Changed a referral's status"),
    ("intake.history_updated", "Changed a patient's treatment history"),
    ("intake.trial_recorded", "Recorded an antidepressant trial"),
    ("intake.trial_updated", "Changed an antidepressant trial"),
    ("intake.trial_confirmed", "A prescriber confirmed an antidepressant trial"),
    ("intake.trial_removed", "Removed an antidepressant trial"),
    ("intake.contraindications_recorded", "Recorded contraindication screening answers"),
    ("intake.eligibility_decided", "Decided a patient's eligibility for a protocol"),
    ("intake.fhir_imported", "Imported a referral (FHIR Bundle)"),
    ("intake.dose_table_changed", "Changed the clinic's antidepressant dose table"),
    ("intake.settings_changed", "Changed the clinic's intake settings"),
    ("consent.document_published", "Published a consent document version"),
    ("consent.signed", "Recorded a signed consent"),
    ("consent.revoked", "Recorded the revocation of a consent"),
    # Protocols and courses.
    ("protocol.copied", "Copied a built-in protocol into the clinic"),
    ("protocol.changed", "Changed the clinic's version of a protocol"),
    ("course.started", "Started a treatment course"),
    ("course.stopped", "Stopped a treatment course"),
    ("course.rems_enrollment_confirmed", "Confirmed the patient's enrollment in the Spravato REMS"),
    (
        "session.rescheduled",
        "Moved a planned session to another day (its arrival time and chair are cleared)",
    ),
    ("session.slot_set", "Set a planned session's date, start time and chair from a week plan"),
    # The treatment day.
    ("session.checked_in", "Checked a patient in"),
    ("session.pre_checks_done", "Completed the pre-dose checks"),
    ("session.pre_checks_recorded", "Recorded pre-dose checks and vital signs"),
    ("session.go_no_go", "A prescriber decided whether to dose after a pre-check concern"),
    ("session.order_signed", "A prescriber signed the dose order"),
    ("session.second_check", "A second person checked the order, product and lot"),
    ("session.dosing", "Dosing started"),
    ("session.device_given", "A nasal spray device was given"),
    ("session.infusion_ended", "The infusion ended"),
    ("session.monitoring", "Monitoring after the dose started"),
    ("session.vitals_recorded", "Recorded vital signs"),
    ("session.scale_recorded", "Recorded a sedation, dissociation or recovery score"),
    ("session.alert_raised", "Vital signs or a score raised a session alert"),
    ("session.alert_acknowledged", "A clinician acknowledged a session alert"),
    ("session.adverse_event_recorded", "Recorded an adverse event"),
    ("session.adverse_event_updated", "Changed an adverse event"),
    ("session.ready_for_discharge", "The patient met the discharge criteria"),
    ("session.discharged", "Discharged the patient"),
    ("session.aborted", "Ended a session without (more) dosing"),
    ("session.note_saved", "Saved a session note"),
    ("session.note_signed", "Signed and locked a session note"),
    ("session.note_addendum", "Added an addendum to a signed note"),
    ("rems.form_submitted", "Marked a REMS Patient Monitoring Form submitted"),
    # The controlled-substance ledger (one code per entry type, plus its administration).
    ("ledger.receipt", "Ledger: received stock"),
    ("ledger.draw", "Ledger: drew a dose from stock"),
    ("ledger.administration", "Ledger: administered a drawn dose"),
    ("ledger.waste", "Ledger: wasted the rest of a dose, witnessed"),
    ("ledger.return", "Ledger: returned an unused draw to stock"),
    ("ledger.transfer", "Ledger: moved stock between locations"),
    ("ledger.count", "Ledger: counted stock"),
    ("ledger.discrepancy", "Ledger: a count differed from the ledger"),
    ("ledger.destruction", "Ledger: destroyed stock, witnessed (DEA Form 41)"),
    ("ledger.loss", "Ledger: recorded a theft or significant loss"),
    ("ledger.distribution", "Ledger: distributed stock to another DEA registrant"),
    ("ledger.refused", "Ledger: a movement was refused"),
    ("ledger.session_closed", "Closed the drug record of a session"),
    ("ledger.loss_filing", "Recorded a DEA notice or Form 106 filing for a loss"),
    ("ledger.product_created", "Added a controlled-substance product"),
    ("ledger.location_created", "Added a storage location"),
    ("ledger.report_exported", "Exported a DEA report"),
    ("ledger.verified", "Verified the ledger's hash chain"),
    ("ledger.checkpoint_taken", "Wrote down a clinic's ledger head as a signed daily checkpoint"),
    ("ledger.verification_failed", "The ledger failed verification (chain, checkpoint or audit)"),
    # Billing and access.
    ("billing.settings_changed", "Changed the clinic's billing settings"),
    ("billing.fee_schedule_created", "Created a fee schedule"),
    ("billing.poverty_guideline_set", "Set the poverty guidelines used by the sliding scale"),
    ("billing.sliding_scale_created", "Created a sliding-fee scale"),
    ("billing.sliding_scale_applied", "Applied the sliding-fee scale to a patient"),
    ("billing.diagnosis_set", "Set the diagnosis billed for a patient"),
    ("billing.estimate_issued", "Issued a Good Faith Estimate"),
    ("billing.session_charged", "Charged a treatment session"),
    (
        "billing.discharge_not_charged",
        "A discharged session could not be charged automatically (the reason is kept)",
    ),
    ("billing.charge_added", "Added a charge"),
    ("billing.charge_voided", "Voided a charge"),
    ("billing.payment_recorded", "Recorded a payment"),
    ("billing.payment_voided", "Voided a payment"),
    ("access.barrier_recorded", "Recorded a barrier to treatment"),
    ("access.barrier_resolved", "Resolved a barrier to treatment"),
    ("access.settings_changed", "Changed the clinic's access settings"),
    # The PDMP check log (no report is ever stored).
    (
        "pdmp.check_recorded",
        "Recorded a PDMP check: who checked, when, the state, the transaction id and the finding",
    ),
    ("pdmp.check_corrected", "Recorded a PDMP check entry that replaces a wrong one"),
    ("pdmp.check_marked_in_error", "Marked a PDMP check entry as entered in error"),
    ("pdmp.rule_set", "Added or changed a state's row of the clinic's PDMP rule table"),
    ("pdmp.practice_state_confirmed", "Confirmed the state whose PDMP rule the clinic applies"),
    ("pdmp.report_viewed", "Opened the PDMP report of checks per prescriber"),
    # Coverage and prior authorizations.
    ("coverage.added", "Recorded a patient's insurance coverage"),
    ("coverage.updated", "Changed or ended a patient's insurance coverage"),
    ("coverage.benefits_checked", "Recorded a benefits check with the payer"),
    ("authorization.created", "Started a prior authorization"),
    ("authorization.updated", "Changed a prior authorization's details or approved units"),
    (
        "authorization.status_changed",
        "Recorded a prior authorization's submission, decision, appeal or expiry",
    ),
    (
        "authorization.packet_prepared",
        "Downloaded a prior-authorization packet (PDF, FHIR or print view)",
    ),
    ("authorization.checklist_saved", "Saved a payer's prior-authorization criteria checklist"),
    (
        "authorization.settings_changed",
        "Changed the clinic's REMS certification or authorization warning settings",
    ),
    # Capacity.
    ("capacity.chair_added", "Added a treatment chair"),
    ("capacity.chair_changed", "Changed a treatment chair"),
    ("capacity.hours_set", "Set the clinic's opening hours for a weekday"),
    ("capacity.weekday_closed", "Closed a weekday in the opening hours"),
    ("capacity.shift_added", "Added a staff shift"),
    ("capacity.shift_removed", "Removed a staff shift"),
    ("capacity.staffing_rules_changed", "Changed the clinic's staffing rules"),
    ("capacity.plan_applied", "Applied a week plan: scheduled its sessions"),
    # Operations.
    ("backup.created", "Wrote a backup archive (database, keys, manifest)"),
    ("backup.restored", "Restored a backup archive, row counts and ledger checked"),
    # Outcomes.
    ("outcomes.research_exported", "Exported the de-identified research data set"),
    ("outcomes.registry_seeded", "Seeded a synthetic registry (development tool)"),
    ("outcomes.facts_rebuilt", "Rebuilt a clinic's outcome fact tables from its records"),
)


class UnknownAuditCode(ValueError):
    """An action code that the registry does not define: a programming error."""


def check(code: str) -> AuditCode:
    try:
        return CODES[code]
    except KeyError:
        raise UnknownAuditCode(
            f"Audit action {code!r} is not defined: add it to ketaclinic/audit/codes.py"
        ) from None


def markdown() -> str:
    """The table of docs/audit.md: every code by area, with what it records."""
    lines = ["| code | what it records |", "|---|---|"]
    for area in sorted({c.area for c in CODES.values()}):
        lines += [
            f"| `{c.code}` | {c.description} |"
            for c in sorted(CODES.values(), key=lambda c: c.code)
            if c.area == area
        ]
    return "\n".join(lines)
