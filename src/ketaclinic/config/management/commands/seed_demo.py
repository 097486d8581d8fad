"""`ketaclinic seed_demo [--seed N]`: load the demo clinic once and print the demo logins."""

import os
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from faker import Faker

from ketaclinic.accounts.services import set_password
from ketaclinic.core.demo import DEFAULT_DEMO_PASSWORD, DEMO_CLINIC_SLUG, DemoContext
from ketaclinic.core.discovery import app_modules
from ketaclinic.core.errors import DomainError
from ketaclinic.core.models import Clinic

DEMO_USERS = ("admin", "prescriber", "nurse", "frontdesk", "auditor", "network")


class Command(BaseCommand):
    help = "Load the demo clinic (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (deterministic).")

    def handle(self, *args, seed, **options):
        password = os.environ.get("KETACLINIC_DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
        if Clinic.objects.filter(slug=DEMO_CLINIC_SLUG).exists():
            self.stdout.write("The demo clinic is already loaded; nothing was created.")
            notes = self._ensure_passwords(password)
            self._refresh(notes)
        else:
            ctx = self._seed(seed, password)
            notes = ctx.notes
        self._print_logins(password, notes)

    def _seed(self, seed: int, password: str) -> DemoContext:
        fake = Faker("en_US")
        fake.seed_instance(seed)
        ctx = DemoContext(
            seed=seed, password=password, now=timezone.now(), rng=random.Random(seed), fake=fake
        )
        steps = sorted(
            (m for m in app_modules("demo") if hasattr(m, "seed")),
            key=lambda m: getattr(m, "ORDER", 100),
        )
        try:
            with transaction.atomic():
                for step in steps:
                    self.stdout.write(f"  demo: {step.__name__.rsplit('.', 2)[-2]}")
                    step.seed(ctx)
        except DomainError as exc:
            details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            raise CommandError(f"The demo was not loaded: {exc.message} {details}") from exc
        self.stdout.write(self.style.SUCCESS(f"Loaded the demo clinic {ctx.clinic.name!r}."))
        return ctx

    def _ensure_passwords(self, password: str) -> list[str]:
        users = get_user_model().objects.filter(
            clinic__slug=DEMO_CLINIC_SLUG, username__in=DEMO_USERS
        )
        for user in users.select_related("clinic"):
            if not user.check_password(password):
                set_password(actor=None, user=user, password=password)
        notes_path = _notes_path()
        return notes_path.read_text().splitlines() if notes_path.exists() else []

    def _refresh(self, notes: list[str]) -> None:
        """Let each app bring an already loaded demo up to date (`refresh(notes)` in demo.py),
        e.g. accounts keeps the demo clinic's two-factor sign-in off and says so."""
        with transaction.atomic():
            for step in app_modules("demo"):
                if hasattr(step, "refresh"):
                    step.refresh(notes)

    def _print_logins(self, password: str, notes: list[str]) -> None:
        _notes_path().write_text("\n".join(notes))
        self.stdout.write("")
        self.stdout.write("Demo logins (username / password):")
        for username in DEMO_USERS:
            self.stdout.write(f"  {username:<11} / {password}")
        for line in notes:
            self.stdout.write(line)


def _notes_path():
    return settings.VAR_DIR / "demo-notes.txt"
