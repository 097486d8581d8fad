"""Treatment session reads, scoped to the actor's clinic: lookups, lists, the chair board."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, Prefetch, Q
from django.utils import timezone

from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import NotFound
from ketaclinic.core.permissions import require
from ketaclinic.core.ui import ChartMarker
from ketaclinic.patients.queries import patient_record
from ketaclinic.protocols.definitions import ProtocolDefinition
from ketaclinic.treatments.models import (
    ACTIVE_STATUSES,
    DoseOrder,
    ScaleEntry,
    SessionAlert,
    SessionStatus,
    TreatmentSession,
    VitalSignsEntry,
)
from ketaclinic.treatments.state import SessionState, definition_for, state_of


def with_rows(queryset):
    """Sessions with everything a state needs, in a fixed number of queries."""
    return queryset.select_related(
        "patient",
        "patient__clinic",
        "protocol_version",
        "monitored_by",
    ).prefetch_related(
        # One row per session at most (session.pre_check, .order, .note).
        "pre_checks",
        Prefetch("orders", queryset=DoseOrder.objects.select_related("ordered_by", "checked_by")),
        "notes",
        Prefetch(
            "vitals",
            queryset=VitalSignsEntry.objects.select_related("recorded_by")
            .prefetch_related("alerts")
            .order_by("measured_at", "created_at"),
        ),
        Prefetch(
            "scales",
            queryset=ScaleEntry.objects.select_related("recorded_by").order_by(
                "measured_at", "created_at"
            ),
        ),
        Prefetch(
            "alerts",
            queryset=SessionAlert.objects.select_related("acknowledged_by").order_by(
                "raised_at", "created_at"
            ),
        ),
        "adverse_events",
    )


def _light(sessions):
    return sessions.select_related("patient", "patient__clinic", "course", "protocol_version")


def access_session(
    user,
    session_id,
    *,
    action: str = "session.view",
    record_view: bool = False,
    with_flowsheet: bool = True,
):
    """A session of the user's clinic, or NotFound (also for other clinics').

    With its flowsheet rows (what a state needs) unless `with_flowsheet` is False: another
    app that needs only the session, its patient, course and version (billing) says so."""
    require(user, action)
    try:
        session_id = uuid.UUID(str(session_id))
    except ValueError:
        raise NotFound("No such session.") from None
    sessions = TreatmentSession.objects.visible_to(user)
    rows = with_rows(sessions) if with_flowsheet else _light(sessions)
    session = rows.filter(pk=session_id).first()
    if session is None:
        raise NotFound("No such session.")
    if record_view:
        record_event(actor=user, action="session.viewed", obj=session, patient=session.patient)
    return session


def clinic_today(user) -> datetime.date:
    return timezone.localdate(timezone.now(), user.clinic.tz)


def sessions_for(user, *, status: str = "", date: datetime.date | None = None):
    """Sessions of the user's clinic, filtered by status and scheduled date."""
    require(user, "session.view")
    sessions = TreatmentSession.objects.visible_to(user)
    if status:
        sessions = sessions.filter(status=status)
    if date is not None:
        sessions = sessions.filter(scheduled_date=date)
    return sessions.select_related("patient").order_by("scheduled_date", "chair", "created_at")


def session_state(session, now: datetime.datetime | None = None) -> SessionState:
    return state_of(session, now or timezone.now())


def session_definition(session) -> ProtocolDefinition:
    """The protocol definition of the version the session runs under."""
    return definition_for(session)


def session_for_update(session, *, clinic_id):
    """The session row of the clinic under SELECT ... FOR UPDATE (this row only), with its
    patient, course and protocol version; call inside the caller's transaction."""
    return (
        _light(TreatmentSession.objects.filter(clinic_id=clinic_id))
        .select_for_update(of=("self",))
        .get(pk=getattr(session, "pk", session))
    )


def discharged_sessions(user, *, patient=None, excluding=None):
    """The clinic's completed (discharged) sessions in date order, less the excluded ids."""
    sessions = TreatmentSession.objects.visible_to(user).filter(status=SessionStatus.DISCHARGED)
    if excluding is not None:
        sessions = sessions.exclude(pk__in=excluding)
    if patient is not None:
        sessions = sessions.filter(patient=patient)
    return sessions.select_related("patient").order_by("scheduled_date", "number")


def treated_patient_ids(user):
    """Ids of the clinic's patients who were ever given a dose (a subquery)."""
    return (
        TreatmentSession.objects.visible_to(user)
        .filter(dose_started_at__isnull=False)
        .values("patient_id")
    )


def dose_start_times(user, patient_ids) -> list[tuple]:
    """(patient id, dose start) of every dosed session of these patients."""
    return list(
        TreatmentSession.objects.visible_to(user)
        .filter(patient_id__in=patient_ids, dose_started_at__isnull=False)
        .values_list("patient_id", "dose_started_at")
    )


def session_statuses(user, course_ids) -> list[tuple]:
    """(course id, status, scheduled date) of every session of these courses."""
    return list(
        TreatmentSession.objects.visible_to(user)
        .filter(course_id__in=course_ids)
        .values_list("course_id", "status", "scheduled_date")
    )


@dataclass
class BoardRow:
    """One chair on the board (with the lines other apps add, filled in by the page)."""

    state: SessionState
    panels: list = field(default_factory=list)

    @property
    def session(self):
        return self.state.session


def board(user, now: datetime.datetime | None = None) -> list[BoardRow]:
    """Every active session in the clinic today (and any still open from earlier days)."""
    require(user, "session.view")
    now = now or timezone.now()
    today = timezone.localdate(now, user.clinic.tz)
    sessions = with_rows(
        TreatmentSession.objects.visible_to(user).filter(
            Q(status__in=ACTIVE_STATUSES)
            | Q(
                status=SessionStatus.DISCHARGED,
                discharged_at__gte=now - datetime.timedelta(minutes=30),
            )
        )
    ).filter(Q(scheduled_date__lte=today))
    rows = [BoardRow(state_of(s, now)) for s in sessions]
    order = {code: n for n, code in enumerate(ACTIVE_STATUSES)}
    rows.sort(
        key=lambda r: (
            not r.state.open_alerts,
            order.get(r.session.status, 99),
            r.session.chair or "~",
            r.session.patient.family_name,
        )
    )
    return rows


def scheduled_today(user):
    """Today's sessions that have not been checked in yet."""
    require(user, "session.view")
    return sessions_for(
        user, status=SessionStatus.SCHEDULED, date=clinic_today(user)
    ).select_related("protocol_version")


def todays_schedule(user):
    """Today's sessions of the clinic by start time and chair, aborted ones left out: what the
    front desk needs to check patients in (names and places only, no clinical data)."""
    require(user, "session.arrive")
    return (
        TreatmentSession.objects.visible_to(user)
        .filter(scheduled_date=clinic_today(user))
        .exclude(status=SessionStatus.ABORTED)
        .select_related("patient")
        .order_by(F("scheduled_start").asc(nulls_last=True), "chair", "patient__family_name")
    )


# --- chart -----------------------------------------------------------------------------------


def sessions_of_patient(user, patient):
    """The patient's sessions, newest first (a total order: the chart pages through it)."""
    sessions = patient_record(user, "session.view", TreatmentSession, patient)
    return (
        sessions.select_related("protocol_version")
        .prefetch_related("orders")
        .order_by("-scheduled_date", "-number", "-id")
    )


@dataclass(frozen=True)
class SessionSummary:
    """The whole history of a patient's sessions in one aggregate row: counts by status and
    the first and latest dates (however many sessions there are)."""

    total: int
    by_status: list  # (label, count), in the order of the session's day, only non-zero
    first_date: datetime.date | None
    last_date: datetime.date | None


def session_summary(user, patient) -> SessionSummary:
    sessions = patient_record(user, "session.view", TreatmentSession, patient)
    counts = {status: Count("id", filter=Q(status=status)) for status in SessionStatus.values}
    row = sessions.aggregate(
        total=Count("id"), first=Min("scheduled_date"), last=Max("scheduled_date"), **counts
    )
    return SessionSummary(
        total=row["total"],
        by_status=[(label, row[status]) for status, label in SessionStatus.choices if row[status]],
        first_date=row["first"],
        last_date=row["last"],
    )


def trajectory_markers(patient) -> list[ChartMarker]:
    """Treatment sessions (dose start) as markers on the measures trajectory chart."""
    rows = TreatmentSession.objects.filter(
        clinic_id=patient.clinic_id, patient=patient, dose_started_at__isnull=False
    ).values_list("dose_started_at", "protocol_code", "number", "status")
    return [
        ChartMarker(
            at=at,
            label=f"Session {number} ({code.replace('_', ' ')})"
            + (" — aborted" if status == SessionStatus.ABORTED else ""),
            kind="session",
        )
        for at, code, number, status in rows
    ]


def last_dose_starts(clinic_id, patient_ids, now) -> dict:
    """Each patient's latest dose start up to `now` (aborted sessions included, as on the
    trajectory chart): one grouped query whatever the number of patients."""
    rows = (
        TreatmentSession.objects.filter(
            clinic_id=clinic_id,
            patient_id__in=list(patient_ids),
            dose_started_at__isnull=False,
            dose_started_at__lte=now,
        )
        .values("patient_id")
        .annotate(last=Max("dose_started_at"))
    )
    return {row["patient_id"]: row["last"] for row in rows}
