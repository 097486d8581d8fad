"""Plain factory functions shared by fixtures and tests (importable as tests.factories)."""

from ketaclinic.accounts.models import ClinicSecurity, User
from ketaclinic.core.models import Clinic

PASSWORD = "correct-horse-battery"


def make_clinic(name: str, slug: str, *, mfa_required: bool = False, **extra) -> Clinic:
    """A clinic for tests. Two-factor sign-in is off unless a test asks for it (a real clinic
    has it on by default), so that tests about other things sign in with the password alone."""
    clinic = Clinic.objects.create(name=name, slug=slug, time_zone="America/New_York", **extra)
    ClinicSecurity.objects.create(clinic=clinic, mfa_required=mfa_required)
    return clinic


def make_user(clinic, username: str, role: str, **extra) -> User:
    user = User(username=username, clinic=clinic, role=role, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user
