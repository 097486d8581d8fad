"""Referral import: a FHIR R4 Bundle becomes a patient, prefilled trials and referral data."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import DomainError, InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.measures.services import record_referral_score
from ketaclinic.patients.queries import Sex, matching_patient
from ketaclinic.patients.services import register_patient

from . import queries
from .fhir_mapping import BundleRejected, PatientData, parse_bundle
from .models import (
    AntidepressantTrial,
    ContraindicationAnswer,
    FhirImport,
    PatientIdentifier,
    Referral,
    ReferralItem,
    ReferralSource,
)
from .services.intake import open_referral

FIELD = "bundle"
# Largest Bundle read, in MB, unless settings.KETACLINIC_FHIR_MAX_BUNDLE_MB says otherwise.
# Synthea's one-patient Bundles are 1-4 MB; 20 MB leaves room for a long EHR history.
DEFAULT_MAX_BUNDLE_MB = 20


class BundleTooLarge(DomainError):
    """The Bundle is larger than this server reads (413)."""

    status = 413
    code = "bundle_too_large"


def max_bundle_bytes() -> int:
    megabytes = getattr(settings, "KETACLINIC_FHIR_MAX_BUNDLE_MB", DEFAULT_MAX_BUNDLE_MB)
    return int(float(megabytes) * 1024 * 1024)


def refuse_if_too_large(size: int) -> None:
    """BundleTooLarge when `size` bytes exceed the limit, naming the limit and the setting."""
    limit = max_bundle_bytes()
    if size > limit:
        message = (
            f"The Bundle is {size / 1024 / 1024:.1f} MB; this server reads Bundles up to "
            f"{limit / 1024 / 1024:g} MB (setting KETACLINIC_FHIR_MAX_BUNDLE_MB)."
        )
        raise BundleTooLarge(message, fields={FIELD: f"larger than {limit / 1024 / 1024:g} MB"})


def _reject(exc: BundleRejected):
    detail = exc.message + (" " + "; ".join(exc.details) if exc.details else "")
    raise InvalidInput(detail, fields={FIELD: exc.message}, code=exc.code) from exc


def _match_patient(actor, data: PatientData):
    """By an identifier already on file, else by family name, given name and birth date."""
    for system, value in data.identifiers:
        found = (
            PatientIdentifier.objects.filter(clinic_id=actor.clinic_id, system=system, value=value)
            .select_related("patient")
            .first()
        )
        if found is not None:
            return found.patient
    if data.birth_date and data.family and data.given:
        return matching_patient(
            actor.clinic_id,
            family_name=data.family,
            given_name=data.given,
            date_of_birth=data.birth_date,
        )
    return None


def _register(actor, data: PatientData):
    missing = [
        name
        for name, value in (
            ("family name", data.family),
            ("given name", data.given),
            ("birth date", data.birth_date),
        )
        if not value
    ]
    if missing:
        raise InvalidInput(
            "The Patient resource lacks " + ", ".join(missing) + ": the patient can neither be "
            "matched nor registered.",
            fields={FIELD: "Patient needs name and birth date"},
            code="invalid_bundle",
        )
    return register_patient(
        actor=actor,
        given_name=data.given[:100],
        family_name=data.family[:100],
        date_of_birth=data.birth_date,
        sex=data.sex if data.sex in Sex.values else Sex.UNKNOWN,
    )


UNNAMED_ORGANISATION = "Referring organisation not named in the referral"


def import_fhir_bundle(*, actor, raw) -> dict:
    """Create or match the patient and prefill intake from a referral Bundle, all or nothing.

    Re-importing the same Bundle creates nothing new: each resource is remembered by its key.
    """
    require(actor, "intake.import_fhir")
    if isinstance(raw, bytes | str):
        refuse_if_too_large(len(raw))
    table = queries.dose_table_for(actor.clinic)
    try:
        data = parse_bundle(raw, table)
    except BundleRejected as exc:
        _reject(exc)
    unmapped = list(data.unmapped)
    counts = {"trials": 0, "diagnoses": 0, "observations": 0, "allergies": 0, "identifiers": 0}
    with transaction.atomic():
        patient = _match_patient(actor, data.patient)
        created = patient is None
        if created:
            patient = _register(actor, data.patient)
        for system, value in data.patient.identifiers:
            _, new = PatientIdentifier.objects.get_or_create(
                clinic_id=actor.clinic_id,
                system=system[:255],
                value=value[:255],
                defaults={"patient": patient},
            )
            counts["identifiers"] += int(new)
        if not Referral.objects.filter(patient=patient).exists():
            open_referral(
                actor,
                patient,
                referred_on=queries.clinic_today(patient.clinic),
                source=ReferralSource.FHIR,
                reason="Imported referral (FHIR Bundle)",
            )

        known_trials = set(
            AntidepressantTrial.objects.filter(patient=patient)
            .exclude(import_key="")
            .values_list("import_key", flat=True)
        )
        for trial in data.trials:
            # The key as stored; a resource listed twice in the Bundle is imported once.
            key = trial.key[:300]
            if key in known_trials:
                continue
            known_trials.add(key)
            AntidepressantTrial.objects.create(
                clinic_id=patient.clinic_id,
                patient=patient,
                drug=trial.drug,
                daily_dose_mg=trial.daily_dose_mg,
                weeks=trial.weeks,
                started_on=trial.started_on,
                ended_on=trial.ended_on,
                needs_review=True,
                import_key=key,
                source_text=trial.source_text,
                notes=("Missing from the referral: " + ", ".join(trial.missing))
                if trial.missing
                else "",
                recorded_by=actor,
            )
            counts["trials"] += 1

        known_items = set(
            ReferralItem.objects.filter(patient=patient).values_list("import_key", flat=True)
        )
        plural = {"diagnosis": "diagnoses", "observation": "observations", "allergy": "allergies"}
        for item in data.items:
            if item.ketamine_allergy:
                _flag_ketamine_allergy(actor, patient, item.display, unmapped)
            key = item.key[:300]
            if key in known_items:
                continue
            known_items.add(key)
            if item.kind == "observation" and item.value is not None:
                # The referral's PHQ-9 total goes on the trajectory as a score "from referral",
                # never a course baseline until a clinician confirms it.
                record_referral_score(
                    actor=actor,
                    patient=patient,
                    instrument="phq9",
                    total=int(item.value),
                    observed_on=item.recorded_on or queries.clinic_today(patient.clinic),
                    organisation=data.organisation or UNNAMED_ORGANISATION,
                    referral_ref=item.key[:100],
                )
            ReferralItem.objects.create(
                clinic_id=patient.clinic_id,
                patient=patient,
                kind=item.kind,
                system=item.system[:255],
                code=item.code[:60],
                display=item.display,
                value=item.value,
                recorded_on=item.recorded_on,
                import_key=key,
            )
            counts[plural[item.kind]] += 1

        FhirImport.objects.create(
            clinic_id=patient.clinic_id,
            bundle_hash=data.bundle_hash,
            patient=patient,
            imported_by=actor,
            patient_created=created,
            imported=counts,
            unmapped=unmapped,
        )
        record_event(
            actor=actor,
            action="intake.fhir_imported",
            obj=patient,
            patient=patient,
            changes={
                "patient_created": created,
                "bundle_sha256": data.bundle_hash,
                "imported": counts,
                "unmapped": len(unmapped),
            },
        )
    return {
        "patient_id": patient.id,
        "created": created,
        "imported": counts,
        "unmapped": unmapped,
    }


def _flag_ketamine_allergy(actor, patient, display: str, unmapped: list) -> None:
    """A referral's ketamine allergy answers the hypersensitivity question 'yes' unless a
    clinician already answered it; a clinician's 'no' is left alone but reported."""
    row = ContraindicationAnswer.objects.filter(patient=patient, key="hypersensitivity").first()
    if row is not None and row.answer == "yes":
        return
    if row is not None and row.answer == "no":
        unmapped.append(
            {
                "resource": "AllergyIntolerance",
                "reason": f"referral lists '{display}' but the checklist says no "
                "hypersensitivity: a clinician must review",
            }
        )
        return
    before = row.answer if row is not None else None
    if row is None:
        row = ContraindicationAnswer(
            clinic_id=patient.clinic_id, patient=patient, key="hypersensitivity"
        )
    row.answer, row.note = "yes", f"From referral allergy list: {display}"[:300]
    row.recorded_by, row.recorded_at = actor, timezone.now()
    row.save()
    record_event(
        actor=actor,
        action="intake.contraindications_recorded",
        obj=patient,
        patient=patient,
        changes={"hypersensitivity": {"from": before, "to": "yes"}, "source": "FHIR referral"},
    )
