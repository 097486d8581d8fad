"""The network pages: the organization's locations, their ledgers' status, their outcomes."""

from django.shortcuts import render

from ketaclinic.audit.services import record_event
from ketaclinic.core.permissions import can
from ketaclinic.core.views import clinic_view
from ketaclinic.measures import queries as measures_queries
from ketaclinic.patients import queries as patients_queries
from ketaclinic.treatments import queries as treatments_queries

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
