"""Plain factory functions shared by fixtures and tests (importable as tests.factories)."""

from ketaclinic.accounts.models import User
from ketaclinic.core.models import Clinic

PASSWORD = "correct-horse-battery"


def make_clinic(name: str, slug: str, **extra) -> Clinic:
    return Clinic.objects.create(name=name, slug=slug, time_zone="America/New_York", **extra)


def make_user(clinic, username: str, role: str, **extra) -> User:
    user = User(username=username, clinic=clinic, role=role, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user
