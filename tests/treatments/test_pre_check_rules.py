"""Pre-checks: eligibility and consent, fasting, escort, medications, pregnancy test, vitals."""

import datetime
from dataclasses import replace

import pytest

from ketaclinic.protocols.definitions import PROTOCOLS
from ketaclinic.treatments.rules import (
    PreCheckFacts,
    Vitals,
    decision_reasons,
    evaluate_pre_checks,
    score_cadss6,
    validate_moaas,
)

NOW = datetime.datetime(2025, 5, 5, 9, 0, tzinfo=datetime.UTC)
ESK = PROTOCOLS["esketamine_trd"]
IV = PROTOCOLS["iv_ketamine"]
ALL_DONE = PreCheckFacts(
    now=NOW,
    last_food_at=NOW - datetime.timedelta(hours=3),
    last_liquid_at=NOW - datetime.timedelta(minutes=45),
    escort_confirmed=True,
    prescriber_on_site=True,
    medications_reviewed=True,
    measures_done=True,
    pregnancy_test="not_applicable",
    pre_dose_vitals=Vitals(systolic=128, diastolic=82, heart_rate=70, spo2=98, resp_rate=14),
)


def codes(protocol, facts):
    return [issue.code for issue in evaluate_pre_checks(protocol, facts)]


def test_a_fully_prepared_patient_has_no_open_pre_check():
    assert codes(ESK, ALL_DONE) == []


def test_intake_blockers_are_listed_word_for_word():
    facts = replace(ALL_DONE, intake_blockers=("No signed esketamine_rems consent.",))

    issues = evaluate_pre_checks(ESK, facts)

    assert [(i.code, i.message) for i in issues] == [
        ("eligibility_consent", "No signed esketamine_rems consent.")
    ]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"last_food_at": NOW - datetime.timedelta(minutes=119)}, "fasting_food"),
        ({"last_food_at": None}, "fasting_food"),
        ({"last_liquid_at": NOW - datetime.timedelta(minutes=29)}, "fasting_liquids"),
        ({"nasal_products_at": NOW - datetime.timedelta(minutes=59)}, "nasal_products"),
        ({"escort_confirmed": False}, "escort"),
        ({"prescriber_on_site": False}, "prescriber_on_site"),
        ({"medications_reviewed": False}, "medications"),
        ({"measures_done": False}, "measures"),
        ({"pregnancy_test": ""}, "pregnancy_test"),
        ({"pre_dose_vitals": None}, "pre_dose_vitals"),
    ],
)
def test_each_esketamine_pre_check_blocks_on_its_own(change, code):
    assert codes(ESK, replace(ALL_DONE, **change)) == [code]


def test_esketamine_fasting_is_2_hours_for_food_and_30_minutes_for_liquids():
    facts = replace(
        ALL_DONE,
        last_food_at=NOW - datetime.timedelta(minutes=120),
        last_liquid_at=NOW - datetime.timedelta(minutes=30),
        nasal_products_at=NOW - datetime.timedelta(minutes=60),
    )

    assert codes(ESK, facts) == []


def test_without_a_prescriber_on_site_esketamine_is_blocked_citing_the_rems():
    issues = evaluate_pre_checks(ESK, replace(ALL_DONE, prescriber_on_site=False))

    assert [i.code for i in issues] == ["prescriber_on_site"]
    assert "prescriber is on site" in issues[0].message
    assert "Spravato REMS (FDA REMS id 386)" in issues[0].message


def test_iv_ketamine_does_not_ask_for_a_prescriber_on_site():
    assert codes(IV, replace(ALL_DONE, prescriber_on_site=False)) == []


def test_pre_check_and_decision_messages_cite_no_internal_document():
    facts = replace(
        ALL_DONE,
        last_food_at=None,
        prescriber_on_site=False,
        pre_dose_vitals=Vitals(systolic=150, diastolic=95),
    )
    for protocol in (ESK, IV):
        for issue in evaluate_pre_checks(protocol, facts) + decision_reasons(protocol, facts):
            assert "clinical.md" not in issue.message
            assert "issue " not in issue.message.lower()


def test_iv_ketamine_has_no_fasting_rule_unless_the_clinic_sets_one():
    assert codes(IV, replace(ALL_DONE, last_food_at=None, last_liquid_at=None)) == []


def test_moaas_is_0_to_5():
    assert validate_moaas(5) == {}
    assert validate_moaas(6) == {"score": "must be a whole number from 0 to 5"}


def test_cadss6_is_six_items_0_to_4():
    assert score_cadss6([0, 1, 2, 3, 4, 0]) == 10
    with pytest.raises(ValueError, match="items 2, 6 must be 0-4"):
        score_cadss6([0, 5, 0, 0, 0, -1])
    with pytest.raises(ValueError, match="needs 6 items"):
        score_cadss6([1, 2])


def test_high_pre_dose_bp_and_a_positive_pregnancy_test_need_a_prescriber_decision():
    # given pre-dose BP 150/95 and a positive pregnancy test
    facts = replace(
        ALL_DONE,
        pregnancy_test="positive",
        pre_dose_vitals=Vitals(systolic=150, diastolic=95, heart_rate=70),
    )

    # then they are not blockers of the checklist but reasons for a go/no-go
    assert codes(ESK, facts) == []
    reasons = decision_reasons(ESK, facts)
    assert [r.code for r in reasons] == ["pre_dose_bp", "pregnancy_test"]
    assert "150/95 is above 140/90" in reasons[0].message


def test_normal_pre_dose_findings_need_no_decision():
    assert decision_reasons(ESK, ALL_DONE) == []
