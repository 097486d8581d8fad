"""core.pdf: HTML to PDF with WeasyPrint, reading only the site's own static files."""

import socket

import pytest

from ketaclinic.core import pdf
from tests.pdf import pdf_text


def test_a_document_with_its_static_stylesheet_becomes_a_pdf():
    html = (
        '<html><head><link rel="stylesheet" href="/static/authorizations/packet.css"></head>'
        "<body><h1>Packet</h1><p>Sertraline 150 mg/day, 8 weeks</p></body></html>"
    )
    content = pdf.html_to_pdf(html)
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    assert "Sertraline 150 mg/day" in text
    # the stylesheet was read: its page footer is on the page
    assert "Prior-authorization packet · page 1 of 1" in text


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example.com/static/app.css",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "file:///static/../../etc/passwd",
        "data:text/css,body{}",
        "ftp://example.com/static/x.css",
        "/static/authorizations/missing.css",
    ],
)
def test_anything_but_a_static_file_is_refused(url):
    fetcher = pdf.StaticFilesOnly()
    with pytest.raises(pdf.RefusedURL):
        fetcher.fetch(url if ":" in url else "file://" + url)


def test_a_static_file_is_served_from_disk_whatever_the_host():
    found = pdf.StaticFilesOnly().fetch(
        "http://ketaclinic.invalid/static/authorizations/packet.css"
    )
    assert b"@page" in found.read()
    assert found.content_type == "text/css"


def test_rendering_opens_no_network_connection(monkeypatch):
    # given a document that points at remote images and stylesheets
    def no_network(*args, **kwargs):
        raise AssertionError("a document tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    html = (
        '<link rel="stylesheet" href="https://example.com/x.css">'
        '<img src="http://example.com/logo.png" alt="logo"><p>Still rendered</p>'
    )
    # when it is rendered, then nothing is fetched and the text is still there
    assert "Still rendered" in pdf_text(pdf.html_to_pdf(html))
