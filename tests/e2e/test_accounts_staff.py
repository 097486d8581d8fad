"""The administrator adds a nurse, changes her role and deactivates her; her open page ends."""

from playwright.sync_api import expect

from ketaclinic.core.permissions import Role
from tests.factories import make_clinic, make_user

from .conftest import open_nav


def test_the_administrator_adds_changes_and_deactivates_a_nurse(page, new_page, login, screenshot):
    # given a clinic administrator
    clinic = make_clinic("Lakeside Clinic", "lakeside")
    admin = make_user(clinic, "admin", Role.CLINIC_ADMIN, first_name="Alex", last_name="Morgan")

    # when she adds a nurse with a temporary password
    login(page, admin)
    open_nav(page).get_by_role("link", name="Staff").click()
    page.get_by_role("link", name="Add a staff member").click()
    page.get_by_label("Username").fill("rn_alvarez")
    page.get_by_label("First name").fill("Maria")
    page.get_by_label("Last name").fill("Alvarez")
    page.get_by_label("Role").select_option("nurse")
    page.get_by_label("Credentials").fill("RN")
    page.get_by_label("Temporary password").fill("temporary-pass-2041")
    screenshot(page, "accounts-staff-add", full_page=True)
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", name="Maria Alvarez, RN")).to_be_visible()

    # then the nurse signs in and must choose her own password first
    nurse_page = new_page()
    nurse_page.goto("/login/")
    nurse_page.get_by_label("Username").fill("rn_alvarez")
    nurse_page.get_by_label("Password").fill("temporary-pass-2041")
    nurse_page.get_by_role("button", name="Sign in").click()
    expect(nurse_page.get_by_role("heading", name="Change your password")).to_be_visible()
    nurse_page.get_by_label("Current password").fill("temporary-pass-2041")
    nurse_page.locator("#id_new_password").fill("maria-own-passphrase-8")
    nurse_page.get_by_label("New password again").fill("maria-own-passphrase-8")
    nurse_page.get_by_role("button", name="Change password").click()
    expect(nurse_page.get_by_text("Your password was changed.")).to_be_visible()
    nurse_page.goto("/patients/")
    expect(nurse_page.get_by_role("heading", name="Patients")).to_be_visible()

    # when the administrator changes her role to front desk
    page.get_by_label("Role").select_option("front_desk")
    page.get_by_role("button", name="Change role").click()
    expect(page.locator("#member-role")).to_have_text("Front desk")

    # and deactivates her
    page.get_by_role("button", name="Deactivate").click()
    expect(page.locator("#member-status")).to_contain_text("deactivated")
    screenshot(page, "accounts-staff-member", full_page=True)

    # then her open page sends her to sign-in at her next click
    nurse_page.reload()
    expect(nurse_page.get_by_role("heading", name="Sign in")).to_be_visible()

    # and the staff list shows her deactivated, and the audit log holds every step
    page.get_by_role("link", name="All staff").click()
    expect(page.locator("#staff")).to_contain_text("deactivated")
    screenshot(page, "accounts-staff")
    open_nav(page).get_by_role("link", name="Audit log").click()
    for action in ("staff.added", "staff.role_changed", "staff.deactivated"):
        expect(page.locator("tbody")).to_contain_text(action)
