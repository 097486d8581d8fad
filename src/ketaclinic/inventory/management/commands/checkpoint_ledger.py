"""`ketaclinic checkpoint_ledger [--clinic SLUG]`: write down each clinic's ledger head.

Run daily (docs/deploy.md gives the systemd timer). For each clinic with a ledger: verify the
chain from the previous checkpoint, then store its head (sequence, hash, time) in the signed
checkpoint table and email it to the clinic's compliance officers. Exit 1 if any clinic's
ledger does not verify (no checkpoint is taken over it).
"""

from django.core.management.base import BaseCommand, CommandError

from ketaclinic.core.models import Clinic
from ketaclinic.inventory import services
from ketaclinic.inventory.queries import ledger_heads


class Command(BaseCommand):
    help = "Write down each clinic's ledger head as a signed checkpoint and email it."

    def add_arguments(self, parser):
        parser.add_argument("--clinic", help="Slug of one clinic (default: every clinic).")

    def handle(self, *args, clinic=None, **options):
        clinics = Clinic.objects.filter(pk__in=list(ledger_heads())).order_by("slug")
        if clinic:
            clinics = Clinic.objects.filter(slug=clinic)
            if not clinics.exists():
                raise CommandError(f"No clinic with slug {clinic!r}.")
        refused = False
        for target in clinics:
            try:
                checkpoint = services.take_checkpoint(target)
            except services.CheckpointRefused as exc:
                refused = True
                verdict = exc.verdict
                self.stderr.write(
                    f"{target.slug}: NOT CHECKPOINTED, the ledger does not verify "
                    f"(run `ketaclinic verify_ledger --clinic {target.slug} --full`); "
                    + (verdict.first_bad.reason if verdict.first_bad else "")
                    + (
                        f" {verdict.checkpoint.label}: {verdict.checkpoint.reason}"
                        if verdict.checkpoint and not verdict.checkpoint.valid
                        else ""
                    )
                )
                continue
            self.stdout.write(
                f"{target.slug}: checkpoint {checkpoint.pk} at "
                f"{checkpoint.taken_at:%Y-%m-%d %H:%M:%S%z}, "
                f"sequence {checkpoint.sequence}, head {checkpoint.head_hash}"
            )
        if not clinics:
            self.stdout.write("No ledger yet: nothing to checkpoint.")
        if refused:
            raise SystemExit(1)
