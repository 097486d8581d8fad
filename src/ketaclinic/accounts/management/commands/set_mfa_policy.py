"""`ketaclinic set_mfa_policy SLUG [--required on|off] [--all-roles on|off]`: who signs in with
a second factor in a clinic (operator only; audited)."""

from django.core.management.base import BaseCommand, CommandError

from ketaclinic.accounts.queries import security_policy
from ketaclinic.accounts.services import set_security_policy
from ketaclinic.core.models import Clinic

SWITCH = {"on": True, "off": False}


class Command(BaseCommand):
    help = (
        "Show or change a clinic's two-factor sign-in policy. --required: prescribers, clinic "
        "administrators and auditors (on by default; off only for a demonstration clinic). "
        "--all-roles: every role."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="clinic slug")
        parser.add_argument("--required", choices=sorted(SWITCH))
        parser.add_argument("--all-roles", choices=sorted(SWITCH))

    def handle(self, *args, slug, required, all_roles, **options):
        clinic = Clinic.objects.filter(slug=slug).first()
        if clinic is None:
            raise CommandError(f"No clinic with slug {slug!r}.")
        policy = security_policy(clinic.pk)
        if required is not None or all_roles is not None:
            policy = set_security_policy(
                actor=None,
                clinic=clinic,
                mfa_required=SWITCH.get(required),
                mfa_required_for_all=SWITCH.get(all_roles),
            )
        roles = (
            "every role"
            if policy.mfa_required_for_all
            else "prescribers, clinic administrators and auditors"
            if policy.mfa_required
            else "nobody"
        )
        self.stdout.write(f"{clinic.name}: two-factor sign-in required for {roles}.")
