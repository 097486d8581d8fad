"""Clinical screens speak the clinic's language: no internal code reaches a user's eyes.

Every page of the demo clinic, as every role, is read the way a person reads it (the text
between the tags, not attributes, scripts or styles) and searched for the identifiers the code
uses internally: protocol and instrument codes, rule and readiness codes, and comparison
operators written as a programmer would.
"""

import re
from html.parser import HTMLParser

import pytest

from tests.tour import demo_ids, page_paths, visit_all

# The audit log shows each event as it was recorded, under the event codes that
# docs/audit-codes.md documents for auditors: codes are its content there.
RECORDED_VERBATIM = re.compile(r"^/audit/")


class _Text(HTMLParser):
    """The text nodes of a page, without scripts, styles, templates and what the page marks as
    code on purpose (a command or an identifier to type, in <code> or <kbd>)."""

    HIDDEN = {"script", "style", "template", "svg", "code", "kbd", "samp"}

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def text_nodes(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [part.strip() for part in parser.parts if part.strip()]


# snake_case identifiers (iv_ketamine, esketamine_trd, phq9_item9, ready_for_discharge), the
# readiness and rule codes that are single words, and operators typed as two characters.
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
WORD_CODES = re.compile(r"\b(?:moaas|aldrete|cadss|bprs|cssrs|phq9|gad7|qids)\b")
OPERATORS = re.compile(r"(?<![<>=!])(?:>=|<=|==|!=)(?![=])")


def raw_codes(text: str) -> list[str]:
    found = SNAKE.findall(text) + WORD_CODES.findall(text) + OPERATORS.findall(text)
    # e-mail addresses and usernames are what the person typed, not codes
    return [code for code in found if not re.search(rf"[\w.+-]*{re.escape(code)}[\w.+-]*@", text)]


def test_the_detector_finds_codes_and_leaves_words_alone():
    assert raw_codes("open: aldrete, moaas") == ["aldrete", "moaas"]
    assert raw_codes("esketamine_trd · session 3") == ["esketamine_trd"]
    assert raw_codes("systolic BP 184 >= 180") == [">="]
    assert raw_codes("Hypertension: systolic BP 184 ≥ 180; MOAA/S ≤ 2; PHQ-9 item 9") == []
    assert raw_codes("Signed in as demo_nurse@example.org") == []
    assert text_nodes("<p>Dose <code>iv_ketamine</code><script>a_b()</script></p>") == ["Dose"]


@pytest.fixture(scope="module")
def ids(demo_clinic, django_db_blocker):
    with django_db_blocker.unblock():
        return demo_ids()


def test_no_page_shows_an_internal_code(db, ids):
    visits = [
        v
        for v in visit_all(page_paths(ids))
        if "text/html" in v.content_type and not RECORDED_VERBATIM.match(v.path)
    ]
    assert len({v.path for v in visits}) > 40
    found = sorted(
        {
            f"{v.role} {v.path}: {code!r} in {text[:80]!r}"
            for v in visits
            for text in text_nodes(v.body.decode())
            for code in raw_codes(text)
        }
    )
    assert found == []
