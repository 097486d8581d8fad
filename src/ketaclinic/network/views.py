"""The network pages: the organization's locations, their ledgers' status, their outcomes."""

from django.shortcuts import render

from ketaclinic.audit.services import record_event
from ketaclinic.core.permissions import can
from ketaclinic.core.views import clinic_view
from ketaclinic.measures import queries as measures_queries
from ketaclinic.patients import queries as patients_queries
from ketaclinic.treatments import queries as treatments_queries

from . import queries


def _page(request, template: str, **context):
    """A network page, with the organization and which network pages the reader may open."""
    user = request.user
    context |= {
        "organization": user.clinic.organization,
        "can_compliance": can(user, "network.view_compliance"),
        "can_outcomes": can(user, "network.view_outcomes"),
        "can_capacity": can(user, "network.view_capacity"),
        "can_diversion": can(user, "network.view_diversion"),
    }
    return render(request, template, context)


@clinic_view
def home(request):
    return _page(request, "network/home.html", locations=queries.locations(request.user))


@clinic_view
def compliance(request):
    return _page(request, "network/compliance.html", rows=queries.compliance(request.user))


@clinic_view
def outcomes(request):
    return _page(request, "network/outcomes.html", report=queries.outcomes(request.user))


@clinic_view
def equity(request):
    return _page(request, "network/equity.html", report=queries.equity(request.user))


@clinic_view
def capacity(request):
    return _page(request, "network/capacity.html", report=queries.capacity(request.user))


@clinic_view
def diversion(request):
    report = queries.diversion(request.user)
    record_event(
        actor=request.user,
        action="network.diversion_viewed",
        clinic=request.user.clinic,
        changes={"locations": len(report.locations), "signals": report.signals},
    )
    return _page(request, "network/diversion.html", report=report)


EARLIER_SCORES_SHOWN = 30


@clinic_view
def earlier_care(request, patient_id):
    """A transferred patient's care at the location they came from, read-only: that location's
    courses and scores, read as that location keeps them (each read with its own permission)."""
    user = request.user
    patient = patients_queries.access_patient(user, patient_id, record_view=True)
    transfer = patients_queries.transferred_in(user, patient)
    if transfer is None:
        return render(
            request,
            "network/earlier_care.html",
            {"patient": patient, "active_tab": "overview", "transfer": None},
        )
    reader = patients_queries.history_reader(user, transfer)
    earlier = patients_queries.access_patient(reader, transfer.other_patient_id)
    courses = (
        list(treatments_queries.courses_of(reader, earlier)) if can(user, "course.view") else None
    )
    scores = (
        measures_queries.patient_history(reader, earlier)[:EARLIER_SCORES_SHOWN]
        if can(user, "measure.view")
        else None
    )
    record_event(
        actor=user,
        action="patient.earlier_care_viewed",
        clinic=user.clinic,
        patient=patient,
        changes={"location": transfer.other_clinic_name, "mrn_there": transfer.other_mrn},
    )
    return render(
        request,
        "network/earlier_care.html",
        {
            "patient": patient,
            "active_tab": "overview",
            "transfer": transfer,
            "earlier": earlier,
            "courses": courses,
            "scores": scores,
            "scores_shown": EARLIER_SCORES_SHOWN,
        },
    )
