"""`ketaclinic verify_ledger [--head HASH] [--clinic SLUG]`: recompute every clinic's hash chain.

Exit 0 when every chain is intact (prints entries and head hash, to be kept outside the
database); exit 1 naming the first bad entry otherwise.
"""

import re

from django.core.management.base import BaseCommand, CommandError

from ketaclinic.audit.services import record_event
from ketaclinic.core.models import Clinic
from ketaclinic.inventory.models import LedgerChainHead, LedgerEntry
from ketaclinic.inventory.queries import verify_clinic_chain

HASH = re.compile(r"^[0-9a-f]{64}$")


class Command(BaseCommand):
    help = "Verify the controlled-substance ledger's hash chain (exit 1 at the first bad entry)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            help="A head hash printed earlier: it must still be in the chain.",
        )
        parser.add_argument("--clinic", help="Slug of one clinic (default: every clinic).")

    def handle(self, *args, head=None, clinic=None, **options):
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
            verdict = verify_clinic_chain(target.pk, saved_head=head)
            record_event(
                actor=None,
                action="ledger.verified",
                clinic=target,
                changes={"valid": verdict.valid, "entries": verdict.entries, "head": verdict.head},
            )
            if verdict.valid:
                self.stdout.write(
                    f"{target.slug}: intact, {verdict.entries} entries, head {verdict.head}"
                )
                continue
            broken = True
            bad = verdict.first_bad
            where = f"entry #{bad.sequence}" if bad.sequence is not None else "the chain's end"
            ident = f" (id {bad.entry_id})" if bad.entry_id else ""
            self.stderr.write(
                f"{target.slug}: BROKEN at {where}{ident}: {bad.kind}: {bad.reason}; "
                f"{verdict.entries} entries verified before it"
            )
        if not targets:
            self.stdout.write("No ledger entries yet: nothing to verify.")
        if broken:
            raise SystemExit(1)
