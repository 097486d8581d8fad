"""Payer criteria as pure rules: each kind checked against the record, with its evidence."""

import datetime as dt
from decimal import Decimal

import pytest

from ketaclinic.authorizations import rules
from ketaclinic.authorizations.definitions import EXAMPLE_CRITERIA
from ketaclinic.authorizations.rules import Criterion, Record, ScoreEvidence, TrialEvidence

DAY = dt.date(2026, 1, 5)


def trial(drug, cls, *, failed=True, adequate=True, current=True, review=False):
    return TrialEvidence(
        drug=drug,
        drug_class=cls,
        daily_dose_mg=Decimal("150"),
        weeks=Decimal("8"),
        started_on=DAY,
        ended_on=DAY + dt.timedelta(weeks=8),
        outcome="No response (under 25% better)" if failed else "Response (50% or more better)",
        failed=failed,
        current_episode=current,
        adequate=adequate,
        counts_as_failed=adequate and failed and current and not review,
        needs_review=review,
    )


def check(kind, record, label="criterion", **params):
    return rules.evaluate([Criterion(kind, label, params)], record)[0]


def test_the_diagnosis_must_start_with_a_listed_code():
    record = Record(drug="esketamine", diagnosis_code="F33.2", diagnosis_description="MDD")
    met = check("diagnosis", record, code_prefixes=["F32", "F33"])
    assert met.verdict == rules.Verdict.MET and met.evidence == ("F33.2 MDD",)
    other = check("diagnosis", Record(drug="x", diagnosis_code="F41.1"), code_prefixes=["F32"])
    assert other.verdict == rules.Verdict.NOT_MET and "not one of F32" in other.evidence[0]
    missing = check("diagnosis", Record(drug="x"), code_prefixes=["F32"])
    assert missing.evidence == ("No diagnosis recorded.",)


def test_two_failed_adequate_trials_count_each_drug_once():
    # given sertraline failed twice and duloxetine once, all adequate, this episode
    trials = [trial("sertraline", "SSRI"), trial("Sertraline", "SSRI"), trial("duloxetine", "SNRI")]
    result = check("failed_trials", Record(drug="esketamine", trials=trials), min_trials=2)
    # then two antidepressants count and the criterion is met, listing them
    assert result.verdict == rules.Verdict.MET
    assert result.evidence[-1].startswith("2 adequate failed trial(s) in the current episode")
    assert result.evidence[0].startswith("sertraline (SSRI) 150 mg/day, 8 weeks: No response")


def test_inadequate_past_or_unreviewed_trials_do_not_count():
    trials = [
        trial("sertraline", "SSRI", adequate=False),
        trial("duloxetine", "SNRI", current=False),
        trial("bupropion", "atypical", review=True),
        trial("escitalopram", "SSRI", failed=False),
    ]
    result = check("failed_trials", Record(drug="esketamine", trials=trials), min_trials=2)
    assert result.verdict == rules.Verdict.NOT_MET
    assert result.evidence == ("0 adequate failed trial(s) in the current episode, 2 asked.",)


def test_four_trials_in_two_classes():
    # given four failed adequate trials, one of them in a past episode
    trials = [
        trial("sertraline", "SSRI"),
        trial("escitalopram", "SSRI"),
        trial("duloxetine", "SNRI"),
        trial("bupropion", "atypical", current=False),
    ]
    record = Record(drug="esketamine", trials=trials)
    anywhere = check("failed_trials_in_classes", record, min_trials=4, min_classes=2)
    assert anywhere.verdict == rules.Verdict.MET
    assert "4 adequate failed trial(s) in any episode in 3 class(es)" in anywhere.evidence[-1]
    # when the payer counts the current episode only
    current = check(
        "failed_trials_in_classes", record, min_trials=4, min_classes=2, current_episode_only=True
    )
    assert current.verdict == rules.Verdict.NOT_MET


def test_rating_scale_history_lists_every_score():
    scores = [
        ScoreEvidence("phq9", "PHQ-9", DAY, 21, "severe"),
        ScoreEvidence("madrs", "MADRS", DAY + dt.timedelta(days=7), 34, "moderate"),
    ]
    result = check(
        "rating_scale_history",
        Record(drug="esketamine", scores=scores),
        instruments=["phq9", "madrs"],
    )
    assert result.verdict == rules.Verdict.MET
    assert result.evidence == (
        "PHQ-9 21 (severe) on 2026-01-05",
        "MADRS 34 (moderate) on 2026-01-12",
    )
    none = check("rating_scale_history", Record(drug="esketamine"), instruments=["phq9"])
    assert none.verdict == rules.Verdict.NOT_MET and none.evidence == ("No score on record.",)


@pytest.mark.parametrize(
    ("enrolled", "verdict", "text"),
    [
        (True, "met", "Enrollment confirmed by clinic staff."),
        (None, "not_met", "Enrollment not confirmed."),
        (False, "not_met", "Confirmed not enrolled."),
    ],
)
def test_rems_enrollment_of_the_patient(enrolled, verdict, text):
    result = check("rems_patient", Record(drug="esketamine", rems_patient=enrolled))
    assert (result.verdict, result.evidence) == (verdict, (text,))


def test_rems_certification_of_the_site():
    certified = Record(drug="esketamine", rems_site=True, rems_site_reference="S-1")
    assert "(S-1)" in check("rems_site", certified).evidence[0]
    assert check("rems_site", Record(drug="esketamine")).verdict == rules.Verdict.NOT_MET


def test_contraindications_screened_needs_every_answer_and_none_found():
    clean = Record(drug="esketamine", questions_answered=9)
    assert check("contraindications_screened", clean).verdict == rules.Verdict.MET
    gaps = Record(drug="esketamine", unanswered=["Arteriovenous malformation"])
    result = check("contraindications_screened", gaps)
    assert result.verdict == rules.Verdict.NOT_MET
    assert result.evidence == ("Not answered: Arteriovenous malformation",)


def test_a_free_text_criterion_stays_to_check_by_hand():
    result = check("manual", Record(drug="esketamine"), label="Letter of medical necessity")
    assert result.verdict == rules.Verdict.BY_HAND and result.verdict_label == "To check by hand"


def test_the_example_checklist_is_made_of_valid_rows():
    for row in EXAMPLE_CRITERIA:
        assert rules.criterion_problems(row.kind, row.params) == {}, row.label


@pytest.mark.parametrize(
    ("kind", "params", "errors"),
    [
        ("magic", {}, {"kind"}),
        ("failed_trials", {}, {"min_trials"}),
        ("failed_trials", {"min_trials": True}, {"min_trials"}),
        ("failed_trials", {"min_trials": 0}, {"min_trials"}),
        ("failed_trials", {"min_trials": 2, "classes": 2}, {"classes"}),
        ("diagnosis", {"code_prefixes": []}, {"code_prefixes"}),
        ("rating_scale_history", {"instruments": ["phq9"], "min_scores": "2"}, {"min_scores"}),
        (
            "failed_trials_in_classes",
            {"min_trials": 4, "min_classes": 2, "current_episode_only": 1},
            {"current_episode_only"},
        ),
    ],
)
def test_a_checklist_row_names_what_is_wrong(kind, params, errors):
    assert set(rules.criterion_problems(kind, params)) == errors


def test_the_tally_counts_each_verdict():
    results = rules.evaluate(
        [Criterion("rems_patient", "a", {}), Criterion("manual", "b", {})],
        Record(drug="esketamine", rems_patient=True),
    )
    assert rules.tally(results) == {"met": 1, "not_met": 0, "by_hand": 1}
