"""Every page carries the Content-Security-Policy; pages and API answers are never cached."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from ketaclinic.core.permissions import Role
from ketaclinic.core.ui import chart_tabs_for, nav_items_for

SRC = Path(__file__).resolve().parents[2] / "src" / "ketaclinic"
REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def main_pages(user, patient) -> list[str]:
    """Home, every navigation item the user has, and every chart tab of a patient."""
    pages = [reverse("web:home")]
    pages += [reverse(item.url_name) for item in nav_items_for(user)]
    pages += [
        reverse(tab.url_name, kwargs={"patient_id": patient.id}) for tab in chart_tabs_for(user)
    ]
    return pages


@pytest.mark.parametrize(
    "role", [Role.CLINIC_ADMIN, Role.PRESCRIBER, Role.NURSE, Role.FRONT_DESK, Role.AUDITOR]
)
def test_every_main_page_has_the_policy_and_is_not_cached(role, personas, patient, web):
    # given a signed-in user of each role
    client = web(personas[role])
    pages = main_pages(personas[role], patient)
    assert len(pages) > 2
    for url in pages:
        # when they open each of their main pages
        response = client.get(url)
        assert response.status_code == 200, url
        # then the page allows script and style only from this site, and no framing
        found = directives(response)
        for name, value in REQUIRED_DIRECTIVES.items():
            assert found.get(name) == value, (url, name)
        assert "'unsafe-inline'" not in found["script-src"]
        # and the browser keeps no copy of it
        assert "no-store" in response["Cache-Control"], url


def test_the_sign_in_page_and_error_pages_carry_the_policy(client, web, nurse):
    for response in (client.get(reverse("accounts:login")), web(nurse).get("/no-such-page/")):
        assert directives(response)["script-src"] == "'self'"
        assert "no-store" in response["Cache-Control"]


def test_api_answers_are_never_cached(api, prescriber, patient):
    # given API answers that succeed, fail validation, or lack a token
    answers = [
        api(prescriber).get("/patients"),
        api(prescriber).get(f"/patients/{patient.id}"),
        api(prescriber).post("/patients", {"given_name": ""}),
        Client().get("/api/v1/patients"),
        Client().get("/api/v1/health"),
    ]
    # then every one of them tells caches not to store it
    assert [a.status_code for a in answers] == [200, 200, 422, 401, 200]
    for answer in answers:
        assert answer["Cache-Control"] == "no-store"


def test_static_files_stay_cacheable(client):
    response = client.get("/static/ketaclinic/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Content-Security-Policy" not in response


def test_pages_tell_htmx_not_to_inject_styles_or_keep_copies(web, nurse):
    # htmx's indicator <style> would break the policy; its history cache would keep pages
    # (patient data) in the browser's localStorage
    html = web(nurse).get(reverse("web:home")).content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert config is not None
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert '"historyCacheSize": 0' in config.group(1)
    # and the page itself has no <style> element and no unrendered template comment
    assert "<style" not in html and "{#" not in html
    css = (SRC / "web" / "static" / "ketaclinic" / "app.css").read_text()
    assert ".htmx-request .htmx-indicator" in css
