"""Consent writes: publish a document version, record a signature, record a revocation."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ketaclinic.audit.services import record_event
from ketaclinic.core.calendar import date_problem
from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.patients.services import add_to_record, save_to_record

from .. import queries
from ..consent_texts import TEMPLATES
from ..models import (
    ConsentDocument,
    ConsentRecord,
    ConsentType,
    SignerRelationship,
)
from .intake import _intake_started

# --- consent ------------------------------------------------------------------------------------


def _consent_type(value: str) -> str:
    if value not in ConsentType.values:
        raise InvalidInput(
            "Unknown consent type.",
            fields={"consent_type": "one of " + ", ".join(ConsentType.values)},
        )
    return value


def publish_consent_document(*, actor, consent_type: str, title: str, body: str):
    """Publish the next version of the clinic's consent text for a consent type."""
    require(actor, "consent.publish")
    _consent_type(consent_type)
    errors = {}
    if not title.strip():
        errors["title"] = "Give the document a title."
    if not body.strip():
        errors["body"] = "The consent text cannot be empty."
    if errors:
        raise InvalidInput("Please correct: " + ", ".join(sorted(errors)), fields=errors)
    with transaction.atomic():
        document = _next_document(actor, actor.clinic_id, consent_type, title.strip(), body.strip())
    return document


def _next_document(actor, clinic_id, consent_type, title, body) -> ConsentDocument:
    latest = (
        ConsentDocument.objects.select_for_update()
        .filter(clinic_id=clinic_id, consent_type=consent_type)
        .order_by("-version")
        .first()
    )
    document = ConsentDocument.objects.create(
        clinic_id=clinic_id,
        consent_type=consent_type,
        version=(latest.version + 1) if latest else 1,
        title=title,
        body=body,
        created_by=actor,
    )
    record_event(
        actor=actor,
        action="consent.document_published",
        obj=document,
        clinic=document.clinic,
        changes={"consent_type": consent_type, "version": document.version},
    )
    return document


def _document_for(actor, clinic_id, consent_type: str, version: int | None) -> ConsentDocument:
    documents = ConsentDocument.objects.filter(clinic_id=clinic_id, consent_type=consent_type)
    if version is not None:
        found = documents.filter(version=version).first()
        if found is None:
            raise InvalidInput(
                f"There is no version {version} of this consent document.",
                fields={"version": "no such version"},
            )
        return found
    found = documents.order_by("-version").first()
    if found is None:  # first use: the shipped template becomes the clinic's version 1
        template = TEMPLATES[consent_type]
        found = _next_document(actor, clinic_id, consent_type, template.title, template.body)
    return found


def record_consent(
    *,
    actor,
    patient,
    consent_type: str,
    signer_name: str,
    witness_name: str,
    signed_on: dt.date,
    signer_relationship: str = SignerRelationship.PATIENT,
    version: int | None = None,
) -> ConsentRecord:
    """Record a signed consent against a document version (the current one by default)."""
    require(actor, "consent.record")
    _consent_type(consent_type)
    errors = {}
    if not signer_name.strip():
        errors["signer_name"] = "Who signed?"
    if not witness_name.strip():
        errors["witness_name"] = "A witness is required."
    elif witness_name.strip().lower() == signer_name.strip().lower():
        errors["witness_name"] = "The witness must be someone other than the signer."
    if signed_on > queries.clinic_today(patient.clinic):
        errors["signed_on"] = "The signing date cannot be in the future."
    elif date_problem(signed_on):
        errors["signed_on"] = f"The date {date_problem(signed_on)}."
    if signer_relationship not in SignerRelationship.values:
        errors["signer_relationship"] = "patient or legal_representative"
    if errors:
        raise InvalidInput("Please correct: " + ", ".join(sorted(errors)), fields=errors)
    with transaction.atomic():
        document = _document_for(actor, patient.clinic_id, consent_type, version)
        consent = add_to_record(
            ConsentRecord,
            patient,
            actor=actor,
            action="consent.signed",
            changes=lambda consent: {
                "consent_type": consent_type,
                "version": document.version,
                "signer": consent.signer_name,
                "witness": consent.witness_name,
                "signed_on": signed_on,
            },
            document=document,
            consent_type=consent_type,
            version=document.version,
            signer_name=signer_name.strip(),
            signer_relationship=signer_relationship,
            witness_name=witness_name.strip(),
            signed_on=signed_on,
            recorded_by=actor,
        )
        _intake_started(actor, patient)
    return consent


def revoke_consent(*, actor, consent: ConsentRecord, reason: str) -> ConsentRecord:
    """Record that the patient withdrew a consent; treatment under it stops being allowed."""
    require(actor, "consent.record")
    if not reason.strip():
        raise InvalidInput("Say why the consent was revoked.", fields={"reason": "required"})
    with transaction.atomic():
        locked = ConsentRecord.objects.select_for_update().get(pk=consent.pk)
        if locked.revoked_at is not None:
            raise Conflict("This consent was already revoked.")
        locked.revoked_at, locked.revoked_by = timezone.now(), actor
        locked.revocation_reason = reason.strip()[:300]
        save_to_record(
            locked,
            actor=actor,
            action="consent.revoked",
            changes={"consent_type": locked.consent_type, "reason": locked.revocation_reason},
            update_fields=["revoked_at", "revoked_by", "revocation_reason"],
        )
    return locked
