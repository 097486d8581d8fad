"""The network views: a compliance officer sees every location's ledger status, an analyst sees
outcome aggregates by location with small cells suppressed, and neither opens a patient's chart;
other organizations' locations never appear."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from ketaclinic.audit.services import record_event
from tests.factories import add_course_facts, make_clinic, make_staff
from tests.inventory.conftest import at, ketamine, receive, safe  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def summit(clinic):
    return make_clinic("Summit Clinic", "summit", organization=clinic.organization)


@pytest.fixture
def compliance_officer(clinic):
    return make_staff(clinic, "network_compliance")


@pytest.fixture
def analyst(clinic):
    return make_staff(clinic, "network_analyst")


def test_the_compliance_officer_sees_every_locations_verification_status(
    web,
    compliance_officer,
    clinic,
    riverside,
    summit,
    other_clinic,
    receive,  # noqa: F811
    ketamine,  # noqa: F811
    safe,  # noqa: F811
):
    # given Lakeside's ledger verified, Riverside's never verified, Summit's failed
    receive(ketamine, safe)
    call_command("verify_ledger", "--clinic", "lakeside", stdout=io.StringIO())
    record_event(actor=None, action="ledger.verification_failed", clinic=summit, changes={"x": 1})
    # when the network compliance officer opens the network compliance view
    page = web(compliance_officer).get(reverse("network:compliance")).content.decode()
    # then every location of the organization is listed with its status, no other
    rows = {
        slug: page.split(f'data-location="{slug}"')[1].split("</tr>")[0]
        for slug in ("lakeside", "riverside", "summit")
    }
    assert "intact" in rows["lakeside"] and "#" not in rows["riverside"]
    assert "not verified" in rows["riverside"]
    assert "failed verification" in rows["summit"]
    assert "Hilltop" not in page
    assert "<td>1</td>" in rows["lakeside"]  # its one entry, the receipt
    assert "none yet" in rows["lakeside"]  # no checkpoint taken


def test_the_analyst_sees_aggregates_only_with_small_cells_suppressed(
    web, analyst, clinic, riverside, summit, other_clinic, patient
):
    # given course facts: Lakeside 30 courses, Summit 20, Riverside 5 (a small cell)
    add_course_facts(clinic, 30, evaluable=30, responders=15, remitters=12)
    add_course_facts(summit, 20, evaluable=20, responders=14, remitters=4)
    add_course_facts(riverside, 5, evaluable=5, responders=3, remitters=1)
    add_course_facts(other_clinic, 40, evaluable=40, responders=20, remitters=20)
    client = web(analyst)
    # when the analyst opens outcomes by location
    page = client.get(reverse("network:outcomes")).content.decode()
    table = page.split('id="network-outcomes"')[1]
    rows = {
        name: table.split(f">{name}</th>")[1].split("</tr>")[0]
        for name in ("Lakeside Clinic", "Riverside Clinic", "Summit Clinic", "Network")
    }
    # then Riverside's 5 courses are suppressed, and Summit's too (else 55 - 30 - 20 = 5)
    assert "suppressed" in rows["Riverside Clinic"] and ">5<" not in rows["Riverside Clinic"]
    assert rows["Summit Clinic"].count("suppressed") >= 1
    assert "<td>30</td>" in rows["Lakeside Clinic"]
    assert "15 (50.0%)" in rows["Lakeside Clinic"]
    assert "<td>55</td>" in rows["Network"]  # another organization's 40 are not counted
    assert "Hilltop" not in page
    # and the analyst reads no patient and no ledger
    assert client.get(reverse("patients:list")).status_code == 403
    assert client.get(reverse("patients:chart", args=[patient.pk])).status_code == 403
    assert client.get(reverse("network:compliance")).status_code == 403
    assert client.get(reverse("inventory:home")).status_code == 403


def test_clinic_staff_do_not_see_the_network_views(web, nurse, clinic_admin, analyst):
    for user in (nurse, clinic_admin):
        client = web(user)
        assert client.get(reverse("network:home")).status_code == 403
        assert client.get(reverse("network:outcomes")).status_code == 403
    listed = web(analyst).get(reverse("network:home")).content.decode()
    assert "Lakeside Clinic" in listed and "AL1234563" in listed
