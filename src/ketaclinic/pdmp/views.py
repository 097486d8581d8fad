"""PDMP pages: the chart tab (log and form), corrections, the rule table, the report."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ketaclinic.core.errors import Forbidden, InvalidInput, NotFound
from ketaclinic.core.permissions import can, require
from ketaclinic.core.views import clinic_view, run_service
from ketaclinic.patients.queries import access_patient, chart_page, page_offset
from ketaclinic.patients.views import older_rows

from . import queries, rules, services
from .forms import NO_REPORT, CheckForm, CorrectionForm, PeriodForm, PracticeStateForm, RuleForm

# The log, newest check first; the id breaks ties so that pages never repeat or skip an entry.
CHECK_ORDER = ("-checked_at", "-created_at", "-id")
CHECKS_SHOWN = 10
TAB_ACTIONS = ("pdmp.view", "pdmp.record", "pdmp.record_delegate", "pdmp.status")


def _may_record(user) -> bool:
    return can(user, "pdmp.record") or can(user, "pdmp.record_delegate")


def _check_form(user, data=None, **kwargs):
    delegate = not can(user, "pdmp.record") and can(user, "pdmp.record_delegate")
    prescribers = list(queries.prescribers(user.clinic_id)) if delegate else None
    return CheckForm(data, prescribers=prescribers, **kwargs)


def _initial(user) -> dict:
    settings = queries.practice_settings(user.clinic_id)
    now = timezone.localtime(timezone.now(), user.clinic.tz)
    return {
        "state": settings.practice_state if settings else "",
        "checked_at": now.strftime("%Y-%m-%dT%H:%M"),
        "finding": "no_concern",
    }


def _statuses(user, patient) -> list:
    """The asking prescriber's status before each event under the clinic's state rule."""
    settings = queries.practice_settings(user.clinic_id)
    if settings is None or not can(user, "pdmp.record"):
        return []
    now = timezone.now()
    return [
        queries.check_status(patient, user, settings.practice_state, event, now)
        for event in rules.Event
    ]


def _check_page(user, patient, offset: int):
    """A page of the patient's check log, each entry knowing whether this user may correct it
    (the same rule as the correction page: `queries.may_correct`)."""
    page = chart_page(queries.checks_of(user, patient).order_by(*CHECK_ORDER), offset, CHECKS_SHOWN)
    for check in page.rows:
        check.correctable = queries.may_correct(user, check)
    return page


def _tab(request, patient, form=None, status=200):
    user = request.user
    settings = queries.practice_settings(user.clinic_id)
    rule = queries.effective_rule(user.clinic_id, settings.practice_state) if settings else None
    return render(
        request,
        "pdmp/tab.html",
        {
            "patient": patient,
            "active_tab": "pdmp",
            "checks": _check_page(user, patient, 0) if can(user, "pdmp.view") else None,
            "may_record": _may_record(user),
            "form": form
            or (_check_form(user, initial=_initial(user)) if _may_record(user) else None),
            "no_report": NO_REPORT,
            "settings": settings,
            "rule": rule,
            "statuses": _statuses(user, patient),
        },
        status=status,
    )


@clinic_view
def older_checks(request, patient_id):
    """The next page of the tab's check log (older entries), for "Show older"."""
    user = request.user
    require(user, "pdmp.view")
    patient = access_patient(user, patient_id, record_view=True)
    offset = page_offset(request.GET.get("offset"))
    checks = _check_page(user, patient, offset)
    context = {"patient": patient, "checks": checks, "may_record": _may_record(user)}
    return older_rows(
        request,
        context,
        tab="pdmp",
        heading="Older PDMP checks",
        rows="pdmp/_check_rows.html",
        table="pdmp/_checks_table.html",
    )


@clinic_view
def pdmp_tab(request, patient_id):
    if not any(can(request.user, action) for action in TAB_ACTIONS):
        raise Forbidden("Your role may not see the PDMP check log.")
    patient = access_patient(request.user, patient_id, record_view=True)
    return _tab(request, patient)


def _prescriber_from(form, user):
    chosen = form.cleaned_data.get("prescriber")
    if not chosen:
        return None
    found = queries.prescriber_of_clinic(user.clinic_id, chosen)
    if found is None:
        raise InvalidInput("No such prescriber.", fields={"prescriber": "A prescriber."})
    return found


@require_POST
@clinic_view
def record_check(request, patient_id):
    user = request.user
    if not _may_record(user):
        require(user, "pdmp.record")
    patient = access_patient(user, patient_id)
    form = _check_form(user, request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "prescriber"}
        done = run_service(
            form,
            lambda: services.record_check(
                actor=user,
                patient=patient,
                prescriber=_prescriber_from(form, user),
                **data,
            ),
        )
        if done is not None:
            messages.success(
                request, f"PDMP check recorded ({done.state}, id {done.transaction_id})."
            )
            return redirect("pdmp:tab", patient_id=patient.id)
    return _tab(request, patient, form, status=422)


@clinic_view
def correct_check(request, patient_id, check_id):
    user = request.user
    if not _may_record(user):
        require(user, "pdmp.record")
    patient = access_patient(user, patient_id, record_view=request.method == "GET")
    check = queries.access_check_to_correct(user, patient, check_id)
    local = timezone.localtime(check.checked_at, user.clinic.tz)
    initial = {
        "state": check.state,
        "checked_at": local.strftime("%Y-%m-%dT%H:%M"),
        "transaction_id": check.transaction_id,
        "finding": check.finding,
        "concern_note": check.concern_note,
        "note": check.note,
    }
    form = CorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "prescriber"}
        data = {k: ("" if v is None and k != "checked_at" else v) for k, v in data.items()}
        done = run_service(form, lambda: services.correct_check(actor=user, check=check, **data))
        if done is not None:
            messages.success(request, "Correction recorded; the earlier entry is kept, marked.")
            return redirect("pdmp:tab", patient_id=patient.id)
    return render(
        request,
        "pdmp/correct.html",
        {"patient": patient, "check": check, "form": form, "no_report": NO_REPORT},
        status=422 if form.errors else 200,
    )


# --- the rule table ----------------------------------------------------------------------------


def _rules_page(request, state_form=None, status=200):
    user = request.user
    settings = queries.practice_settings(user.clinic_id)
    return render(
        request,
        "pdmp/rules.html",
        {
            "table": queries.rule_table(user.clinic_id),
            "settings": settings,
            "state_form": state_form
            or PracticeStateForm(
                initial={"practice_state": settings.practice_state if settings else ""}
            ),
            "may_manage": can(user, "pdmp.rules_manage"),
            "active": "rules",
        },
        status=status,
    )


@clinic_view
def rule_table(request):
    require(request.user, "pdmp.rules_view")
    state = (request.GET.get("state") or "").upper()
    if state in rules.US_STATES and can(request.user, "pdmp.rules_manage"):
        return redirect("pdmp:edit_rule", state=state)
    return _rules_page(request)


@require_POST
@clinic_view
def confirm_state(request):
    require(request.user, "pdmp.rules_manage")
    form = PracticeStateForm(request.POST)
    if form.is_valid():
        done = run_service(
            form,
            lambda: services.confirm_practice_state(
                actor=request.user, state=form.cleaned_data["practice_state"]
            ),
        )
        if done is not None:
            messages.success(request, f"The clinic practises in {done.practice_state}.")
            return redirect("pdmp:rules")
    return _rules_page(request, state_form=form, status=422)


@clinic_view
def edit_rule(request, state):
    user = request.user
    require(user, "pdmp.rules_manage")
    state = state.upper()
    if state not in rules.US_STATES:
        raise NotFound("No such state.")
    current = queries.effective_rule(user.clinic_id, state)
    initial = {"last_reviewed_on": user.clinic.today(), "frequency": "within_days"}
    if current is not None:
        initial = {
            "before_prescribing": current.before_prescribing,
            "before_administering": current.before_administering,
            "frequency": current.frequency,
            "window_days": current.window_days,
            "source": current.source,
            "scope": current.scope,
            "last_reviewed_on": user.clinic.today(),
        }
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form, lambda: services.set_rule(actor=user, state=state, **form.cleaned_data)
        )
        if done is not None:
            messages.success(request, f"Rule for {state} saved.")
            return redirect("pdmp:rules")
    return render(
        request,
        "pdmp/rule_form.html",
        {
            "form": form,
            "state": state,
            "state_name": rules.US_STATES[state],
            "current": current,
            "active": "rules",
        },
        status=422 if form.errors else 200,
    )


@clinic_view
def report(request):
    user = request.user
    require(user, "pdmp.report")
    today = user.clinic.today()
    start = today.replace(day=1)
    form = PeriodForm(request.GET or None, initial={"date_from": start, "date_to": today})
    if form.is_bound and form.is_valid():
        if form.cleaned_data["date_to"] < form.cleaned_data["date_from"]:
            form.add_error("date_to", "On or after the first date.")
        else:
            start, today = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    data = queries.report(user, start, today)
    return render(request, "pdmp/report.html", {"form": form, "report": data, "active": "report"})
