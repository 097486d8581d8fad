"""The patient registry: demographics, contacts and weight, with a clinic-unique MRN."""

from datetime import date, timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketaclinic.core.models import ClinicScopedModel
from ketaclinic.core.numbers import ENVELOPE_MAX_KG, ENVELOPE_MIN_KG

# Plausibility bounds for data entry (typos such as 800 kg), not clinical thresholds: the
# widest range a clinic may choose; core.models.PlausibleWeightRange holds the clinic's own
# choice.
MIN_WEIGHT_KG = ENVELOPE_MIN_KG
MAX_WEIGHT_KG = ENVELOPE_MAX_KG
EARLIEST_BIRTH_YEAR = 1900
# The latest calendar date anywhere on Earth is at UTC+14.
LATEST_ZONE = dt_timezone(timedelta(hours=14))


class Sex(models.TextChoices):
    """Administrative sex, as FHIR's AdministrativeGender."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Race(models.TextChoices):
    """US OMB race categories (SPD 15, 1997), self-reported; used for equity reporting."""

    AMERICAN_INDIAN_ALASKA_NATIVE = (
        "american_indian_alaska_native",
        "American Indian or Alaska Native",
    )
    ASIAN = "asian", "Asian"
    BLACK = "black", "Black or African American"
    NATIVE_HAWAIIAN_PACIFIC_ISLANDER = (
        "native_hawaiian_pacific_islander",
        "Native Hawaiian or Other Pacific Islander",
    )
    WHITE = "white", "White"
    MULTIPLE = "multiple", "More than one race"
    OTHER = "other", "Other"
    DECLINED = "declined", "Prefer not to say"
    UNKNOWN = "unknown", "Unknown"


class Ethnicity(models.TextChoices):
    """US OMB ethnicity categories, self-reported."""

    HISPANIC = "hispanic", "Hispanic or Latino"
    NOT_HISPANIC = "not_hispanic", "Not Hispanic or Latino"
    DECLINED = "declined", "Prefer not to say"
    UNKNOWN = "unknown", "Unknown"


class PayerType(models.TextChoices):
    SELF_PAY = "self_pay", "Self-pay"
    COMMERCIAL = "commercial", "Commercial insurance"
    MEDICARE = "medicare", "Medicare"
    MEDICAID = "medicaid", "Medicaid"
    VA_MILITARY = "va_military", "VA / military"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class IncomeBand(models.TextChoices):
    """Self-reported household income band (for equity reporting, not for pricing)."""

    UNDER_25K = "under_25k", "Under $25,000"
    FROM_25K_TO_50K = "25k_50k", "$25,000 - $49,999"
    FROM_50K_TO_100K = "50k_100k", "$50,000 - $99,999"
    OVER_100K = "100k_plus", "$100,000 or more"
    DECLINED = "declined", "Prefer not to say"
    UNKNOWN = "unknown", "Unknown"


class PreferredLanguage(models.TextChoices):
    """The language the patient's own pages (self-report questionnaires) are shown in."""

    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")


class Patient(ClinicScopedModel):
    """A person registered with the clinic. Only front-desk level data lives here."""

    mrn = models.CharField("MRN", max_length=20, editable=False)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address_line = models.CharField("address", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state / region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = models.CharField(max_length=40, blank=True)
    emergency_contact_relationship = models.CharField(max_length=60, blank=True)
    weight_kg = models.DecimalField(
        "weight (kg)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_WEIGHT_KG), MaxValueValidator(MAX_WEIGHT_KG)],
    )
    race = models.CharField(max_length=40, choices=Race.choices, default=Race.UNKNOWN)
    ethnicity = models.CharField(
        max_length=20, choices=Ethnicity.choices, default=Ethnicity.UNKNOWN
    )
    payer_type = models.CharField(
        max_length=20, choices=PayerType.choices, default=PayerType.UNKNOWN
    )
    income_band = models.CharField(
        max_length=20, choices=IncomeBand.choices, default=IncomeBand.UNKNOWN
    )
    # db_default too: rows inserted without this column (bulk loads) read as English.
    preferred_language = models.CharField(
        max_length=5,
        choices=PreferredLanguage.choices,
        default=PreferredLanguage.ENGLISH,
        db_default=PreferredLanguage.ENGLISH,
        verbose_name=_("preferred language"),
        help_text=_("Language of the questionnaires the patient fills in through a link."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    EDITABLE_FIELDS = (
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "phone",
        "email",
        "address_line",
        "city",
        "region",
        "postal_code",
        "emergency_contact_name",
        "emergency_contact_phone",
        "emergency_contact_relationship",
        "weight_kg",
        "race",
        "ethnicity",
        "payer_type",
        "income_band",
        "preferred_language",
    )

    class Meta:
        ordering = ["family_name", "given_name", "date_of_birth"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "mrn"], name="patient_mrn_unique_in_clinic")
        ]
        indexes = [
            models.Index(fields=["clinic", "family_name", "given_name"]),
            models.Index(fields=["clinic", "date_of_birth"]),
            # The search's MRN match is case-insensitive (search.py); the name match has its
            # own indexes, outside Django's model state (migration 0004).
            models.Index(models.F("clinic"), Upper("mrn"), name="patient_mrn_upper"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def age(self) -> int:
        return self.age_on(self.clinic.today())

    def clean(self):
        errors = {}
        for name in ("given_name", "family_name"):
            value = getattr(self, name) or ""
            if not value.strip():
                errors[name] = "This field is required."
        dob = self.date_of_birth
        if isinstance(dob, date):
            # Without a clinic yet, only a date later than anywhere on Earth is surely future.
            today = (
                self.clinic.today()
                if self.clinic_id
                else timezone.now().astimezone(LATEST_ZONE).date()
            )
            if dob > today:
                errors["date_of_birth"] = "The date of birth cannot be in the future."
            elif dob.year < EARLIEST_BIRTH_YEAR:
                errors["date_of_birth"] = f"The date of birth must be after {EARLIEST_BIRTH_YEAR}."
        if errors:
            raise ValidationError(errors)


class PatientTransfer(ClinicScopedModel):
    """A patient's move from one location of an organization to another, with their consent.

    Two rows, one at each location (`clinic`): at the sending location `direction` is "out" and
    `patient` is the patient there, whose records stay where they were written; at the
    receiving location it is "in" and `patient` is the patient registered there. The other
    location's clinic and patient are kept as plain ids: a row never joins another clinic's
    rows, so each location's tables stay its own (and shardable by clinic)."""

    class Direction(models.TextChoices):
        OUT = "out", "Transferred out"
        IN = "in", "Transferred in"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    other_clinic_id = models.UUIDField()
    other_clinic_name = models.CharField(max_length=200)
    other_patient_id = models.UUIDField()
    other_mrn = models.CharField("MRN at the other location", max_length=20)
    consent_note = models.TextField(
        help_text="How the patient agreed to the transfer (e.g. signed form, verbal, witness)."
    )
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    transferred_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "patient", "direction"], name="one_transfer_each_way_per_patient"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.other_clinic_name} ({self.other_mrn})"
