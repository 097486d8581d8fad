"""Writes of the patient registry: register and update, each audited in the same transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ketaclinic.audit.services import assign, record_event, save_changes
from ketaclinic.core import queries as core_queries
from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.core.models import Clinic, PlausibleWeightRange
from ketaclinic.core.numbers import range_problem
from ketaclinic.core.permissions import require

from .models import Patient, PatientTransfer


def _validation_fields(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "message_dict"):
        return {k: " ".join(v) for k, v in exc.message_dict.items()}
    return {"__all__": " ".join(exc.messages)}


def _validate(patient: Patient) -> None:
    try:
        patient.full_clean(exclude=["clinic", "mrn"])
        fields = {}
    except ValidationError as exc:
        fields = _validation_fields(exc)
    if "weight_kg" not in fields:
        # The clinic's own plausible range (inside the model's 20-400 kg envelope).
        fields |= core_queries.weight_errors(patient.clinic_id, patient.weight_kg)
    if fields:
        names = ", ".join(sorted(fields))
        raise InvalidInput(f"Please correct: {names}.", fields=fields)


def refuse_unknown_fields(changes: dict, allowed, message: str, note: str) -> None:
    """Refuse, naming each one, the fields of `changes` that are not in `allowed`."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise InvalidInput(
            message + ": " + ", ".join(sorted(unknown)), fields=dict.fromkeys(unknown, note)
        )


def add_to_record(model, patient, *, actor, action: str, changes, **fields):
    """Create a `model` row of the patient's record (in their clinic) from `fields` and audit
    it; `changes(row)` gives the event's payload."""
    row = model.objects.create(clinic_id=patient.clinic_id, patient=patient, **fields)
    record_event(actor=actor, action=action, obj=row, patient=patient, changes=changes(row))
    return row


def save_to_record(row, *, actor, action: str, changes: dict, update_fields=None):
    """Save a row of a patient's record (only `update_fields`, when given) and audit it."""
    row.save(update_fields=update_fields)
    record_event(actor=actor, action=action, obj=row, patient=row.patient, changes=changes)
    return row


def _next_mrn(clinic_id) -> str:
    """Take the clinic's next MRN under a row lock so two registrations never share one."""
    clinic = Clinic.objects.select_for_update().get(pk=clinic_id)
    mrn = f"{clinic.mrn_prefix}{clinic.next_mrn:06d}"
    Clinic.objects.filter(pk=clinic.pk).update(next_mrn=clinic.next_mrn + 1)
    return mrn


class PossibleDuplicate(Conflict):
    """A patient of the clinic already has this name and date of birth (409 until confirmed)."""

    code = "possible_duplicate"

    def __init__(self, matches: list[Patient]):
        named = "; ".join(f"{p.full_name}, MRN {p.mrn} (id {p.pk})" for p in matches)
        super().__init__(
            "A patient with this name and date of birth is already registered in this clinic: "
            f"{named}. If this is a different person, register again with confirm_duplicate "
            "set to true.",
            fields={
                "confirm_duplicate": "Same name and date of birth as MRN "
                + ", ".join(p.mrn for p in matches)
                + ": open that record, or confirm that this is a different person."
            },
        )
        self.matches = matches


def _same_person_candidates(patient: Patient) -> list[Patient]:
    return list(
        Patient.objects.filter(
            clinic_id=patient.clinic_id,
            given_name__iexact=patient.given_name,
            family_name__iexact=patient.family_name,
            date_of_birth=patient.date_of_birth,
        ).order_by("mrn")[:5]
    )


def register_patient(*, actor, duplicate_check: bool = False, **data) -> Patient:
    """Register a patient in the actor's clinic and assign the next MRN.

    With `duplicate_check`, a patient of the clinic with the same name and date of birth
    refuses the registration (`PossibleDuplicate`, naming them); without it such a match is
    written into the registration's audit event, so a confirmed duplicate can be traced.
    """
    require(actor, "patient.register")
    refuse_unknown_fields(data, Patient.EDITABLE_FIELDS, "Unknown fields", "not a patient field")
    patient = Patient(clinic_id=actor.clinic_id, **_stripped(data))
    _validate(patient)
    with transaction.atomic():
        # The clinic row lock taken for the MRN also serialises the duplicate check.
        patient.mrn = _next_mrn(actor.clinic_id)
        matches = _same_person_candidates(patient)
        if matches and duplicate_check:
            raise PossibleDuplicate(matches)
        patient.save()
        changes = {"mrn": patient.mrn}
        if matches:
            changes["registered_despite_same_name_and_birth_date"] = [p.mrn for p in matches]
        record_event(
            actor=actor,
            action="patient.registered",
            obj=patient,
            patient=patient,
            changes=changes,
        )
    return patient


def transfer_patient(*, actor, patient: Patient, to_clinic, consent_note: str) -> Patient:
    """Transfer a patient of the actor's clinic to another location of its organization, with
    the patient's consent (how it was given, in `consent_note`).

    The receiving location registers the patient with its next MRN and the same demographics.
    Every record stays with the location that wrote it: the receiving location reads the
    sending location's history read-only, and no ledger or DEA record moves. Returns the
    patient as registered at the receiving location."""
    require(actor, "patient.transfer")
    problems = {}
    consent_note = (consent_note or "").strip()
    if not consent_note:
        problems["consent_note"] = "say how the patient consented to the transfer"
    if to_clinic is None or to_clinic.organization_id != actor.clinic.organization_id:
        problems["to_clinic"] = "must be another location of this organization"
    elif to_clinic.pk == actor.clinic_id:
        problems["to_clinic"] = "is this clinic: choose another location"
    if problems:
        raise InvalidInput(
            "The patient was not transferred: " + ", ".join(sorted(problems)) + ".", fields=problems
        )
    now = timezone.now()
    with transaction.atomic():
        sending = Patient.objects.select_for_update().get(pk=patient.pk, clinic_id=actor.clinic_id)
        if PatientTransfer.objects.filter(
            clinic_id=actor.clinic_id, patient=sending, direction=PatientTransfer.Direction.OUT
        ).exists():
            raise Conflict(
                "This patient was already transferred to another location.",
                code="already_transferred",
            )
        received = Patient(
            clinic_id=to_clinic.pk, **{f: getattr(sending, f) for f in Patient.EDITABLE_FIELDS}
        )
        received.mrn = _next_mrn(to_clinic.pk)
        received.save()
        common = {"consent_note": consent_note, "transferred_by": actor, "transferred_at": now}
        PatientTransfer.objects.create(
            clinic_id=actor.clinic_id,
            patient=sending,
            direction=PatientTransfer.Direction.OUT,
            other_clinic_id=to_clinic.pk,
            other_clinic_name=to_clinic.name,
            other_patient_id=received.pk,
            other_mrn=received.mrn,
            **common,
        )
        PatientTransfer.objects.create(
            clinic_id=to_clinic.pk,
            patient=received,
            direction=PatientTransfer.Direction.IN,
            other_clinic_id=actor.clinic_id,
            other_clinic_name=actor.clinic.name,
            other_patient_id=sending.pk,
            other_mrn=sending.mrn,
            **common,
        )
        record_event(
            actor=actor,
            action="patient.transferred_out",
            clinic=actor.clinic,
            obj=sending,
            patient=sending,
            changes={"to": to_clinic.name, "mrn_there": received.mrn, "consent": consent_note},
        )
        record_event(
            actor=actor,
            action="patient.transferred_in",
            clinic=to_clinic,
            obj=received,
            patient=received,
            changes={"from": actor.clinic.name, "mrn_there": sending.mrn, "consent": consent_note},
        )
    return received


def update_patient(*, actor, patient: Patient, **changes) -> Patient:
    """Change demographics; the audit event lists each changed field's old and new value."""
    require(actor, "patient.update")
    refuse_unknown_fields(
        changes,
        Patient.EDITABLE_FIELDS,
        "These fields cannot be changed",
        "not an editable patient field",
    )
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk, clinic_id=actor.clinic_id)
        before = assign(locked, _stripped(changes))
        _validate(locked)
        save_changes(locked, before, changes, actor=actor, action="patient.updated", patient=locked)
    return locked


def set_weight_range(*, actor, min_kg, max_kg, note: str = "") -> PlausibleWeightRange:
    """The clinic chooses the weights it accepts as typed (a data-entry plausibility range)."""
    require(actor, "clinic.weight_range")
    errors = range_problem(min_kg, max_kg)
    if errors:
        raise InvalidInput(
            "The weight range cannot be saved: " + ", ".join(sorted(errors)) + ".", fields=errors
        )
    with transaction.atomic():
        row, _ = PlausibleWeightRange.objects.select_for_update().get_or_create(
            clinic_id=actor.clinic_id
        )
        before = {"min_kg": row.min_kg, "max_kg": row.max_kg}
        row.min_kg, row.max_kg = min_kg, max_kg
        row.note, row.changed_by = note.strip(), actor
        row.save()
        record_event(
            actor=actor,
            action="clinic.weight_range_set",
            obj=row,
            changes={
                "min_kg": {"from": before["min_kg"], "to": row.min_kg},
                "max_kg": {"from": before["max_kg"], "to": row.max_kg},
                "note": row.note,
            },
        )
    return row


def _stripped(data: dict) -> dict:
    return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
