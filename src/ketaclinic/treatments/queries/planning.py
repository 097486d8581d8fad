"""Reads for planning a week of sessions: the sessions still to be given and the last doses."""

from __future__ import annotations

import datetime

from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Sum

from ketaclinic.treatments.models import CourseStatus, SessionStatus, TreatmentSession


def sessions_to_plan(user, date_from: datetime.date, date_to: datetime.date):
    """Scheduled (not yet started) sessions of the clinic's active courses dated in the range,
    with their course, patient and protocol version, in course then number order."""
    return (
        TreatmentSession.objects.visible_to(user)
        .filter(
            course__status=CourseStatus.ACTIVE,
            status=SessionStatus.SCHEDULED,
            scheduled_date__gte=date_from,
            scheduled_date__lte=date_to,
        )
        .select_related("course", "patient", "protocol_version")
        .order_by("course_id", "number")
    )


def last_dosed_dates(user, course_ids, before: datetime.date) -> dict:
    """course id -> the date of the course's last session dosed before `before`."""
    rows = (
        TreatmentSession.objects.visible_to(user)
        .filter(
            course_id__in=list(course_ids),
            dose_started_at__isnull=False,
            scheduled_date__lt=before,
        )
        .values("course_id")
        .annotate(last=Max("scheduled_date"))
    )
    return {row["course_id"]: row["last"] for row in rows}


def sessions_by_ids(user, session_ids):
    """The clinic's sessions with these ids (others' ids are silently absent)."""
    return TreatmentSession.objects.visible_to(user).filter(pk__in=list(session_ids))


def chair_minutes(clinic_id, date_from: datetime.date, date_to: datetime.date) -> tuple[int, int]:
    """(sessions, minutes) of chair time one clinic's sessions dated in the range took, from
    check-in to discharge (only sessions with both times count): what the network report
    compares with the chair time its locations were open. No permission check; the caller
    authorizes its reader."""
    rows = TreatmentSession.objects.filter(
        clinic_id=clinic_id,
        scheduled_date__gte=date_from,
        scheduled_date__lte=date_to,
        checked_in_at__isnull=False,
        discharged_at__gt=F("checked_in_at"),
    ).aggregate(
        sessions=Count("pk"),
        time=Sum(
            ExpressionWrapper(F("discharged_at") - F("checked_in_at"), output_field=DurationField())
        ),
    )
    time = rows["time"] or datetime.timedelta(0)
    return rows["sessions"], int(time.total_seconds() // 60)
