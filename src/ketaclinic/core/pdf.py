"""HTML documents to PDF with WeasyPrint; nothing is fetched but the site's own static files.

A document template links its stylesheet (and any image) with `{% static %}`. The URL fetcher
below answers those from the static files on disk and refuses every other URL (http, https,
file, data), so rendering a document never touches the network and never reads a file outside
the static directories. See docs/decisions/0014-weasyprint-documents.md.
"""

from __future__ import annotations

import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in a document resolve against this when the caller gives no base URL; only the
# path of a URL is ever used, so the host name never matters (and is never contacted).
DEFAULT_BASE_URL = "file:///"


class RefusedURL(ValueError):
    """A document asked for something that is not one of the site's static files."""


def _static_prefix() -> str:
    return "/" + settings.STATIC_URL.strip("/") + "/"


def static_path(url: str) -> str | None:
    """The static file a URL names (e.g. '/static/app/x.css' -> 'app/x.css'), else None."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https", "file"}:
        return None
    path = unquote(parts.path)
    prefix = _static_prefix()
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    normal = posixpath.normpath(relative)
    if not relative or normal.startswith(("..", "/")) or normal != relative.rstrip("/"):
        return None
    return normal


class StaticFilesOnly(URLFetcher):
    """WeasyPrint's fetcher, limited to the site's static files read from disk."""

    def __init__(self):
        super().__init__(fail_on_errors=False)

    def fetch(self, url, headers=None):
        relative = static_path(url)
        found = None
        if relative is not None:
            try:
                found = finders.find(relative)
            except SuspiciousFileOperation:
                found = None
        if not found:
            raise RefusedURL(f"Only the site's own static files may be used in a document: {url}")
        with open(found, "rb") as handle:
            body = handle.read()
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render an HTML document to PDF bytes; only local static files are fetched."""
    document = HTML(
        string=html, base_url=base_url or DEFAULT_BASE_URL, url_fetcher=StaticFilesOnly()
    )
    return document.write_pdf()
