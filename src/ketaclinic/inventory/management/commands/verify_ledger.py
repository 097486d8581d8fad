"""`ketaclinic verify_ledger [--full] [--head HASH] [--clinic SLUG]`: verify every clinic's ledger.

By default each chain is recomputed from its latest checkpoint (incremental), the checkpoint's
HMAC is checked and the chain must still reach the checkpoint's sequence with its hash; with
--full (or --head) the whole chain is recomputed. Every ledger audit event (since the
checkpoint, or all with --full) must have its entry. Exit 0 when all of it holds (prints
entries and head hash); exit 1 naming the first bad entry, the checkpoint that disagrees, or
the audit events whose entries are gone.
"""

import re

from django.core.management.base import BaseCommand, CommandError

from ketaclinic.audit.services import record_event
from ketaclinic.core.models import Clinic
from ketaclinic.inventory.models import LedgerChainHead, LedgerEntry
from ketaclinic.inventory.queries import verify_clinic_ledger
from ketaclinic.inventory.services.checkpoints import record_failure

HASH = re.compile(r"^[0-9a-f]{64}$")


class Command(BaseCommand):
    help = (
        "Verify the controlled-substance ledger (hash chain, latest checkpoint, audit trail); "
        "exit 1 at the first problem."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            help="A head hash printed earlier: it must still be in the chain (implies --full).",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="Recompute the whole chain (default: from the latest checkpoint).",
        )
        parser.add_argument("--clinic", help="Slug of one clinic (default: every clinic).")

    def handle(self, *args, head=None, full=False, clinic=None, **options):
        if head is not None and not HASH.match(head):
            raise CommandError("--head must be 64 lower-case hex characters.")
        clinics = Clinic.objects.order_by("slug")
        if clinic:
            clinics = clinics.filter(slug=clinic)
            if not clinics.exists():
                raise CommandError(f"No clinic with slug {clinic!r}.")
        with_ledger = set(LedgerEntry.objects.values_list("clinic_id", flat=True).distinct())
        with_ledger |= set(LedgerChainHead.objects.values_list("clinic_id", flat=True))
        targets = [c for c in clinics if c.pk in with_ledger or clinic]
        if head is not None and len(targets) != 1:
            raise CommandError("--head belongs to one clinic's chain: add --clinic SLUG.")
        broken = False
        for target in targets:
            verdict = verify_clinic_ledger(target.pk, saved_head=head, full=full)
            record_event(
                actor=None,
                action="ledger.verified",
                clinic=target,
                changes={
                    "valid": verdict.valid,
                    "mode": verdict.mode,
                    "entries": verdict.entries,
                    "head": verdict.head,
                    "checkpoint": verdict.checkpoint.id if verdict.checkpoint else None,
                },
            )
            if verdict.valid:
                self.stdout.write(self._intact(target, verdict))
                continue
            broken = True
            record_failure(target, verdict, during="verify_ledger")
            for line in self._problems(target, verdict):
                self.stderr.write(line)
        if not targets:
            self.stdout.write("No ledger entries yet: nothing to verify.")
        if broken:
            raise SystemExit(1)

    @staticmethod
    def _intact(target, verdict) -> str:
        if verdict.mode == "incremental":
            scope = f"{verdict.entries} entries from #{verdict.from_sequence}"
        else:
            scope = f"{verdict.entries} entries"
        line = f"{target.slug}: intact, {scope}, head {verdict.head}"
        if verdict.checkpoint is not None:
            line += f"; agrees with {verdict.checkpoint.label}"
        else:
            line += "; no checkpoint yet"
        return line

    @staticmethod
    def _problems(target, verdict) -> list[str]:
        lines = []
        bad = verdict.first_bad
        if bad is not None:
            where = f"entry #{bad.sequence}" if bad.sequence is not None else "the chain's end"
            ident = f" (id {bad.entry_id})" if bad.entry_id else ""
            lines.append(
                f"{target.slug}: BROKEN at {where}{ident}: {bad.kind}: {bad.reason}; "
                f"{verdict.entries} entries verified before it"
            )
        check = verdict.checkpoint
        if check is not None and not check.valid:
            lines.append(f"{target.slug}: DISAGREES with {check.label}: {check.reason}")
        for missing in verdict.missing_entries[:10]:
            lines.append(
                f"{target.slug}: MISSING ENTRY for audit event {missing.action} of "
                f"{missing.occurred_at:%Y-%m-%d %H:%M:%S%z} (entry id {missing.object_id})"
            )
        if len(verdict.missing_entries) > 10:
            lines.append(
                f"{target.slug}: ... {len(verdict.missing_entries) - 10} more audit events "
                "without their entry"
            )
        return lines
