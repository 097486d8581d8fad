"""Navigation, chart tab and home work-queue lines of the intake app."""

from django.urls import reverse

from ketaclinic.core.permissions import can
from ketaclinic.core.ui import ChartTab, NavItem, WorkItem, WorkSection, register

from . import queries
from .models import ReferralStatus

# Referrals that wait for the clinic to act (eligible or declined ones have been decided).
WAITING = (ReferralStatus.REFERRED, ReferralStatus.INTAKE_IN_PROGRESS)


def intake_tasks(user) -> list[WorkItem]:
    items = []
    # Referrals for those who run intake (who may put patients on the list), not the readers.
    if can(user, "referral.create"):
        for referral in queries.waiting_referrals(user, WAITING):
            items.append(
                WorkItem(
                    label=f"{referral.patient.full_name} ({referral.patient.mrn})",
                    detail=(
                        f"referred on {referral.referred_on:%Y-%m-%d}; "
                        f"{referral.get_status_display().lower()}"
                    ),
                    url=reverse("intake:chart", args=[referral.patient_id]),
                    section="intake",
                )
            )
    if can(user, "intake.confirm_trial"):
        for trial in queries.trials_to_confirm(user):
            items.append(
                WorkItem(
                    label=f"{trial.patient.full_name} ({trial.patient.mrn})",
                    detail=f"antidepressant trial of {trial.drug} to confirm",
                    url=reverse("intake:chart", args=[trial.patient_id]) + "#trials",
                    section="intake",
                )
            )
    return items


register(
    nav=[NavItem("Referrals", "intake:waiting_list", "referral.view", order=15)],
    chart_tabs=[ChartTab("intake", "Intake", "intake:chart", "intake.view", order=10)],
    work_sections=[
        WorkSection(
            "intake",
            "Intake: referrals waiting and trials to confirm",
            order=70,
            nav_url_name="intake:waiting_list",
        )
    ],
    work_items=[intake_tasks],
)
