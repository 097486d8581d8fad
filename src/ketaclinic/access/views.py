"""Access pages: barriers on the chart, the prioritized waiting list, dropout risk, equity."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketaclinic.core.permissions import can, require
from ketaclinic.core.views import clinic_view, run_service
from ketaclinic.patients.queries import access_patient

from . import queries, reports, services
from .forms import BarrierForm, PeriodForm, ResolveForm


def _tab(request, patient, form=None, status=200):
    return render(
        request,
        "access/tab.html",
        {
            "patient": patient,
            "active_tab": "access",
            "barriers": list(queries.barriers_of(request.user, patient)),
            "form": form or BarrierForm(),
            "can_record": can(request.user, "access.record"),
        },
        status=status,
    )


@clinic_view
def access_tab(request, patient_id):
    require(request.user, "access.view")
    patient = access_patient(request.user, patient_id, record_view=True)
    return _tab(request, patient)


@require_POST
@clinic_view
def record_barrier(request, patient_id):
    require(request.user, "access.record")
    patient = access_patient(request.user, patient_id)
    form = BarrierForm(request.POST)
    if form.is_valid():
        done = run_service(
            form,
            lambda: services.record_barrier(
                actor=request.user, patient=patient, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, f"Barrier recorded: {done.get_kind_display()}.")
            return redirect("access:tab", patient_id=patient.id)
    return _tab(request, patient, form, status=422)


@require_POST
@clinic_view
def resolve_barrier(request, barrier_id):
    barrier = queries.access_barrier(request.user, barrier_id, action="access.record")
    form = ResolveForm(request.POST)
    if form.is_valid():
        done = run_service(
            form,
            lambda: services.resolve_barrier(
                actor=request.user, barrier=barrier, resolution=form.cleaned_data["resolution"]
            ),
        )
        if done is not None:
            messages.success(request, "Barrier resolved.")
    else:
        messages.error(request, "Say what resolved the barrier.")
    return redirect("access:tab", patient_id=barrier.patient_id)


@clinic_view
def waiting_list(request):
    rows = queries.waiting_list(request.user)
    return render(
        request,
        "access/waiting_list.html",
        {"rows": rows, "show_reasons": can(request.user, "measure.view"), "active": "waiting"},
    )


@clinic_view
def at_risk(request):
    return render(
        request, "access/at_risk.html", {"rows": queries.at_risk(request.user), "active": "risk"}
    )


@clinic_view
def report(request):
    require(request.user, "access.reports")
    today = queries.clinic_today(request.user.clinic)
    start = today.replace(month=1, day=1)
    form = PeriodForm(request.GET or None, initial={"date_from": start, "date_to": today})
    if form.is_bound and form.is_valid():
        start, today = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    data = reports.equity_report(request.user, start, today)
    return render(request, "access/report.html", {"form": form, "report": data, "active": "report"})
