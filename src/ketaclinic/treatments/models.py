"""Treatment courses, their sessions and what happens in them: checks, order, vitals, alerts,
events, notes."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketaclinic.core.models import ClinicScopedModel, only_row
from ketaclinic.treatments import codes as c

USER = settings.AUTH_USER_MODEL


class CourseStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class Course(ClinicScopedModel):
    """A planned series of sessions under one protocol version for one patient."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    protocol_version = models.ForeignKey(
        "protocols.ProtocolVersion", on_delete=models.PROTECT, related_name="courses"
    )
    protocol_code = models.SlugField(max_length=60)
    status = models.CharField(
        max_length=12, choices=CourseStatus.choices, default=CourseStatus.ACTIVE
    )
    start_date = models.DateField()
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    started_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    planning_warnings = models.JSONField(default=list, blank=True)
    # Spravato REMS: whether the patient is enrolled, as confirmed by staff (the REMS Patient
    # Monitoring Form asks it at the first treatment). None: not confirmed yet.
    rems_enrolled = models.BooleanField(null=True, blank=True)
    rems_enrollment_confirmed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rems_enrollment_confirmed_at = models.DateTimeField(null=True, blank=True)

    @property
    def protocol_name(self) -> str:
        """The protocol's name as the clinic knows it (the code is for machines)."""
        return self.protocol_version.name

    class Meta:
        # The model moved here from the protocols app (a course is the treatments' record, a
        # protocol is only its plan); the table kept its name, so existing databases and the
        # research exports that read it by name stay as they are (no data copied).
        db_table = "protocols_course"
        ordering = ["-start_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "patient"],
                condition=Q(status="active"),
                name="one_active_course_per_patient",
            )
        ]
        indexes = [models.Index(fields=["clinic", "status"])]

    def __str__(self) -> str:
        return f"{self.protocol_code} from {self.start_date.isoformat()}"


class SessionStatus(models.TextChoices):
    """Where a session is in its day; moved only through the transition table
    (treatments.rules.TRANSITIONS)."""

    SCHEDULED = "scheduled", "Scheduled"
    CHECKED_IN = "checked_in", "Checked in"
    PRE_CHECKS_DONE = "pre_checks_done", "Pre-checks done"
    DOSING = "dosing", "Dosing"
    MONITORING = "monitoring", "Monitoring"
    READY_FOR_DISCHARGE = "ready_for_discharge", "Ready for discharge"
    DISCHARGED = "discharged", "Discharged"
    ABORTED = "aborted", "Aborted"


# Arrived, before the dose: the checklist, the go/no-go and the order.
PRE_DOSE_STATUSES = (SessionStatus.CHECKED_IN, SessionStatus.PRE_CHECKS_DONE)
# After the dose started: vitals are checked against the alert rules and drive "next due".
DOSED_STATUSES = (
    SessionStatus.DOSING,
    SessionStatus.MONITORING,
    SessionStatus.READY_FOR_DISCHARGE,
)
# Active = on the chair board: the patient is in the clinic.
ACTIVE_STATUSES = (*PRE_DOSE_STATUSES, *DOSED_STATUSES)


class TreatmentSession(ClinicScopedModel):
    """One visit of a course: planned, then run through the session state machine.

    Status changes only through treatments.services, each holding a row lock on the session.
    """

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    # The protocol version the session runs under (refreshed at check-in, then frozen).
    protocol_version = models.ForeignKey(
        "protocols.ProtocolVersion", on_delete=models.PROTECT, related_name="sessions"
    )
    protocol_code = models.SlugField(max_length=60)
    number = models.PositiveIntegerField(help_text="Position in the course, from 1.")
    phase = models.CharField(max_length=30)
    scheduled_date = models.DateField(db_index=True)
    # Arrival time on the clinic's wall clock, once the week is planned (empty: any time).
    scheduled_start = models.TimeField(null=True, blank=True)
    planned_dose_mg = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    # mg/kg to three places, as the order form and the API take it.
    planned_dose_mg_per_kg = models.DecimalField(
        max_digits=6, decimal_places=3, null=True, blank=True
    )
    status = models.CharField(
        max_length=24, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    chair = models.CharField(max_length=20, blank=True)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    pre_checks_done_at = models.DateTimeField(null=True, blank=True)
    # First device (esketamine) or infusion start (IV).
    dose_started_at = models.DateTimeField(null=True, blank=True)
    devices_given = models.PositiveSmallIntegerField(default=0)
    last_device_at = models.DateTimeField(null=True, blank=True)
    monitoring_started_at = models.DateTimeField(null=True, blank=True)
    infusion_ended_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    # The nurse monitoring the patient (REMS "monitoring provider"); set when the dose starts.
    monitored_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # REMS: when the patient would have been ready to leave without the 2-hour rule.
    ready_to_leave_at = models.DateTimeField(null=True, blank=True)
    # REMS respiratory status: pulse oximetry monitored during observation (confirmed at
    # discharge; None when not stated).
    pulse_oximetry_monitored = models.BooleanField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharged_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escort_present = models.BooleanField(default=False)
    discharge_override_note = models.TextField(blank=True)
    discharge_overridden_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    discharge_unmet = models.JSONField(default=list, blank=True)
    aborted_at = models.DateTimeField(null=True, blank=True)
    abort_reason = models.TextField(blank=True)
    rems_submitted_at = models.DateTimeField(null=True, blank=True)
    rems_submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rems_confirmation = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def protocol_name(self) -> str:
        """The protocol's name as the clinic knows it (the code is for machines)."""
        return self.protocol_version.name

    # The session's pre-check, order and note: at most one of each (unique with the clinic,
    # docs/scale.md), None when there is none yet. Prefetch `pre_checks`, `orders` and `notes`
    # to read many sessions' in one query each.
    @property
    def pre_check(self) -> "PreCheck | None":
        return only_row(self.pre_checks)

    @property
    def order(self) -> "DoseOrder | None":
        return only_row(self.orders)

    @property
    def note(self) -> "SessionNote | None":
        return only_row(self.notes)

    class Meta:
        ordering = ["scheduled_date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "course", "number"], name="session_number_in_course"
            )
        ]
        indexes = [
            models.Index(fields=["clinic", "scheduled_date", "status"]),
            models.Index(fields=["clinic", "status"]),
            models.Index(fields=["patient", "scheduled_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.protocol_code} #{self.number} on {self.scheduled_date.isoformat()}"


def one_per_session(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["clinic", "session"], name=name)


class PreCheck(ClinicScopedModel):
    """The nurse's pre-dose checklist, and the prescriber's go/no-go when BP is high."""

    # One per session (see Meta).
    session = models.ForeignKey(
        TreatmentSession,
        on_delete=models.PROTECT,
        related_name="pre_checks",
        related_query_name="pre_check",
    )
    last_food_at = models.DateTimeField(null=True, blank=True)
    last_liquid_at = models.DateTimeField(null=True, blank=True)
    nasal_products_at = models.DateTimeField(null=True, blank=True)
    escort_confirmed = models.BooleanField(default=False)
    escort_name = models.CharField(max_length=200, blank=True)
    escort_phone = models.CharField(max_length=40, blank=True)
    # Spravato REMS: a prescriber is on site during administration and monitoring.
    prescriber_on_site = models.BooleanField(default=False, db_default=False)
    medications_reviewed = models.BooleanField(default=False)
    # REMS classes the patient takes now (codes of CONCOMITANT_MEDICATION_CLASSES).
    medication_classes = models.JSONField(default=list, blank=True)
    measures_done = models.BooleanField(default=False)
    pregnancy_test = models.CharField(max_length=20, choices=c.PREGNANCY_TEST_RESULTS, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    decision_needed = models.BooleanField(default=False)
    decision_reasons = models.JSONField(default=list, blank=True)
    decision = models.CharField(max_length=10, choices=c.DECISIONS, blank=True)
    decision_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    # The checklist's answers, as the nurse gives them: the times of the last intake first.
    TIMES = ("last_food_at", "last_liquid_at", "nasal_products_at")
    ANSWERS = (
        *TIMES,
        "escort_confirmed",
        "escort_name",
        "escort_phone",
        "prescriber_on_site",
        "medications_reviewed",
        "medication_classes",
        "measures_done",
        "pregnancy_test",
    )
    # The answers the pre-dose rules judge (not the escort's contact or the classes taken).
    FACTS = tuple(
        n for n in ANSWERS if n not in ("escort_name", "escort_phone", "medication_classes")
    )

    class Meta:
        constraints = [one_per_session("one_pre_check_per_session")]

    def __str__(self) -> str:
        return f"Pre-check of {self.session_id}"


class DoseOrder(ClinicScopedModel):
    """The prescriber's signed order, with the calculation, and the nurse's second check."""

    # One per session (see Meta).
    session = models.ForeignKey(
        TreatmentSession,
        on_delete=models.PROTECT,
        related_name="orders",
        related_query_name="order",
    )
    dose_mg = models.DecimalField(max_digits=7, decimal_places=1)
    # The mg/kg signed, to three places (as the form and the API take it): never rounded.
    dose_mg_per_kg = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    # What the mg/kg multiplied: actual, ideal or adjusted body weight (with the height used).
    dosing_weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    dosing_weight_basis = models.CharField(max_length=10, blank=True, default="", db_default="")
    height_cm = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    concentration_mg_per_ml = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True
    )
    bag_volume_ml = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    duration_min = models.PositiveIntegerField(null=True, blank=True)
    draw_volume_ml = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    infusion_volume_ml = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    rate_ml_per_h = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    devices = models.PositiveSmallIntegerField(null=True, blank=True)
    # Kept for orders signed before doses above the maximum were refused (never set now).
    capped = models.BooleanField(default=False)
    calculation = models.JSONField(default=dict)
    ordered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    # The lot the second check picked from the ledger, with its product name and number as
    # they were then (the lot's own row never changes; these keep the order readable alone).
    lot = models.ForeignKey(
        "inventory.Lot", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    product = models.CharField(max_length=200, blank=True)
    lot_number = models.CharField(max_length=60, blank=True)
    checked_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    # What an infusion order keeps of its calculation in its own columns.
    INFUSION_FIELDS = (
        "dose_mg",
        "dose_mg_per_kg",
        "weight_kg",
        "dosing_weight_kg",
        "dosing_weight_basis",
        "height_cm",
        "concentration_mg_per_ml",
        "bag_volume_ml",
        "duration_min",
        "draw_volume_ml",
        "infusion_volume_ml",
        "rate_ml_per_h",
    )

    class Meta:
        constraints = [one_per_session("one_order_per_session")]

    def __str__(self) -> str:
        return f"{self.dose_mg} mg for {self.session_id}"


class VitalSignsEntry(ClinicScopedModel):
    """One set of vital signs on the session flowsheet (never edited: corrections are new rows)."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="vitals")
    measured_at = models.DateTimeField()
    systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    heart_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField("SpO2", null=True, blank=True)
    resp_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    temperature_c = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    pre_dose = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["measured_at", "created_at"]
        indexes = [models.Index(fields=["session", "measured_at"])]

    def __str__(self) -> str:
        return f"{self.systolic}/{self.diastolic} at {self.measured_at.isoformat()}"


class ScaleEntry(ClinicScopedModel):
    """A MOAA/S, CADSS-6 or modified Aldrete entry during the session."""

    SCALES = (*c.SCALES, ("aldrete", "Modified Aldrete"))

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="scales")
    scale = models.CharField(max_length=10, choices=SCALES)
    score = models.PositiveSmallIntegerField()
    items = models.JSONField(default=dict, blank=True)
    measured_at = models.DateTimeField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["measured_at", "created_at"]
        indexes = [models.Index(fields=["session", "scale", "measured_at"])]

    def __str__(self) -> str:
        return f"{self.scale} {self.score}"


class SessionAlert(ClinicScopedModel):
    """An alert rule that fired; open until acknowledged with an intervention record."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="alerts")
    code = models.CharField(max_length=30)
    label = models.CharField(max_length=100)
    message = models.CharField(max_length=300)
    measure = models.CharField(max_length=30)
    value = models.DecimalField(max_digits=7, decimal_places=1)
    threshold = models.DecimalField(max_digits=7, decimal_places=1)
    comparison = models.CharField(max_length=2)
    source = models.TextField()
    raised_at = models.DateTimeField()
    vitals_entry = models.ForeignKey(
        VitalSignsEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    scale_entry = models.ForeignKey(
        ScaleEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    intervention = models.CharField(max_length=30, choices=c.INTERVENTIONS, blank=True)
    intervention_note = models.TextField(blank=True)

    class Meta:
        ordering = ["raised_at", "created_at"]
        indexes = [models.Index(fields=["session", "acknowledged_at"])]

    def __str__(self) -> str:
        return self.message

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


class AdverseEvent(ClinicScopedModel):
    """An adverse event from the coded list, with severity, action and outcome."""

    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="adverse_events"
    )
    code = models.CharField(max_length=30, choices=c.ADVERSE_EVENTS)
    description = models.CharField(max_length=300, blank=True)
    severity = models.CharField(max_length=10, choices=c.SEVERITIES)
    onset_at = models.DateTimeField()
    action = models.CharField(max_length=30, choices=c.ADVERSE_EVENT_ACTIONS)
    outcome = models.CharField(max_length=20, choices=c.ADVERSE_EVENT_OUTCOMES)
    resolved_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["onset_at", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_code_display()} ({self.severity})"


class SessionNote(ClinicScopedModel):
    """The session note: editable until the prescriber signs it, then locked (addenda only)."""

    # One per session (see Meta).
    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="notes", related_query_name="note"
    )
    text = models.TextField(blank=True)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    signed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [one_per_session("one_note_per_session")]

    def __str__(self) -> str:
        return f"Note of {self.session_id}"

    @property
    def is_locked(self) -> bool:
        return self.signed_at is not None


class NoteAddendum(ClinicScopedModel):
    """Text added to a signed note; the signed text itself never changes."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Addendum to {self.note_id}"


class TreatmentSettings(models.Model):
    """A clinic's settings of the treatment day, chosen by its administrators.

    pk_threshold_ng_per_ml: the plasma concentration below which the session page's discharge
    panel predicts the time (decision support). Empty until the clinic chooses one: no default
    is invented, because no published threshold for leaving the clinic exists.
    """

    clinic = models.OneToOneField("core.Clinic", on_delete=models.PROTECT, related_name="+")
    pk_threshold_ng_per_ml = models.DecimalField(
        max_digits=7, decimal_places=1, null=True, blank=True
    )
    changed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Treatment settings of {self.clinic_id}"
