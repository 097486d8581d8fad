"""Daily ledger checkpoints: each clinic's head, HMAC-signed, kept outside the ledger's tables.

A checkpoint is taken only over a chain that verifies (from the previous checkpoint). The head
is read while holding the chain-head row lock, so no append slips between the verification and
the row. The clinic's compliance officers (its auditors and administrators) get the head by
email: a copy outside the database that a later rewrite cannot reach.
"""

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ketaclinic.accounts.queries import staff_here
from ketaclinic.audit.services import record_event
from ketaclinic.inventory import anchors, verification
from ketaclinic.inventory.models import LedgerCheckpoint
from ketaclinic.inventory.permissions import COMPLIANCE
from ketaclinic.inventory.services.ledger import _lock_head

log = logging.getLogger(__name__)


class CheckpointRefused(Exception):
    """The chain does not verify: no checkpoint is taken over it."""

    def __init__(self, verdict: verification.LedgerVerdict):
        super().__init__("the ledger does not verify")
        self.verdict = verdict


def compliance_officers(clinic) -> list[str]:
    """Email addresses of the clinic's active auditors and administrators (its own, and those
    of other locations who hold the role here)."""
    return sorted(
        set(
            staff_here(clinic.pk, sorted(COMPLIANCE))
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def take_checkpoint(clinic, *, now: dt.datetime | None = None, key: bytes | None = None):
    """Verify the clinic's chain and write down its head. Returns the checkpoint.

    Raises CheckpointRefused (after auditing the failure) when the chain does not verify.
    """
    key = key if key is not None else anchors.checkpoint_key()
    with transaction.atomic():
        head = _lock_head(clinic.pk)
        verdict = verification.verify_clinic_ledger(clinic.pk, key=[key])
        if not verdict.valid:
            transaction.set_rollback(True)
        else:
            checkpoint = LedgerCheckpoint(
                id=uuid.uuid4(),
                clinic_id=clinic.pk,
                sequence=head.sequence,
                head_hash=head.head_hash,
                taken_at=now or timezone.now(),
                key_fingerprint=anchors.fingerprint(key),
            )
            checkpoint.mac = anchors.sign(key, **anchors.signed_fields(checkpoint))
            checkpoint.save()
            record_event(
                actor=None,
                action="ledger.checkpoint_taken",
                clinic=clinic,
                obj=checkpoint,
                changes={
                    "sequence": checkpoint.sequence,
                    "hash": checkpoint.head_hash,
                    "verified": verdict.mode,
                },
            )
    if not verdict.valid:
        record_failure(clinic, verdict, during="checkpoint")
        raise CheckpointRefused(verdict)
    checkpoint.refresh_from_db()
    email_checkpoint(clinic, checkpoint)
    return checkpoint


def record_failure(clinic, verdict: verification.LedgerVerdict, *, during: str) -> None:
    """Audit a failed verification (outside any transaction that rolls back)."""
    bad = verdict.first_bad
    record_event(
        actor=None,
        action="ledger.verification_failed",
        clinic=clinic,
        changes={
            "during": during,
            "mode": verdict.mode,
            "first_bad_sequence": bad.sequence if bad else None,
            "reason": bad.reason if bad else "",
            "checkpoint": verdict.checkpoint.label
            if verdict.checkpoint and not verdict.checkpoint.valid
            else "",
            "missing_entries": len(verdict.missing_entries),
        },
    )


def email_checkpoint(clinic, checkpoint: LedgerCheckpoint) -> int:
    """Send the head to the compliance officers; returns how many were written to."""
    recipients = compliance_officers(clinic)
    if not recipients:
        log.warning("No compliance officer with an email address at clinic %s", clinic.pk)
        return 0
    local = timezone.localtime(checkpoint.taken_at, clinic.tz)
    utc = checkpoint.taken_at.astimezone(dt.UTC)
    body = (
        f"Daily checkpoint of the controlled-substance ledger of {clinic.name}.\n\n"
        f"Sequence: {checkpoint.sequence}\n"
        f"Head hash: {checkpoint.head_hash}\n"
        f"Taken at: {local:%Y-%m-%d %H:%M:%S %Z} ({utc:%Y-%m-%d %H:%M:%S} UTC)\n\n"
        "Keep this message outside the clinic system. The records must always be kept "
        "complete and accurate (21 CFR 1304.21); if the ledger is ever rewritten or cut short "
        "after this time, verifying it against this head shows it "
        f"(ketaclinic verify_ledger --clinic {clinic.slug} --head {checkpoint.head_hash}).\n"
    )
    send_mail(
        subject=f"Ledger checkpoint, {clinic.name}: entry #{checkpoint.sequence}",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
    return len(recipients)
