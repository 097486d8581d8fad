"""`ketaclinic load_poverty_guidelines USERNAME FILE`: load a year's HHS guideline values."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ketaclinic.billing.services import set_poverty_guideline
from ketaclinic.core.errors import DomainError

EXAMPLE = (
    '[{"year": 2026, "region": "contiguous", "first_person": "...", '
    '"each_additional": "...", "source": "HHS poverty guidelines, Federal Register ..."}]'
)


class Command(BaseCommand):
    help = (
        "Load or correct poverty guideline values for USERNAME's clinic (a clinic "
        f"administrator) from a JSON list: {EXAMPLE}"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("file", type=Path)

    def handle(self, *args, username, file, **options):
        user = get_user_model().objects.select_related("clinic").filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            rows = json.loads(file.read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        if not isinstance(rows, list):
            raise CommandError(f"Expected a JSON list like {EXAMPLE}")
        for row in rows:
            try:
                saved = set_poverty_guideline(
                    actor=user,
                    year=int(row["year"]),
                    region=row.get("region", "contiguous"),
                    first_person=row["first_person"],
                    each_additional=row["each_additional"],
                    source=row.get("source", ""),
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise CommandError(f"Bad row {row!r}: {exc}") from exc
            except DomainError as exc:
                details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
                raise CommandError(f"{exc.message} {details}") from exc
            self.stdout.write(
                f"{saved.year} {saved.region}: ${saved.first_person} + "
                f"${saved.each_additional} per additional person ({saved.source})"
            )
