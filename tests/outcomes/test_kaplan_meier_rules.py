"""The hand-written Kaplan-Meier estimator matches a hand-computed example with censoring."""

import math

import pytest

from ketaclinic.outcomes.rules import kaplan_meier, kaplan_meier_from_counts, km_at, km_median

# Eight courses: days to response (event) or to the last score without response (censored).
#   A 7 event, B 7 event, C 10 censored, D 14 event, E 14 censored, F 21 event,
#   G 28 censored, H 35 event
OBSERVATIONS = [
    (7, True),
    (7, True),
    (10, False),
    (14, True),
    (14, False),
    (21, True),
    (28, False),
    (35, True),
]


def test_survival_matches_the_hand_computed_table():
    # given the eight courses
    steps = kaplan_meier(OBSERVATIONS)
    # then, by hand:
    #   t=7:  8 at risk, 2 respond        S = 1 - 2/8           = 0.75
    #   t=10: 6 at risk, 1 censored       S                     = 0.75
    #   t=14: 5 at risk, 1 responds, 1 c. S = 0.75 * (1 - 1/5)  = 0.6
    #   t=21: 3 at risk, 1 responds       S = 0.6 * (1 - 1/3)   = 0.4
    #   t=28: 2 at risk, 1 censored       S                     = 0.4
    #   t=35: 1 at risk, 1 responds       S = 0.4 * (1 - 1/1)   = 0
    table = [(s.time, s.at_risk, s.events, s.censored, round(s.survival, 10)) for s in steps]
    assert table == [
        (7, 8, 2, 0, 0.75),
        (10, 6, 0, 1, 0.75),
        (14, 5, 1, 1, 0.6),
        (21, 3, 1, 0, 0.4),
        (28, 2, 0, 1, 0.4),
        (35, 1, 1, 0, 0.0),
    ]


def test_the_curve_drawn_is_the_cumulative_proportion_responded():
    steps = kaplan_meier(OBSERVATIONS)
    assert [round(s.responded, 10) for s in steps] == [0.25, 0.25, 0.4, 0.6, 0.6, 1.0]
    assert km_at(steps, 6) == 0.0
    assert round(km_at(steps, 20), 10) == 0.4


def test_the_greenwood_band_matches_the_hand_computation_at_day_14():
    # Greenwood: var S(14) = S^2 * (2/(8*6) + 1/(5*4)) = 0.36 * 0.0916667
    step = kaplan_meier(OBSERVATIONS)[2]
    half_width = 1.96 * 0.6 * math.sqrt(2 / 48 + 1 / 20)
    assert step.lower == pytest.approx(0.6 - half_width)
    assert step.upper == pytest.approx(0.6 + half_width)


def test_the_median_is_the_first_time_survival_reaches_one_half():
    assert km_median(kaplan_meier(OBSERVATIONS)) == 21


def test_with_too_few_responses_there_is_no_median():
    assert km_median(kaplan_meier([(7, True), (10, False), (20, False), (30, False)])) is None


def test_aggregated_counts_give_the_same_curve_as_single_observations():
    counts = {}
    for time, event in OBSERVATIONS:
        counts[(time, event)] = counts.get((time, event), 0) + 1
    assert kaplan_meier_from_counts(counts) == kaplan_meier(OBSERVATIONS)


def test_censoring_at_a_tied_time_counts_as_still_at_risk():
    # given one response and one censoring on day 5 among two courses
    steps = kaplan_meier([(5, True), (5, False)])
    # then both were at risk on day 5: S = 1 - 1/2
    assert steps[0].at_risk == 2
    assert steps[0].survival == 0.5


def test_no_courses_give_an_empty_curve():
    assert kaplan_meier([]) == []
    assert km_median([]) is None
