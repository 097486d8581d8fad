"""`ketaclinic seed_registry --patients N [--clinics K] [--seed S]`: a synthetic registry.

Development only: available with DJANGO_SETTINGS_MODULE=ketaclinic_devtools.settings.
"""

import os
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ketaclinic.core.demo import DEFAULT_DEMO_PASSWORD
from ketaclinic.core.errors import DomainError
from ketaclinic_devtools.registry.progress import Progress, duration
from ketaclinic_devtools.registry.seed import seed_registry


class Command(BaseCommand):
    help = (
        "Generate a synthetic registry fast (bulk inserts, foreign keys checked): K clinics "
        "with staff and N patients with demographics, intake and eligibility, courses under "
        "the built-in protocols, sessions with vitals, alerts and adverse events, PHQ-9 "
        "trajectories and ledger movements. Deterministic for a seed and as-of date. Synthetic "
        "data only: refuses a database holding clinics it did not create, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, required=True, help="Number of patients.")
        parser.add_argument("--clinics", type=int, default=1, help="Number of clinics (1).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (2026).")
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="The registry's 'today' (YYYY-MM-DD; default today): history ends here.",
        )
        parser.add_argument("--years", type=int, default=2, help="Years of history (2).")
        parser.add_argument(
            "--ledger-days",
            type=int,
            default=90,
            help="Days of controlled-substance ledger before the as-of date (90; 0 = none).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Worker processes (PostgreSQL only; default one per core for 5,000+ patients).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add the registry next to clinics the generator did not create.",
        )
        parser.add_argument("--quiet", action="store_true", help="No progress lines.")

    def handle(self, *args, patients, clinics, seed, as_of, years, ledger_days, quiet, **opts):
        password = os.environ.get("KETACLINIC_DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
        # On a terminal one line is redrawn in place; in a log every report is its own line.
        redraw = self.stderr.isatty()
        shown = []

        def progress(p: Progress) -> None:
            text = f"seeding: {p.line()}"
            self.stderr.write(f"\r{text}\x1b[K" if redraw else text, ending="" if redraw else "\n")
            self.stderr.flush()
            shown.append(p)

        try:
            result = seed_registry(
                patients=patients,
                clinics_count=clinics,
                seed=seed,
                as_of=as_of,
                years=years,
                ledger_days=ledger_days,
                password=password,
                workers=opts.get("workers"),
                force=opts.get("force", False),
                progress=None if quiet else progress,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if shown and redraw:
            self.stderr.write("")
        self.stdout.write(
            f"Seeded {result.patients:,} patients in {len(result.clinics)} clinic(s) "
            f"({', '.join(result.clinics)}): {result.courses:,} courses, "
            f"{result.sessions:,} sessions, {result.responses:,} PHQ-9 scores, "
            f"{result.ledger_entries:,} ledger entries; {result.rows:,} rows in "
            f"{duration(result.seconds)} ({result.seconds:.1f} s; "
            f"{result.rows_per_second:,.0f} rows/s, {result.patients_per_second:,.0f} "
            f"patients/s, {result.workers} process{'es' if result.workers > 1 else ''})."
        )
        self.stdout.write(
            "Staff log in as reg1_prescriber1, reg1_clinic_admin1, reg1_auditor1 ... "
            "with the demo password."
        )
