"""Printing shows the page's content without the screen's controls; wide tables take focus."""

from playwright.sync_api import expect

from ketaclinic.core.permissions import Role
from ketaclinic.patients.services import register_patient
from tests.factories import make_clinic, make_user

from .conftest import open_nav


def _front_desk_on_the_patient_list(page, login):
    clinic = make_clinic("Lakeside Clinic", "lakeside")
    desk = make_user(clinic, "desk", Role.FRONT_DESK)
    register_patient(
        actor=desk, given_name="Robin", family_name="Okoro", date_of_birth="1977-08-09",
        sex="male",
    )  # fmt: skip
    login(page, desk)
    page.goto("/patients/")
    return page


def test_a_printed_page_has_no_navigation_buttons_or_forms_and_keeps_the_table(page, login):
    _front_desk_on_the_patient_list(page, login)
    expect(open_nav(page)).to_be_visible()
    # when the page is printed
    page.emulate_media(media="print")
    # then the navigation, the search form and the buttons are gone, the patients stay
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator("main form").first).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    expect(page.get_by_role("link", name="Register a patient")).to_be_hidden()
    expect(page.get_by_role("cell", name="Okoro, Robin")).to_be_visible()


def test_a_scroll_region_left_unmarked_gets_focus_and_a_name_from_the_script(page, login):
    _front_desk_on_the_patient_list(page, login)
    # when a page part with a sideways-scrolling table arrives (as htmx swaps one in)
    page.evaluate(
        """() => {
        const part = document.createElement("section");
        part.innerHTML = '<h2>Weekly scores</h2>'
          + '<div class="scroll-x"><table><tr><td>1</td></tr></table></div>';
        document.querySelector("main").appendChild(part);
        part.dispatchEvent(new CustomEvent("htmx:afterSwap", {bubbles: true}));
    }"""
    )
    # then it is a named region the keyboard can reach
    region = page.get_by_role("region", name="Weekly scores (scrolls sideways)")
    expect(region).to_have_attribute("tabindex", "0")
    region.focus()
    expect(region).to_be_focused()
