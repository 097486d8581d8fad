"""What users read on the measures pages and API answers cites papers and publishers: never an
internal document, an issue number or a file path."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from ketaclinic.measures.instruments import INSTRUMENTS
from ketaclinic.measures.services import record_measure, send_measure_request

from .conftest import phq9

pytestmark = pytest.mark.django_db

INTERNAL_REFERENCE = re.compile(r"clinical\.md|[Ii]ssue [0-9]|\b[\w/.-]+\.(py|md)\b")


def assert_cites_no_internal_reference(text):
    found = INTERNAL_REFERENCE.search(text)
    assert found is None, text[max(0, found.start() - 80) : found.end() + 80]


def test_staff_pages_cite_no_internal_reference(web, prescriber, patient):
    response, _ = record_measure(
        actor=prescriber, patient=patient, instrument="phq9", answers=phq9(item9=1)
    )
    client = web(prescriber)
    kwargs = {"patient_id": patient.id}
    pages = [
        reverse("measures:chart", kwargs=kwargs),
        reverse("measures:response", kwargs=kwargs | {"response_id": response.id}),
        reverse("measures:alerts"),
        reverse("measures:due"),
        reverse("measures:settings"),
        *(reverse("measures:record", kwargs=kwargs | {"instrument": c}) for c in INSTRUMENTS),
    ]
    for path in pages:
        page = client.get(path)
        assert page.status_code == 200, path
        assert_cites_no_internal_reference(page.content.decode())


def test_the_patients_pages_cite_no_internal_reference(nurse, patient):
    sent = send_measure_request(
        actor=nurse, patient=patient, instruments=["phq9", "gad7", "qids_sr16", "pcl5"]
    )
    path = "/r/" + sent.url.rsplit("/r/", 1)[1]
    assert_cites_no_internal_reference(Client().get(path).content.decode())


def test_api_answers_cite_no_internal_reference(api, prescriber, patient):
    record_measure(actor=prescriber, patient=patient, instrument="phq9", answers=phq9(item9=2))
    client = api(prescriber)
    for path in (
        "/instruments",
        f"/patients/{patient.id}/measures",
        "/measure-alerts",
        f"/patients/{patient.id}/fhir/measures",
    ):
        assert_cites_no_internal_reference(client.get(path).text)
