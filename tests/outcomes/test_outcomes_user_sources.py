"""What users read on the outcome pages and API cites papers or says a value is a choice."""

import re

import pytest

from ketaclinic.outcomes import definitions
from ketaclinic.outcomes.views import SOURCES
from tests.outcomes.builders import hand_built_registry

pytestmark = pytest.mark.django_db

# An internal reference: the project's reference notes, an issue number, or a source file path.
INTERNAL = re.compile(
    r"clinical\.md|\b[Ii]ssue\s*#?\d+|\b[\w/-]+\.py\b|\b(?:docs|src|tests)/[\w./-]+"
)


def internal_references(text: str) -> list[str]:
    return sorted({m.group(0) for m in INTERNAL.finditer(text)})


def test_every_outcome_source_is_a_paper_a_policy_or_a_stated_choice():
    texts = [v for k, v in vars(definitions).items() if k.endswith("_SOURCE")]
    texts += list(SOURCES.values())
    assert len(texts) >= 6
    assert internal_references(" | ".join(texts)) == []
    # a reporting choice says it is one, rather than pointing at where it was asked for
    assert "not a clinical fact" in definitions.MILESTONE_SOURCE
    assert "Kroenke" in definitions.OUTCOME_INSTRUMENT_SOURCE


@pytest.fixture
def registry(prescriber, front_desk):
    return hand_built_registry(prescriber, front_desk)


def test_outcome_pages_and_answers_carry_no_internal_references(
    registry, web, api, prescriber, clinic_admin
):
    responses = [
        web(prescriber).get("/outcomes/"),
        web(clinic_admin).get("/outcomes/equity/"),
        api(prescriber).get("/outcomes/summary"),
        api(clinic_admin).get("/outcomes/equity"),
    ]
    for response in responses:
        assert response.status_code == 200
        assert internal_references(response.content.decode()) == []
    # the dashboard shows where its definitions come from
    dashboard = responses[0].content.decode()
    assert "Kroenke" in dashboard and "not a clinical fact" in dashboard
