"""Navigation, chart tab and home work-queue lines of the measures app."""

from django.urls import reverse
from django.utils import timezone

from ketaclinic.core.permissions import can
from ketaclinic.core.ui import ChartTab, NavItem, WorkItem, WorkSection, register

from . import queries
from .models import AlertStatus

WHO_ACTS = {"prescriber": "a prescriber must act"}


def open_alerts(user) -> list[WorkItem]:
    """Every open safety alert of the clinic, with who must act; urgent until acknowledged."""
    if not can(user, "measure.alerts"):
        return []
    tz = user.clinic.tz
    return [
        WorkItem(
            label=f"{alert.patient.full_name} ({alert.patient.mrn})",
            detail=(
                f"{alert.message} Raised {timezone.localtime(alert.raised_at, tz):%Y-%m-%d %H:%M}; "
                f"{WHO_ACTS.get(alert.must_act, alert.must_act + ' must act')}."
            ),
            url=reverse("measures:alerts") + f"#alert-{alert.id}",
            urgent=True,
            section="alerts",
        )
        for alert in queries.clinic_alerts(user, AlertStatus.OPEN)
    ]


def self_reports_due(user) -> list[WorkItem]:
    """Self-report questionnaires due today or overdue, for whoever sends the links."""
    if not can(user, "measure.schedule"):
        return []
    return [
        WorkItem(
            label=f"{row.patient.full_name} ({row.patient.mrn})",
            detail=(
                f"{row.schedule.get_instrument_display()} {row.status} since {row.due_on:%Y-%m-%d}"
                + ("; link sent" if row.open_request else "")
            ),
            url=reverse("measures:due"),
            urgent=row.status == "overdue",
            section="measures",
        )
        for row in queries.due_list(user)
        if row.is_self_report
    ]


register(
    nav=[
        NavItem("Safety alerts", "measures:alerts", "measure.alerts", order=30),
        NavItem("Measures due", "measures:due", "measure.schedule", order=35),
    ],
    chart_tabs=[ChartTab("measures", "Measures", "measures:chart", "measure.view", order=20)],
    work_sections=[
        WorkSection("alerts", "Open safety alerts", order=20, nav_url_name="measures:alerts"),
        WorkSection(
            "measures",
            "Self-report measures due",
            order=50,
            nav_url_name="measures:due",
            urgent_word="overdue",
        ),
    ],
    work_items=[open_alerts, self_reports_due],
)
