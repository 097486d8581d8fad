"""Navigation, the patient-chart tab, trajectory-chart markers and the home work-queue lines
of the treatments app: today's schedule, vitals overdue, REMS forms due."""

from django.urls import reverse
from django.utils import timezone

from ketaclinic.core.permissions import can
from ketaclinic.core.ui import ChartTab, NavItem, WorkItem, WorkSection, register
from ketaclinic.treatments.queries import (
    SessionStatus,
    board,
    last_dose_starts,
    rems_due,
    todays_schedule,
    trajectory_markers,
)


def schedule(user) -> list[WorkItem]:
    """Today's sessions by time and chair; a patient not yet arrived has a check-in button."""
    if not can(user, "session.arrive"):
        return []
    clinical = can(user, "session.view")
    items = []
    for session in todays_schedule(user):
        when = f"{session.scheduled_start:%H:%M}" if session.scheduled_start else "no time set"
        where = f"chair {session.chair}" if session.chair else "no chair set"
        waiting = session.status == SessionStatus.SCHEDULED
        items.append(
            WorkItem(
                label=f"{when} · {where} · {session.patient.full_name}",
                detail=session.get_status_display(),
                url=(
                    reverse("treatments:session", args=[session.id])
                    if clinical
                    else reverse("patients:chart", args=[session.patient_id])
                ),
                section="schedule",
                action_label="Check in" if waiting else "",
                action_url=reverse("treatments:arrive", args=[session.id]) if waiting else "",
            )
        )
    return items


def vitals_overdue(user) -> list[WorkItem]:
    """Patients in a chair whose next vitals are past due, for the staff who chart them."""
    if not (can(user, "session.run") and can(user, "session.view")):
        return []
    now = timezone.now()
    tz = user.clinic.tz
    items = []
    for row in board(user, now=now):
        state = row.state
        if not state.vitals_overdue:
            continue
        due = state.next_vitals
        minutes = int((now - due.at).total_seconds() // 60)
        items.append(
            WorkItem(
                label=f"{state.session.patient.full_name} (chair {state.session.chair or '-'})",
                detail=(
                    f"vitals due at {timezone.localtime(due.at, tz):%H:%M} ({due.reason}), "
                    f"{minutes} min ago"
                ),
                url=reverse("treatments:session", args=[state.session.id]) + "#vitals",
                urgent=True,
                section="vitals",
            )
        )
    return items


def rems_forms(user) -> list[WorkItem]:
    """Spravato REMS Patient Monitoring Forms not yet submitted, overdue first."""
    if not can(user, "rems.view"):
        return []
    rows = sorted(rems_due(user), key=lambda r: (not r["overdue"], r["deadline"]))
    return [
        WorkItem(
            label=f"{row['session'].patient.full_name}, treated {row['treated_on']:%Y-%m-%d}",
            detail=(
                f"overdue by {row['days_overdue']} day(s) (due {row['deadline']:%Y-%m-%d})"
                if row["overdue"]
                else f"due by {row['deadline']:%Y-%m-%d} ({row['days_left']} day(s) left)"
            ),
            url=reverse("treatments:session", args=[row["session"].id]) + "#rems",
            urgent=row["overdue"],
            section="rems",
        )
        for row in rows
    ]


register(
    nav=[
        NavItem("Chair board", "treatments:board", "session.view", order=15),
        NavItem("REMS forms", "treatments:rems_due", "rems.view", order=40),
    ],
    chart_tabs=[ChartTab("treatment", "Treatment", "treatments:chart", "course.view", order=30)],
    work_sections=[
        WorkSection("schedule", "Today's schedule", order=10),
        WorkSection(
            "vitals",
            "Vitals overdue",
            order=30,
            nav_url_name="treatments:board",
            urgent_word="overdue",
        ),
        WorkSection(
            "rems",
            "REMS forms due and overdue",
            order=40,
            nav_url_name="treatments:rems_due",
            urgent_word="overdue",
        ),
    ],
    work_items=[schedule, vitals_overdue, rems_forms],
    trajectory_markers=[trajectory_markers],
    last_sessions=[last_dose_starts],
)
