"""Shared form and page markup: each error said once, references that resolve, valid lists."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "ketaclinic"
TEMPLATES = sorted(SRC.glob("*/templates/**/*.html"))

NEW_PATIENT = {"given_name": "Robin", "family_name": "", "date_of_birth": "", "sex": ""}


class _Markup(HTMLParser):
    """Collects ids, aria-describedby references, and list items outside a list."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.ids, self.described, self.stray_items, self.list_roles = (
            [],
            set(),
            [],
            [],
            [],
        )

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if attrs.get("aria-describedby"):
            self.described += attrs["aria-describedby"].split()
        if tag in ("ul", "ol") and attrs.get("role"):
            self.list_roles.append(f"<{tag} role={attrs['role']}>")
        if tag == "li" and (not self.stack or self.stack[-1] not in ("ul", "ol", "menu")):
            self.stray_items.append(self.stack[-1] if self.stack else "document")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass


def _markup(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    return parser


def test_a_required_field_left_blank_says_so_once(web, front_desk):
    html = web(front_desk).post("/patients/new/", NEW_PATIENT).content.decode()
    block = html.split('id="id_family_name_error"')[1].split("</div>")[0]
    # the form and the model both find the blank family name; the page says it once
    assert block.count("This field is required.") == 1


def test_every_aria_describedby_of_a_form_with_errors_points_to_text_on_the_page(
    web, front_desk, clinic_admin
):
    pages = [
        web(front_desk).post("/patients/new/", NEW_PATIENT),
        web(clinic_admin).post(reverse("inventory:distributions"), {}),
    ]
    for response in pages:
        found = _markup(response.content.decode())
        assert found.described, response.request["PATH_INFO"]
        assert set(found.described) <= found.ids, set(found.described) - found.ids


def test_error_lists_and_messages_are_plain_lists_inside_their_live_region(web, front_desk):
    client = web(front_desk)
    errors = client.post("/patients/new/", NEW_PATIENT).content.decode()
    saved = client.post(
        "/patients/new/",
        {
            "given_name": "Robin",
            "family_name": "Okoro",
            "date_of_birth": "1977-08-09",
            "sex": "male",
        },
        follow=True,
    ).content.decode()
    assert "Registered Robin Okoro" in saved
    for html in (errors, saved):
        found = _markup(html)
        assert found.list_roles == [] and found.stray_items == []
    assert re.search(r'role="alert"><ul class="errorlist">', errors)
    assert re.search(r'<div role="status"><ul class="messages">', saved)


def test_no_table_header_cell_in_a_template_is_empty():
    empty = re.compile(r"<th\b[^>]*>\s*</th>")
    found = [str(p.relative_to(SRC)) for p in TEMPLATES if empty.search(p.read_text())]
    assert found == []


# Scroll regions in these templates are given tabindex, role and a label by app.js at run time
# (their templates belong to the charts); the list may only shrink.
SCROLL_REGIONS_MARKED_BY_SCRIPT = {
    "measures/templates/measures/chart.html",
    "outcomes/templates/outcomes/dashboard.html",
    "outcomes/templates/outcomes/equity.html",
}


def test_a_sideways_scrolling_table_can_be_reached_and_named_by_keyboard():
    region = re.compile(r'<div class="(scroll-x|table-scroll|plan-scroll)"([^>]*)>')
    unmarked = []
    for path in TEMPLATES:
        name = str(path.relative_to(SRC))
        for _, attributes in region.findall(path.read_text()):
            labelled = "aria-label=" in attributes or "aria-labelledby=" in attributes
            if not ('tabindex="0"' in attributes and labelled):
                unmarked.append(name)
    assert set(unmarked) <= SCROLL_REGIONS_MARKED_BY_SCRIPT, unmarked
