"""Navigation, the patient-chart tab and the home work-queue lines of the authorizations app."""

from django.urls import reverse

from ketaclinic.core.permissions import can
from ketaclinic.core.ui import ChartTab, NavItem, WorkItem, WorkSection, register

from . import queries

# Warnings that stop a session or cost the clinic money if nobody acts on them.
URGENT_KINDS = frozenset({"expired", "given_uncovered", "not_approved", "outside_dates"})


def authorization_warnings(user) -> list[WorkItem]:
    """For whoever manages authorizations (the front desk): the clinic's warnings, each
    linked to its authorization (or the patient's coverage tab)."""
    if not can(user, "authorization.manage"):
        return []
    items = []
    for warning in queries.warnings_for_clinic(user):
        if warning.authorization_id:
            url = reverse(
                "authorizations:detail", args=[warning.patient_id, warning.authorization_id]
            )
        else:
            url = reverse("authorizations:tab", args=[warning.patient_id])
        items.append(
            WorkItem(
                label=f"{warning.patient_name} ({warning.mrn})",
                detail=warning.message,
                url=url,
                urgent=warning.kind in URGENT_KINDS,
                section="authorizations",
            )
        )
    return items


register(
    nav=[NavItem("Authorizations", "authorizations:work_queue", "authorization.view", order=62)],
    chart_tabs=[
        ChartTab("coverage", "Coverage", "authorizations:tab", "authorization.view", order=62)
    ],
    work_sections=[
        WorkSection(
            "authorizations",
            "Authorizations to act on",
            order=80,
            nav_url_name="authorizations:work_queue",
        )
    ],
    work_items=[authorization_warnings],
)
