"""`ketaclinic export_research --format parquet|csv|fhir OUT_DIR`: de-identified research data,
for one clinic, several, or (`--organization SLUG`) every location of a clinic network."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ketaclinic.audit.services import record_event
from ketaclinic.core.models import Clinic
from ketaclinic.core.permissions import can
from ketaclinic.outcomes.export import export_network, export_tables
from ketaclinic.outcomes.fhir_export import FhirExportError, export_fhir
from ketaclinic.outcomes.keys import ResearchKeyError, organization_key, research_key


class Command(BaseCommand):
    help = (
        "Write a de-identified export: one Parquet or CSV table per entity with a data "
        "dictionary, or (--format fhir) FHIR R4 NDJSON files with a bulk-data manifest. Names, "
        "contacts, addresses, dates of birth and free text are never exported; ids become "
        "keyed pseudonyms (key: KETACLINIC_RESEARCH_KEY or var/research_key); each patient's "
        "dates move by their own offset. Audited per clinic."
    )

    def add_arguments(self, parser):
        parser.add_argument("out_dir", help="A new or empty directory.")
        parser.add_argument("--format", choices=("parquet", "csv", "fhir"), default="parquet")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", help="Export this user's clinic, recorded as exported by them.")
        who.add_argument("--clinic", action="append", help="Slug of a clinic (repeatable).")
        who.add_argument("--all-clinics", action="store_true", help="Every clinic.")
        who.add_argument(
            "--organization",
            metavar="SLUG",
            help="Every location of this clinic's organization, one folder each "
            "(location=<slug>/), with one key for the organization (Parquet or CSV).",
        )

    def handle(self, *args, out_dir, format, user, clinic, all_clinics, organization, **options):
        if organization is not None:
            self._network(out_dir, format, organization)
            return
        actor, clinics = self._scope(user, clinic, all_clinics)
        target = Path(out_dir)
        if target.exists() and any(target.iterdir()):
            raise CommandError(f"{target} is not empty: choose a new directory.")
        created = not target.exists()
        target.mkdir(parents=True, exist_ok=True)
        try:
            key = research_key()
        except ResearchKeyError as exc:
            raise CommandError(str(exc)) from exc
        ids = [c.pk for c in clinics]
        # One snapshot: every table sees the same committed state.
        with transaction.atomic():
            if format == "fhir":
                try:
                    result = export_fhir(ids, target, key)
                except FhirExportError as exc:
                    if created:
                        target.rmdir()  # the export leaves it empty
                    raise CommandError(str(exc)) from exc
                counts = result.counts
            else:
                result = export_tables(
                    ids,
                    target,
                    format,
                    key,
                    progress=lambda name, n: self.stdout.write(f"  {name}: {n:,} rows"),
                )
                counts = result.tables
            for c in clinics:
                record_event(
                    actor=actor,
                    action="outcomes.research_exported",
                    clinic=c,
                    changes={
                        "format": format,
                        "clinics": len(clinics),
                        "counts": counts,
                        "key_fingerprint": result.key_fingerprint,
                    },
                )
        total = sum(counts.values())
        self.stdout.write(
            f"Exported {total:,} rows/resources of {len(clinics)} clinic(s) as {format} to "
            f"{target} (key fingerprint {result.key_fingerprint})."
        )

    def _network(self, out_dir, format, slug):
        if format == "fhir":
            raise CommandError("--organization writes Parquet or CSV tables, not FHIR.")
        found = Clinic.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"No clinic with slug {slug!r}.")
        locations = list(
            Clinic.objects.filter(organization_id=found.organization_id).order_by("slug")
        )
        target = Path(out_dir)
        if target.exists() and any(target.iterdir()):
            raise CommandError(f"{target} is not empty: choose a new directory.")
        try:
            key = organization_key(research_key(), found.organization_id)
        except ResearchKeyError as exc:
            raise CommandError(str(exc)) from exc
        target.mkdir(parents=True, exist_ok=True)
        with transaction.atomic():
            results = export_network(
                locations,
                target,
                format,
                key,
                progress=lambda name, n: self.stdout.write(f"  {name}: {n:,} rows"),
            )
            for clinic in locations:
                record_event(
                    actor=None,
                    action="outcomes.research_exported",
                    clinic=clinic,
                    changes={
                        "format": format,
                        "organization": str(found.organization_id),
                        "locations": len(locations),
                        "counts": results[clinic.slug].tables,
                        "key_fingerprint": results[clinic.slug].key_fingerprint,
                    },
                )
        self.stdout.write(
            f"Exported {len(locations)} location(s) of {found.organization.name} as {format} to "
            f"{target} (organization key fingerprint {results[found.slug].key_fingerprint})."
        )

    def _scope(self, username, slugs, all_clinics):
        if username:
            actor = get_user_model().objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user {username!r}.")
            if not can(actor, "outcomes.export"):
                raise CommandError(f"{username} may not export research data (clinic admins).")
            return actor, [actor.clinic]
        if all_clinics:
            return None, list(Clinic.objects.order_by("slug"))
        clinics = list(Clinic.objects.filter(slug__in=slugs).order_by("slug"))
        missing = sorted(set(slugs) - {c.slug for c in clinics})
        if missing:
            raise CommandError(f"No clinic with slug {', '.join(missing)}.")
        return None, clinics
