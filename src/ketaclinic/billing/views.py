"""Billing pages: the chart's Billing tab, PDFs, the clinic's balances, prices and reports."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ketaclinic.core.errors import DomainError, Forbidden
from ketaclinic.core.permissions import can, require
from ketaclinic.core.views import clinic_view, run_service
from ketaclinic.patients.queries import chart_page, page_offset, patients_by_id
from ketaclinic.patients.views import older_rows
from ketaclinic.protocols.queries import protocols_for
from ketaclinic.treatments.queries import latest_course

from . import charges, estimates, pdf, queries, reports, rules, services, superbill
from .definitions import DIAGNOSES, SERVICES
from .forms import (
    BillingSettingsForm,
    ChargeForm,
    DiagnosisForm,
    EstimateForm,
    FeeScheduleForm,
    GuidelineForm,
    PaymentForm,
    PeriodForm,
    SlidingScaleForm,
    SlidingTableForm,
    VoidForm,
)
from .models import PaymentMethod
from .poverty_guidelines import REGIONS


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _protocol_choices(user):
    return [
        (row.code, row.definition.name)
        for row in protocols_for(user)
        if row.definition.configured and estimates.visit_kind(row.definition)
    ]


def _month_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = today.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def _estimate_context(request, patient, today):
    """The live estimate: the patient's course, or a protocol chosen on the page."""
    course = latest_course(patient)
    form = EstimateForm(
        request.GET if "protocol" in request.GET else None,
        protocols=_protocol_choices(request.user),
        initial={"start_date": today},
        prefix=None,
    )
    view, error, issued = None, "", None
    try:
        if form.is_bound and form.is_valid():
            view = estimates.for_plan(
                actor=request.user,
                patient=patient,
                protocol_code=form.cleaned_data["protocol"],
                start_date=form.cleaned_data["start_date"],
            )
        elif course is not None:
            view = estimates.for_course(course, today=today)
            latest = queries.latest_estimate_for_course(course)
            issued = (latest, queries.dispute_check(latest)) if latest else None
    except DomainError as exc:
        error = exc.message
    return {
        "course": course,
        "estimate_form": form,
        "estimate": view,
        "estimate_error": error,
        "dispute": issued,
    }


# The tab lists charges and payments newest first, a page at a time (the id breaks ties).
CHARGE_ORDER = ("-service_date", "-created_at", "-id")
PAYMENT_ORDER = ("-received_on", "-created_at", "-id")
ROWS_SHOWN = 10  # of each: a charge or payment row carries its own void form


def _tab_context(request, patient, **bound):
    user = request.user
    today = queries.clinic_today(patient.clinic)
    first, last = _month_bounds(today)
    assessment = queries.assessment_on(patient, today)
    return {
        "patient": patient,
        "active_tab": "billing",
        "today": today,
        "account": queries.account_of(patient),
        "charges": chart_page(
            queries.charges_of(user, patient).order_by(*CHARGE_ORDER), 0, ROWS_SHOWN
        ),
        "payments": chart_page(
            queries.payments_of(user, patient).order_by(*PAYMENT_ORDER), 0, ROWS_SHOWN
        ),
        "assessment": assessment,
        "assessments": list(queries.assessments_of(user, patient)[:5]),
        "issued": list(queries.estimates_of(user, patient)[:10]),
        "diagnosis": queries.current_diagnosis(patient),
        "diagnoses": DIAGNOSES,
        "payment_form": bound.get("payment_form")
        or PaymentForm(prefix="payment", initial={"received_on": today, "method": "card"}),
        "scale_form": bound.get("scale_form")
        or SlidingScaleForm(prefix="scale", initial={"effective_from": today}),
        "charge_form": bound.get("charge_form")
        or ChargeForm(prefix="charge", initial={"service_date": today}),
        "diagnosis_form": bound.get("diagnosis_form") or DiagnosisForm(prefix="dx"),
        "superbill_form": PeriodForm(initial={"date_from": first, "date_to": last}),
        "can_pay": can(user, "billing.payment"),
        "can_scale": can(user, "billing.sliding_scale"),
        "can_charge": can(user, "billing.charge"),
        "can_issue": can(user, "billing.estimate"),
        "can_diagnose": can(user, "billing.diagnosis"),
        **_estimate_context(request, patient, today),
    }


@clinic_view
def billing_tab(request, patient_id):
    patient = queries.access_billing_patient(request.user, patient_id, record_view=True)
    return render(request, "billing/tab.html", _tab_context(request, patient))


def _older_view(kind, rows_of, order, heading):
    """The next page of the tab's charges or payments (older ones), for "Show older"."""

    @clinic_view
    def view(request, patient_id):
        user = request.user
        patient = queries.access_billing_patient(user, patient_id, record_view=True)
        offset = page_offset(request.GET.get("offset"))
        page = chart_page(rows_of(user, patient).order_by(*order), offset, ROWS_SHOWN)
        context = {
            "patient": patient,
            kind: page,
            "can_charge": can(user, "billing.charge"),
            "can_pay": can(user, "billing.payment"),
        }
        return older_rows(
            request,
            context,
            tab="billing",
            heading=heading,
            rows=f"billing/_{kind}_rows.html",
            table=f"billing/_{kind}_table.html",
        )

    return view


older_charges = _older_view("charges", queries.charges_of, CHARGE_ORDER, "Older charges")
older_payments = _older_view("payments", queries.payments_of, PAYMENT_ORDER, "Older payments")


def _tab(patient):
    return redirect("billing:tab", patient_id=patient.id)


def _post_form(request, patient_id, action, form_class, prefix, call, success, key):
    patient = queries.access_billing_patient(request.user, patient_id, action=action)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        done = run_service(form, lambda: call(patient, form.cleaned_data))
        if done is not None:
            messages.success(request, success(done))
            return _tab(patient)
    context = _tab_context(request, patient, **{key: form})
    return render(request, "billing/tab.html", context, status=422)


def _patient_form_view(action, form_class, prefix, write, success, key):
    """A POST of one of the billing tab's forms: `write(actor=, patient=, **data)`, then
    back to the tab with `success(row)`, or the tab again with the form's errors."""

    @require_POST
    @clinic_view
    def view(request, patient_id):
        return _post_form(
            request,
            patient_id,
            action,
            form_class,
            prefix,
            lambda patient, data: write(actor=request.user, patient=patient, **data),
            success,
            key,
        )

    return view


# Each form of the tab: (action, form, prefix, the write, the success message, context key).
record_payment = _patient_form_view(
    "billing.payment",
    PaymentForm,
    "payment",
    services.record_payment,
    lambda p: f"Payment of ${p.amount:,.2f} recorded.",
    "payment_form",
)
apply_sliding_scale = _patient_form_view(
    "billing.sliding_scale",
    SlidingScaleForm,
    "scale",
    services.apply_sliding_scale,
    lambda a: f"Sliding scale applied: {a.discount_percent.normalize():f}% discount.",
    "scale_form",
)
add_charge = _patient_form_view(
    "billing.charge",
    ChargeForm,
    "charge",
    charges.add_charge,
    lambda c: f"Charge added: {c.code or c.description} ${c.amount:,.2f}.",
    "charge_form",
)
set_diagnosis = _patient_form_view(
    "billing.diagnosis",
    DiagnosisForm,
    "dx",
    services.set_diagnosis,
    lambda d: f"Diagnosis set: {d.code}.",
    "diagnosis_form",
)


@require_POST
@clinic_view
def charge_sessions(request, patient_id):
    patient = queries.access_billing_patient(request.user, patient_id, action="billing.charge")
    result = charges.charge_completed_sessions(actor=request.user, patient=patient)
    messages.success(request, f"{len(result.charged)} completed session(s) charged.")
    for session, reason in result.skipped:
        messages.warning(request, f"Session {session.number} ({session.scheduled_date}): {reason}")
    return _tab(patient)


@require_POST
@clinic_view
def issue_estimate(request, patient_id):
    patient = queries.access_billing_patient(request.user, patient_id, action="billing.estimate")
    course = None
    if request.POST.get("course_id"):
        course = queries.access_course(
            request.user, request.POST["course_id"], action="billing.estimate"
        )
    start = request.POST.get("start_date")
    try:
        estimate = services.issue_estimate(
            actor=request.user,
            patient=patient,
            course=course,
            protocol_code=request.POST.get("protocol", ""),
            start_date=datetime.date.fromisoformat(start) if start else None,
        )
    except (DomainError, ValueError) as exc:
        if isinstance(exc, Forbidden):
            raise
        messages.error(request, getattr(exc, "message", str(exc)))
        return _tab(patient)
    messages.success(
        request,
        f"Good Faith Estimate issued: ${estimate.total:,.2f}. Open its PDF under "
        "Issued Good Faith Estimates.",
    )
    return redirect(reverse("billing:tab", args=[patient.id]) + "#estimate")


@require_POST
@clinic_view
def void_row(request, kind, row_id):
    action = "billing.charge" if kind == "charge" else "billing.payment"
    if kind == "charge":
        row = queries.access_charge(request.user, row_id, action=action)
    else:
        row = queries.access_payment(request.user, row_id, action=action)
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why it is voided.")
    else:
        call = services.void_charge if kind == "charge" else services.void_payment
        try:
            call(actor=request.user, **{kind: row}, reason=form.cleaned_data["reason"])
            messages.success(request, f"The {kind} was voided.")
        except DomainError as exc:
            messages.error(request, exc.message)
    return _tab(row.patient)


def _estimate(request, estimate_id):
    estimate = queries.access_estimate(request.user, estimate_id)
    return estimate, superbill.estimate_document(estimate)


@clinic_view
def estimate_pdf(request, estimate_id):
    estimate, data = _estimate(request, estimate_id)
    return _pdf(pdf.estimate_pdf(data), f"good-faith-estimate-{estimate.created_at:%Y%m%d}.pdf")


@clinic_view
def estimate_print(request, estimate_id):
    """The issued Good Faith Estimate as a page to print (the PDF's own template)."""
    estimate, data = _estimate(request, estimate_id)
    html = pdf.estimate_html(
        data,
        for_pdf=False,
        request=request,
        back_url=reverse("billing:tab", args=[estimate.patient_id]) + "#estimate",
        back_label="Back to billing",
        pdf_url=reverse("billing:estimate_pdf", args=[estimate.id]),
    )
    return HttpResponse(html)


def _superbill(request, patient_id):
    """(patient, period, data), or (patient, None, None) when the period is not valid."""
    patient = queries.access_billing_patient(request.user, patient_id, record_view=True)
    form = PeriodForm(request.GET)
    if not form.is_valid():
        messages.error(request, "Choose a period for the superbill.")
        return patient, None, None
    start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    return patient, (start, end), superbill.superbill(patient, start, end)


@clinic_view
def superbill_pdf(request, patient_id):
    patient, period, data = _superbill(request, patient_id)
    if data is None:
        return _tab(patient)
    return _pdf(pdf.superbill_pdf(data), f"superbill-{patient.mrn}-{period[0]:%Y%m%d}.pdf")


@clinic_view
def superbill_print(request, patient_id):
    """The superbill of a period as a page to print (the PDF's own template)."""
    patient, _period, data = _superbill(request, patient_id)
    if data is None:
        return _tab(patient)
    html = pdf.superbill_html(
        data,
        for_pdf=False,
        request=request,
        back_url=reverse("billing:tab", args=[patient.id]),
        back_label="Back to billing",
        pdf_url=reverse("billing:superbill", args=[patient.id]) + "?" + request.GET.urlencode(),
    )
    return HttpResponse(html)


# --- clinic pages ------------------------------------------------------------------------------


@clinic_view
def overview(request):
    require(request.user, "billing.view")
    owing = {pid: a for pid, a in queries.accounts(request.user).items() if a.balance != 0}
    patients = patients_by_id(request.user, owing).values()
    rows = sorted(
        ((p, owing[p.id]) for p in patients), key=lambda r: (-r[1].balance, r[0].family_name)
    )
    today = queries.clinic_today(request.user.clinic)
    return render(
        request,
        "billing/overview.html",
        {
            "rows": rows,
            "schedule": queries.fee_schedule_on(request.user.clinic_id, today),
            "scale": queries.sliding_scale_on(request.user.clinic_id, today),
            "can_charge": can(request.user, "billing.charge"),
            "can_configure": can(request.user, "billing.configure"),
            "can_report": can(request.user, "billing.reports"),
        },
    )


@require_POST
@clinic_view
def charge_all(request):
    result = charges.charge_completed_sessions(actor=request.user)
    messages.success(request, f"{len(result.charged)} completed session(s) charged.")
    for session, reason in result.skipped:
        messages.warning(request, f"{session.patient} session {session.number}: {reason}")
    return redirect("billing:overview")


@clinic_view
def fee_schedule_page(request):
    user = request.user
    schedules = list(queries.fee_schedules(user))
    today = queries.clinic_today(user.clinic)
    current = queries.fee_schedule_on(user.clinic_id, today)
    form = None
    if can(user, "billing.configure"):
        prices = queries.prices_of(current) if current else {}
        form = FeeScheduleForm(
            request.POST or None,
            current=prices,
            initial={"effective_from": today, "name": "Fee schedule"},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            done = run_service(
                form,
                lambda: services.create_fee_schedule(
                    actor=user,
                    name=data["name"],
                    effective_from=data["effective_from"],
                    note=data["note"],
                    items=form.items(),
                ),
            )
            if done is not None:
                messages.success(request, f"Fee schedule in force from {done.effective_from}.")
                return redirect("billing:fee_schedule")
    elif request.method == "POST":
        raise Forbidden("Your role may not change fee schedules.")
    return render(
        request,
        "billing/fee_schedule.html",
        {
            "schedules": schedules,
            "current": current,
            "form": form,
            "services": SERVICES,
        },
    )


REGION_LABELS = dict(REGIONS)


def _scale_rows(scale):
    parsed = queries.bands_of(scale)
    return [(rules.band_label(parsed, i), b.discount_percent) for i, b in enumerate(parsed)]


@clinic_view
def sliding_scale_page(request):
    user = request.user
    require(user, "billing.view")
    today = queries.clinic_today(user.clinic)
    configure = can(user, "billing.configure")
    if request.method == "POST" and not configure:
        raise Forbidden("Your role may not change the sliding scale.")
    table_form = SlidingTableForm(
        request.POST if "table" in request.POST else None,
        prefix="table",
        initial={"effective_from": today},
    )
    guideline_form = GuidelineForm(
        request.POST if "guideline" in request.POST else None,
        prefix="guideline",
        initial={"year": today.year, "region": "contiguous"},
    )
    if request.method == "POST":
        form = table_form if "table" in request.POST else guideline_form
        if form.is_valid():
            data = form.cleaned_data
            if form is table_form:
                call = lambda: services.create_sliding_scale(  # noqa: E731
                    actor=user,
                    name=data["name"],
                    effective_from=data["effective_from"],
                    note=data["note"],
                    bands=form.bands(),
                )
            else:
                call = lambda: services.set_poverty_guideline(actor=user, **data)  # noqa: E731
            if run_service(form, call) is not None:
                messages.success(request, "Saved.")
                return redirect("billing:sliding_scale")
    settings = queries.billing_settings(user.clinic)
    guidelines = queries.guidelines(user.clinic_id)
    return render(
        request,
        "billing/sliding_scale.html",
        {
            "scales": [(s, _scale_rows(s)) for s in queries.sliding_scales(user)],
            "guidelines": [(g, REGION_LABELS.get(g.region, g.region)) for g in guidelines],
            "missing_year": not any(
                g.year == today.year and g.region == settings.poverty_region for g in guidelines
            ),
            "today": today,
            "region": settings.get_poverty_region_display(),
            "table_form": table_form if configure else None,
            "guideline_form": guideline_form if configure else None,
        },
    )


@clinic_view
def settings_page(request):
    user = request.user
    require(user, "billing.configure")
    current = queries.billing_settings(user.clinic)
    form = BillingSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if run_service(form, lambda: services.update_billing_settings(actor=user, **changes)):
            messages.success(request, "Billing settings saved.")
            return redirect("billing:settings")
    return render(request, "billing/settings.html", {"form": form})


@clinic_view
def report_page(request):
    user = request.user
    require(user, "billing.reports")
    today = queries.clinic_today(user.clinic)
    form = PeriodForm(
        request.GET or None, initial={"date_from": today.replace(month=1, day=1), "date_to": today}
    )
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    else:
        start, end = today.replace(month=1, day=1), today
    report = reports.billing_report(user, start, end)
    return render(
        request,
        "billing/report.html",
        {
            "form": form,
            "report": report,
            "received_by_method": [
                (PaymentMethod(method).label, amount)
                for method, amount in report["received_by_method"].items()
            ],
        },
    )
