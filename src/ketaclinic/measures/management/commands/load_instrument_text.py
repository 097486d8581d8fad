"""`ketaclinic load_instrument_text FILE [--clinic SLUG]`: load a clinic's licensed item text,
in English or as a licensed translation ("language": "es")."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.models import Clinic
from ketaclinic.measures.services import load_instrument_text

EXAMPLE = """{
  "instrument": "madrs",
  "language": "en (default) or es: a translation words every item and every answer",
  "licence_note": "Licensed to Example Clinic until 2027",
  "instructions": "optional instructions shown above the items",
  "items": {"1": {"text": "item wording", "options": {"0": "anchor", "2": "anchor"}}}
}"""


class Command(BaseCommand):
    help = (
        "Load licensed item text (e.g. MADRS, C-SSRS) from a JSON file: one object or a list of "
        "objects shaped like:\n" + EXAMPLE
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--clinic", help="Slug of the clinic that holds the licence (default: every clinic)."
        )

    def handle(self, *args, file: Path, clinic: str | None = None, **options):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        target = None
        if clinic:
            target = Clinic.objects.filter(slug=clinic).first()
            if target is None:
                raise CommandError(f"No clinic with slug {clinic!r}.")
        for entry in data if isinstance(data, list) else [data]:
            if not isinstance(entry, dict):
                raise CommandError("Each entry must be a JSON object.")
            try:
                row = load_instrument_text(data=entry, clinic=target)
            except InvalidInput as exc:
                details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
                raise CommandError(f"{exc.message} {details}") from exc
            where = target.name if target else "every clinic"
            self.stdout.write(
                f"Loaded {row.language} text of {len(row.items)} items of {row.instrument} "
                f"for {where}."
            )
