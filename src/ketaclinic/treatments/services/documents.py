"""Session documents: the note (sign and lock, then addenda) and REMS form submission."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.treatments.models import NoteAddendum, SessionNote, SessionStatus
from ketaclinic.treatments.queries.rems_forms import rems_form
from ketaclinic.treatments.services.common import audit, locked
from ketaclinic.treatments.state import state_of

FINAL = (SessionStatus.DISCHARGED, SessionStatus.ABORTED)


def save_note(*, actor, session, text: str) -> SessionNote:
    """Write or change the note's draft; a signed note is locked."""
    require(actor, "session.note")
    with transaction.atomic():
        row = locked(session)
        if row.status == SessionStatus.SCHEDULED:
            raise Conflict("The session has not started.", code="illegal_transition")
        note = SessionNote.objects.select_for_update().filter(session=row).first()
        if note is not None and note.is_locked:
            raise Conflict("The note is signed and locked: add an addendum.", code="note_locked")
        before = note.text if note else ""
        if note is None:
            note = SessionNote(clinic_id=row.clinic_id, session=row, updated_by=actor)
        note.text, note.updated_by = text.strip(), actor
        note.save()
        audit(
            actor,
            "session.note_saved",
            note,
            {"text": {"from": before, "to": note.text}},
            patient=row.patient,
        )
    return note


def sign_note(*, actor, session) -> SessionNote:
    """The prescriber signs the note of a finished session; it is locked from then on."""
    require(actor, "session.sign_note")
    with transaction.atomic():
        row = locked(session)
        if row.status not in FINAL:
            raise Conflict(
                "Sign the note once the session is discharged or aborted.", code="session_open"
            )
        note = SessionNote.objects.select_for_update().filter(session=row).first()
        if note is None or not note.text:
            raise InvalidInput("Write the note before signing it.", fields={"text": "empty"})
        if note.is_locked:
            raise Conflict("The note is already signed.", code="note_locked")
        note.signed_by, note.signed_at = actor, timezone.now()
        note.save()
        audit(actor, "session.note_signed", note, patient=row.patient)
    return note


def add_addendum(*, actor, session, text: str) -> NoteAddendum:
    """Add to a signed note; the signed text itself never changes."""
    require(actor, "session.note")
    if not text.strip():
        raise InvalidInput("The addendum is empty.", fields={"text": "required"})
    with transaction.atomic():
        row = locked(session)
        note = SessionNote.objects.filter(session=row).first()
        if note is None or not note.is_locked:
            raise Conflict(
                "Addenda are for signed notes: edit the draft instead.", code="note_open"
            )
        addendum = NoteAddendum.objects.create(
            clinic_id=row.clinic_id, note=note, text=text.strip(), author=actor
        )
        audit(
            actor, "session.note_addendum", addendum, {"text": addendum.text}, patient=row.patient
        )
    return addendum


def mark_rems_submitted(*, actor, session, confirmation: str = ""):
    """Record that the session's REMS Patient Monitoring Form was submitted."""
    require(actor, "rems.submit")
    with transaction.atomic():
        row = locked(session)
        state = state_of(row, timezone.now())
        if not state.definition.rems_form_required or row.dose_started_at is None:
            raise Conflict("This session needs no REMS form.", code="no_rems_form")
        if row.status not in FINAL:
            raise Conflict("Finish the session before submitting its form.", code="session_open")
        if row.rems_submitted_at is not None:
            raise Conflict("The form is already marked submitted.", code="already_submitted")
        form = rems_form(row, state)
        if form["missing"]:
            raise Conflict(
                "The form is incomplete: " + "; ".join(form["missing_labels"]) + ".",
                fields=dict.fromkeys(form["missing"], "not filled from the record"),
                code="rems_incomplete",
            )
        row.rems_submitted_at, row.rems_submitted_by = timezone.now(), actor
        row.rems_confirmation = confirmation.strip()[:100]
        row.save()
        audit(actor, "rems.form_submitted", row, {"confirmation": row.rems_confirmation})
    return row
