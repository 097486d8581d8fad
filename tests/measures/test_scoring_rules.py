"""Scoring rules for every instrument, checked against each instrument's published source."""

from decimal import Decimal

import pytest

from ketaclinic.measures import rules
from ketaclinic.measures.instruments import INSTRUMENTS, get_instrument

PHQ9 = INSTRUMENTS["phq9"]
GAD7 = INSTRUMENTS["gad7"]
QIDS = INSTRUMENTS["qids_sr16"]
MADRS = INSTRUMENTS["madrs"]
PCL5 = INSTRUMENTS["pcl5"]
CADSS6 = INSTRUMENTS["cadss6"]
CSSRS = INSTRUMENTS["cssrs_screener"]
MOAAS = INSTRUMENTS["moaas"]

ITEM_COUNTS = {
    "phq9": 9,
    "gad7": 7,
    "qids_sr16": 16,
    "madrs": 10,
    "pcl5": 20,
    "cadss6": 6,
    "moaas": 1,
}
ITEM_MAXIMUM = {
    "phq9": 3,
    "gad7": 3,
    "qids_sr16": 3,
    "madrs": 6,
    "pcl5": 4,
    "cadss6": 4,
    "moaas": 5,
}


def every_item(code, value):
    return {str(n): value for n in range(1, ITEM_COUNTS[code] + 1)}


def summing_to(code, total):
    """Answers of a plain-sum instrument that add up to `total`, filling items from item 1."""
    answers = {}
    for n in range(1, ITEM_COUNTS[code] + 1):
        value = min(ITEM_MAXIMUM[code], total)
        answers[str(n)] = value
        total -= value
    assert total == 0
    return answers


def qids_answers(**by_item):
    answers = {str(n): 0 for n in range(1, 17)}
    answers.update({k.removeprefix("i"): v for k, v in by_item.items()})
    return answers


def cssrs(**yes):
    answers = {"1": 0, "2": 0, "6": 0}
    answers.update({k.removeprefix("i"): v for k, v in yes.items()})
    return answers


# --- all zeros and all maxima ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "total", "severity"),
    [
        ("phq9", 0, "minimal"),
        ("gad7", 0, "minimal"),
        ("qids_sr16", 0, "none"),
        ("madrs", 0, "normal"),
        ("pcl5", 0, None),
        ("cadss6", 0, None),
        ("moaas", 0, None),
    ],
)
def test_all_zero_answers_score_the_minimum(code, total, severity):
    # given every item answered 0
    answers = every_item(code, 0)
    # when scored
    result = rules.score(get_instrument(code), answers)
    # then the total is the scale's minimum, in the lowest band and with no alerts
    assert (result.total, result.severity, result.alerts) == (total, severity, ())


@pytest.mark.parametrize(
    ("code", "total", "severity"),
    [
        ("phq9", 27, "severe"),
        ("gad7", 21, "severe"),
        ("qids_sr16", 27, "very severe"),
        ("madrs", 60, "severe"),
        ("pcl5", 80, "probable PTSD"),
        ("cadss6", 24, None),
        ("moaas", 5, None),
    ],
)
def test_all_maximum_answers_score_the_maximum(code, total, severity):
    # given every item at its highest answer
    answers = every_item(code, ITEM_MAXIMUM[code])
    # when scored
    result = rules.score(get_instrument(code), answers)
    # then the total is the scale's maximum and falls in the top band
    assert (result.total, result.severity) == (total, severity)


def test_the_cssrs_with_every_answer_yes_is_high_risk_and_all_no_is_none():
    # given the screener answered all yes, then all no
    all_yes = dict.fromkeys(("1", "2", "3", "4", "5", "6", "6b"), 1)
    all_no = dict.fromkeys(("1", "2", "3", "4", "5", "6", "6b"), 0)
    # then the risk level is high, and none
    assert rules.score(CSSRS, all_yes).severity == "high"
    assert rules.score(CSSRS, all_no).severity == "none"
    assert rules.score(CSSRS, all_no).total is None


# --- band boundaries ---------------------------------------------------------------------------

BOUNDARIES = {
    "phq9": [
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
    ],
    "gad7": [
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
    ],
    "madrs": [
        (6, "normal"),
        (7, "mild"),
        (19, "mild"),
        (20, "moderate"),
        (34, "moderate"),
        (35, "severe"),
    ],
    "pcl5": [(32, None), (33, "probable PTSD")],
}


@pytest.mark.parametrize(
    ("code", "total", "severity"),
    [(code, total, label) for code, rows in BOUNDARIES.items() for total, label in rows],
)
def test_each_band_boundary_gets_the_reference_label(code, total, severity):
    # given answers adding up to a band boundary
    answers = summing_to(code, total)
    # when scored
    result = rules.score(get_instrument(code), answers)
    # then the band label is the reference's, in lower case
    assert (result.total, result.severity) == (total, severity)


@pytest.mark.parametrize(
    ("answers", "total", "severity"),
    [
        (qids_answers(i5=3, i10=2), 5, "none"),
        (qids_answers(i5=3, i10=3), 6, "mild"),
        (qids_answers(i5=3, i10=3, i11=3, i13=1), 10, "mild"),
        (qids_answers(i5=3, i10=3, i11=3, i13=2), 11, "moderate"),
        (qids_answers(i5=3, i10=3, i11=3, i13=3, i14=3), 15, "moderate"),
        (qids_answers(i1=1, i5=3, i10=3, i11=3, i13=3, i14=3), 16, "severe"),
        (qids_answers(i1=3, i6=3, i5=3, i10=3, i11=3, i13=3, i14=2), 20, "severe"),
        (qids_answers(i1=3, i6=3, i5=3, i10=3, i11=3, i13=3, i14=3), 21, "very severe"),
    ],
)
def test_qids_band_boundaries(answers, total, severity):
    # when a QIDS-SR16 at a band boundary is scored
    result = rules.score(QIDS, answers)
    # then it carries the reference's band
    assert (result.total, result.severity) == (total, severity)


# --- QIDS-SR16 domain-maximum rule -------------------------------------------------------------


def test_qids_counts_only_the_worst_sleep_item():
    # given every sleep item answered, item 1 the worst
    answers = qids_answers(i1=3, i2=1, i3=2, i4=2)
    # then sleep adds 3, not 8
    assert rules.score(QIDS, answers).total == 3


def test_qids_counts_only_the_worst_appetite_or_weight_item():
    # given appetite and weight items 6-9 all endorsed, item 9 the worst
    answers = qids_answers(i6=1, i7=2, i8=1, i9=3)
    # then the appetite/weight domain adds 3
    assert rules.score(QIDS, answers).total == 3


def test_qids_counts_only_the_worst_psychomotor_item():
    # given slowed down 1 and restless 2
    answers = qids_answers(i15=1, i16=2)
    # then the psychomotor domain adds 2
    assert rules.score(QIDS, answers).total == 2


def test_qids_adds_the_single_items_to_the_three_domain_maxima():
    # given a mixed QIDS-SR16
    answers = qids_answers(
        i1=3, i2=1, i3=2, i4=0, i5=1, i6=1, i7=2, i8=0, i9=3,
        i10=1, i11=1, i12=0, i13=1, i14=1, i15=2, i16=1,
    )  # fmt: skip
    # when scored
    result = rules.score(QIDS, answers)
    # then total = 3 (sleep) + 1 + 3 (appetite/weight) + 1 + 1 + 0 + 1 + 1 + 2 (psychomotor)
    assert (result.total, result.severity) == (13, "moderate")


# --- C-SSRS screener, every path -------------------------------------------------------------

CSSRS_PATHS = [
    ("no yes answers", cssrs(), "none"),
    ("wish to be dead only", cssrs(i1=1), "low"),
    ("thoughts of killing self, no method", cssrs(i2=1, i3=0, i4=0, i5=0), "low"),
    ("wish and thoughts only", cssrs(i1=1, i2=1, i3=0, i4=0, i5=0), "low"),
    ("thought about how", cssrs(i1=1, i2=1, i3=1, i4=0, i5=0), "moderate"),
    ("behaviour ever, not in past 3 months", cssrs(i6=1, i6b=0), "moderate"),
    ("wish, and behaviour not in past 3 months", cssrs(i1=1, i6=1, i6b=0), "moderate"),
    ("intention of acting", cssrs(i2=1, i3=0, i4=1, i5=0), "high"),
    ("details worked out", cssrs(i2=1, i3=0, i4=0, i5=1), "high"),
    ("method and intent", cssrs(i1=1, i2=1, i3=1, i4=1, i5=1), "high"),
    ("behaviour within past 3 months", cssrs(i6=1, i6b=1), "high"),
    ("method, and behaviour within 3 months", cssrs(i2=1, i3=1, i4=0, i5=0, i6=1, i6b=1), "high"),
]


@pytest.mark.parametrize(
    ("answers", "level"), [(a, lvl) for _, a, lvl in CSSRS_PATHS], ids=[p[0] for p in CSSRS_PATHS]
)
def test_cssrs_risk_level_follows_the_reference_rule(answers, level):
    # when a C-SSRS screener is scored
    result = rules.score(CSSRS, answers)
    # then the risk level is the reference's and there is no numeric total
    assert result.severity == level
    assert result.total is None


@pytest.mark.parametrize(
    ("answers", "codes"),
    [
        (cssrs(), []),
        (cssrs(i1=1), []),
        (cssrs(i2=1, i3=1, i4=0, i5=0), ["cssrs_moderate"]),
        (cssrs(i6=1, i6b=0), ["cssrs_moderate"]),
        (cssrs(i2=1, i3=0, i4=1, i5=0), ["cssrs_high"]),
        (cssrs(i6=1, i6b=1), ["cssrs_high"]),
    ],
)
def test_cssrs_moderate_or_high_raises_an_alert_for_a_prescriber(answers, codes):
    # when a C-SSRS screener is scored
    alerts = rules.score(CSSRS, answers).alerts
    # then only moderate and high risk raise an alert, which a prescriber must act on
    assert [a.code for a in alerts] == codes
    assert all(a.must_act == "prescriber" for a in alerts)


def test_cssrs_high_alert_asks_for_immediate_evaluation():
    alert = rules.score(CSSRS, cssrs(i6=1, i6b=1)).alerts[0]
    assert "immediate evaluation" in alert.message


def test_cssrs_items_3_to_5_are_skipped_when_item_2_is_no():
    # given item 2 answered no and items 3-5 left out (skip to 6)
    result = rules.score(CSSRS, cssrs(i1=1))
    # then the screener is complete
    assert result.answers == {"1": 1, "2": 0, "6": 0}


def test_cssrs_needs_items_3_to_5_when_item_2_is_yes_and_6b_when_6_is_yes():
    # given item 2 and item 6 answered yes but their follow-ups left out
    errors = rules.validate_answers(CSSRS, cssrs(i2=1, i6=1))
    # then every missing follow-up is named
    assert [str(e) for e in errors] == [
        "item 3: missing",
        "item 4: missing",
        "item 5: missing",
        "item 6b: missing",
    ]


def test_cssrs_answers_are_yes_or_no_only():
    errors = rules.validate_answers(CSSRS, cssrs(i1=2))
    assert [str(e) for e in errors] == ["item 1: 2 is out of range 0-1"]


# --- safety items ------------------------------------------------------------------------------


@pytest.mark.parametrize(("item9", "alerted"), [(0, False), (1, True), (3, True)])
def test_phq9_item_9_above_zero_raises_an_alert(item9, alerted):
    # given a PHQ-9 with item 9 answered
    answers = every_item("phq9", 0) | {"9": item9}
    # when scored
    alerts = rules.score(PHQ9, answers).alerts
    # then any answer above 0 raises the item-9 alert, which names the value and the C-SSRS
    assert [a.code for a in alerts] == (["phq9_item9"] if alerted else [])
    if alerted:
        assert f"answered {item9}" in alerts[0].message
        assert "C-SSRS" in alerts[0].message


@pytest.mark.parametrize(("item12", "alerted"), [(0, False), (1, True)])
def test_qids_item_12_above_zero_raises_an_alert(item12, alerted):
    alerts = rules.score(QIDS, qids_answers(i12=item12)).alerts
    assert [a.code for a in alerts] == (["qids_item12"] if alerted else [])


@pytest.mark.parametrize(("item10", "alerted"), [(0, False), (1, False), (2, True), (6, True)])
def test_madrs_item_10_at_two_or_above_raises_an_alert(item10, alerted):
    alerts = rules.score(MADRS, every_item("madrs", 0) | {"10": item10}).alerts
    assert [a.code for a in alerts] == (["madrs_item10"] if alerted else [])


@pytest.mark.parametrize("code", ["gad7", "pcl5", "cadss6", "moaas"])
def test_scales_without_safety_items_never_alert(code):
    result = rules.score(get_instrument(code), every_item(code, ITEM_MAXIMUM[code]))
    assert result.alerts == ()


# --- invalid answers ---------------------------------------------------------------------------


def test_every_bad_item_is_named_at_once():
    # given a PHQ-9 with a missing item, out-of-range values, a string, a boolean and a stray key
    answers = every_item("phq9", 1)
    del answers["3"]
    answers |= {"5": 4, "6": -1, "7": "2", "8": True, "12": 0}
    # when validated
    errors = rules.validate_answers(PHQ9, answers)
    # then each bad item is named, in item order, and nothing else
    assert [str(e) for e in errors] == [
        "item 3: missing",
        "item 5: 4 is out of range 0-3",
        "item 6: -1 is out of range 0-3",
        "item 7: '2' is not a whole number",
        "item 8: True is not a whole number",
        "item 12: is not an item of PHQ-9",
    ]


def test_scoring_invalid_answers_raises_with_all_errors():
    with pytest.raises(rules.InvalidAnswers) as raised:
        rules.score(GAD7, {"1": 9})
    assert [e.item for e in raised.value.errors] == ["1", "2", "3", "4", "5", "6", "7"]


@pytest.mark.parametrize("code", [c for c in INSTRUMENTS if c != "cssrs_screener"])
def test_an_empty_submission_names_every_scored_item(code):
    instrument = get_instrument(code)
    errors = rules.validate_answers(instrument, {})
    # (the items of an either-or pair, e.g. QIDS-SR16 6/7, are each named as well)
    expected = [i.key for i in instrument.items if i.required or instrument.either_or_group(i.key)]
    assert [e.item for e in errors] == expected


@pytest.mark.parametrize("code", list(ITEM_MAXIMUM))
def test_one_above_the_top_answer_is_out_of_range(code):
    answers = every_item(code, 0) | {"1": ITEM_MAXIMUM[code] + 1}
    errors = rules.validate_answers(get_instrument(code), answers)
    assert [e.item for e in errors] == ["1"]
    assert "out of range" in errors[0].message


def test_answers_that_are_not_an_object_are_rejected():
    assert [str(e) for e in rules.validate_answers(PHQ9, [1, 2, 3])] == [
        "item answers: must be an object keyed by item number"
    ]


def test_phq9_item_10_is_optional_and_unscored():
    # given a PHQ-9 without item 10, and the same with item 10 = 3
    without = every_item("phq9", 1)
    with_functional = without | {"10": 3}
    # then both score the same total
    assert rules.score(PHQ9, without).total == 9
    assert rules.score(PHQ9, with_functional).total == 9
    assert rules.score(PHQ9, with_functional).answers["10"] == 3


def test_phq9_item_10_is_still_validated_when_given():
    errors = rules.validate_answers(PHQ9, every_item("phq9", 0) | {"10": 4})
    assert [str(e) for e in errors] == ["item 10: 4 is out of range 0-3"]


def test_form_strings_become_integers_and_blanks_become_missing():
    # given posted form values
    data = {"1": "2", "2": "", "3": " 1 ", "4": "x", "99": "1"}
    # when parsed
    answers = rules.parse_form_answers(PHQ9, data)
    # then digits become numbers, blanks are unanswered, junk is kept for validation to name
    assert answers == {"1": 2, "3": 1, "4": "x"}


# --- baseline, response, remission, reliable change -------------------------------------------


def test_change_and_percent_change_from_baseline():
    assert rules.change_from_baseline(20, 12) == -8
    assert rules.percent_change(20, 12) == Decimal("-40.0")
    assert rules.percent_change(18, 7) == Decimal("-61.1")
    assert rules.percent_change(10, 12) == Decimal("20.0")


def test_percent_change_from_a_zero_baseline_is_undefined():
    assert rules.percent_change(0, 3) is None
    assert rules.is_response(0, 0) is None


@pytest.mark.parametrize(
    ("baseline", "current", "response"),
    [
        (20, 10, True),
        (20, 11, False),
        (19, 9, True),
        (19, 10, False),
        (20, 0, True),
        (10, 14, False),
    ],
)
def test_response_is_a_reduction_of_half_or_more(baseline, current, response):
    assert rules.is_response(baseline, current) is response


@pytest.mark.parametrize(
    ("code", "score", "remission"),
    [
        ("phq9", 4, True),
        ("phq9", 5, False),
        ("gad7", 4, True),
        ("gad7", 5, False),
        ("qids_sr16", 5, True),
        ("qids_sr16", 6, False),
        ("madrs", 10, True),
        ("madrs", 11, False),
    ],
)
def test_remission_uses_each_instruments_cut_off(code, score, remission):
    assert rules.is_remission(get_instrument(code).remission, score) is remission


def test_a_clinic_can_use_madrs_12_or_less_for_remission():
    # given a clinic that follows the studies using MADRS 12 or less
    madrs12 = rules.with_overrides(MADRS, {"remission": {"operator": "<=", "value": 12}})
    # then 12 is remission for that clinic but not by default
    assert rules.is_remission(madrs12.remission, 12) is True
    assert rules.is_remission(MADRS.remission, 12) is False


@pytest.mark.parametrize("code", ["pcl5", "cadss6", "moaas", "cssrs_screener"])
def test_instruments_without_a_remission_cut_off_report_none(code):
    assert rules.is_remission(get_instrument(code).remission, 0) is None


def test_outcome_of_a_phq9_responder_in_remission():
    outcome = rules.outcome(PHQ9, baseline=20, current=4)
    assert outcome.change_from_baseline == -16
    assert outcome.percent_change == Decimal("-80.0")
    assert outcome.response is True
    assert outcome.remission is True


def test_outcome_is_not_judged_for_sedation_or_dissociation_scales():
    outcome = rules.outcome(MOAAS, baseline=5, current=2)
    assert outcome.change_from_baseline == -3
    assert (outcome.percent_change, outcome.response, outcome.remission) == (None, None, None)


def test_reliable_change_index_follows_jacobson_truax():
    # given reliability 0.89 and SD 5: S_diff = sqrt(2) * 5 * sqrt(0.11) = 2.3452
    rci = rules.reliable_change_index(20, 10, Decimal("0.89"), Decimal("5"))
    # then a 10-point fall is RCI -4.26, a reliable improvement
    assert rci == Decimal("-4.26")
    assert rules.classify_reliable_change(rci) == "reliable improvement"
    assert rules.classify_reliable_change(Decimal("1.96")) == "no reliable change"
    assert rules.classify_reliable_change(Decimal("1.97")) == "reliable deterioration"


def test_reliable_change_is_not_computed_until_an_sd_is_configured():
    # given the shipped PHQ-9 data (SD marked verify, not set)
    assert rules.outcome(PHQ9, 20, 10).rci is None
    # when a clinic sets the SD
    configured = rules.with_overrides(PHQ9, {"sd": "5"})
    # then the RCI uses the shipped reliability and the clinic's SD
    assert rules.outcome(configured, 20, 10).rci == Decimal("-4.26")
    assert rules.outcome(configured, 20, 10).reliable_change == "reliable improvement"


# --- the definitions themselves ----------------------------------------------------------------


def test_all_eight_instruments_are_defined():
    assert set(INSTRUMENTS) == {
        "phq9", "gad7", "qids_sr16", "madrs", "pcl5", "cadss6", "cssrs_screener", "moaas",
    }  # fmt: skip


def test_loinc_codes_are_only_the_verified_ones():
    codes = {c: (i.loinc_panel, i.loinc_total) for c, i in INSTRUMENTS.items() if i.loinc_panel}
    assert codes == {"phq9": ("44249-1", "44261-6"), "gad7": ("69737-5", "70274-6")}
    assert all(i.loinc_total is None for i in INSTRUMENTS.values() if i.loinc_panel is None)


@pytest.mark.parametrize(
    ("code", "ships"), [(c, c in {"phq9", "gad7", "qids_sr16", "pcl5"}) for c in INSTRUMENTS]
)
def test_item_text_ships_only_where_the_licence_allows(code, ships):
    instrument = get_instrument(code)
    has_text = [item.text is not None for item in instrument.items]
    assert all(has_text) if ships else not any(has_text)
    assert instrument.ships_item_text is ships


@pytest.mark.parametrize("code", list(INSTRUMENTS))
def test_every_instrument_names_its_source_and_licence(code):
    instrument = get_instrument(code)
    assert instrument.source and instrument.licence
    assert instrument.completed_by in {"patient", "clinician"}
    assert all(rule.source for rule in instrument.safety_rules)


def test_phq9_item_9_text_is_the_published_wording():
    assert PHQ9.item("9").text == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
