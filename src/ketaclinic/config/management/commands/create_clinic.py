"""`ketaclinic create_clinic NAME SLUG [--time-zone TZ] [--dea NUMBER] [--location-of SLUG]`:
register a clinic, on its own (an organization of one) or as another location of an existing
clinic's organization."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ketaclinic.audit.services import record_event
from ketaclinic.core.models import Clinic, Organization


class Command(BaseCommand):
    help = "Create a clinic (the tenant every user and record belongs to)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("slug")
        parser.add_argument("--time-zone", default="America/New_York")
        parser.add_argument("--address", default="")
        parser.add_argument("--dea", default="", help="DEA registration number")
        parser.add_argument("--mrn-prefix", default="KC")
        parser.add_argument(
            "--location-of",
            default=None,
            metavar="SLUG",
            help="Another location of this clinic's organization (default: a new organization).",
        )

    def handle(self, *args, name, slug, time_zone, address, dea, mrn_prefix, **options):
        sibling = options["location_of"]
        organization = None
        if sibling is not None:
            found = Clinic.objects.select_related("organization").filter(slug=sibling).first()
            if found is None:
                raise CommandError(f"No clinic with slug {sibling!r}.")
            organization = found.organization
        clinic = Clinic(
            organization=organization,
            name=name,
            slug=slug,
            time_zone=time_zone,
            address=address,
            dea_registration_number=dea,
            mrn_prefix=mrn_prefix,
        )
        try:
            clinic.full_clean(exclude=["organization"])
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        with transaction.atomic():
            if clinic.organization_id is None:
                clinic.organization = Organization.objects.create(name=name)
            clinic.save()
            record_event(actor=None, action="clinic.created", clinic=clinic, obj=clinic)
        self.stdout.write(
            f"Created clinic {clinic.name} ({clinic.slug}) in organization "
            f"{clinic.organization.name}."
        )
