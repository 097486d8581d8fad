"""What users read names real sources: never an internal document, an issue or a file path.

Every page, PDF and API answer of the demo clinic, as every role, is searched for references
that only make sense to the people who wrote the code.
"""

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.tour import api_paths, demo_ids, page_paths, visit_all

# The checkout's own location, wherever it is: a page must never show where the code lives.
CHECKOUT = re.escape(str(Path(__file__).resolve().parents[2]))
INTERNAL = re.compile(
    rf"clinical\.md|\bissue\s+#?\d+|\b[\w./-]+\.(?:py|md)\b|{CHECKOUT}|src/ketaclinic|tests/",
    re.IGNORECASE,
)


def readable_text(visit) -> str:
    if visit.is_pdf:
        return "\n".join(
            page.extract_text() or "" for page in PdfReader(io.BytesIO(visit.body)).pages
        )
    return visit.body.decode("utf-8", errors="replace")


def internal_references(visits) -> list[str]:
    found = []
    for visit in visits:
        for match in INTERNAL.finditer(readable_text(visit)):
            found.append(f"{visit.role} {visit.path}: {match.group(0)!r}")
    return sorted(set(found))


@pytest.fixture(scope="module")
def ids(demo_clinic, django_db_blocker):
    with django_db_blocker.unblock():
        return demo_ids()


def test_no_page_or_pdf_cites_an_internal_document(db, ids):
    visits = visit_all(page_paths(ids))
    assert len({v.path for v in visits}) > 40
    assert any(v.is_pdf for v in visits)
    assert internal_references(visits) == []


def test_no_api_answer_cites_an_internal_document(db, ids):
    visits = visit_all(api_paths(ids))
    assert len({v.path for v in visits}) > 40
    assert internal_references(visits) == []
