"""What users read on the access pages and API (waiting list, risk, equity) cites real sources."""

import datetime as dt
import re

import pytest
import time_machine

from ketaclinic.access import rules
from ketaclinic.intake.models import Referral
from tests.access.helpers import CSSRS_HIGH, PHQ9_SEVERE, person, scale

pytestmark = pytest.mark.django_db

# An internal reference: the project's reference notes, an issue number, or a source file path.
INTERNAL = re.compile(
    r"clinical\.md|\b[Ii]ssue\s*#?\d+|\b[\w/-]+\.py\b|\b(?:docs|src|tests)/[\w./-]+"
)
# Noon in New York on a weekday, inside the report's period.
NOON = dt.datetime(2026, 3, 4, 17, 0, tzinfo=dt.UTC)


def internal_references(text: str) -> list[str]:
    return sorted({m.group(0) for m in INTERNAL.finditer(text)})


def test_the_access_rules_say_they_are_clinic_policy_and_cite_the_instruments():
    texts = [rules.PRIORITY_SOURCE, rules.DROPOUT_SOURCE, rules.SUPPRESSION_SOURCE]
    texts.append(rules.DropoutRule().source)
    assert internal_references(" | ".join(texts)) == []
    assert "clinic policy" in rules.PRIORITY_SOURCE and "Posner" in rules.PRIORITY_SOURCE
    assert "clinic policy" in rules.DROPOUT_SOURCE


@pytest.fixture
def waiting(front_desk, nurse):
    """Two referred patients, one at high risk and one with a severe PHQ-9."""
    high = person(front_desk, "Hana", "Urgent", payer_type="self_pay")
    severe = person(front_desk, "Sam", "Severe", payer_type="medicaid")
    for patient, days in ((high, 2), (severe, 30)):
        Referral.objects.create(
            clinic=patient.clinic,
            patient=patient,
            referred_on=dt.date(2026, 3, 4) - dt.timedelta(days=days),
        )
    scale(nurse, high, "cssrs_screener", CSSRS_HIGH)
    scale(nurse, severe, "phq9", PHQ9_SEVERE)
    return high


def test_access_pages_and_answers_carry_no_internal_references(
    waiting, web, api, nurse, clinic_admin
):
    with time_machine.travel(NOON, tick=False):
        pages = [
            web(nurse).get("/access/"),
            web(nurse).get("/access/at-risk/"),
            web(clinic_admin).get("/access/report/"),
            web(nurse).get(f"/patients/{waiting.pk}/access/"),
        ]
        answers = [
            api(nurse).get("/waiting-list"),
            api(nurse).get("/at-risk"),
            api(clinic_admin).get("/reports/access", **{"from": "2026-01-01", "to": "2026-06-30"}),
            api(nurse).get(f"/patients/{waiting.pk}/barriers"),
            api(clinic_admin).get("/access/settings"),
        ]
    for response in pages + answers:
        assert response.status_code == 200, response.content[:200]
        assert internal_references(response.content.decode()) == []
