"""Writes of the measures app: record scales, raise and acknowledge alerts, links, schedules."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.core.permissions import Role, require

from . import rules
from .instruments import PATIENT, SUM, UnknownInstrument, get_instrument
from .models import (
    AlertStatus,
    Delivery,
    Frequency,
    InstrumentSettings,
    InstrumentText,
    MeasurementSchedule,
    MeasureRequest,
    MeasureResponse,
    ResponseSource,
    SafetyAlert,
)
from .queries import configured_instrument, hash_token

log = logging.getLogger(__name__)

# The default; a deployment may set MEASURE_REQUEST_EXPIRY_HOURS in its settings.
DEFAULT_REQUEST_EXPIRY_HOURS = 72
# Recording a time a few minutes ahead tolerates clock drift between devices.
FUTURE_TOLERANCE = timedelta(minutes=5)


def request_expiry_hours() -> int:
    return int(getattr(settings, "MEASURE_REQUEST_EXPIRY_HOURS", DEFAULT_REQUEST_EXPIRY_HOURS))


def _instrument(code) -> object:
    try:
        return get_instrument(str(code))
    except UnknownInstrument:
        raise InvalidInput(
            f"Unknown instrument {code!r}.",
            fields={"instrument": f"must be one of {', '.join(_codes())}"},
        ) from None


def _codes() -> list[str]:
    from .instruments import INSTRUMENTS

    return list(INSTRUMENTS)


def _score(instrument, answers, prefix="answers"):
    try:
        return rules.score(instrument, answers)
    except rules.InvalidAnswers as exc:
        fields = {f"{prefix}.{e.item}": e.message for e in exc.errors}
        raise InvalidInput(
            f"{instrument.name}: please correct " + "; ".join(str(e) for e in exc.errors) + ".",
            fields=fields,
        ) from exc


def _administered_at(value: datetime | None, now: datetime, tz) -> datetime:
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value, tz)
    if value > now + FUTURE_TOLERANCE:
        raise InvalidInput(
            "The administration time cannot be in the future.",
            fields={"administered_at": "cannot be in the future"},
        )
    return value


def _save(*, patient, scored, instrument, administered_at, source, entered_by, request=None):
    """Create the response and its alerts (caller holds the transaction)."""
    response = MeasureResponse.objects.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        instrument=instrument.code,
        instrument_version=instrument.version,
        answers=scored.answers,
        total=scored.total,
        severity=scored.severity or "",
        administered_at=administered_at,
        source=source,
        entered_by=entered_by,
        request=request,
    )
    record_event(
        actor=entered_by,
        action="measure.recorded",
        obj=response,
        patient=patient,
        changes={
            "instrument": instrument.code,
            "total": scored.total,
            "severity": scored.severity,
            "source": source,
        },
    )
    alerts = []
    for a in scored.alerts:
        alert = SafetyAlert.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            response=response,
            code=a.code,
            message=a.message,
            must_act=a.must_act,
        )
        record_event(
            actor=entered_by,
            action="safety_alert.raised",
            obj=alert,
            patient=patient,
            changes={"code": a.code, "must_act": a.must_act},
        )
        alerts.append(alert)
    return response, alerts


def record_measure(
    *, actor, patient, instrument: str, answers, administered_at: datetime | None = None
) -> tuple[MeasureResponse, list[SafetyAlert]]:
    """Score and save a scale entered by staff; raises InvalidInput naming every bad item."""
    require(actor, "measure.record")
    if patient.clinic_id != actor.clinic_id:
        raise InvalidInput("The patient is not in your clinic.")
    definition = configured_instrument(patient.clinic_id, _instrument(instrument).code)
    scored = _score(definition, answers)
    when = _administered_at(administered_at, timezone.now(), patient.clinic.tz)
    with transaction.atomic():
        return _save(
            patient=patient,
            scored=scored,
            instrument=definition,
            administered_at=when,
            source=ResponseSource.STAFF,
            entered_by=actor,
        )


# --- scores that arrive with a referral --------------------------------------------------------


def _referral_fields(definition, total, observed_on, organisation, referral_ref, today) -> dict:
    fields = {}
    problem = rules.total_error(definition, total)
    if problem:
        fields["instrument" if definition.scoring != SUM else "total"] = problem
    if not isinstance(observed_on, date) or isinstance(observed_on, datetime):
        fields["observed_on"] = "must be a date"
    elif observed_on > today:
        fields["observed_on"] = "cannot be in the future"
    if not isinstance(organisation, str) or not organisation.strip():
        fields["organisation"] = "required: the referring organisation"
    elif len(organisation.strip()) > 200:
        fields["organisation"] = "at most 200 characters"
    if not isinstance(referral_ref, str) or len(referral_ref.strip()) > 100:
        fields["referral_ref"] = "must be text of at most 100 characters"
    return fields


def record_referral_score(
    *,
    actor,
    patient,
    instrument: str = "phq9",
    total: int,
    observed_on: date,
    organisation: str,
    referral_ref: str,
) -> MeasureResponse:
    """Keep a total that came with a referral: shown on the trajectory as "from referral", never
    a course baseline until a clinician confirms it, no safety alert (there are no items)."""
    require(actor, "measure.record")
    if patient.clinic_id != actor.clinic_id:
        raise InvalidInput("The patient is not in your clinic.")
    definition = configured_instrument(patient.clinic_id, _instrument(instrument).code)
    tz = patient.clinic.tz
    today = timezone.localdate(timezone.now(), tz)
    fields = _referral_fields(definition, total, observed_on, organisation, referral_ref, today)
    if fields:
        raise InvalidInput("This referral score cannot be recorded.", fields=fields)
    band = rules.severity_band(definition, total)
    # The referral gives a date, not a time: the score stands at the start of that clinic day.
    at = timezone.make_aware(datetime.combine(observed_on, time.min), tz)
    with transaction.atomic():
        response = MeasureResponse.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            instrument=definition.code,
            instrument_version=definition.version,
            answers={},
            total=total,
            severity=band.label if band else "",
            administered_at=at,
            source=ResponseSource.REFERRAL,
            entered_by=actor,
            referral_organisation=organisation.strip(),
            referral_ref=referral_ref.strip(),
        )
        record_event(
            actor=actor,
            action="measure.referral_recorded",
            obj=response,
            patient=patient,
            changes={
                "instrument": definition.code,
                "total": total,
                "observed_on": observed_on,
                "organisation": response.referral_organisation,
                "referral_ref": response.referral_ref,
            },
        )
    return response


def confirm_referral_score(*, actor, response: MeasureResponse) -> MeasureResponse:
    """A clinician accepts a referral's score; from then on it may serve as a course baseline."""
    require(actor, "measure.confirm_referral")
    with transaction.atomic():
        locked = (
            MeasureResponse.objects.select_for_update()
            .filter(pk=response.pk, clinic=actor.clinic_id)
            .first()
        )
        if locked is None:
            raise InvalidInput("The score is not in your clinic.")
        if locked.source != ResponseSource.REFERRAL:
            raise InvalidInput(
                "Only a score that came with a referral needs confirming.",
                fields={"response": "is not a score from a referral"},
            )
        if locked.referral_confirmed_at is not None:
            raise Conflict("This referral score was already confirmed.", code="already_confirmed")
        locked.referral_confirmed_at = timezone.now()
        locked.referral_confirmed_by = actor
        locked.save(update_fields=["referral_confirmed_at", "referral_confirmed_by"])
        record_event(
            actor=actor,
            action="measure.referral_confirmed",
            obj=locked,
            patient=locked.patient,
            changes={
                "instrument": locked.instrument,
                "total": locked.total,
                "organisation": locked.referral_organisation,
            },
        )
    return locked


# --- safety alerts -----------------------------------------------------------------------------


def acknowledge_alert(
    *, actor, alert: SafetyAlert, note: str, now: datetime | None = None
) -> SafetyAlert:
    """Close an alert: a prescriber only, with a note of the action taken. Audited."""
    require(actor, "measure.acknowledge_alert")
    note = (note or "").strip()
    if not note:
        raise InvalidInput(
            "Write the action taken (e.g. C-SSRS completed, safety plan, emergency referral).",
            fields={"note": "required: the action taken"},
        )
    with transaction.atomic():
        locked = SafetyAlert.objects.select_for_update().get(pk=alert.pk, clinic=actor.clinic_id)
        if locked.status != AlertStatus.OPEN:
            raise Conflict("This alert was already acknowledged.", code="already_acknowledged")
        locked.status = AlertStatus.ACKNOWLEDGED
        locked.acknowledged_at = now or timezone.now()
        locked.acknowledged_by = actor
        locked.action_note = note
        locked.save()
        record_event(
            actor=actor,
            action="safety_alert.acknowledged",
            obj=locked,
            patient=locked.patient,
            changes={"code": locked.code, "note": note},
        )
    return locked


def notify_clinic_of_alerts(patient, alerts) -> None:
    """Email the clinic and its prescribers at once; no score or name leaves in the email."""
    if not alerts:
        return
    from ketaclinic.accounts.models import User

    clinic = patient.clinic
    recipients = {clinic.email} if clinic.email else set()
    recipients |= set(
        User.objects.filter(clinic=clinic, role=Role.PRESCRIBER, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        log.warning("No email address to notify clinic %s of a safety alert", clinic.pk)
        return
    url = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("measures:alerts")
    body = (
        f"A patient self-report at {clinic.name} answered a safety item "
        f"(patient MRN {patient.mrn}).\n\n"
        "A prescriber must review and acknowledge the alert with the action taken:\n"
        f"{url}\n"
    )
    try:
        send_mail(
            subject=f"[ketaclinic] Safety alert: self-report (MRN {patient.mrn})",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=sorted(recipients),
        )
    except OSError:
        # The alert is saved and visible on the alert list; email is a second channel.
        log.exception("Could not email the safety alert for patient %s", patient.pk)


# --- self-report links -------------------------------------------------------------------------


@dataclass(frozen=True)
class SentRequest:
    request: MeasureRequest
    url: str  # carries the token: shown once, never stored


def self_report_url(token: str) -> str:
    path = reverse("measures:self_report", kwargs={"token": token})
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def send_measure_request(
    *,
    actor,
    patient,
    instruments,
    delivery: str = Delivery.LINK,
    schedule: MeasurementSchedule | None = None,
    now: datetime | None = None,
) -> SentRequest:
    """Create a single-use self-report link; email it when asked. `actor` None = the scheduler."""
    if actor is not None:
        require(actor, "measure.request")
        if patient.clinic_id != actor.clinic_id:
            raise InvalidInput("The patient is not in your clinic.")
    codes = list(dict.fromkeys(str(c) for c in instruments or []))
    if not codes:
        raise InvalidInput("Choose at least one instrument.", fields={"instruments": "required"})
    fields = {}
    for code in codes:
        try:
            if get_instrument(code).completed_by != PATIENT:
                fields[f"instruments.{code}"] = "is completed by a clinician, not the patient"
        except UnknownInstrument:
            fields[f"instruments.{code}"] = "unknown instrument"
    if delivery not in Delivery.values:
        fields["delivery"] = f"must be one of {', '.join(Delivery.values)}"
    if delivery == Delivery.EMAIL and not patient.email:
        fields["delivery"] = "the patient has no email address"
    if fields:
        raise InvalidInput("Cannot send this self-report link.", fields=fields)
    now = now or timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        request = MeasureRequest.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            instruments=codes,
            token_hash=hash_token(token),
            expires_at=now + timedelta(hours=request_expiry_hours()),
            delivery=delivery,
            sent_by=actor,
            schedule=schedule,
        )
        record_event(
            actor=actor,
            clinic=patient.clinic,
            action="measure_request.sent",
            obj=request,
            patient=patient,
            changes={"instruments": codes, "delivery": delivery, "expires_at": request.expires_at},
        )
    url = self_report_url(token)
    if delivery == Delivery.EMAIL:
        _email_link(patient, url, request.expires_at)
    return SentRequest(request=request, url=url)


def _email_link(patient, url: str, expires_at: datetime) -> None:
    clinic = patient.clinic
    local = timezone.localtime(expires_at, clinic.tz)
    send_mail(
        subject=f"{clinic.name}: a short questionnaire before your next visit",
        message=(
            f"Hello {patient.given_name},\n\n"
            f"{clinic.name} asks you to answer a short questionnaire. It takes a few minutes:\n"
            f"{url}\n\n"
            f"The link works once and until {local:%d %b %Y %H:%M}.\n"
            + (f"Questions? Call us at {clinic.phone}.\n" if clinic.phone else "")
            + "If you are in crisis or thinking about suicide, call or text 988 (US) or call "
            "911 now.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[patient.email],
    )


class LinkUnavailable(Conflict):
    """The link was already used or has expired."""


def submit_self_report(*, token: str, answers_by_instrument: dict, now: datetime | None = None):
    """Save a complete self-report (all instruments of the link) once; then notify on alerts.

    Nothing is saved unless every instrument is complete and valid."""
    from .queries import request_for_token

    now = now or timezone.now()
    link = request_for_token(token)
    if link is None:
        raise LinkUnavailable("This link is not valid.", code="unknown")
    errors: dict[str, str] = {}
    scored = {}
    for code in link.instruments:
        definition = configured_instrument(link.clinic_id, code)
        try:
            scored[code] = rules.score(definition, answers_by_instrument.get(code) or {})
        except rules.InvalidAnswers as exc:
            errors.update({f"{code}.{e.item}": e.message for e in exc.errors})
    if errors:
        raise InvalidInput("Please answer every question.", fields=errors)
    with transaction.atomic():
        locked = MeasureRequest.objects.select_for_update().get(pk=link.pk)
        status = locked.status_at(now)
        if status != "open":
            raise LinkUnavailable(f"This link was {status}.", code=status)
        locked.used_at = now
        locked.save(update_fields=["used_at"])
        patient = link.patient
        all_alerts = []
        responses = []
        for code in link.instruments:
            response, alerts = _save(
                patient=patient,
                scored=scored[code],
                instrument=configured_instrument(link.clinic_id, code),
                administered_at=now,
                source=ResponseSource.SELF_REPORT,
                entered_by=None,
                request=locked,
            )
            responses.append(response)
            all_alerts += alerts
        record_event(
            actor=None,
            clinic=patient.clinic,
            action="measure_request.completed",
            obj=locked,
            patient=patient,
            changes={"instruments": link.instruments, "alerts": len(all_alerts)},
        )
    notify_clinic_of_alerts(patient, all_alerts)
    return responses, all_alerts


# --- schedules ---------------------------------------------------------------------------------


def create_schedule(
    *,
    actor,
    patient,
    instrument: str,
    frequency: str,
    interval_days: int | None = None,
    starts_on: date | None = None,
) -> MeasurementSchedule:
    require(actor, "measure.schedule")
    definition = _instrument(instrument)
    fields = {}
    if frequency not in Frequency.values:
        fields["frequency"] = f"must be one of {', '.join(Frequency.values)}"
    if frequency == Frequency.INTERVAL and (not interval_days or interval_days < 1):
        fields["interval_days"] = "required for an interval schedule (1 day or more)"
    if frequency == Frequency.BEFORE_SESSION:
        interval_days = None
    if fields:
        raise InvalidInput("Cannot create this schedule.", fields=fields)
    with transaction.atomic():
        schedule = MeasurementSchedule.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            instrument=definition.code,
            frequency=frequency,
            interval_days=interval_days,
            starts_on=starts_on or timezone.localdate(timezone.now(), patient.clinic.tz),
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="measure_schedule.created",
            obj=schedule,
            patient=patient,
            changes={"instrument": definition.code, "schedule": schedule.describe()},
        )
    return schedule


def stop_schedule(*, actor, schedule: MeasurementSchedule) -> MeasurementSchedule:
    require(actor, "measure.schedule")
    with transaction.atomic():
        locked = MeasurementSchedule.objects.select_for_update().get(
            pk=schedule.pk, clinic=actor.clinic_id
        )
        if locked.active:
            locked.active = False
            locked.stopped_at = timezone.now()
            locked.save(update_fields=["active", "stopped_at"])
            record_event(
                actor=actor,
                action="measure_schedule.stopped",
                obj=locked,
                patient=locked.patient,
                changes={"instrument": locked.instrument},
            )
    return locked


def send_due_requests(*, clinic, now: datetime | None = None) -> list[SentRequest]:
    """Email one link per patient for every due self-report schedule without an open link."""
    from .queries import schedule_rows

    now = now or timezone.now()
    schedules = MeasurementSchedule.objects.filter(clinic=clinic, active=True).select_related(
        "patient", "patient__clinic"
    )
    by_patient: dict = {}
    for row in schedule_rows(schedules, clinic, now):
        definition = get_instrument(row.schedule.instrument)
        if row.status not in ("due", "overdue") or row.open_request:
            continue
        if definition.completed_by != PATIENT or not row.patient.email:
            continue
        by_patient.setdefault(row.patient.pk, []).append(row.schedule)
    sent = []
    for schedules_due in by_patient.values():
        patient = schedules_due[0].patient
        sent.append(
            send_measure_request(
                actor=None,
                patient=patient,
                instruments=[s.instrument for s in schedules_due],
                delivery=Delivery.EMAIL,
                schedule=schedules_due[0],
                now=now,
            )
        )
    return sent


# --- clinic configuration ----------------------------------------------------------------------


def load_instrument_text(*, data: dict, clinic=None) -> InstrumentText:
    """Store licensed item text a clinic supplies (validated against the instrument's items)."""
    definition = _instrument(data.get("instrument"))
    items = data.get("items")
    fields = {}
    if not isinstance(items, dict) or not items:
        fields["items"] = "must be an object keyed by item number"
        items = {}
    known = {i.key: i for i in definition.items}
    for key, spec in items.items():
        if key not in known:
            fields[f"items.{key}"] = f"is not an item of {definition.name}"
            continue
        if not isinstance(spec, dict) or not isinstance(spec.get("text", ""), str):
            fields[f"items.{key}"] = 'must be {"text": "...", "options": {...}}'
            continue
        options = spec.get("options") or {}
        bad = [v for v in options if not v.isdigit() or int(v) not in known[key].values]
        if bad:
            fields[f"items.{key}.options"] = f"unknown option values {', '.join(bad)}"
    if fields:
        raise InvalidInput("The instrument text file is not valid.", fields=fields)
    with transaction.atomic():
        row, _ = InstrumentText.objects.update_or_create(
            clinic=clinic,
            instrument=definition.code,
            defaults={
                "items": items,
                "instructions": data.get("instructions", ""),
                "licence_note": data.get("licence_note", ""),
            },
        )
        record_event(
            actor=None,
            clinic=clinic,
            action="instrument_text.loaded",
            obj=row,
            changes={
                "instrument": definition.code,
                "items": sorted(items, key=rules._item_sort_key),
            },
        )
    return row


def update_instrument_settings(*, actor, instrument: str, overrides: dict) -> InstrumentSettings:
    """Set a clinic's cut-offs (remission, reliability, SD, bands); validated before saving."""
    require(actor, "measure.configure")
    definition = _instrument(instrument)
    try:
        rules.with_overrides(definition, overrides)
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise InvalidInput(f"Invalid settings: {exc}", fields={"overrides": str(exc)}) from exc
    with transaction.atomic():
        row, _ = InstrumentSettings.objects.update_or_create(
            clinic_id=actor.clinic_id, instrument=definition.code, defaults={"overrides": overrides}
        )
        record_event(
            actor=actor,
            action="instrument_settings.updated",
            obj=row,
            changes={"instrument": definition.code, "overrides": overrides},
        )
    return row
