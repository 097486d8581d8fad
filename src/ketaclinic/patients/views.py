"""Patient pages: list and search, register, chart (audited view) and edit."""

from django.contrib import messages
from django.shortcuts import redirect, render

from ketaclinic.core.errors import Forbidden
from ketaclinic.core.pagination import paginate
from ketaclinic.core.permissions import can
from ketaclinic.core.views import clinic_view, run_service

from . import queries, services
from .forms import PatientForm, PatientSearchForm, TransferForm


def older_rows(request, context: dict, *, tab: str, heading: str, rows: str, table: str):
    """The answer to a chart list's "Show older": the next rows alone (template `rows`) for
    htmx, which puts them in place of the Show older row; without script, the chart page with
    the tab's table (template `table`) holding that page."""
    if request.htmx:
        return render(request, rows, context)
    context = {**context, "active_tab": tab, "heading": heading, "table_template": table}
    return render(request, "patients/chart_older.html", context)


@clinic_view
def patient_list(request):
    form = PatientSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    page = paginate(queries.search_patients(request.user, q), request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "q": q,
        "can_register": can(request.user, "patient.register"),
    }
    if request.htmx:
        return render(request, "patients/list.html#results", context)
    return render(request, "patients/list.html", context)


@clinic_view
def patient_register(request):
    if not can(request.user, "patient.register"):
        raise Forbidden("Your role may not register patients.")
    form = PatientForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        # Only the "Register anyway" button of the duplicate warning carries this value.
        confirmed = request.POST.get("confirm_duplicate") == "yes"

        def register():
            try:
                return services.register_patient(
                    actor=request.user, duplicate_check=not confirmed, **data
                )
            except services.PossibleDuplicate as exc:
                duplicates.extend(exc.matches)
                return None

        patient = run_service(form, register)
        if patient is not None:
            messages.success(request, f"Registered {patient.full_name} ({patient.mrn}).")
            return redirect("patients:chart", patient_id=patient.id)
    return render(
        request,
        "patients/form.html",
        {"form": form, "title": "Register a patient", "duplicates": duplicates},
    )


@clinic_view
def patient_chart(request, patient_id):
    patient = queries.access_patient(request.user, patient_id, record_view=True)
    return render(
        request,
        "patients/chart_overview.html",
        {
            "patient": patient,
            "active_tab": "overview",
            "transfers": queries.transfers_of(request.user, patient),
        },
    )


@clinic_view
def patient_transfer(request, patient_id):
    """Transfer the patient to another location of the organization, with their consent."""
    user = request.user
    patient = queries.access_patient(
        user, patient_id, action="patient.transfer", record_view=request.method == "GET"
    )
    destinations = queries.transfer_destinations(user)
    form = TransferForm(request.POST or None, destinations=destinations)
    if request.method == "POST" and form.is_valid():
        to_clinic = next(c for c in destinations if str(c.pk) == form.cleaned_data["to_clinic"])
        received = run_service(
            form,
            lambda: services.transfer_patient(
                actor=user,
                patient=patient,
                to_clinic=to_clinic,
                consent_note=form.cleaned_data["consent_note"],
            ),
        )
        if received is not None:
            messages.success(
                request,
                f"{patient.full_name} was transferred to {to_clinic.name} (MRN there "
                f"{received.mrn}). The records written here stay here.",
            )
            return redirect("patients:chart", patient_id=patient.id)
    return render(
        request,
        "patients/transfer.html",
        {"form": form, "patient": patient, "destinations": destinations},
    )


@clinic_view
def patient_edit(request, patient_id):
    patient = queries.access_patient(
        request.user, patient_id, action="patient.update", record_view=request.method == "GET"
    )
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        changes = {
            name: form.cleaned_data[name] for name in form.changed_data if name in form.Meta.fields
        }
        saved = run_service(
            form,
            lambda: services.update_patient(actor=request.user, patient=patient, **changes),
        )
        if saved is not None:
            messages.success(request, "Changes saved.")
            return redirect("patients:chart", patient_id=patient.id)
    return render(
        request,
        "patients/form.html",
        {"form": form, "title": f"Edit {patient.full_name}", "patient": patient},
    )
