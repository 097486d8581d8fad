"""Staff pages: the chart's Measures tab, entry form, links, schedules, alert and due lists."""

from __future__ import annotations

from datetime import datetime

import segno
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ketaclinic.core import ui
from ketaclinic.core.errors import Conflict, Forbidden, InvalidInput
from ketaclinic.core.permissions import can
from ketaclinic.core.views import clinic_view, confirm_step, confirmed, run_service
from ketaclinic.patients.queries import page_offset
from ketaclinic.patients.views import older_rows

from . import queries, rules, services
from .chart import Marker, Point, trajectory_svg
from .forms import AcknowledgeForm, InstrumentForm, ScheduleForm, SendLinkForm
from .instruments import INSTRUMENTS, RISK_LEVEL
from .models import AlertStatus

SCORES_SHOWN = 15
# A trajectory shows the whole course; past this many scores (or session markers) it draws the
# means of runs of consecutive scores (and groups of markers), so its size stays the same.
MAX_POINTS = 16
MAX_MARKERS = 12


def _runs(items: list, limit: int) -> list[list]:
    """`items` cut into at most `limit` runs of consecutive items of near-equal length."""
    n = len(items)
    if n <= limit:
        return [[item] for item in items]
    return [items[i * n // limit : (i + 1) * n // limit] for i in range(limit)]


def _points(series, tz) -> list[Point]:
    scored = [p for p in series if p.referral is None and p.total is not None]
    points = []
    for run in _runs(scored, MAX_POINTS):
        if len(run) == 1:
            p = run[0]
            points.append(
                Point(
                    at=timezone.localtime(p.at, tz),
                    value=p.total,
                    alert=p.alert,
                    severity=p.severity or None,
                )
            )
            continue
        middle = run[len(run) // 2]
        points.append(
            Point(
                at=timezone.localtime(middle.at, tz),
                value=round(sum(p.total for p in run) / len(run), 1),
                alert=sum(1 for p in run if p.alert),
                count=len(run),
            )
        )
    referrals = [
        Point(
            at=timezone.localtime(p.at, tz),
            value=p.total,
            alert=p.alert,
            severity=p.severity or None,
            referral=p.referral,
        )
        for p in series
        if p.referral is not None and p.total is not None
    ]
    return sorted(points + referrals, key=lambda p: p.at)


def _markers(markers, tz) -> list[Marker]:
    """The markers by kind, in time order; a kind with many is drawn as groups."""
    by_kind: dict[str, list] = {}
    for m in sorted(markers, key=lambda m: m.at):
        by_kind.setdefault(m.kind, []).append(m)
    shown = []
    for kind, items in by_kind.items():
        for run in _runs(items, MAX_MARKERS):
            first, last = run[0], run[-1]
            label = first.label if len(run) == 1 else f"{first.label} to {last.label}"
            shown.append(Marker(at=timezone.localtime(first.at, tz), label=label, kind=kind))
    return shown


def _instrument_summaries(summaries, series, markers, tz) -> list[dict]:
    """Per instrument: the latest outcome, its count, and the chart of the whole course."""
    by_code: dict[str, list] = {}
    for point in series:
        by_code.setdefault(point.instrument, []).append(point)
    shown = []
    for summary in summaries:
        definition = summary.instrument
        svg = None
        if definition.scoring != RISK_LEVEL:
            svg = trajectory_svg(
                definition,
                _points(by_code.get(definition.code, []), tz),
                baseline=summary.baseline,
                markers=markers,
            )
        shown.append(
            {
                "instrument": definition,
                "latest": summary.latest,
                "count": summary.count,
                "svg": svg,
            }
        )
    return shown


def chart_context(user, patient) -> dict:
    tz = patient.clinic.tz
    summaries, bases = queries.record_summaries(user, patient)
    page = queries.history_page(user, patient, bases, size=SCORES_SHOWN)
    open_alerts, closed_alerts, closed_count = queries.alert_summary(user, patient)
    markers = _markers(ui.trajectory_markers(patient), tz)
    return {
        "patient": patient,
        "active_tab": "measures",
        "page": page,
        "score_count": sum(s.count for s in summaries),
        "summaries": _instrument_summaries(
            summaries, queries.score_series(user, patient), markers, tz
        ),
        "open_alerts": open_alerts,
        "closed_alerts": closed_alerts,
        "closed_count": closed_count,
        "schedules": queries.patient_schedules(user, patient),
        "instruments": list(INSTRUMENTS.values()),
        "send_form": SendLinkForm(),
        "schedule_form": ScheduleForm(),
        "ack_form": AcknowledgeForm(),
        **_row_permissions(user),
        "may_request": can(user, "measure.request"),
        "may_ack": can(user, "measure.acknowledge_alert"),
        "may_schedule": can(user, "measure.schedule"),
        "may_configure": can(user, "measure.configure"),
    }


def _row_permissions(user) -> dict:
    return {
        "may_record": can(user, "measure.record"),
        "may_confirm": can(user, "measure.confirm_referral"),
    }


@clinic_view
def older_scores(request, patient_id):
    """The next page of the measures tab's scores (older ones), for "Show older"."""
    user = request.user
    patient = queries.access_patient_measures(user, patient_id, record_view=True)
    _summaries, bases = queries.record_summaries(user, patient)
    offset = page_offset(request.GET.get("offset"))
    page = queries.history_page(user, patient, bases, offset, size=SCORES_SHOWN)
    context = {"patient": patient, "page": page, **_row_permissions(user)}
    return older_rows(
        request,
        context,
        tab="measures",
        heading="Older scores",
        rows="measures/_score_rows.html",
        table="measures/_scores_table.html",
    )


@clinic_view
def chart(request, patient_id):
    patient = queries.access_patient_measures(request.user, patient_id, record_view=True)
    context = chart_context(request.user, patient)
    return render(request, "measures/chart.html", context)


def _parse_local(value, tz) -> datetime | None:
    if not value:
        return None
    if timezone.is_naive(value):
        return timezone.make_aware(value, tz)
    return value


@clinic_view
def record(request, patient_id, instrument):
    patient = queries.access_patient_measures(
        request.user, patient_id, action="measure.record", record_view=request.method == "GET"
    )
    if instrument not in INSTRUMENTS:
        raise Http404("No such instrument.")
    display = queries.display_instruments(patient.clinic_id, [instrument])[0]
    tz = patient.clinic.tz
    form = InstrumentForm(display, request.POST or None, with_time=True, tz=tz)
    if request.method == "POST" and form.is_valid():
        answers = rules.parse_form_answers(INSTRUMENTS[instrument], form.raw_answers())
        try:
            response, alerts = services.record_measure(
                actor=request.user,
                patient=patient,
                instrument=instrument,
                answers=answers,
                administered_at=_parse_local(form.cleaned_data.get("administered_at"), tz),
            )
        except InvalidInput as exc:
            form.add_item_errors(exc.fields, "answers.")
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            result = response.total if response.total is not None else response.severity
            messages.success(request, f"{display.name} saved: {result}.")
            for alert in alerts:
                messages.error(request, f"Safety alert: {alert.message}")
            return redirect("measures:chart", patient_id=patient.id)
    return render(
        request,
        "measures/record.html",
        {"patient": patient, "form": form, "display": display, "active_tab": "measures"},
    )


@clinic_view
def response_detail(request, patient_id, response_id):
    patient = queries.access_patient_measures(request.user, patient_id, record_view=True)
    response = queries.access_response(request.user, patient, response_id)
    display = queries.display_instruments(patient.clinic_id, [response.instrument])[0]
    answers = []
    for item in display.items:
        value = response.answers.get(item.key)
        label = dict(item.options).get(value) if value is not None else None
        answers.append({"item": item, "value": value, "label": label})
    return render(
        request,
        "measures/response.html",
        {
            "patient": patient,
            "response": response,
            "display": display,
            "answers": answers,
            "alerts": response.alerts.all(),
            "active_tab": "measures",
            "may_confirm": can(request.user, "measure.confirm_referral"),
        },
    )


@require_POST
@clinic_view
def confirm_referral(request, patient_id, response_id):
    """A clinician confirms a referral's score so that it may serve as a course baseline."""
    if not can(request.user, "measure.confirm_referral"):
        raise Forbidden("Your role may not confirm a referral's score.")
    patient = queries.access_patient_measures(
        request.user, patient_id, action="measure.confirm_referral"
    )
    response = queries.access_response(request.user, patient, response_id)
    try:
        services.confirm_referral_score(actor=request.user, response=response)
    except (InvalidInput, Conflict) as exc:
        messages.error(request, f"Not confirmed: {exc.message}")
    else:
        messages.success(
            request,
            f"{response.definition.name} {response.total} from {response.referral_organisation} "
            "confirmed: it may now serve as a course baseline.",
        )
    return redirect("measures:chart", patient_id=patient.id)


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@clinic_view
def send_link(request, patient_id):
    patient = queries.access_patient_measures(request.user, patient_id, action="measure.request")
    sent = _post_form(
        request,
        SendLinkForm(request.POST),
        lambda data: services.send_measure_request(
            actor=request.user,
            patient=patient,
            instruments=data["instruments"],
            delivery=data["delivery"],
        ),
        failed="The link was not sent: ",
    )
    if sent is None:
        return redirect("measures:chart", patient_id=patient.id)
    qr = segno.make(sent.url, error="m").svg_inline(scale=5, title="Self-report link QR code")
    names = [INSTRUMENTS[c].name for c in sent.request.instruments]
    return _no_store(
        render(
            request,
            "measures/link_sent.html",
            {
                "patient": patient,
                "sent": sent,
                "qr": qr,
                "names": names,
                "active_tab": "measures",
            },
        )
    )


def _form_errors(form) -> str:
    return " ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()) or "invalid input"


def _post_form(request, form, save, *, failed: str, done=None):
    """Run `save(data)` on the valid form and return its result; tell the user `done(result)`,
    or `failed` followed by what the form says (and return None)."""
    result = run_service(form, lambda: save(form.cleaned_data)) if form.is_valid() else None
    if result is None:
        messages.error(request, failed + _form_errors(form))
    elif done is not None:
        messages.success(request, done(result))
    return result


@require_POST
@clinic_view
def add_schedule(request, patient_id):
    patient = queries.access_patient_measures(request.user, patient_id, action="measure.schedule")
    _post_form(
        request,
        ScheduleForm(request.POST),
        lambda data: services.create_schedule(
            actor=request.user,
            patient=patient,
            instrument=data["instrument"],
            frequency=data["frequency"],
            interval_days=data.get("interval_days"),
            starts_on=data.get("starts_on"),
        ),
        failed="The schedule was not saved: ",
        done=lambda schedule: f"Schedule added: {schedule}.",
    )
    return redirect("measures:chart", patient_id=patient.id)


@require_POST
@clinic_view
def stop_schedule(request, schedule_id):
    schedule = queries.access_schedule(request.user, schedule_id)
    if not confirmed(request):
        return confirm_step(
            request,
            title="Stop this measurement schedule?",
            question=f"{schedule} for {schedule.patient.full_name} will stop: no further "
            "self-report requests will be sent from it.",
            confirm_label="Stop the schedule",
            cancel_url=reverse("measures:chart", kwargs={"patient_id": schedule.patient_id}),
        )
    services.stop_schedule(actor=request.user, schedule=schedule)
    messages.success(request, f"Schedule stopped: {schedule}.")
    return redirect("measures:chart", patient_id=schedule.patient_id)


@clinic_view
def alert_list(request):
    alerts = list(queries.clinic_alerts(request.user, AlertStatus.OPEN))
    recent = list(queries.clinic_alerts(request.user, AlertStatus.ACKNOWLEDGED)[:25])
    return render(
        request,
        "measures/alerts.html",
        {
            "alerts": alerts,
            "recent": recent,
            "ack_form": AcknowledgeForm(),
            "may_ack": can(request.user, "measure.acknowledge_alert"),
        },
    )


@require_POST
@clinic_view
def acknowledge(request, alert_id):
    if not can(request.user, "measure.acknowledge_alert"):
        raise Forbidden("Only a prescriber may acknowledge a safety alert.")
    alert = queries.access_alert(request.user, alert_id, action="measure.acknowledge_alert")
    _post_form(
        request,
        AcknowledgeForm(request.POST),
        lambda data: services.acknowledge_alert(actor=request.user, alert=alert, note=data["note"]),
        failed="Not acknowledged: ",
        done=lambda _: f"Alert acknowledged for {alert.patient.full_name}.",
    )
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("measures:alerts")


@clinic_view
def due(request):
    rows = queries.due_list(request.user)
    return render(
        request,
        "measures/due.html",
        {
            "rows": rows,
            "may_request": can(request.user, "measure.request"),
            "today": timezone.now(),
        },
    )


@clinic_view
def instrument_settings(request):
    if not can(request.user, "measure.configure"):
        raise Forbidden("Your role may not change the clinic's instrument cut-offs.")
    error = None
    if request.method == "POST":
        code = request.POST.get("instrument", "")
        overrides = {}
        op, value = request.POST.get("remission_operator"), request.POST.get("remission_value")
        if op and value:
            overrides["remission"] = {"operator": op, "value": value}
        for name in ("reliability", "sd"):
            if request.POST.get(name):
                overrides[name] = request.POST[name]
        try:
            services.update_instrument_settings(
                actor=request.user, instrument=code, overrides=overrides
            )
        except InvalidInput as exc:
            error = exc.message
        else:
            messages.success(request, f"Settings of {INSTRUMENTS[code].name} saved.")
            return redirect("measures:settings")
    configured = queries.configured_instruments(request.user.clinic_id)
    return render(
        request,
        "measures/settings.html",
        {"instruments": [i for i in configured.values() if i.tracks_outcome], "error": error},
    )
