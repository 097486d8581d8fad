"""`ketaclinic import_fhir FILE --user USERNAME`: import a referral FHIR R4 Bundle."""

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ketaclinic.core.errors import DomainError
from ketaclinic.intake.fhir_import import import_fhir_bundle


class Command(BaseCommand):
    help = (
        "Import a referring clinician's FHIR R4 Bundle (JSON): create or match the patient and "
        "prefill antidepressant trials marked 'imported — needs review'. Prints the result as "
        "JSON. Nothing is saved when the Bundle is rejected; a repeated import adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the Bundle JSON file ('-' reads stdin).")
        parser.add_argument(
            "--user",
            required=True,
            help="Username of the clinician the import is recorded for (their clinic receives it).",
        )

    def handle(self, *args, file, user, **options):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {user!r}.")
        try:
            raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            result = import_fhir_bundle(actor=actor, raw=raw)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps(result, indent=2, default=str))
