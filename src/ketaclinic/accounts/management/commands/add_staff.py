"""`ketaclinic add_staff USERNAME --clinic SLUG --role ROLE`: add a user to a clinic."""

import getpass
import os

from django.core.management.base import BaseCommand, CommandError

from ketaclinic.accounts.services import add_staff_member
from ketaclinic.core.errors import DomainError
from ketaclinic.core.models import Clinic
from ketaclinic.core.permissions import Role


class Command(BaseCommand):
    help = (
        "Add a staff member with one role to a clinic "
        "(password from KETACLINIC_NEW_PASSWORD, else a prompt)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--clinic", required=True, help="clinic slug")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--credentials", default="", help="e.g. MD, NP, RN")
        parser.add_argument("--npi", default="", help="10-digit NPI (prescribers)")
        parser.add_argument("--dea-number", default="", help="DEA number (prescribers)")

    def handle(self, *args, username, clinic, role, **options):
        found = Clinic.objects.filter(slug=clinic).first()
        if found is None:
            raise CommandError(f"No clinic with slug {clinic!r}.")
        password = os.environ.get("KETACLINIC_NEW_PASSWORD") or getpass.getpass("Password: ")
        try:
            user = add_staff_member(
                actor=None,
                clinic=found,
                username=username,
                role=role,
                password=password,
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
                credentials=options["credentials"],
                npi=options["npi"],
                dea_number=options["dea_number"],
            )
        except DomainError as exc:
            details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} ({details})") from exc
        self.stdout.write(f"Added {user.username} as {user.role_label} of {found.name}.")
