"""Writes of the measures app: record scales (and scores from referrals), raise and acknowledge
alerts, self-report links, schedules, clinic configuration."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ketaclinic.accounts.queries import staff_here
from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import Conflict, DomainError, InvalidInput
from ketaclinic.core.permissions import Role, require
from ketaclinic.patients.services import add_to_record, save_to_record

from .. import rules
from ..instruments import PATIENT, UnknownInstrument, get_instrument
from ..models import (
    AlertStatus,
    ClinicInstrumentText,
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
from ..queries import configured_instrument, hash_token, request_for_token, schedule_rows
from .common import (
    DEFAULT_REQUEST_EXPIRY_HOURS,
    FUTURE_TOLERANCE,
    _administered_at,
    _instrument,
    _save,
    _score,
    request_expiry_hours,
)
from .referrals import confirm_referral_score, record_referral_score

__all__ = [
    "DEFAULT_REQUEST_EXPIRY_HOURS",
    "FUTURE_TOLERANCE",
    "LinkNotDelivered",
    "LinkUnavailable",
    "SentRequest",
    "acknowledge_alert",
    "confirm_referral_score",
    "create_schedule",
    "load_instrument_text",
    "notify_clinic_of_alerts",
    "record_measure",
    "record_referral_score",
    "request_expiry_hours",
    "self_report_url",
    "send_due_requests",
    "send_measure_request",
    "stop_schedule",
    "submit_self_report",
    "update_instrument_settings",
]

log = logging.getLogger(__name__)


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
        save_to_record(
            locked,
            actor=actor,
            action="safety_alert.acknowledged",
            changes={"code": locked.code, "note": note},
        )
    return locked


def notify_clinic_of_alerts(patient, alerts) -> None:
    """Email the clinic and its prescribers at once; no score or name leaves in the email."""
    if not alerts:
        return
    clinic = patient.clinic
    recipients = {clinic.email} if clinic.email else set()
    # Every prescriber who works here: its own, and those of other locations who hold the
    # role here.
    recipients |= set(
        staff_here(clinic.pk, Role.PRESCRIBER).exclude(email="").values_list("email", flat=True)
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
        request = add_to_record(
            MeasureRequest,
            patient,
            actor=actor,
            action="measure_request.sent",
            changes=lambda request: {
                "instruments": codes,
                "delivery": delivery,
                "expires_at": request.expires_at,
            },
            instruments=codes,
            token_hash=hash_token(token),
            expires_at=now + timedelta(hours=request_expiry_hours()),
            delivery=delivery,
            sent_by=actor,
            schedule=schedule,
        )
    url = self_report_url(token)
    if delivery == Delivery.EMAIL:
        # After the commit (no transaction waits on the mail server). A link whose email
        # could not be sent is closed at once: an open link would hold back the next one
        # while the patient has none.
        try:
            _email_link(patient, url, request.expires_at)
        except OSError as exc:
            with transaction.atomic():
                request.expires_at = now
                save_to_record(
                    request,
                    actor=actor,
                    action="measure_request.not_delivered",
                    changes={"delivery": delivery, "error": type(exc).__name__},
                    update_fields=["expires_at"],
                )
            raise LinkNotDelivered(
                "The link could not be emailed (the mail server refused or did not answer); "
                "it was closed and nothing was sent. Try again, or give the patient a link "
                "another way.",
            ) from exc
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


class LinkNotDelivered(DomainError):
    """The mail server did not take a self-report link's email (503); no link was kept."""

    status = 503
    code = "link_not_delivered"


class LinkUnavailable(Conflict):
    """The link was already used or has expired."""


def submit_self_report(*, token: str, answers_by_instrument: dict, now: datetime | None = None):
    """Save a complete self-report (all instruments of the link) once; then notify on alerts.

    Nothing is saved unless every instrument is complete and valid."""
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
        schedule = add_to_record(
            MeasurementSchedule,
            patient,
            actor=actor,
            action="measure_schedule.created",
            changes=lambda schedule: {
                "instrument": definition.code,
                "schedule": schedule.describe(),
            },
            instrument=definition.code,
            frequency=frequency,
            interval_days=interval_days,
            starts_on=starts_on or timezone.localdate(timezone.now(), patient.clinic.tz),
            created_by=actor,
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
            save_to_record(
                locked,
                actor=actor,
                action="measure_schedule.stopped",
                changes={"instrument": locked.instrument},
                update_fields=["active", "stopped_at"],
            )
    return locked


def send_due_requests(*, clinic, now: datetime | None = None) -> list[SentRequest]:
    """Email one link per patient for every due self-report schedule without an open link."""
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
        try:
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
        except LinkNotDelivered:
            # No link was kept, so the next run tries again; the other patients go on.
            log.warning("Could not email a self-report link to patient %s", patient.pk)
    return sent


# --- clinic configuration ----------------------------------------------------------------------


def load_instrument_text(*, data: dict, clinic=None) -> InstrumentText | ClinicInstrumentText:
    """Store licensed item text a clinic supplies (validated against the instrument's items):
    for `clinic` only, or for every clinic of the installation when `clinic` is None.

    "language" (default "en") makes it a licensed translation, shown to patients who read that
    language; a translation must word every item and every answer, so no page mixes languages.
    """
    definition = _instrument(data.get("instrument"))
    items = data.get("items")
    language = data.get("language", "en")
    fields = {}
    languages = [code for code, _ in settings.LANGUAGES]
    if language not in languages:
        fields["language"] = f"must be one of {', '.join(languages)}"
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
    if language != "en" and "language" not in fields:
        fields = _untranslated(definition, items) | fields
    if fields:
        raise InvalidInput("The instrument text file is not valid.", fields=fields)
    with transaction.atomic():
        owner = {"clinic": clinic} if clinic is not None else {}
        model = ClinicInstrumentText if clinic is not None else InstrumentText
        row, _ = model.objects.update_or_create(
            **owner,
            instrument=definition.code,
            language=language,
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
                "language": language,
                "items": sorted(items, key=rules._item_sort_key),
            },
        )
    return row


def _untranslated(definition, items: dict) -> dict[str, str]:
    """Items and answers a translation leaves in English, by field name."""
    fields = {}
    for item in definition.items:
        spec = items.get(item.key)
        if not isinstance(spec, dict) or not spec.get("text"):
            fields[f"items.{item.key}"] = "a translation needs the text of every item"
            continue
        options = spec.get("options") if isinstance(spec.get("options"), dict) else {}
        missing = [str(v) for v in sorted(item.values) if not options.get(str(v))]
        if missing:
            fields[f"items.{item.key}.options"] = (
                f"a translation needs every answer: missing {', '.join(missing)}"
            )
    return fields


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
