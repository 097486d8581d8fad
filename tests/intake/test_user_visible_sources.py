"""What users read in intake cites labels, papers and regulations, never internal documents."""

import json
import re
from pathlib import Path

import pytest

from ketaclinic.intake import consent_texts, rules, services
from ketaclinic.intake.antidepressants import BUILT_IN
from tests.intake.helpers import ALL_NO, eligible_intake

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
# An internal document, an issue number or a file name in front of a user.
INTERNAL = re.compile(
    r"clinical\.md|clinical reference|\b[Ii]ssue \d|\breference §|[\w/-]+\.(?:md|py)\b"
)


def internal_references(text: str) -> list[str]:
    return [m.group(0) for m in INTERNAL.finditer(text)]


def test_every_rule_question_dose_row_and_consent_source_names_a_real_source():
    texts = [f"{r.text} {r.source}" for r in rules.RULES.values()]
    texts += [f"{q.label} {q.source}" for q in rules.QUESTIONS]
    texts += [i.source for i in rules.PROTOCOL_INDICATIONS.values()]
    texts += [rules.DEFAULT_INDICATION.source]
    texts += [row.source for row in BUILT_IN]
    texts += [f"{t.body} {t.source}" for t in consent_texts.TEMPLATES.values()]
    for text in texts:
        assert internal_references(text) == [], text


@pytest.fixture
def full_intake(nurse, prescriber, patient):
    """A chart with every kind of row: trials (one the table cannot judge), a 'yes' answer."""
    eligible_intake(nurse, patient, answers=ALL_NO | {"uncontrolled_hypertension": "yes"})
    services.record_trial(
        actor=nurse,
        patient=patient,
        drug="venlafaxine",
        daily_dose_mg=75,
        weeks=7,
        outcome="partial_response",
    )
    services.record_trial(
        actor=nurse, patient=patient, drug="venlafaxine", daily_dose_mg=225, weeks=8
    )
    return patient


@pytest.mark.parametrize("protocol", ["esketamine_trd", "iv_ketamine"])
def test_the_intake_page_cites_no_internal_document(web, nurse, full_intake, protocol):
    response = web(nurse).get(f"/patients/{full_intake.id}/intake/?protocol={protocol}")
    assert response.status_code == 200
    html = response.content.decode()
    assert internal_references(html) == []
    # and it does show the primary sources a clinician needs beside the checklist and trials
    assert "Ketalar" in html and "Spravato" in html
    assert "Current Psychiatry 2012" in html


def test_the_intake_api_answers_cite_no_internal_document(api, nurse, full_intake):
    client = api(nurse)
    base = f"/patients/{full_intake.id}"
    answers = [
        client.get(f"{base}/antidepressant-trials"),
        client.get(f"{base}/contraindications"),
        client.get(f"{base}/eligibility", protocol="iv_ketamine"),
        client.get(f"{base}/eligibility", protocol="esketamine_trd"),
        client.get(f"{base}/treatment-blockers", protocol="iv_ketamine"),
        client.get("/intake/antidepressants"),
        client.get("/consent-documents"),
    ]
    for response in answers:
        assert response.status_code == 200, response.content
        assert internal_references(json.dumps(response.json())) == [], response.request
    # and the IV ketamine refusal cites the ketamine label
    eligibility = client.get(f"{base}/eligibility", protocol="iv_ketamine").json()
    assert eligibility["recommendation"] == "ineligible"
    assert any("Ketalar" in reason for reason in eligibility["reasons"])


def test_the_import_page_and_its_refusals_cite_no_internal_document(web, nurse):
    client = web(nurse)
    for name in ("synthea_referral.json", "dstu2_referral.json", "r5_referral.json"):
        response = client.post("/intake/import/", {"text": (FIXTURES / name).read_text()})
        assert response.status_code == 200
        assert internal_references(response.content.decode()) == [], name
