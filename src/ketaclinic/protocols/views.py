"""Protocol pages: the clinic's protocols with every value and source; starting a course."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketaclinic.core.errors import DomainError, Forbidden
from ketaclinic.core.views import clinic_view
from ketaclinic.patients.queries import access_patient
from ketaclinic.protocols import queries, services
from ketaclinic.protocols.editing import to_data
from ketaclinic.protocols.rules import max_dose_note


@clinic_view
def protocol_list(request):
    return render(request, "protocols/list.html", {"rows": queries.protocols_for(request.user)})


@clinic_view
def protocol_detail(request, code):
    row = queries.access_protocol(request.user, code)
    return render(
        request,
        "protocols/detail.html",
        {
            "row": row,
            "d": row.definition,
            "data": to_data(row.definition),
            "max_dose_note": max_dose_note(row.definition),
        },
    )


@require_POST
@clinic_view
def start_course(request, patient_id):
    patient = access_patient(request.user, patient_id, action="course.start")
    try:
        start = datetime.date.fromisoformat(request.POST.get("start_date", ""))
    except ValueError:
        messages.error(request, "Give the start date as YYYY-MM-DD.")
        return redirect("treatments:chart", patient_id=patient.id)
    try:
        course = services.start_course(
            actor=request.user,
            patient=patient,
            protocol_code=request.POST.get("protocol", ""),
            start_date=start,
        )
    except Forbidden:
        raise
    except DomainError as exc:
        detail = " ".join(f"{k}: {v}" for k, v in exc.fields.items())
        messages.error(request, f"{exc.message} {detail}".strip())
        return redirect("treatments:chart", patient_id=patient.id)
    messages.success(
        request, f"Course started: {course.protocol_code} from {course.start_date.isoformat()}."
    )
    return redirect("treatments:chart", patient_id=patient.id)
