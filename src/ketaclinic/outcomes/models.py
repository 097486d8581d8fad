"""Fact tables of the outcome summary: kept current by outcomes.facts, read by the dashboard.

Derived data only, never entered by anyone: every row can be rebuilt from the clinical tables
(`ketaclinic rebuild_outcome_facts`). Ids of other apps' rows are plain columns, not foreign
keys: the facts follow those rows (outcomes.facts), they never hold them in place.
"""

from django.db import models


class CourseFact(models.Model):
    """One course with its outcome under the clinic's definition when the row was written."""

    course_id = models.UUIDField(primary_key=True)
    clinic_id = models.UUIDField()
    patient_id = models.UUIDField(db_index=True)
    protocol_code = models.CharField(max_length=60)
    start_date = models.DateField()
    status = models.CharField(max_length=20)
    # 1 when the course has a score of the outcome instrument (its baseline), else 0.
    scored = models.SmallIntegerField()
    # 1 when it has a score after the baseline.
    evaluable = models.SmallIntegerField()
    baseline = models.SmallIntegerField(null=True)
    latest = models.SmallIntegerField(null=True)
    # Response and remission at the last score (0 when not evaluable).
    resp_last = models.SmallIntegerField()
    remit_last = models.SmallIntegerField()
    # Kaplan-Meier time in days and event (1 responded, 0 censored); NULL when not evaluable.
    km_day = models.IntegerField(null=True)
    km_event = models.SmallIntegerField(null=True)
    # At the first score after milestone session k's dose: NULL none, else 1 + response
    # + 2 * remission (outcomes.sql.FACT_MILESTONES).
    m2 = models.SmallIntegerField(null=True)
    m4 = models.SmallIntegerField(null=True)
    m6 = models.SmallIntegerField(null=True)
    dosed_sessions = models.IntegerField()
    adverse_events = models.IntegerField()
    severe_adverse_events = models.IntegerField()
    # The patient's equity attributes, and the age band at the course's start.
    race = models.CharField(max_length=40, null=True)
    ethnicity = models.CharField(max_length=40, null=True)
    sex = models.CharField(max_length=10, null=True)
    payer_type = models.CharField(max_length=40, null=True)
    income_band = models.CharField(max_length=40, null=True)
    age_band = models.CharField(max_length=20)
    # Start dates of the patient's previous course, and of their previous course of the same
    # protocol (course order: start date, then creation): to count distinct patients.
    prev_start_any = models.DateField(null=True)
    prev_start_protocol = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["clinic_id", "start_date"], name="outcomes_course_clinic_start"),
            models.Index(
                fields=["clinic_id", "protocol_code", "start_date"],
                name="outcomes_course_clinic_proto",
            ),
            models.Index(
                fields=["clinic_id", "protocol_code"],
                condition=models.Q(status="active"),
                name="outcomes_course_active",
            ),
        ]

    def __str__(self) -> str:
        return f"course {self.course_id} ({self.protocol_code} from {self.start_date})"


class SessionFact(models.Model):
    """One dosed session with its adverse events and safety alerts."""

    session_id = models.UUIDField(primary_key=True)
    clinic_id = models.UUIDField()
    patient_id = models.UUIDField(db_index=True)
    course_id = models.UUIDField()
    protocol_code = models.CharField(max_length=60)
    scheduled_date = models.DateField()
    events = models.IntegerField()
    severe_events = models.IntegerField()
    alerts = models.IntegerField()
    bp_alerts = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["clinic_id", "course_id"], name="outcomes_session_clinic_course")
        ]

    def __str__(self) -> str:
        return f"dosed session {self.session_id} ({self.scheduled_date})"


class DayFact(models.Model):
    """Dosed sessions of one clinic, protocol and day, with their events and alerts: the
    session facts added up, so the dashboard reads a row per day rather than per session."""

    clinic_id = models.UUIDField()
    protocol_code = models.CharField(max_length=60)
    day = models.DateField()
    sessions = models.IntegerField()
    events = models.IntegerField()
    severe_events = models.IntegerField()
    alerts = models.IntegerField()
    bp_alerts = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic_id", "protocol_code", "day"], name="outcomes_day_unique"
            )
        ]
        indexes = [models.Index(fields=["clinic_id", "day"], name="outcomes_day_clinic_day")]

    def __str__(self) -> str:
        return f"{self.protocol_code} on {self.day}: {self.sessions} dosed sessions"
