"""GET /api/v1/instruments: each instrument's items, scoring, bands, safety items and sources."""

import re

import pytest

from ketaclinic.measures.services import update_instrument_settings

pytestmark = pytest.mark.django_db

EIGHT = ["phq9", "gad7", "qids_sr16", "madrs", "pcl5", "cadss6", "cssrs_screener", "moaas"]
# What users read cites papers and publishers, never an internal document or a file.
INTERNAL_REFERENCE = re.compile(r"clinical\.md|[Ii]ssue [0-9]|\b[\w/]+\.(py|md|html)\b")


def test_the_list_has_the_eight_instruments(api, front_desk):
    # when any staff member, even the front desk, reads the list
    response = api(front_desk).get("/instruments")
    # then it holds the eight instruments in their usual order
    assert response.status_code == 200
    assert [i["code"] for i in response.json()] == EIGHT


@pytest.mark.parametrize("code", ["madrs", "cadss6", "cssrs_screener", "moaas"])
def test_licence_limited_instruments_expose_item_names_only(api, nurse, code):
    body = api(nurse).get(f"/instruments/{code}").json()
    # then every item has its number, name and range, but no wording
    assert body["item_text_ships"] is False
    assert all(item["name"] and item["text"] is None for item in body["items"])
    assert body["instructions"] is None
    # and the licence note says why
    assert "names only" in body["licence"]


def test_a_clinics_loaded_licensed_text_does_not_leave_through_the_api(api, nurse):
    from ketaclinic.measures.services import load_instrument_text

    load_instrument_text(
        data={"instrument": "madrs", "items": {"1": {"text": "Licensed wording of item 1"}}}
    )
    body = api(nurse).get("/instruments/madrs").text
    assert "Licensed wording of item 1" not in body


def test_the_phq9_ships_its_wording_scoring_bands_safety_item_and_outcome_rules(api, nurse):
    body = api(nurse).get("/instruments/phq9").json()
    item9 = body["items"][8]
    assert item9["number"] == "9"
    assert item9["text"].startswith("Thoughts that you would be better off dead")
    assert item9["range"] == {"min": 0, "max": 3}
    assert item9["options"][0] == {"value": 0, "label": "Not at all"}
    assert body["items"][9]["scored"] is False and body["items"][9]["answer"] == "optional"
    assert body["scoring"]["total_range"] == {"min": 0, "max": 27}
    assert "Total = sum of items 1-9" in body["scoring"]["in_words"]
    assert body["bands"][0] == {"low": 0, "high": 4, "label": "minimal"}
    assert body["safety_items"] == [
        {
            "code": "phq9_item9",
            "item": "9",
            "threshold": 1,
            "levels": [],
            "in_words": "PHQ-9 item 9 at 1 or above raises an alert that a prescriber must "
            "acknowledge with the action taken",
            "must_act": "prescriber",
            "source": body["safety_items"][0]["source"],
        }
    ]
    assert "Simon GE" in body["safety_items"][0]["source"]
    assert (body["remission"]["operator"], body["remission"]["value"]) == ("<", 5)
    assert body["response"]["reduction_percent"] == 50
    assert body["source"].startswith("Kroenke K")
    assert body["loinc"] == {"panel": "44249-1", "total": "44261-6"}


def test_the_qids_scoring_is_given_as_domains_and_either_or_pairs(api, nurse):
    scoring = api(nurse).get("/instruments/qids_sr16").json()["scoring"]
    assert scoring["method"] == "sum_of_domain_maxima"
    assert {"name": "sleep", "items": ["1", "2", "3", "4"]} in scoring["domains"]
    assert {"name": "psychomotor", "items": ["15", "16"]} in scoring["domains"]
    assert len(scoring["domains"]) == 9
    assert [p["items"] for p in scoring["either_or"]] == [["6", "7"], ["8", "9"]]
    assert "Rush AJ" in scoring["either_or"][0]["source"]
    assert "sleep (items 1-4)" in scoring["in_words"]


def test_the_cssrs_scoring_is_a_risk_level_rule(api, prescriber):
    body = api(prescriber).get("/instruments/cssrs_screener").json()
    levels = {row["level"]: row["when_any"] for row in body["scoring"]["risk_levels"]}
    assert levels["high"] == ["yes to 4", "yes to 5", "yes to 6 and yes to 6b"]
    assert levels["moderate"] == ["yes to 3", "yes to 6 and no to 6b"]
    assert body["scoring"]["total_range"] is None
    assert [s["levels"] for s in body["safety_items"]] == [["high"], ["moderate"]]
    assert next(i for i in body["items"] if i["number"] == "3")["answer"] == "if item 2 is yes"


def test_the_clinics_own_cut_off_is_shown(api, prescriber):
    update_instrument_settings(
        actor=prescriber,
        instrument="madrs",
        overrides={"remission": {"operator": "<=", "value": 12}},
    )
    remission = api(prescriber).get("/instruments/madrs").json()["remission"]
    assert (remission["value"], remission["source"]) == (12, "clinic setting")


def test_an_unknown_instrument_is_404(api, nurse):
    assert api(nurse).get("/instruments/hamd17").status_code == 404


@pytest.mark.parametrize("code", EIGHT)
def test_no_answer_cites_an_internal_document_an_issue_or_a_file(api, nurse, code):
    assert not INTERNAL_REFERENCE.search(api(nurse).get(f"/instruments/{code}").text)
