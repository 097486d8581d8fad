"""`ketaclinic rebuild_outcome_facts [--clinic SLUG]`: rewrite the outcome fact tables."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ketaclinic.audit.services import record_event
from ketaclinic.core.models import Clinic
from ketaclinic.outcomes.facts import rebuild


class Command(BaseCommand):
    help = (
        "Rewrite the outcome fact tables (one row per course, per dosed session and per day) "
        "from the clinical records, for one clinic or for all. Writes keep the facts current "
        "by themselves; run this after loading rows in bulk, after a restore, or after a "
        "change to the outcome definitions in the software."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clinic", action="append", help="Slug of a clinic (repeatable).")

    def handle(self, *args, clinic, **options):
        ids = None
        if clinic:
            found = dict(Clinic.objects.filter(slug__in=clinic).values_list("slug", "pk"))
            missing = sorted(set(clinic) - set(found))
            if missing:
                raise CommandError(f"No clinic with the slug {', '.join(missing)}.")
            ids = list(found.values())
        started = time.perf_counter()
        with transaction.atomic():
            done = rebuild(ids)
            clinics = Clinic.objects.in_bulk(list(done), field_name="slug")
            for slug, counts in done.items():
                record_event(
                    actor=None,
                    action="outcomes.facts_rebuilt",
                    clinic=clinics[slug],
                    changes=counts,
                )
        for slug, counts in done.items():
            self.stdout.write(
                f"{slug}: {counts['courses']:,} courses, {counts['sessions']:,} dosed sessions, "
                f"{counts['days']:,} days"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt the outcome facts of {len(done)} clinic(s) in "
                f"{time.perf_counter() - started:.1f} s."
            )
        )
