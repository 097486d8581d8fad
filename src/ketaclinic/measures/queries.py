"""Reads of rating scales, alerts, links and schedules, always scoped to the actor's clinic."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.utils import timezone

from ketaclinic.core import ui
from ketaclinic.core.errors import NotFound
from ketaclinic.core.permissions import require
from ketaclinic.patients.queries import access_patient, access_row, chart_page, patient_record

from . import rules
from .courses import course_start
from .instruments import INSTRUMENTS, Instrument, get_instrument
from .models import (
    AlertStatus,
    ClinicInstrumentText,
    InstrumentSettings,
    InstrumentText,
    MeasurementSchedule,
    MeasureRequest,
    MeasureResponse,
    ResponseSource,
    SafetyAlert,
)

logger = logging.getLogger(__name__)


def latest_severities(clinic_id, patient_ids, instruments) -> dict:
    """patient id -> {instrument: severity or risk level, lower case} of each patient's latest
    response to each of these instruments (for other apps' lists and flags)."""
    latest: dict = {}
    rows = (
        MeasureResponse.objects.filter(
            clinic_id=clinic_id, patient_id__in=patient_ids, instrument__in=tuple(instruments)
        )
        .order_by("patient_id", "instrument", "-administered_at", "-created_at")
        .values_list("patient_id", "instrument", "severity")
    )
    for pid, instrument, severity in rows:
        latest.setdefault(pid, {}).setdefault(instrument, (severity or "").lower())
    return latest


def response_rows(clinic_ids, fields: tuple[str, ...], chunk_size: int = 5000):
    """The named fields of every response of several clinics, by patient and time (for the
    research exports, which check their own permission)."""
    rows = (
        MeasureResponse.objects.filter(clinic_id__in=clinic_ids)
        .order_by("patient_id", "administered_at", "id")
        .values(*fields)
    )
    return rows.iterator(chunk_size=chunk_size)


def hash_token(token: str) -> str:
    # 256 random bits per token: a fast hash is safe and lets the link be found by index.
    return hashlib.sha256(token.encode()).hexdigest()


def access_patient_measures(user, patient_id, *, action="measure.view", record_view=False):
    """The patient, if the user may use `action` on them; NotFound for other clinics."""
    return access_patient(user, patient_id, action=action, record_view=record_view)


# --- instruments configured for a clinic ------------------------------------------------------


def configured_instruments(clinic_id) -> dict[str, Instrument]:
    """Every instrument with the clinic's own cut-offs applied (one query)."""
    overrides = {
        row.instrument: row.overrides
        for row in InstrumentSettings.objects.filter(clinic_id=clinic_id)
    }
    return {code: _configured(i, overrides.get(code), clinic_id) for code, i in INSTRUMENTS.items()}


def _configured(instrument: Instrument, overrides, clinic_id) -> Instrument:
    """The instrument with the clinic's cut-offs; with its published ones (and a warning in the
    log) when a setting saved before today's checks no longer passes them."""
    try:
        return rules.with_overrides(instrument, overrides)
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        logger.warning(
            "Clinic %s: the %s settings are not usable (%s); the published values apply.",
            clinic_id,
            instrument.code,
            exc,
        )
        return instrument


def clinic_instruments(user) -> list[Instrument]:
    """Every instrument as the user's clinic uses it (its own cut-offs applied)."""
    require(user, "measure.instruments")
    return list(configured_instruments(user.clinic_id).values())


def access_instrument(user, code: str) -> Instrument:
    """One instrument as the user's clinic uses it; NotFound for an unknown code."""
    require(user, "measure.instruments")
    if code not in INSTRUMENTS:
        raise NotFound("No such instrument.")
    return configured_instrument(user.clinic_id, code)


def configured_instrument(clinic_id, code: str) -> Instrument:
    base = get_instrument(code)
    row = InstrumentSettings.objects.filter(clinic_id=clinic_id, instrument=code).first()
    return rules.with_overrides(base, row.overrides if row else None)


@dataclass(frozen=True)
class DisplayItem:
    key: str
    label: str
    text: str | None
    options: list[tuple[int, str]]
    required: bool
    asked_if: str | None
    # The items of which one must be answered ("either 6 or 7"), this one included.
    either_or: tuple[str, ...] | None = None


@dataclass(frozen=True)
class DisplayInstrument:
    """An instrument as shown on a form: shipped text, else the clinic's loaded text, else names.

    `language` is the language the wording is in: English when no translation was asked for or
    none is available (then `wanted_language` says which one was asked for)."""

    code: str
    name: str
    instructions: str | None
    items: list[DisplayItem]
    has_text: bool
    completed_by: str
    language: str = "en"
    wanted_language: str = "en"

    @property
    def untranslated(self) -> bool:
        return self.language != self.wanted_language


def _loaded_texts(clinic_id, codes, language: str) -> dict:
    wanted = {"instrument__in": codes, "language": language}
    loaded = {row.instrument: row for row in InstrumentText.objects.filter(**wanted)}
    # A clinic's own text wins over installation-wide text.
    own = ClinicInstrumentText.objects.filter(clinic_id=clinic_id, **wanted)
    return loaded | {row.instrument: row for row in own}


def display_instruments(clinic_id, codes, language: str = "en") -> list[DisplayInstrument]:
    """The instruments of a form in `language` where a published or loaded translation exists;
    in English otherwise. Item keys and answer values are the same in every language."""
    loaded = _loaded_texts(clinic_id, codes, "en")
    translated = _loaded_texts(clinic_id, codes, language) if language != "en" else {}
    out = []
    for code in codes:
        instrument = get_instrument(code)
        shown = _translated(instrument, language, translated.get(code))
        if shown is None:
            shown = _in_english(instrument, loaded.get(code))
        out.append(replace(shown, wanted_language=language))
    return out


def _in_english(instrument: Instrument, text) -> DisplayInstrument:
    items = []
    for item in instrument.items:
        custom = (text.items.get(item.key) or {}) if text else {}
        options = [
            (o.value, (custom.get("options") or {}).get(str(o.value)) or o.label)
            for o in item.options
        ]
        items.append(_display_item(instrument, item, item.text or custom.get("text"), options))
    return DisplayInstrument(
        code=instrument.code,
        name=instrument.name,
        instructions=instrument.instructions or (text.instructions if text else None),
        items=items,
        has_text=instrument.ships_item_text or text is not None,
        completed_by=instrument.completed_by,
    )


def _translated(instrument: Instrument, language: str, text) -> DisplayInstrument | None:
    """The published translation that ships, else a clinic's loaded one, else None."""
    if language == "en":
        return None
    published = instrument.translation(language)
    if published is not None:
        wording = {
            k: (
                t.text,
                dict(zip((o.value for o in instrument.item(k).options), t.options, strict=True)),
            )
            for k, t in published.items.items()
        }
        instructions = published.instructions
    elif text is not None:
        wording = {
            k: (
                spec.get("text"),
                {int(v): label for v, label in (spec.get("options") or {}).items()},
            )
            for k, spec in text.items.items()
        }
        instructions = text.instructions or None
    else:
        return None
    items = []
    for item in instrument.items:
        words, labels = wording.get(item.key, (None, {}))
        options = [(o.value, labels.get(o.value) or o.label) for o in item.options]
        items.append(_display_item(instrument, item, words, options))
    return DisplayInstrument(
        code=instrument.code,
        name=instrument.name,
        instructions=instructions,
        items=items,
        has_text=True,
        completed_by=instrument.completed_by,
        language=language,
    )


def _display_item(instrument: Instrument, item, text, options) -> DisplayItem:
    group = instrument.either_or_group(item.key)
    return DisplayItem(
        key=item.key,
        label=item.label,
        text=text,
        options=options,
        required=item.required and item.asked_if is None,
        asked_if=item.asked_if,
        either_or=group.items if group else None,
    )


# --- a patient's history ----------------------------------------------------------------------


NOT_JUDGED = rules.Outcome(None, None, None, None, None, None)


@dataclass
class HistoryRow:
    """A response with its change against the course baseline."""

    response: MeasureResponse
    instrument: Instrument
    is_baseline: bool
    baseline: int | None
    outcome: rules.Outcome
    alerts: list[SafetyAlert] = field(default_factory=list)

    @property
    def id(self):
        return self.response.id

    @property
    def total(self):
        return self.response.total

    @property
    def severity(self):
        return self.response.severity or None

    @property
    def change_from_baseline(self) -> int | None:
        return self.outcome.change_from_baseline

    @property
    def percent_change(self) -> Decimal | None:
        return self.outcome.percent_change

    @property
    def is_referral(self) -> bool:
        return self.response.is_referral


def baselines(responses, course_started: date | None, tz) -> dict[str, MeasureResponse]:
    """Per instrument, the first response of the current course (the first ever without one).

    A score that came with a referral counts only once a clinician has confirmed it."""
    first: dict[str, MeasureResponse] = {}
    responses = [r for r in responses if r.may_be_baseline]
    for r in sorted(responses, key=lambda r: (r.administered_at, r.created_at)):
        if course_started and timezone.localtime(r.administered_at, tz).date() < course_started:
            continue
        first.setdefault(r.instrument, r)
    if course_started is None:
        return first
    # A course with no score yet on an instrument: fall back to that instrument's first score.
    for r in sorted(responses, key=lambda r: (r.administered_at, r.created_at)):
        first.setdefault(r.instrument, r)
    return first


def patient_history(user, patient, instrument: str | None = None) -> list[HistoryRow]:
    """Responses newest first with change, response, remission and RCI (bounded queries)."""
    require(user, "measure.view")
    if instrument is not None:
        get_instrument(instrument)
    qs = (
        MeasureResponse.objects.visible_to(user)
        .filter(patient=patient)
        .select_related("referral_confirmed_by")
    )
    responses = list(qs.order_by("-administered_at", "-created_at"))
    alerts_by_response: dict = {}
    for alert in SafetyAlert.objects.visible_to(user).filter(patient=patient):
        alerts_by_response.setdefault(alert.response_id, []).append(alert)
    instruments = configured_instruments(patient.clinic_id)
    firsts = baselines(responses, course_start(patient), patient.clinic.tz)
    rows = []
    for r in responses:
        if instrument is not None and r.instrument != instrument:
            continue
        rows.append(
            _history_row(
                r,
                instruments[r.instrument],
                firsts.get(r.instrument),
                alerts_by_response.get(r.pk, []),
            )
        )
    return rows


# The chart's scores, newest first; the id breaks ties so that pages never repeat or skip one.
RESPONSE_ORDER = ("-administered_at", "-created_at", "-id")
_MAY_BE_BASELINE = ~Q(source=ResponseSource.REFERRAL) | Q(referral_confirmed_at__isnull=False)


@dataclass(frozen=True)
class InstrumentSummary:
    """One instrument of a patient's record, from aggregates: how many scores, the latest
    (with its outcome against the baseline) and the baseline's total."""

    instrument: Instrument
    count: int
    latest: HistoryRow
    baseline: int | None


@dataclass(frozen=True)
class SeriesPoint:
    """A score on the trajectory chart: no model instance, only what the chart draws."""

    instrument: str
    at: datetime
    total: int | None
    severity: str
    alert: bool
    referral: str | None  # the referring organisation, for a score that came with a referral


def _history_row(r, definition, base, alerts) -> HistoryRow:
    baseline_total = base.total if base is not None else None
    # An unconfirmed referral score is shown, but no outcome is judged on it.
    judged = r.may_be_baseline
    return HistoryRow(
        response=r,
        instrument=definition,
        is_baseline=base is not None and base.pk == r.pk,
        baseline=baseline_total if judged else None,
        outcome=rules.outcome(definition, baseline_total if judged else None, r.total)
        if judged
        else NOT_JUDGED,
        alerts=alerts,
    )


def _responses(user, patient):
    require(user, "measure.view")
    return (
        MeasureResponse.objects.visible_to(user)
        .filter(patient=patient)
        .select_related("referral_confirmed_by")
    )


def _first_of_each(rows, pairs) -> dict:
    """Per instrument, the first (by time, then entry) of the rows at these (instrument, time)
    pairs: one query, however many scores the patient has."""
    if not pairs:
        return {}
    match = Q()
    for code, at in pairs:
        match |= Q(instrument=code, administered_at=at)
    found: dict = {}
    for r in rows.filter(match).order_by("administered_at", "created_at", "id"):
        found.setdefault((r.instrument, r.administered_at), r)
    return found


def record_summaries(user, patient) -> tuple[list[InstrumentSummary], dict]:
    """Per instrument (in the instruments' order): the count, latest score and baseline,
    computed with one aggregate and one fetch of those few rows; and the baselines by
    instrument (the same rule as `baselines`: the first score of the current course, else the
    first ever; a referral score only once confirmed)."""
    responses = _responses(user, patient)
    started = course_start(patient)
    since = (
        timezone.make_aware(datetime.combine(started, datetime.min.time()), patient.clinic.tz)
        if started
        else None
    )
    firsts = {"first_any": Min("administered_at", filter=_MAY_BE_BASELINE)}
    if since is not None:
        firsts["first_course"] = Min(
            "administered_at", filter=_MAY_BE_BASELINE & Q(administered_at__gte=since)
        )
    stats = list(
        responses.order_by()
        .values("instrument")
        .annotate(count=Count("id"), last=Max("administered_at"), **firsts)
    )
    for row in stats:
        row["first"] = row.get("first_course") or row["first_any"]
    found = _first_of_each(
        responses, {(row["instrument"], row["first"]) for row in stats if row["first"]}
    )
    # The latest is the last by time then entry: among ties, the one entered last.
    latest_ties: dict = {}
    if stats:
        match = Q()
        for row in stats:
            match |= Q(instrument=row["instrument"], administered_at=row["last"])
        for r in responses.filter(match).order_by("administered_at", "created_at", "id"):
            latest_ties[r.instrument] = r
    instruments = configured_instruments(patient.clinic_id)
    bases = {
        row["instrument"]: found[(row["instrument"], row["first"])]
        for row in stats
        if row["first"] is not None
    }
    alerts: dict = {}
    ids = [r.pk for r in latest_ties.values()]
    for alert in SafetyAlert.objects.visible_to(user).filter(patient=patient, response_id__in=ids):
        alerts.setdefault(alert.response_id, []).append(alert)
    order = list(INSTRUMENTS)
    summaries = []
    for row in sorted(stats, key=lambda r: order.index(r["instrument"])):
        code = row["instrument"]
        base = bases.get(code)
        latest = latest_ties[code]
        summaries.append(
            InstrumentSummary(
                instrument=instruments[code],
                count=row["count"],
                latest=_history_row(latest, instruments[code], base, alerts.get(latest.pk, [])),
                baseline=base.total if base is not None else None,
            )
        )
    return summaries, bases


def history_page(user, patient, bases: dict, offset: int = 0, size: int = 15):
    """A page of the patient's scores, newest first, as HistoryRows (bounded queries)."""
    page = chart_page(_responses(user, patient).order_by(*RESPONSE_ORDER), offset, size)
    alerts: dict = {}
    ids = [r.pk for r in page.rows]
    for alert in SafetyAlert.objects.visible_to(user).filter(patient=patient, response_id__in=ids):
        alerts.setdefault(alert.response_id, []).append(alert)
    instruments = configured_instruments(patient.clinic_id)
    rows = [
        _history_row(r, instruments[r.instrument], bases.get(r.instrument), alerts.get(r.pk, []))
        for r in page.rows
    ]
    return replace(page, rows=rows)


def score_series(user, patient) -> list[SeriesPoint]:
    """Every score of the patient, oldest first, as plain values for the trajectory chart (one
    query of five narrow columns; no model instances)."""
    responses = _responses(user, patient).order_by("administered_at", "created_at", "id")
    flagged = SafetyAlert.objects.filter(clinic_id=patient.clinic_id, response=OuterRef("pk"))
    rows = responses.annotate(flagged=Exists(flagged)).values_list(
        "instrument",
        "administered_at",
        "total",
        "severity",
        "flagged",
        "source",
        "referral_organisation",
    )
    return [
        SeriesPoint(
            instrument=code,
            at=at,
            total=total,
            severity=severity,
            alert=flagged,
            referral=organisation if source == ResponseSource.REFERRAL else None,
        )
        for code, at, total, severity, flagged, source, organisation in rows
    ]


def alert_summary(user, patient, closed_shown: int = 5) -> tuple[list, list, int]:
    """The open alerts (all: each waits for a prescriber), the latest acknowledged ones and how
    many were acknowledged in all."""
    alerts = patient_alerts(user, patient)
    open_alerts = list(alerts.filter(status=AlertStatus.OPEN))
    closed = alerts.exclude(status=AlertStatus.OPEN)
    return (
        open_alerts,
        list(closed.order_by("-raised_at", "-id")[:closed_shown]),
        closed.count(),
    )


NOT_FOUND = "Not found."  # an id that is not a UUID


def access_response(user, patient, response_id) -> MeasureResponse:
    rows = MeasureResponse.objects.visible_to(user).filter(patient=patient)
    return access_row(
        user, "measure.view", rows, response_id, "No such rating-scale response.", NOT_FOUND
    )


# --- safety alerts -----------------------------------------------------------------------------


def clinic_alerts(user, status: str | None = AlertStatus.OPEN):
    """The clinic-wide alert list (prescribers and nurses), oldest open first."""
    require(user, "measure.alerts")
    qs = SafetyAlert.objects.visible_to(user).select_related(
        "patient", "response", "acknowledged_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "raised_at") if status == AlertStatus.OPEN else qs


def patient_alerts(user, patient):
    alerts = patient_record(user, "measure.view", SafetyAlert, patient)
    return alerts.select_related("response", "acknowledged_by").order_by("status", "-raised_at")


def access_alert(user, alert_id, *, action="measure.view") -> SafetyAlert:
    rows = SafetyAlert.objects.visible_to(user).select_related("patient", "response")
    return access_row(user, action, rows, alert_id, "No such safety alert.", NOT_FOUND)


def open_alert_count(user) -> int:
    return SafetyAlert.objects.visible_to(user).filter(status=AlertStatus.OPEN).count()


# --- self-report links -------------------------------------------------------------------------


def request_for_token(token: str) -> MeasureRequest | None:
    """The link a patient holds (public page: no user). None for unknown tokens."""
    if not token or len(token) > 100:
        return None
    return (
        MeasureRequest.objects.select_related("patient", "clinic")
        .filter(token_hash=hash_token(token))
        .first()
    )


# --- schedules ---------------------------------------------------------------------------------


@dataclass
class DueRow:
    schedule: MeasurementSchedule
    due_on: date | None
    status: str | None
    open_request: bool
    last_response_at: datetime | None

    @property
    def patient(self):
        return self.schedule.patient

    @property
    def is_self_report(self) -> bool:
        return INSTRUMENTS[self.schedule.instrument].completed_by == "patient"


def schedule_rows(schedules, clinic, now) -> list[DueRow]:
    """Due state of each schedule: last response per (patient, instrument) in one query."""
    schedules = list(schedules)
    if not schedules:
        return []
    tz = clinic.tz
    patient_ids = {s.patient_id for s in schedules}
    last = {
        (row["patient_id"], row["instrument"]): row["last"]
        for row in MeasureResponse.objects.filter(clinic=clinic, patient_id__in=patient_ids)
        .values("patient_id", "instrument")
        .annotate(last=Max("administered_at"))
    }
    open_requests: dict = {}
    for req in MeasureRequest.objects.filter(
        clinic=clinic, patient_id__in=patient_ids, used_at__isnull=True, expires_at__gt=now
    ):
        open_requests.setdefault(req.patient_id, set()).update(req.instruments)
    # The latest session of every patient due "before each session", in one read.
    before_session = {s.patient_id for s in schedules if s.frequency == rules.BEFORE_SESSION}
    sessions = ui.last_sessions(clinic.pk, before_session, now) if before_session else {}
    today = timezone.localtime(now, tz).date()
    rows = []
    for s in schedules:
        last_at = last.get((s.patient_id, s.instrument))
        session_at = sessions.get(s.patient_id) if s.frequency == rules.BEFORE_SESSION else None
        due_on = rules.schedule_due_on(
            frequency=s.frequency,
            interval_days=s.interval_days,
            starts_on=s.starts_on,
            last_response_at=timezone.localtime(last_at, tz) if last_at else None,
            last_session_at=timezone.localtime(session_at, tz) if session_at else None,
        )
        rows.append(
            DueRow(
                schedule=s,
                due_on=due_on,
                status=rules.due_status(due_on, today),
                open_request=s.instrument in open_requests.get(s.patient_id, set()),
                last_response_at=last_at,
            )
        )
    return rows


def due_list(user, now=None) -> list[DueRow]:
    """Active schedules of the clinic that are due today or overdue, most overdue first."""
    require(user, "measure.schedule")
    now = now or timezone.now()
    schedules = (
        MeasurementSchedule.objects.visible_to(user)
        .filter(active=True)
        .select_related("patient", "clinic")
    )
    rows = schedule_rows(schedules, user.clinic, now)
    due = [r for r in rows if r.status in ("due", "overdue")]
    return sorted(due, key=lambda r: (r.due_on, r.patient.family_name))


def patient_schedules(user, patient, now=None) -> list[DueRow]:
    schedules = patient_record(user, "measure.view", MeasurementSchedule, patient)
    schedules = schedules.filter(active=True).select_related("patient")
    return schedule_rows(schedules, patient.clinic, now or timezone.now())


def access_schedule(user, schedule_id) -> MeasurementSchedule:
    rows = MeasurementSchedule.objects.visible_to(user).select_related("patient")
    return access_row(user, "measure.schedule", rows, schedule_id, "No such schedule.", NOT_FOUND)
