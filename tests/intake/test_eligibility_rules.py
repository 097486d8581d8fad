"""Pure intake rules: trial adequacy, TRD, Maudsley staging, contraindications, recommendation."""

from decimal import Decimal

import pytest

from ketaclinic.intake import antidepressants, rules
from ketaclinic.intake.rules import (
    EligibilityInput,
    IntakeSettings,
    Trial,
    assess_trd,
    assess_trial,
    decision_errors,
    evaluate_contraindications,
    evaluate_eligibility,
    maudsley_stage,
    suicide_risk_flag,
    treatment_blockers_for,
)

ALL_NO = dict.fromkeys(rules.QUESTION_KEYS, "no")


def trial(drug="sertraline", dose="150", weeks="8", outcome="no_response", **kw):
    return Trial(
        drug=drug,
        daily_dose_mg=None if dose is None else Decimal(dose),
        weeks=None if weeks is None else Decimal(weeks),
        outcome=outcome,
        **kw,
    )


# --- the dose table -------------------------------------------------------------------------


def test_every_table_row_names_its_source_and_a_positive_dose_or_none():
    for row in antidepressants.BUILT_IN:
        assert row.name == row.name.lower()
        assert "MGH Antidepressant Treatment Response Questionnaire" in row.source
        assert row.min_daily_dose_mg is None or row.min_daily_dose_mg > 0


def test_each_row_has_a_primary_source_or_the_verification_mark():
    # given the printed ATRQ form could not be read, a row is either verified against a primary
    # source it names, or carries the mark and says why
    for row in antidepressants.BUILT_IN:
        assert row.needs_verification or "ATRQ" in row.source, row.name
        if row.needs_verification:
            assert "could not be checked" in row.source, row.name


def test_rows_the_authors_case_report_speaks_to_cite_it():
    # given the ATRQ authors' case report in Current Psychiatry
    cited = {
        row.name for row in antidepressants.BUILT_IN if "Current Psychiatry 2012" in row.source
    }
    # then the four drugs of the case carry it as their evidence
    assert cited == {"sertraline", "citalopram", "venlafaxine", "duloxetine"}


def test_venlafaxine_75_mg_for_7_weeks_is_not_an_adequate_trial():
    # given the ATRQ authors' case: venlafaxine 75 mg/day for 7 weeks, 30% improvement
    result = assess_trial(trial("venlafaxine", dose="75", weeks="7", outcome="partial_response"))
    # then the dose is too low for an adequate trial, so it never counts toward TRD
    assert not result.adequate and not result.counts_as_failed
    assert "venlafaxine: 75 mg/day is too low for an adequate trial" in result.reasons[0]
    assert not result.dose_needs_confirmation


def test_venlafaxine_above_75_mg_waits_for_a_clinicians_confirmation():
    # given no ATRQ minimum for venlafaxine could be verified
    unconfirmed = assess_trial(trial("venlafaxine", dose="225", outcome="partial_response"))
    # then a higher dose is neither adequate nor refused: a clinician confirms it
    assert not unconfirmed.adequate and unconfirmed.dose_needs_confirmation
    assert "no verified minimum dose" in unconfirmed.reasons[0]
    confirmed = assess_trial(
        trial(
            "venlafaxine",
            dose="225",
            outcome="partial_response",
            clinician_confirmed_adequate=True,
        )
    )
    assert confirmed.adequate and confirmed.counts_as_failed


def test_a_clinician_cannot_confirm_a_dose_the_source_calls_too_low():
    result = assess_trial(trial("venlafaxine", dose="75", clinician_confirmed_adequate=True))
    assert not result.adequate


def test_a_clinic_minimum_for_venlafaxine_lets_the_table_judge_again():
    # given a clinic that entered the minimum from its copy of the ATRQ
    own = antidepressants.Antidepressant("venlafaxine", "SNRI", Decimal("150"), "our ATRQ copy")
    table = antidepressants.dose_table([own])
    # then 225 mg/day is adequate without confirmation, and the row counts as verified
    assert assess_trial(trial("venlafaxine", dose="225"), table).adequate
    assert not table["venlafaxine"].needs_verification


def test_a_clinic_row_replaces_the_built_in_dose():
    # given a clinic that checked its ATRQ copy and uses 100 mg for sertraline
    own = antidepressants.Antidepressant("Sertraline", "SSRI", Decimal("100"), "clinic ATRQ copy")
    table = antidepressants.dose_table([own])
    # when a 75 mg trial is assessed with the clinic table
    result = assess_trial(trial(dose="75"), table)
    # then it is under-dosed for that clinic
    assert table["sertraline"].source == "clinic ATRQ copy"
    assert not result.adequate


def test_brand_names_are_found_in_referral_text():
    assert antidepressants.find_in_text("Zoloft 100 mg tablets").name == "sertraline"
    assert antidepressants.lookup("  Venlafaxine ").name == "venlafaxine"
    assert antidepressants.lookup("agomelatine") is None


# --- adequacy --------------------------------------------------------------------------------


def test_a_trial_at_the_minimum_dose_for_six_weeks_is_adequate():
    assert assess_trial(trial(dose="50", weeks="6")).adequate


def test_an_under_dosed_trial_is_not_adequate():
    result = assess_trial(trial(dose="25", weeks="12"))
    assert not result.adequate
    assert not result.counts_as_failed
    assert "below the minimum adequate dose of 50 mg/day" in result.reasons[0]


def test_a_too_short_trial_is_not_adequate():
    result = assess_trial(trial(dose="200", weeks="5.9"))
    assert not result.adequate
    assert "shorter than the 6 weeks" in result.reasons[0]


def test_the_week_count_is_configurable():
    # given a clinic that follows the ATHF (more than 4 weeks): 5 weeks
    settings = IntakeSettings(min_trial_weeks=5)
    assert assess_trial(trial(weeks="5"), settings=settings).adequate
    assert not assess_trial(trial(weeks="5")).adequate


def test_a_trial_without_dose_or_duration_cannot_count():
    assert not assess_trial(trial(dose=None)).adequate
    assert not assess_trial(trial(weeks=None)).adequate


def test_intolerance_is_never_an_adequate_failed_trial():
    result = assess_trial(trial(dose="200", weeks="10", outcome="intolerance"))
    assert not result.adequate
    assert not result.counts_as_failed
    assert any("intolerance" in r for r in result.reasons)


def test_an_unknown_drug_is_not_adequate_without_a_clinicians_confirmation():
    unconfirmed = assess_trial(trial(drug="agomelatine", dose="50"))
    assert not unconfirmed.known_drug
    assert not unconfirmed.adequate
    confirmed = assess_trial(
        trial(drug="agomelatine", dose="50", clinician_confirmed_adequate=True)
    )
    assert confirmed.adequate and confirmed.counts_as_failed


def test_a_confirmed_unknown_drug_still_needs_the_minimum_duration():
    result = assess_trial(trial(drug="agomelatine", weeks="3", clinician_confirmed_adequate=True))
    assert not result.adequate


def test_a_response_is_adequate_but_not_a_failure():
    result = assess_trial(trial(outcome="response"))
    assert result.adequate and not result.counts_as_failed


def test_an_imported_trial_counts_only_after_review():
    result = assess_trial(trial(needs_review=True))
    assert result.adequate and not result.counts_as_failed


# --- TRD --------------------------------------------------------------------------------------


def test_two_adequate_failed_trials_in_the_current_episode_are_trd():
    result = assess_trd(
        [trial("sertraline"), trial("duloxetine", dose="90", outcome="partial_response")]
    )
    assert result.trd
    assert result.adequate_failed_trials == 2
    assert result.failed_drugs == ("sertraline", "duloxetine")


def test_one_adequate_failed_trial_is_not_trd():
    result = assess_trd([trial("sertraline"), trial("venlafaxine", dose="37.5")])
    assert not result.trd
    assert result.adequate_failed_trials == 1


def test_past_episode_trials_do_not_count_toward_trd():
    result = assess_trd(
        [trial("sertraline"), trial("bupropion", dose="300", current_episode=False)]
    )
    assert not result.trd


def test_the_same_drug_tried_twice_counts_once():
    result = assess_trd([trial("sertraline"), trial("Zoloft", dose="200")])
    assert result.adequate_failed_trials == 1


def test_intolerance_and_under_dosing_never_make_trd():
    result = assess_trd(
        [trial("sertraline", outcome="intolerance"), trial("fluoxetine", dose="10")]
    )
    assert not result.trd and result.adequate_failed_trials == 0


# --- Maudsley staging -------------------------------------------------------------------------


def msm(duration=6, severity="moderate", failed=2, augmentation=False, ect=False):
    return maudsley_stage(
        duration_months=duration,
        severity=severity,
        failed_treatments=failed,
        augmentation_used=augmentation,
        ect_used=ect,
    )


@pytest.mark.parametrize(
    ("months", "points"), [(0, 1), (12, 1), (13, 2), (24, 2), (25, 3), (120, 3)]
)
def test_maudsley_duration_points(months, points):
    assert msm(duration=months).items["duration"] == points


@pytest.mark.parametrize(
    ("severity", "points"),
    [
        ("subsyndromal", 1),
        ("mild", 2),
        ("moderate", 3),
        ("severe_without_psychosis", 4),
        ("severe_with_psychosis", 5),
    ],
)
def test_maudsley_severity_points(severity, points):
    assert msm(severity=severity).items["severity"] == points


@pytest.mark.parametrize(
    ("failed", "points"),
    [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4), (10, 4), (11, 5), (30, 5)],
)
def test_maudsley_failed_treatment_points(failed, points):
    assert msm(failed=failed).items["failed_treatments"] == points


def test_augmentation_and_ect_add_one_point_each():
    assert msm(augmentation=True, ect=True).score == msm().score + 2


@pytest.mark.parametrize(
    ("kwargs", "score", "band"),
    [
        ({"duration": 6, "severity": "subsyndromal", "failed": 1}, 3, "mild"),
        ({"duration": 13, "severity": "moderate", "failed": 1}, 6, "mild"),
        ({"duration": 13, "severity": "severe_without_psychosis", "failed": 1}, 7, "moderate"),
        ({"duration": 25, "severity": "severe_without_psychosis", "failed": 3}, 9, "moderate"),
        (
            {
                "duration": 25,
                "severity": "severe_with_psychosis",
                "failed": 1,
                "augmentation": True,
            },
            10,
            "moderate",
        ),
        (
            {
                "duration": 25,
                "severity": "severe_with_psychosis",
                "failed": 3,
                "augmentation": True,
            },
            11,
            "severe",
        ),
        (
            {
                "duration": 25,
                "severity": "severe_with_psychosis",
                "failed": 11,
                "augmentation": True,
                "ect": True,
            },
            15,
            "severe",
        ),
    ],
)
def test_maudsley_band_boundaries(kwargs, score, band):
    result = msm(**kwargs)
    assert (result.score, result.band) == (score, band)


def test_maudsley_waits_for_onset_and_severity():
    result = msm(duration=None, severity=None)
    assert result.score is None
    assert result.missing == ("episode onset", "current severity")


def test_maudsley_does_not_stage_without_a_failed_treatment():
    result = msm(failed=0)
    assert result.score is None and "not staged" in result.note


# --- contraindications ------------------------------------------------------------------------


@pytest.mark.parametrize("key", [q.key for q in rules.QUESTIONS if q.esketamine_absolute])
def test_each_esketamine_contraindication_makes_esketamine_ineligible(key):
    answers = ALL_NO | {key: "yes"}
    findings = evaluate_contraindications(answers, "esketamine")
    assert findings.contraindications == (key,)
    result = evaluate_eligibility(
        EligibilityInput("esketamine", True, [trial(), trial("bupropion", dose="300")], answers)
    )
    assert result.recommendation == "ineligible"


ESKETAMINE_ONLY = [
    q.key for q in rules.QUESTIONS if q.esketamine_absolute and not q.absolute_for("ketamine")
]


@pytest.mark.parametrize("key", ESKETAMINE_ONLY)
def test_an_esketamine_only_contraindication_is_a_caution_for_ketamine(key):
    findings = evaluate_contraindications(ALL_NO | {key: "yes"}, "ketamine")
    assert findings.contraindications == ()
    assert findings.cautions == (key,)


def test_iv_ketamine_with_known_hypersensitivity_is_ineligible():
    # given a patient with known hypersensitivity to ketamine
    answers = ALL_NO | {"hypersensitivity": "yes"}
    # when an IV racemic ketamine protocol is assessed
    result = evaluate_eligibility(
        EligibilityInput("ketamine", True, [trial(), trial("bupropion", dose="300")], answers)
    )
    # then the product label's contraindication makes it ineligible, not a review
    assert result.recommendation == "ineligible"
    assert result.contraindications == ("hypersensitivity",)
    assert "Ketalar" in result.reasons[0] and "section 4.3" in result.reasons[0]


def test_iv_ketamine_with_uncontrolled_hypertension_is_ineligible():
    # given uncontrolled hypertension, where a rise in blood pressure would be a serious hazard
    answers = ALL_NO | {"uncontrolled_hypertension": "yes"}
    result = evaluate_eligibility(
        EligibilityInput("ketamine", True, [trial(), trial("bupropion", dose="300")], answers)
    )
    # then IV ketamine is contraindicated per its label
    assert result.recommendation == "ineligible"
    assert result.contraindications == ("uncontrolled_hypertension",)


def test_uncontrolled_hypertension_is_a_caution_for_esketamine():
    answers = ALL_NO | {"uncontrolled_hypertension": "yes"}
    result = evaluate_eligibility(
        EligibilityInput("esketamine", True, [trial(), trial("bupropion", dose="300")], answers)
    )
    assert result.cautions == ("uncontrolled_hypertension",)
    assert result.recommendation == "review"


def test_esketamine_keeps_its_four_label_contraindications():
    keys = {c.key for c in rules.ABSOLUTE_CONTRAINDICATIONS["esketamine"]}
    assert keys == {
        "aneurysmal_vascular_disease",
        "arteriovenous_malformation",
        "intracerebral_hemorrhage_history",
        "hypersensitivity",
    }


def test_every_label_contraindication_names_its_label():
    for drug, items in rules.ABSOLUTE_CONTRAINDICATIONS.items():
        for item in items:
            assert item.key in rules.QUESTIONS_BY_KEY, item.key
            assert ("Spravato" if drug == "esketamine" else "Ketalar") in item.source


NEVER_ABSOLUTE = [
    q.key for q in rules.QUESTIONS if not q.absolute_for("ketamine") and not q.esketamine_absolute
]


@pytest.mark.parametrize("drug", ["ketamine", "esketamine"])
@pytest.mark.parametrize("key", NEVER_ABSOLUTE)
def test_each_caution_asks_for_review_on_both_routes(key, drug):
    answers = ALL_NO | {key: "yes"}
    assert evaluate_contraindications(answers, drug).cautions == (key,)
    result = evaluate_eligibility(
        EligibilityInput(drug, True, [trial(), trial("bupropion", dose="300")], answers)
    )
    assert result.recommendation == "review"


@pytest.mark.parametrize("key", rules.QUESTION_KEYS)
def test_each_unknown_answer_blocks_approval(key):
    answers = ALL_NO | {key: "unknown"}
    result = evaluate_eligibility(
        EligibilityInput("ketamine", True, [trial(), trial("bupropion", dose="300")], answers)
    )
    assert result.unknown == (key,)
    assert result.recommendation == "review"
    assert "contraindications" in decision_errors("approve", result, "justified")


def test_an_unanswered_question_counts_as_unknown():
    findings = evaluate_contraindications({}, "esketamine")
    assert findings.unknown == rules.QUESTION_KEYS


def test_an_unexpected_key_is_refused():
    with pytest.raises(ValueError, match="unknown contraindication keys"):
        evaluate_contraindications({"gout": "yes"}, "ketamine")


# --- suicide risk -----------------------------------------------------------------------------


def test_high_cssrs_risk_is_flagged_for_urgent_review_not_contraindication():
    result = evaluate_eligibility(
        EligibilityInput(
            "esketamine", True, [trial(), trial("bupropion", dose="300")], ALL_NO, "high"
        )
    )
    assert result.suicide_risk.urgent_review
    assert result.contraindications == ()
    assert result.recommendation == "review"


@pytest.mark.parametrize("level", [None, "none", "low", "moderate"])
def test_lower_cssrs_levels_do_not_flag_urgent_review(level):
    assert not suicide_risk_flag(level).urgent_review


# --- the recommendation -----------------------------------------------------------------------


def test_trd_with_all_no_answers_is_eligible():
    result = evaluate_eligibility(
        EligibilityInput(
            "esketamine",
            True,
            [trial(), trial("duloxetine", dose="90", outcome="partial_response")],
            ALL_NO,
            "low",
            episode_duration_months=18,
            current_severity="severe_without_psychosis",
            augmentation_used=True,
        )
    )
    assert result.recommendation == "eligible"
    assert result.trd and result.adequate_failed_trials == 2
    assert (result.maudsley.score, result.maudsley.band) == (8, "moderate")
    assert decision_errors("approve", result) == {}


def test_not_trd_asks_for_review_and_approval_needs_a_justification():
    result = evaluate_eligibility(EligibilityInput("ketamine", True, [trial()], ALL_NO))
    assert result.recommendation == "review"
    assert any("Not treatment-resistant" in r for r in result.reasons)
    assert "justification" in decision_errors("approve", result, "  ")
    assert decision_errors("approve", result, "Two further trials documented by letter") == {}


def test_the_mdsi_protocol_does_not_need_trd():
    assert not rules.protocol_requires_trd("esketamine_mdsi")
    assert rules.protocol_requires_trd("esketamine_trd")
    result = evaluate_eligibility(EligibilityInput("esketamine", False, [], ALL_NO))
    assert result.recommendation == "eligible"


def test_a_decline_can_be_recorded_while_answers_are_unknown():
    result = evaluate_eligibility(EligibilityInput("esketamine", True, [], {}))
    assert decision_errors("decline", result) == {}


# --- gate before treatment --------------------------------------------------------------------


def test_treatment_needs_an_approval_and_a_signed_consent():
    assert (
        treatment_blockers_for(
            drug="esketamine",
            consent_type="esketamine_rems",
            latest_decision="approve",
            consent_signed=True,
        )
        == []
    )
    blockers = treatment_blockers_for(
        drug="esketamine",
        consent_type="esketamine_rems",
        latest_decision=None,
        consent_signed=False,
    )
    assert blockers == [
        "No approved eligibility decision for esketamine",
        "No signed, unrevoked consent (esketamine rems)",
    ]
    declined = treatment_blockers_for(
        drug="ketamine",
        consent_type="ketamine_off_label",
        latest_decision="decline",
        consent_signed=True,
    )
    assert declined == ["Eligibility for ketamine was declined"]


def test_a_checklist_change_after_approval_blocks_until_reassessed():
    blockers = treatment_blockers_for(
        drug="esketamine",
        consent_type="esketamine_rems",
        latest_decision="approve",
        consent_signed=True,
        changed_since_approval=["psychosis_history"],
    )
    assert blockers == [
        "Contraindication checklist changed after the approval (re-assess eligibility): "
        "history of psychosis"
    ]


def test_every_rule_has_text_and_source():
    for rule in rules.RULES.values():
        assert rule.text and rule.source


def test_docs_list_every_rule_dose_and_question_with_its_source():
    # given the intake documentation page
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "intake.md").read_text()
    # then every rule appears word for word with its source, and every table row is listed
    for rule in rules.RULES.values():
        assert f"| `{rule.code}` | {rule.text} | {rule.source} |" in doc, rule.code
    for row in antidepressants.BUILT_IN:
        minimum = row.min_daily_dose_mg or "none verified"
        assert f"| {row.name} | {row.drug_class} | {minimum} |" in doc, row.name
    for question in rules.QUESTIONS:
        assert f"| `{question.key}` | {question.label} |" in doc, question.key
