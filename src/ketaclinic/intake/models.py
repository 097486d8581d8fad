"""Intake tables: referral, treatment history, trials, contraindications, decisions, consent."""

from django.conf import settings
from django.db import models

from ketaclinic.core.models import Clinic, ClinicScopedModel

from . import rules

USER = settings.AUTH_USER_MODEL


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    INTAKE_IN_PROGRESS = "intake_in_progress", "Intake in progress"
    ELIGIBLE = "eligible", "Eligible"
    DECLINED = "declined", "Declined"


class ReferralSource(models.TextChoices):
    MANUAL = "manual", "Entered by staff"
    FHIR = "fhir", "FHIR referral import"
    CLINIC = "clinic", "Started in the clinic"


class Referral(ClinicScopedModel):
    """A patient's place on the intake waiting list (one per patient) and its status."""

    # One per patient (see Meta).
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="intake_referrals",
        related_query_name="intake_referral",
    )
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED
    )
    source = models.CharField(
        max_length=10, choices=ReferralSource.choices, default=ReferralSource.MANUAL
    )
    referred_on = models.DateField()
    referring_clinician = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["referred_on", "created_at"]
        indexes = [models.Index(fields=["clinic", "status", "referred_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "patient"], name="intake_one_referral_per_patient"
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient} ({self.get_status_display()})"


class PatientIdentifier(ClinicScopedModel):
    """An identifier another system gave the patient (from a referral), used to match imports."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="external_identifiers"
    )
    system = models.CharField(max_length=255, blank=True)
    value = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "system", "value"], name="intake_identifier_unique_in_clinic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.system}|{self.value}"


class TreatmentHistory(ClinicScopedModel):
    """Episode onset, current severity and non-drug treatments, one row per patient."""

    # One per patient (see Meta).
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="intake_histories",
        related_query_name="intake_history",
    )
    episode_onset = models.DateField("onset of the current episode", null=True, blank=True)
    current_severity = models.CharField(
        max_length=30,
        blank=True,
        choices=[(s.value, s.value.replace("_", " ").capitalize()) for s in rules.Severity],
    )
    augmentation_used = models.BooleanField("augmentation in the current episode", default=False)
    augmentation_notes = models.TextField(blank=True)
    psychotherapy = models.BooleanField("psychotherapy in the current episode", default=False)
    psychotherapy_notes = models.TextField(blank=True)
    ect_used = models.BooleanField("ECT in the current episode", default=False)
    ect_notes = models.TextField(blank=True)
    tms_used = models.BooleanField("TMS in the current episode", default=False)
    tms_notes = models.TextField(blank=True)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "patient"], name="intake_one_history_per_patient"
            )
        ]

    EDITABLE_FIELDS = (
        "episode_onset",
        "current_severity",
        "augmentation_used",
        "augmentation_notes",
        "psychotherapy",
        "psychotherapy_notes",
        "ect_used",
        "ect_notes",
        "tms_used",
        "tms_notes",
    )


class Adherence(models.TextChoices):
    GOOD = "good", "Good"
    PARTIAL = "partial", "Partial"
    POOR = "poor", "Poor"
    UNKNOWN = "unknown", "Unknown"


class TrialOutcome(models.TextChoices):
    NO_RESPONSE = "no_response", "No response (under 25% better)"
    PARTIAL_RESPONSE = "partial_response", "Partial response (25-49% better)"
    RESPONSE = "response", "Response (50% or more better)"
    INTOLERANCE = "intolerance", "Intolerance (stopped for side effects)"


class AntidepressantTrial(ClinicScopedModel):
    """One antidepressant trial. Imported trials need a clinician's review before they count."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="antidepressant_trials"
    )
    drug = models.CharField(max_length=120, help_text="Lower-case generic name, or free text.")
    daily_dose_mg = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    weeks = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    adherence = models.CharField(
        max_length=10, choices=Adherence.choices, default=Adherence.UNKNOWN
    )
    outcome = models.CharField(max_length=20, choices=TrialOutcome.choices, blank=True)
    current_episode = models.BooleanField(default=True)
    # A clinician vouches for the dose of a drug the dose table does not know.
    clinician_confirmed_adequate = models.BooleanField(default=False)
    needs_review = models.BooleanField(default=False)
    reviewed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Where an imported trial came from (Bundle entry fullUrl or id) so re-imports skip it.
    import_key = models.CharField(max_length=300, blank=True)
    source_text = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-current_episode", "started_on", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "patient", "import_key"],
                condition=~models.Q(import_key=""),
                name="intake_trial_import_once",
            ),
            models.CheckConstraint(
                condition=models.Q(daily_dose_mg__isnull=True) | models.Q(daily_dose_mg__gt=0),
                name="intake_trial_dose_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(weeks__isnull=True) | models.Q(weeks__gte=0),
                name="intake_trial_weeks_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug} {self.daily_dose_mg or '?'} mg/day"

    def as_rule_trial(self) -> rules.Trial:
        return rules.Trial(
            drug=self.drug,
            daily_dose_mg=self.daily_dose_mg,
            weeks=self.weeks,
            outcome=self.outcome or None,
            current_episode=self.current_episode,
            clinician_confirmed_adequate=self.clinician_confirmed_adequate,
            needs_review=self.needs_review,
        )


class ContraindicationAnswer(ClinicScopedModel):
    """The current answer to one checklist question, with who recorded it and when."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="contraindication_answers"
    )
    key = models.CharField(max_length=40, choices=[(q.key, q.label) for q in rules.QUESTIONS])
    answer = models.CharField(max_length=10, choices=[(a.value, a.value) for a in rules.Answer])
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "patient", "key"], name="intake_one_answer_per_key"
            )
        ]


class EligibilityDecision(ClinicScopedModel):
    """A prescriber's approve/decline for a protocol's drug; the latest one per drug counts."""

    class Outcome(models.TextChoices):
        APPROVE = "approve", "Approved"
        DECLINE = "decline", "Declined"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="eligibility_decisions"
    )
    protocol_code = models.CharField(max_length=60)
    drug = models.CharField(max_length=20, choices=[(d.value, d.value) for d in rules.Drug])
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    recommendation = models.CharField(
        max_length=12, choices=[(r.value, r.value) for r in rules.Recommendation]
    )
    reasons = models.JSONField(default=list)
    note = models.TextField(blank=True)
    justification = models.TextField(blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["patient", "drug", "-created_at"])]

    @property
    def against_recommendation(self) -> bool:
        return self.outcome == self.Outcome.APPROVE and self.recommendation != "eligible"


class ConsentType(models.TextChoices):
    KETAMINE_OFF_LABEL = "ketamine_off_label", "Ketamine (off-label use)"
    ESKETAMINE_REMS = "esketamine_rems", "Esketamine (REMS enrollment)"


class ConsentDocument(ClinicScopedModel):
    """One version of a clinic's consent text for a consent type; the highest version is current."""

    consent_type = models.CharField(max_length=30, choices=ConsentType.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["consent_type", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "consent_type", "version"], name="intake_consent_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class SignerRelationship(models.TextChoices):
    PATIENT = "patient", "Patient"
    LEGAL_REPRESENTATIVE = "legal_representative", "Legal representative"


class ConsentRecord(ClinicScopedModel):
    """A signed consent (signer, witness, date, document version) and its revocation, if any."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="consent_records"
    )
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="+")
    consent_type = models.CharField(max_length=30, choices=ConsentType.choices)
    version = models.PositiveIntegerField()
    signer_name = models.CharField(max_length=200)
    signer_relationship = models.CharField(
        max_length=30, choices=SignerRelationship.choices, default=SignerRelationship.PATIENT
    )
    witness_name = models.CharField(max_length=200)
    signed_on = models.DateField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-signed_on", "-created_at"]
        indexes = [models.Index(fields=["patient", "consent_type", "revoked_at"])]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ReferralItem(ClinicScopedModel):
    """A diagnosis, PHQ-9 total or allergy that arrived with a referral, kept as received."""

    class Kind(models.TextChoices):
        DIAGNOSIS = "diagnosis", "Diagnosis"
        OBSERVATION = "observation", "PHQ-9 total"
        ALLERGY = "allergy", "Allergy"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="referral_items"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    system = models.CharField(max_length=255, blank=True)
    code = models.CharField(max_length=60, blank=True)
    display = models.CharField(max_length=200)
    value = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    recorded_on = models.DateField(null=True, blank=True)
    import_key = models.CharField(max_length=300)

    class Meta:
        ordering = ["kind", "-recorded_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "patient", "import_key"], name="intake_referral_item_once"
            )
        ]


class FhirImport(ClinicScopedModel):
    """One accepted referral upload: which bundle, for whom, by whom, and what it gave."""

    bundle_hash = models.CharField(max_length=64, db_index=True)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    imported_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    patient_created = models.BooleanField()
    imported = models.JSONField(default=dict)
    unmapped = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at"]


class ClinicAntidepressant(ClinicScopedModel):
    """A clinic's own dose-table row: replaces the built-in row of the same name, or adds one."""

    name = models.CharField(max_length=120)
    drug_class = models.CharField(max_length=40)
    min_daily_dose_mg = models.DecimalField(max_digits=8, decimal_places=2)
    source = models.CharField(max_length=300)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="intake_clinic_drug_once"),
            models.CheckConstraint(
                condition=models.Q(min_daily_dose_mg__gt=0), name="intake_clinic_dose_positive"
            ),
        ]


class IntakeSettings(models.Model):
    """A clinic's intake thresholds and default protocol (defaults from rules.IntakeSettings)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.PROTECT, related_name="intake_settings")
    min_trial_weeks = models.PositiveSmallIntegerField(
        default=rules.DEFAULT_SETTINGS.min_trial_weeks,
        help_text="Weeks an antidepressant trial must last to be adequate (MGH-ATRQ).",
    )
    min_failed_trials_for_trd = models.PositiveSmallIntegerField(
        default=rules.DEFAULT_SETTINGS.min_failed_trials_for_trd
    )
    default_protocol_code = models.CharField(max_length=60, default="esketamine_trd")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Intake settings of {self.clinic}"

    def as_rule_settings(self) -> rules.IntakeSettings:
        return rules.IntakeSettings(
            min_trial_weeks=self.min_trial_weeks,
            min_failed_trials_for_trd=self.min_failed_trials_for_trd,
        )
