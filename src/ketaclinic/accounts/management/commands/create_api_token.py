"""`ketaclinic create_api_token USERNAME`: print a new API token alone on the last line."""

from django.core.management.base import BaseCommand, CommandError

from ketaclinic.accounts.models import User
from ketaclinic.accounts.services import create_api_token
from ketaclinic.core.errors import DomainError


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it (only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")

    def handle(self, *args, username, name, **options):
        user = User.objects.select_related("clinic").filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            _, plaintext = create_api_token(actor=None, user=user, name=name)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Token for {user.username} ({user.role_label}, {user.clinic.name}):")
        self.stdout.write(plaintext)
