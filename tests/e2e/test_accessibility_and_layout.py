"""Every main page, as the people who use it: no sideways scrolling on a phone or a tablet, and
no serious or critical accessibility violation found by axe-core (the engine browser
extensions and auditors use), on the pages and on their error states.

The pages are the ones each role's navigation leads to, the patient chart's tabs and a session
of the demo clinic, so a new page in the navigation is checked without being listed here.
"""

import re
from pathlib import Path

import axe_playwright_python
import pytest

from tests.e2e.conftest import PHONE, TABLET

# axe-core as the maintained Python package ships it (no download at run time).
AXE = Path(axe_playwright_python.__file__).with_name("axe.min.js")
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}
ROLES = ("prescriber", "nurse", "frontdesk", "admin", "auditor")
SESSION = re.compile(r"^/treatments/sessions/[0-9a-f-]{36}/$")
PATIENT = re.compile(r"^/patients/[0-9a-f-]{36}/$")


@pytest.fixture
def axe_pages(new_page):
    """axe_pages() -> a tablet-sized page, in a browser context of its own (one person), whose
    content security policy lets the test inject axe-core."""
    return lambda: new_page(bypass_csp=True)


@pytest.fixture
def axe_page(axe_pages):
    return axe_pages()


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})", AXE_RULES
    )
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def sideways(page) -> str | None:
    """How far the page scrolls sideways, when it does."""
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return None if width[0] <= width[1] else f"{page.url}: {width[0]} px wide in {width[1]} px"


def main_pages(page) -> list[str]:
    """The pages the signed-in user's navigation leads to, with a patient's chart and tabs and
    a session in the chair when the user reaches them."""
    page.goto("/")
    links = page.eval_on_selector_all(
        'nav[aria-label="Main"] a', "links => links.map(a => a.getAttribute('href'))"
    )
    paths = ["/", *dict.fromkeys(links)]
    page.goto("/patients/")
    patient = page.eval_on_selector_all(
        "main a[href^='/patients/']", "links => links.map(a => a.getAttribute('href'))"
    )
    charts = [p for p in patient if PATIENT.match(p)]
    if charts:
        page.goto(charts[0])
        tabs = page.eval_on_selector_all(
            "main nav a[href^='/patients/']", "links => links.map(a => a.getAttribute('href'))"
        )
        paths += [charts[0], *dict.fromkeys(tabs)]
    page.goto("/treatments/board/")
    sessions = page.eval_on_selector_all(
        "main a[href^='/treatments/sessions/']", "links => links.map(a => a.getAttribute('href'))"
    )
    paths += [s for s in sessions if SESSION.match(s)][:1]
    return list(dict.fromkeys(p for p in paths if p and p.startswith("/")))


def error_states(page, role: str) -> list[str]:
    """Pages showing what went wrong: each is checked as it stands after the mistake."""
    problems = []
    if role == "frontdesk":
        # a registration sent empty
        page.goto("/patients/new/")
        page.get_by_role("button", name="Save").click()
        page.get_by_text("This field is required.").first.wait_for()
        problems += axe_violations(page)
    if role == "nurse":
        # a count with nothing counted
        page.goto("/ledger/count/")
        page.get_by_role("button", name="Record count").click()
        page.wait_for_load_state()
        problems += axe_violations(page)
    # a search that finds nobody, and a page that does not exist
    page.goto("/patients/?q=zzzzzz-nobody")
    problems += axe_violations(page)
    page.goto("/patients/00000000-0000-0000-0000-000000000000/")
    problems += axe_violations(page)
    return problems


def test_main_pages_neither_scroll_sideways_nor_fail_axe_core(axe_pages, demo, sign_in):
    checked: set[str] = set()
    problems: list[str] = []
    for role in ROLES:
        page = axe_pages()
        sign_in(page, role, demo)
        pages = main_pages(page)
        assert len(pages) >= 4, f"{role} reaches {pages}"
        for path in pages:
            page.set_viewport_size(TABLET)
            page.goto(path)
            page.wait_for_load_state("load")
            if path not in checked:
                checked.add(path)
                problems += axe_violations(page)
            for viewport in (TABLET, PHONE):
                page.set_viewport_size(viewport)
                if (wide := sideways(page)) is not None:
                    problems.append(f"{role} at {viewport['width']} px: {wide}")
        page.set_viewport_size(TABLET)
        if role in ("frontdesk", "nurse"):
            problems += error_states(page, role)
        page.goto("about:blank")  # nothing left polling the server
    # the login page and its error, signed out
    page = axe_pages()
    page.goto("/login/")
    problems += axe_violations(page)
    page.get_by_label("Username").fill("nurse")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    problems += axe_violations(page)

    assert len(checked) >= 15, sorted(checked)
    assert problems == [], "\n".join(problems)


def test_axe_core_finds_a_violation_it_is_shown(axe_page, demo, sign_in):
    """The check can fail: an unlabelled field and a nameless button are caught."""
    page = axe_page
    sign_in(page, "nurse", demo)
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML(
            "beforeend", '<input type="text"><button></button>')"""
    )
    found = " ".join(axe_violations(page))
    assert "button-name" in found
    assert "label" in found


def test_a_page_wider_than_the_phone_is_caught(axe_page, demo, sign_in):
    page = axe_page
    sign_in(page, "nurse", demo)
    page.set_viewport_size(PHONE)
    assert sideways(page) is None
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML(
            "beforeend", '<div style="width: 900px">wide</div>')"""
    )
    assert sideways(page) is not None
