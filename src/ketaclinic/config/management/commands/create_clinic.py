"""`ketaclinic create_clinic NAME SLUG [--time-zone TZ] [--dea NUMBER]`: register a clinic."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ketaclinic.audit.services import record_event
from ketaclinic.core.models import Clinic


class Command(BaseCommand):
    help = "Create a clinic (the tenant every user and record belongs to)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("slug")
        parser.add_argument("--time-zone", default="America/New_York")
        parser.add_argument("--address", default="")
        parser.add_argument("--dea", default="", help="DEA registration number")
        parser.add_argument("--mrn-prefix", default="KC")

    def handle(self, *args, name, slug, time_zone, address, dea, mrn_prefix, **options):
        clinic = Clinic(
            name=name,
            slug=slug,
            time_zone=time_zone,
            address=address,
            dea_registration_number=dea,
            mrn_prefix=mrn_prefix,
        )
        try:
            clinic.full_clean()
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        with transaction.atomic():
            clinic.save()
            record_event(actor=None, action="clinic.created", clinic=clinic, obj=clinic)
        self.stdout.write(f"Created clinic {clinic.name} ({clinic.slug}).")
