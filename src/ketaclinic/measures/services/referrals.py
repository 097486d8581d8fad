"""Scores that came with a referral: kept as "from referral", a course baseline only once a
clinician has confirmed them."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.patients.services import add_to_record, save_to_record

from .. import rules
from ..instruments import SUM
from ..models import MeasureResponse, ResponseSource
from ..queries import configured_instrument
from .common import _instrument


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
        response = add_to_record(
            MeasureResponse,
            patient,
            actor=actor,
            action="measure.referral_recorded",
            changes=lambda response: {
                "instrument": definition.code,
                "total": total,
                "observed_on": observed_on,
                "organisation": response.referral_organisation,
                "referral_ref": response.referral_ref,
            },
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
        save_to_record(
            locked,
            actor=actor,
            action="measure.referral_confirmed",
            update_fields=["referral_confirmed_at", "referral_confirmed_by"],
            changes={
                "instrument": locked.instrument,
                "total": locked.total,
                "organisation": locked.referral_organisation,
            },
        )
    return locked
