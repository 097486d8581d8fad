"""`ketaclinic seed_registry --patients N [--clinics K] [--seed S]`: a synthetic registry."""

import os
import sys
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ketaclinic.core.demo import DEFAULT_DEMO_PASSWORD
from ketaclinic.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Generate a synthetic registry fast (bulk inserts): K clinics with staff and N patients "
        "with demographics, intake and eligibility, courses under the built-in protocols, "
        "sessions with vitals, alerts and adverse events, PHQ-9 trajectories and ledger "
        "movements. Deterministic for a seed and as-of date. Synthetic data only."
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
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args, patients, clinics, seed, as_of, years, ledger_days, quiet, **opts):
        workers = opts.get("workers")
        from ketaclinic.outcomes.registry.seed import seed_registry

        password = os.environ.get("KETACLINIC_DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
        started = time.perf_counter()

        def progress(done: int, total: int, rows: int) -> None:
            if quiet:
                return
            width = 30
            filled = int(width * done / total)
            elapsed = time.perf_counter() - started
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} patients, "
                f"{rows:,} rows, {elapsed:,.0f} s"
            )
            sys.stderr.flush()

        try:
            result = seed_registry(
                patients=patients,
                clinics_count=clinics,
                seed=seed,
                as_of=as_of,
                years=years,
                ledger_days=ledger_days,
                password=password,
                workers=workers,
                progress=progress,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if not quiet:
            sys.stderr.write("\n")
        self.stdout.write(
            f"Seeded {result.patients:,} patients in {len(result.clinics)} clinic(s) "
            f"({', '.join(result.clinics)}): {result.courses:,} courses, "
            f"{result.sessions:,} sessions, {result.responses:,} PHQ-9 scores, "
            f"{result.ledger_entries:,} ledger entries; {result.rows:,} rows in "
            f"{result.seconds:.1f} s ({result.patients_per_second:,.0f} patients/s, "
            f"{result.workers} process{'es' if result.workers > 1 else ''})."
        )
        self.stdout.write(
            "Staff log in as reg1_prescriber1, reg1_clinic_admin1, reg1_auditor1 ... "
            "with the demo password."
        )
