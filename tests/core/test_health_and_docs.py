"""Health endpoint and API documentation, served without a CDN."""

import pytest
from django.db import connection
from django.test import Client

import ketaclinic

pytestmark = pytest.mark.django_db


def test_health_needs_no_login_and_names_the_database():
    response = Client().get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": connection.vendor,
        "version": ketaclinic.__version__,
    }


def test_openapi_and_interactive_docs_are_served_locally():
    client = Client()
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/patients" in schema.json()["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in docs and "/static/ninja/" in docs


def test_pages_load_no_third_party_assets(web, nurse):
    html = web(nurse).get("/patients/").content.decode()
    assert "https://" not in html.replace("https://www.w3.org", "")
    assert "/static/django_htmx/" in html
