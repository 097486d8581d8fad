"""The network pages: the organization's locations, their ledgers' status, their outcomes."""

from django.shortcuts import render

from ketaclinic.core.permissions import can
from ketaclinic.core.views import clinic_view

from . import queries


@clinic_view
def home(request):
    user = request.user
    return render(
        request,
        "network/home.html",
        {
            "locations": queries.locations(user),
            "organization": user.clinic.organization,
            "can_compliance": can(user, "network.view_compliance"),
            "can_outcomes": can(user, "network.view_outcomes"),
        },
    )


@clinic_view
def compliance(request):
    return render(
        request,
        "network/compliance.html",
        {
            "rows": queries.compliance(request.user),
            "organization": request.user.clinic.organization,
        },
    )


@clinic_view
def outcomes(request):
    return render(
        request,
        "network/outcomes.html",
        {
            "report": queries.outcomes(request.user),
            "organization": request.user.clinic.organization,
        },
    )
