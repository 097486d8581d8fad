"""What the clinic has to treat with: chairs, staff shifts, opening hours and staffing rules."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ketaclinic.core.models import ClinicScopedModel

USER = settings.AUTH_USER_MODEL

WEEKDAYS = (
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
)


class Chair(ClinicScopedModel):
    """A treatment chair and what may be given in it."""

    # Same length as the chair recorded on a treatment session, so a plan's chair fits there.
    name = models.CharField(max_length=20, help_text="As staff call it, e.g. 3 or Window 2.")
    location = models.CharField(max_length=100, blank=True, help_text="Room or area.")
    iv_infusion = models.BooleanField("IV infusion", default=False)
    esketamine = models.BooleanField("esketamine nasal spray", default=False)
    active = models.BooleanField(default=True, help_text="Inactive chairs are not planned.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="chair_name_unique_in_clinic"),
            models.CheckConstraint(
                condition=Q(iv_infusion=True) | Q(esketamine=True),
                name="chair_has_a_capability",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def capabilities(self) -> list[str]:
        return [
            label
            for flag, label in (
                (self.iv_infusion, "IV infusion"),
                (self.esketamine, "esketamine"),
            )
            if flag
        ]


class ShiftRole(models.TextChoices):
    NURSE = "nurse", "Nurse"
    PRESCRIBER = "prescriber", "Prescriber"


class StaffShift(ClinicScopedModel):
    """A block of one day a nurse or prescriber is on site (the clinic's wall clock)."""

    staff = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # The staff member's role when the shift was entered: a plan uses it as it was set.
    role = models.CharField(max_length=12, choices=ShiftRole.choices)
    date = models.DateField()
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["date", "starts_at", "role"]
        indexes = [models.Index(fields=["clinic", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_it_starts"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class OpeningHours(ClinicScopedModel):
    """When the clinic treats patients on one weekday; a weekday without a row is closed."""

    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "weekday"], name="opening_hours_one_row_per_weekday"
            ),
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="closes_after_opens"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="weekday_monday_to_sunday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


def _minutes(verbose_name: str, help_text: str) -> models.PositiveSmallIntegerField:
    """A clinic's own number of minutes for a part of a session (none assumed)."""
    return models.PositiveSmallIntegerField(
        verbose_name, null=True, blank=True, help_text=help_text
    )


class StaffingRules(ClinicScopedModel):
    """The clinic's own staffing rules. No ratio is assumed: the planner needs one entered."""

    chairs_per_nurse = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How many occupied chairs one nurse may watch at once (the clinic's policy).",
    )
    prescriber_for_esketamine = models.BooleanField(
        "prescriber on site during esketamine dosing and observation",
        default=True,
        help_text="Spravato REMS: a healthcare provider is on site during administration and "
        "monitoring.",
    )
    prescriber_for_iv = models.BooleanField(
        "prescriber on site during IV infusions and observation", default=False
    )
    # Session timing the protocols do not give: the clinic's own minutes (none assumed).
    arrival_min = _minutes(
        "arrival and pre-checks (minutes)",
        "From the patient's arrival to the start of the dose (the clinic's own time).",
    )
    turnover_min = _minutes(
        "chair turnover (minutes)", "Cleaning and setting up the chair after a patient leaves."
    )
    observation_min = _minutes(
        "observation when the protocol sets no minimum (minutes)",
        "Used only where the protocol leaves the observation time to the clinic "
        "(for example IV ketamine, counted from the end of the infusion).",
    )
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic"], name="one_staffing_rules_per_clinic")
        ]

    def __str__(self) -> str:
        return f"Staffing rules of {self.clinic_id}"
