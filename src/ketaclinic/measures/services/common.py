"""Helpers shared by the measures services: instrument lookup, scoring with named errors, saving
a scored response with its alerts (the caller holds the transaction)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from ketaclinic.core.calendar import date_problem
from ketaclinic.core.errors import InvalidInput
from ketaclinic.patients.services import add_to_record

from .. import rules
from ..instruments import INSTRUMENTS, UnknownInstrument, get_instrument
from ..models import MeasureResponse, SafetyAlert

# Default link lifetime; a deployment may set MEASURE_REQUEST_EXPIRY_HOURS in its settings.
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
    problem = date_problem(value.date())
    if problem:
        # (the year 1 is a typing mistake, and the chart could not place it on a clock)
        raise InvalidInput(
            f"The administration time {problem}.", fields={"administered_at": problem}
        )
    return value


def _save(*, patient, scored, instrument, administered_at, source, entered_by, request=None):
    """Create the response and its alerts (caller holds the transaction)."""
    response = add_to_record(
        MeasureResponse,
        patient,
        actor=entered_by,
        action="measure.recorded",
        changes=lambda _: {
            "instrument": instrument.code,
            "total": scored.total,
            "severity": scored.severity,
            "source": source,
        },
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
    alerts = [
        add_to_record(
            SafetyAlert,
            patient,
            actor=entered_by,
            action="safety_alert.raised",
            changes=lambda alert: {"code": alert.code, "must_act": alert.must_act},
            response=response,
            code=a.code,
            message=a.message,
            must_act=a.must_act,
        )
        for a in scored.alerts
    ]
    return response, alerts
