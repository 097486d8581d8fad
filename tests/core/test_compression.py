"""Compressed answers: pages and API answers gzipped when asked for, with BREACH padding."""

import gzip
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_a_large_page_is_gzipped_for_a_browser_that_accepts_it(web, nurse, patient):
    # when
    response = web(nurse).get("/patients/", headers=GZIP)
    # then
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert "Rivera, Jordan" in html
    assert int(response["Content-Length"]) == len(response.content) < len(html.encode())
    # the headers the security middleware adds are still there
    assert "no-store" in response["Cache-Control"] and response["Content-Security-Policy"]


def test_a_client_that_does_not_accept_gzip_gets_plain_html(web, nurse, patient):
    response = web(nurse).get("/patients/")
    assert not response.has_header("Content-Encoding")
    assert "Rivera, Jordan" in response.content.decode()


def test_api_answers_are_gzipped_too_but_not_tiny_ones(api, nurse, patient):
    # given a client that accepts gzip
    client = api(nurse)
    client.headers |= GZIP
    # when
    detail = client.get(f"/patients/{patient.id}")
    health = Client().get("/api/v1/health", headers=GZIP)
    # then the record (over 200 bytes) is compressed, the health answer (under) is not
    assert detail["Content-Encoding"] == "gzip"
    assert b'"mrn"' in gzip.decompress(detail.content)
    assert len(health.content) < 200 and not health.has_header("Content-Encoding")


def test_static_files_are_left_as_they_are():
    # WhiteNoise answers them before the compression middleware sees them
    response = Client().get("/static/ketaclinic/app.css", headers=GZIP)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")


def test_compressed_pages_carry_random_padding_against_breach(web, nurse, patient):
    # Django writes 0-99 random bytes into the gzip header's file name field (FNAME, flag 8)
    client = web(nurse)
    sizes = set()
    for _ in range(12):
        body = client.get("/patients/", headers=GZIP).content
        assert body[:2] == b"\x1f\x8b"
        sizes.add(len(body))
    flags = body[3]
    assert flags & 0x08
    assert len(sizes) > 1


def test_each_page_masks_its_csrf_token_anew(web, nurse):
    # a secret that BREACH could recover must not repeat from one answer to the next
    client = web(nurse)
    tokens = {
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(url).text).group(1)
        for url in ["/patients/new/", "/patients/new/"]
    }
    assert len(tokens) == 2
