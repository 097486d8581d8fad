"""`ketaclinic add_membership USERNAME --clinic SLUG --role ROLE`: give a member of staff a role
at another location of their organization."""

from django.core.management.base import BaseCommand, CommandError

from ketaclinic.accounts.models import User
from ketaclinic.accounts.services import grant_membership
from ketaclinic.core.errors import DomainError
from ketaclinic.core.models import Clinic
from ketaclinic.core.permissions import Role


class Command(BaseCommand):
    help = (
        "Give USERNAME a role at another clinic of the same organization (or change it there, "
        "or restore it). They then switch between their clinics in the page header."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--clinic", required=True, help="clinic slug")
        parser.add_argument("--role", required=True, choices=Role.values)

    def handle(self, *args, username, clinic, role, **options):
        user = User.objects.select_related("clinic").filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        found = Clinic.objects.filter(slug=clinic).first()
        if found is None:
            raise CommandError(f"No clinic with slug {clinic!r}.")
        try:
            membership = grant_membership(actor=None, user=user, clinic=found, role=role)
        except DomainError as exc:
            details = "; ".join(f"{field} {problem}" for field, problem in exc.fields.items())
            raise CommandError(f"{exc.message} ({details})" if details else exc.message) from exc
        self.stdout.write(f"{username} is now {membership.role_label} at {found.name}.")
