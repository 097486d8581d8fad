"""Treatment pages: the live chair board, the session page and its actions, REMS, the chart tab
and starting a course from it."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ketaclinic.core.errors import DomainError, Forbidden, NotFound
from ketaclinic.core.permissions import can, require
from ketaclinic.core.views import clinic_view, run_service
from ketaclinic.measures.queries import patient_schedules
from ketaclinic.patients.queries import access_patient, chart_page, page_offset
from ketaclinic.patients.views import older_rows
from ketaclinic.pdmp import queries as pdmp_queries
from ketaclinic.protocols import queries as protocol_queries
from ketaclinic.protocols.definitions import COMPARISON_SYMBOLS
from ketaclinic.protocols.rules import max_dose_note
from ketaclinic.protocols.sources import DOSING_WEIGHTS
from ketaclinic.treatments import codes as c
from ketaclinic.treatments import forms, panels, pk_views, queries, rules, services, vitals_chart
from ketaclinic.treatments.models import DOSED_STATUSES, PRE_DOSE_STATUSES, PreCheck, SessionStatus
from ketaclinic.treatments.pdf import rems_html
from ketaclinic.treatments.pdf import rems_pdf as build_rems_pdf

BOARD_POLL_SECONDS = 5


def _board(user) -> list:
    """The board's rows, each with the lines other apps add (one batched read per app)."""
    rows = queries.board(user)
    lines = panels.panel_lines(user, [r.session for r in rows], queries.clinic_today(user))
    for row in rows:
        row.panels = lines.get(row.session.id, [])
    return rows


def _board_live(user) -> dict:
    """What the board shows and refreshes: its rows, the open alerts, the time."""
    rows = _board(user)
    return {
        "rows": rows,
        "open_alert_count": sum(len(r.state.open_alerts) for r in rows),
        "now": timezone.now(),
    }


@clinic_view
def board(request):
    """The treatment room's screen: every active chair, refreshed every few seconds."""
    context = _board_live(request.user) | {
        "scheduled": queries.scheduled_today(request.user),
        "poll_seconds": BOARD_POLL_SECONDS,
    }
    return render(request, "treatments/board.html", context)


@clinic_view
def board_rows(request):
    """The board's live part, fetched by htmx polling."""
    return render(request, "treatments/_board_rows.html", _board_live(request.user))


def _page_context(request, session) -> dict:
    state = queries.session_state(session)
    issues, reasons = (
        services.pre_check_issues(state) if session.status in PRE_DOSE_STATUSES else ([], [])
    )
    pre_check = getattr(session, "pre_check", None)
    dosed = session.status in DOSED_STATUSES
    user = request.user
    order = getattr(session, "order", None)
    tz = session.patient.clinic.tz
    rems = (
        queries.rems_form(session, state)
        if state.definition.rems_form_required and session.dose_started_at
        else None
    )
    return {
        "pk": pk_views.panel(request, session, state, order),
        "header": _header(session, state, order),
        "current_step": current_step(session, order, state),
        "vitals_chart": vitals_chart.render_svg(session, state.vitals, tz),
        "open_alerts": [(a, readable(a.message)) for a in state.open_alerts],
        "s": session,
        "state": state,
        "patient": session.patient,
        "issues": issues,
        "reasons": reasons,
        # A decision on other findings (an earlier, lower BP) no longer stands: ask again.
        "decided": pre_check is not None
        and rules.decision_stands(pre_check.decision, pre_check.decision_reasons, reasons),
        "order": getattr(session, "order", None),
        "note": getattr(session, "note", None),
        "panels": panels.panel_lines(user, [session], queries.clinic_today(user))[session.id],
        "pdmp": _pdmp_status(user, session),
        # the escort is confirmed on the discharge form itself
        "discharge_issues": [readable(i.message) for i in state.clinical_issues] if dosed else [],
        "may_run": can(user, "session.run"),
        "may_prescribe": can(user, "session.prescribe"),
        "may_check": can(user, "session.second_check"),
        "may_note": can(user, "session.note"),
        "may_sign": can(user, "session.sign_note"),
        "may_submit": can(user, "rems.submit"),
        "statuses": dict(SessionStatus.choices),
        "forms": {
            "check_in": forms.CheckInForm(initial={"chair": session.chair}, auto_id="checkin_%s"),
            "pre_check": forms.PreCheckForm(
                initial=_pre_check_initial(pre_check, session.patient.clinic.tz)
                | _enrollment_initial(session),
                auto_id="pre_%s",
            ),
            "go_no_go": forms.GoNoGoForm(auto_id="go_%s"),
            "order": forms.OrderForm(
                initial={
                    "dose_mg": session.planned_dose_mg,
                    "height_cm": getattr(getattr(session, "order", None), "height_cm", None),
                    "dose_mg_per_kg": session.planned_dose_mg_per_kg,
                    "weight_kg": session.weight_kg or session.patient.weight_kg,
                    "duration_min": state.definition.dose.default_duration_min,
                },
                auto_id="order_%s",
            ),
            "second_check": forms.with_lots(
                forms.SecondCheckForm(auto_id="check_%s"), queries.lots_for_order(user, session)
            ),
            "start": forms.AtForm(auto_id="start_%s"),
            "device": forms.AtForm(auto_id="device_%s"),
            "end_infusion": forms.AtForm(auto_id="endinf_%s"),
            "vitals": forms.VitalsForm(auto_id="vitals_%s"),
            "ack": forms.AcknowledgeForm(),
            "event": forms.AdverseEventForm(auto_id="event_%s"),
            "discharge": forms.DischargeForm(
                initial={"escort_present": session.escort_present}, auto_id="discharge_%s"
            ),
            "abort": forms.ReasonForm(auto_id="abort_%s"),
            "note": forms.NoteForm(
                initial={"text": getattr(getattr(session, "note", None), "text", "")},
                auto_id="note_%s",
            ),
            "addendum": forms.NoteForm(auto_id="addendum_%s"),
            "rems": forms.RemsSubmittedForm(auto_id="rems_%s"),
        },
        "measures_due": _measures_due(user, session),
        "interventions": c.INTERVENTIONS,
        "assessments_due": [
            (dict(c.SCALES).get(scale, scale), due) for scale, due in state.assessments_due
        ],
        "outcomes": c.ADVERSE_EVENT_OUTCOMES,
        "cadss_items": [(n, label) for n, label in enumerate(c.CADSS6_ITEMS, 1)],
        "aldrete_items": [
            ("activity", "Activity"),
            ("respiration", "Respiration"),
            ("circulation", "Circulation (BP within 20% of baseline = 2)"),
            ("consciousness", "Consciousness"),
            ("oxygen_saturation", "Oxygen saturation (above 92% on room air = 2)"),
        ],
        "max_dose_note": max_dose_note(state.definition),
        "dosing_weight_source": DOSING_WEIGHTS.get(state.definition.dose.dosing_weight, ""),
        "rems": rems,
        "rems_missing": rems["missing_labels"] if rems else [],
    }


def readable(text: str) -> str:
    """A rule's message as a reader sees it: comparison signs as ≥ and ≤, not >= and <=."""
    for code, sign in COMPARISON_SYMBOLS.items():
        if code != sign:
            text = text.replace(f" {code} ", f" {sign} ")
    return text


def current_step(session, order, state) -> str:
    """The id of the one step whose form is open on the session page."""
    status = session.status
    if status == SessionStatus.SCHEDULED:
        return "check-in"
    if status == SessionStatus.CHECKED_IN:
        return "pre-checks"
    if status == SessionStatus.PRE_CHECKS_DONE:
        return "start-dose" if order is not None and order.checked_at else "order"
    if status == SessionStatus.DOSING:
        return "device"
    if status == SessionStatus.MONITORING:
        # Vitals until every clinical discharge criterion is met; then the discharge.
        return "discharge" if not state.clinical_issues else "vitals"
    if status == SessionStatus.READY_FOR_DISCHARGE:
        return "discharge"
    # After discharge the REMS form (due within days) comes first, then the note.
    if (
        status == SessionStatus.DISCHARGED
        and state.definition.rems_form_required
        and session.rems_submitted_at is None
    ):
        return "rems"
    return "note"


def _age(minutes: int) -> str:
    return f"{minutes} min ago" if minutes < 120 else f"{minutes // 60} h ago"


def _header(session, state, order) -> dict:
    """The sticky header's figures: protocol by name, dose, lot, the latest value of each vital
    sign with its age."""
    dose = ""
    if order is not None:
        dose = f"{order.dose_mg.normalize():f} mg"
        if order.dose_mg_per_kg:
            dose += f" ({order.dose_mg_per_kg.normalize():f} mg/kg)"
    given_mg, lots = (
        queries.ledger_administration(session) if session.dose_started_at else (None, [])
    )
    lot = ", ".join(lots) if lots else (order.lot_number if order is not None else "")
    latest = [
        {
            "label": r.label,
            "value": f"{r.value}%" if r.unit == "%" else r.value,
            "age": _age(r.minutes_ago),
            "key": r.label.lower(),
        }
        for r in state.latest_readings
        if r.value
    ]
    # One age per group of values measured together (the usual case: one entry).
    for i, item in enumerate(latest):
        item["show_age"] = i == len(latest) - 1 or latest[i + 1]["age"] != item["age"]
    return {
        "protocol": session.protocol_version.name,
        "dose": dose,
        "given_mg": given_mg,
        "lot": lot,
        "latest": latest,
    }


def _pdmp_status(user, session):
    """The signing prescriber's PDMP status before administering, shown above the order form
    (the same rule the signing gate applies); None when there is nothing to sign."""
    if session.status not in PRE_DOSE_STATUSES:
        return None
    if not can(user, "session.prescribe"):
        return None
    settings = pdmp_queries.practice_settings(user.clinic_id)
    if settings is None:
        return None  # the gate says why when the order is signed
    now = timezone.now()
    return pdmp_queries.check_status(
        session.patient,
        user,
        settings.practice_state,
        "administering",
        now,
        previous_order_at=queries.previous_signed_order_at(session, before=now),
    )


def _measures_due(user, session) -> list[str]:
    """Instruments due for the patient (shown next to the pre-check 'measures done' box)."""
    if session.status != SessionStatus.CHECKED_IN or not can(user, "measure.view"):
        return []
    rows = patient_schedules(user, session.patient)
    return [
        f"{row.schedule.get_instrument_display()} ({row.status})"
        for row in rows
        if row.status in ("due", "overdue")
    ]


def _enrollment_initial(session) -> dict:
    enrolled = queries.rems_enrollment(session.patient, session.course)
    return {"rems_patient_enrolled": {True: "yes", False: "no"}.get(enrolled, "")}


def _pre_check_initial(pre_check, tz) -> dict:
    if pre_check is None:
        return {}
    initial = {name: getattr(pre_check, name) for name in PreCheck.ANSWERS}
    for name in PreCheck.TIMES:
        value = initial[name]
        initial[name] = timezone.localtime(value, tz).time() if value else None
    return initial


@clinic_view
def session_page(request, session_id):
    session = queries.access_session(request.user, session_id, record_view=True)
    return render(request, "treatments/session.html", _page_context(request, session))


def _call(form_class, call):
    """(form, service call) -> the action: parse the form, then run the service."""
    return form_class, call


def _pre_checks(user, session, form, tz):
    answers, vitals = form.answers(tz)
    return services.record_pre_checks(actor=user, session=session, vitals=vitals, **answers)


ACTIONS = {
    "check-in": _call(
        forms.CheckInForm,
        lambda u, s, f, tz: services.check_in(actor=u, session=s, **f.moments(tz)),
    ),
    "pre-checks": _call(forms.PreCheckForm, lambda u, s, f, tz: _pre_checks(u, s, f, tz)),
    "go-no-go": _call(
        forms.GoNoGoForm,
        lambda u, s, f, tz: services.decide_go_no_go(actor=u, session=s, **f.cleaned_data),
    ),
    "order": _call(
        forms.OrderForm,
        lambda u, s, f, tz: services.sign_order(
            actor=u, session=s, **{k: v for k, v in f.cleaned_data.items() if v is not None}
        ),
    ),
    "second-check": _call(
        forms.SecondCheckForm,
        lambda u, s, f, tz: services.second_check(actor=u, session=s, **f.cleaned_data),
    ),
    "start-dose": _call(
        forms.AtForm,
        lambda u, s, f, tz: services.start_dose(actor=u, session=s, at=f.moments(tz)["at"]),
    ),
    "device": _call(
        forms.AtForm,
        lambda u, s, f, tz: services.record_device(actor=u, session=s, at=f.moments(tz)["at"]),
    ),
    "end-infusion": _call(
        forms.AtForm,
        lambda u, s, f, tz: services.end_infusion(actor=u, session=s, at=f.moments(tz)["at"]),
    ),
    "vitals": _call(
        forms.VitalsForm,
        lambda u, s, f, tz: services.record_vitals(
            actor=u, session=s, measured_at=f.moments(tz)["measured_at"], **f.vitals()
        ),
    ),
    "scale": _call(
        forms.ScaleForm,
        lambda u, s, f, tz: services.record_scale(actor=u, session=s, **f.payload(tz)),
    ),
    "event": _call(
        forms.AdverseEventForm,
        lambda u, s, f, tz: services.record_adverse_event(actor=u, session=s, **f.moments(tz)),
    ),
    "ready": _call(None, lambda u, s, f, tz: services.mark_ready(actor=u, session=s)),
    "discharge": _call(
        forms.DischargeForm,
        lambda u, s, f, tz: services.discharge(actor=u, session=s, **f.payload(tz)),
    ),
    "abort": _call(
        forms.ReasonForm,
        lambda u, s, f, tz: services.abort(actor=u, session=s, reason=f.cleaned_data["reason"]),
    ),
    "note": _call(
        forms.NoteForm,
        lambda u, s, f, tz: services.save_note(actor=u, session=s, text=f.cleaned_data["text"]),
    ),
    "sign-note": _call(None, lambda u, s, f, tz: services.sign_note(actor=u, session=s)),
    "addendum": _call(
        forms.NoteForm,
        lambda u, s, f, tz: services.add_addendum(actor=u, session=s, text=f.cleaned_data["text"]),
    ),
    "rems-submitted": _call(
        forms.RemsSubmittedForm,
        lambda u, s, f, tz: services.mark_rems_submitted(actor=u, session=s, **f.cleaned_data),
    ),
}

DONE = {
    "check-in": "Checked in.",
    "pre-checks": "Pre-checks saved.",
    "go-no-go": "Decision recorded.",
    "order": "Order signed.",
    "second-check": "Second check recorded.",
    "start-dose": "Dose started.",
    "device": "Device recorded.",
    "end-infusion": "Infusion ended.",
    "vitals": "Vitals recorded.",
    "scale": "Entry recorded.",
    "event": "Adverse event recorded.",
    "ready": "Marked ready for discharge.",
    "discharge": "Discharged.",
    "abort": "Session aborted.",
    "note": "Note saved.",
    "sign-note": "Note signed and locked.",
    "addendum": "Addendum added.",
    "rems-submitted": "REMS form marked submitted.",
}


def _error_text(exc: DomainError) -> str:
    if not exc.fields:
        return exc.message
    # A field whose text is the message itself (e.g. the PDMP gate's) is not said twice.
    details = [f"{k}: {v}" for k, v in exc.fields.items() if v != exc.message]
    return " ".join([exc.message, *details])


@require_POST
@clinic_view
def arrive(request, session_id):
    """Check a patient in from today's schedule on the home page (the front desk's button):
    the chair planned for the session, the time now."""
    session = queries.access_session(
        request.user, session_id, action="session.arrive", with_flowsheet=False
    )
    try:
        services.check_in(actor=request.user, session=session, chair=session.chair)
    except DomainError as exc:
        messages.error(request, f"{session.patient.full_name}: {_error_text(exc)}")
    else:
        messages.success(request, f"{session.patient.full_name} checked in.")
    return redirect("web:home")


@require_POST
@clinic_view
def session_action(request, session_id, action):
    """Every button of the session page: parse, call the service, back to the page."""
    if action not in ACTIONS:
        raise NotFound("No such action.")
    session = queries.access_session(request.user, session_id)
    form_class, call = ACTIONS[action]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        errors = "; ".join(
            " ".join(v) if k == NON_FIELD_ERRORS else f"{k}: {' '.join(v)}"
            for k, v in form.errors.items()
        )
        messages.error(request, f"Please correct: {errors}")
        return redirect("treatments:session", session_id=session.id)
    try:
        result = call(request.user, session, form, session.patient.clinic.tz)
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, _error_text(exc))
        return redirect("treatments:session", session_id=session.id)
    text = DONE[action]
    if action == "vitals":
        _, alerts, _ = result
        if alerts:
            text += " ALERT: " + "; ".join(readable(a.message) for a in alerts)
            messages.warning(request, text)
            return redirect("treatments:session", session_id=session.id)
    messages.success(request, text)
    return redirect("treatments:session", session_id=session.id)


def _change_entry(request, session, change, done: str, **values):
    """Apply `change` (a flowsheet service) to the session: `done` as a success message, or
    the refusal as an error; back to the session page either way."""
    try:
        change(actor=request.user, session=session, **values)
        messages.success(request, done)
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    return redirect("treatments:session", session_id=session.id)


@require_POST
@clinic_view
def acknowledge_alert(request, session_id, alert_id):
    session = queries.access_session(request.user, session_id)
    form = forms.AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the intervention.")
        return redirect("treatments:session", session_id=session.id)
    return _change_entry(
        request,
        session,
        services.acknowledge_alert,
        "Alert acknowledged.",
        alert_id=alert_id,
        **form.cleaned_data,
    )


@require_POST
@clinic_view
def resolve_event(request, session_id, event_id):
    session = queries.access_session(request.user, session_id)
    form = forms.ResolveEventForm(request.POST)
    if not form.is_valid():
        return redirect("treatments:session", session_id=session.id)
    return _change_entry(
        request,
        session,
        services.update_adverse_event,
        "Adverse event updated.",
        event_id=event_id,
        **form.moments(session.patient.clinic.tz),
    )


def _rems_form(request, session_id):
    """The session and its filled REMS form, for whoever may view REMS forms."""
    # The filled form is the patient's data: opening it is audited like the session page.
    session = queries.access_session(request.user, session_id, action="rems.view", record_view=True)
    state = queries.session_state(session)
    if not state.definition.rems_form_required:
        raise NotFound("This session has no REMS form.")
    return session, queries.rems_form(session, state)


@clinic_view
def rems_pdf(request, session_id):
    """The REMS Patient Monitoring Form as a PDF."""
    session, form = _rems_form(request, session_id)
    response = HttpResponse(build_rems_pdf(session, form), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="rems-{session.id}.pdf"'
    return response


@clinic_view
def rems_print(request, session_id):
    """The same form as a page to print from the browser (the PDF's own template)."""
    session, form = _rems_form(request, session_id)
    return HttpResponse(rems_html(session, form, for_pdf=False, request=request))


@clinic_view
def rems_due(request):
    """REMS forms not yet marked submitted, deadline first, overdue highlighted."""
    rows = queries.rems_due(request.user)
    return render(
        request,
        "treatments/rems_due.html",
        {"rows": rows, "overdue": sum(1 for r in rows if r["overdue"])},
    )


@clinic_view
def chart_tab(request, patient_id):
    """The patient's courses, sessions and cumulative exposure."""
    patient = access_patient(request.user, patient_id, action="session.view", record_view=True)
    require(request.user, "course.view")
    courses = list(queries.courses_of(request.user, patient))
    today = timezone.localdate(timezone.now(), patient.clinic.tz)
    current = next((co for co in courses if co.status == "active"), None)
    exposure = (
        queries.exposure_of(patient, queries.course_definition(current), today) if current else None
    )
    protocols = [
        row for row in protocol_queries.protocols_for(request.user) if row.definition.configured
    ]
    return render(
        request,
        "treatments/chart_tab.html",
        {
            "patient": patient,
            "active_tab": "treatment",
            "courses": courses,
            "current": current,
            "page": chart_page(queries.sessions_of_patient(request.user, patient)),
            "summary": queries.session_summary(request.user, patient),
            "exposure": exposure,
            "protocols": protocols,
            "today": today,
            "may_start": can(request.user, "course.start"),
            "statuses": dict(SessionStatus.choices),
        },
    )


@clinic_view
def older_sessions(request, patient_id):
    """The next page of the treatment tab's sessions (older ones), for "Show older"."""
    patient = access_patient(request.user, patient_id, action="session.view", record_view=True)
    require(request.user, "course.view")
    page = chart_page(
        queries.sessions_of_patient(request.user, patient), page_offset(request.GET.get("offset"))
    )
    context = {"patient": patient, "page": page, "statuses": dict(SessionStatus.choices)}
    return older_rows(
        request,
        context,
        tab="treatment",
        heading="Older sessions",
        rows="treatments/_session_rows.html",
        table="treatments/_sessions_table.html",
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


@clinic_view
def settings_page(request):
    """The clinic's treatment-day settings: the plasma threshold (clinic administrators)."""
    user = request.user
    require(user, "treatments.settings")
    current = queries.treatment_settings(user.clinic_id)
    initial = {"pk_threshold_ng_per_ml": current.pk_threshold_ng_per_ml if current else None}
    form = pk_views.ThresholdForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        value = form.cleaned_data["pk_threshold_ng_per_ml"]
        if run_service(
            form, lambda: services.set_pk_threshold(actor=user, threshold_ng_per_ml=value)
        ):
            messages.success(request, "Treatment settings saved.")
            return redirect("treatments:settings")
    status = 422 if request.method == "POST" else 200
    return render(
        request, "treatments/settings.html", {"form": form, "current": current}, status=status
    )
