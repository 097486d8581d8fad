"""The demo clinic: one user per role, about 25 patients, loaded once, same data for a seed,
two-factor sign-in off (and `make demo` says so)."""

import io

from django.core.management import call_command

from ketaclinic.accounts.demo import MFA_NOTE
from ketaclinic.accounts.models import ClinicSecurity, User
from ketaclinic.core.models import Clinic
from ketaclinic.patients.models import Patient
from tests.accounts.mfa_helpers import password_step
from tests.demo import DEMO_PASSWORD


def seed(**kwargs) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


def test_the_demo_has_one_user_per_role_and_prints_the_logins(db, demo_seeded):
    output = demo_seeded.output
    users = {u.username: u.role for u in User.objects.filter(clinic=demo_seeded.clinic)}
    assert {k: users[k] for k in ("admin", "prescriber", "nurse", "frontdesk", "auditor")} == {
        "admin": "clinic_admin",
        "prescriber": "prescriber",
        "nurse": "nurse",
        "frontdesk": "front_desk",
        "auditor": "auditor",
    }
    for username in ("admin", "prescriber", "nurse", "frontdesk", "auditor"):
        assert f"{username}" in output
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD in output
    assert 20 <= Patient.objects.filter(clinic=demo_seeded.clinic).count() <= 30


def test_the_demo_turns_mfa_off_and_says_so_with_the_logins(db, demo_seeded):
    assert ClinicSecurity.objects.get(clinic=demo_seeded.clinic).mfa_required is False
    logins = demo_seeded.output[demo_seeded.output.index("Demo logins") :]
    assert "Two-factor sign-in is OFF in this demo clinic" in logins
    # and the printed password is enough for the demo prescriber
    prescriber = demo_seeded.clinic.staff.get(username="prescriber")
    assert password_step(prescriber, password=DEMO_PASSWORD)[1].url == "/"


def test_running_it_again_creates_nothing_twice(db, demo_seeded):
    counts = (Clinic.objects.count(), User.objects.count(), Patient.objects.count())
    output = seed()
    assert "nothing was created" in output
    assert (Clinic.objects.count(), User.objects.count(), Patient.objects.count()) == counts


def test_a_demo_loaded_before_mfa_existed_gets_it_turned_off(db, demo_seeded):
    # given a demo clinic without a policy (loaded by an earlier version) and old notes
    ClinicSecurity.objects.filter(clinic=demo_seeded.clinic).delete()
    (demo_seeded.var_dir / "demo-notes.txt").write_text("Unused self-report link: ...")
    # when make demo runs again
    output = seed()
    # then the demo's two-factor requirement is off again and the line is printed
    assert ClinicSecurity.objects.get(clinic=demo_seeded.clinic).mfa_required is False
    assert MFA_NOTE in output and "nothing was created" in output
