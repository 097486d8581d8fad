"""`ketaclinic create_api_token USERNAME [--clinic SLUG]`: print a new API token alone on the
last line. The token is bound to one clinic: the user's home clinic, or another of theirs."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ketaclinic.accounts import queries, signin
from ketaclinic.accounts.models import User
from ketaclinic.accounts.services import create_api_token
from ketaclinic.core.errors import DomainError


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it (only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Lifetime in days (default and maximum: {settings.TOKEN_DAYS}).",
        )
        parser.add_argument(
            "--read-only", action="store_true", help="The token may only read (GET, HEAD)."
        )
        parser.add_argument(
            "--clinic",
            default=None,
            metavar="SLUG",
            help="The clinic the token works at (default: the user's home clinic).",
        )

    def handle(self, *args, username, name, days, read_only, clinic, **options):
        user = User.objects.select_related("clinic").filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if clinic is not None and clinic != getattr(user.clinic, "slug", None):
            membership = next(
                (m for m in queries.clinics_of(user) if m.clinic.slug == clinic), None
            )
            if membership is None:
                raise CommandError(f"{username} has no active role at a clinic {clinic!r}.")
            signin.act_at(user, membership)
        try:
            token, plaintext = create_api_token(
                actor=None, user=user, name=name, days=days, read_only=read_only
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        access = "read-only" if token.read_only else "read and write"
        self.stdout.write(
            f"Token for {user.username} ({user.role_label}, {user.clinic.name}), {access}, "
            f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC:"
        )
        self.stdout.write(plaintext)
