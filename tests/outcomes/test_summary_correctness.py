"""The outcome summary matches hand-computed values on a small hand-built registry.

The registry (tests/outcomes/builders.py), counted by hand:

  course  patient  protocol         status     scores (day: PHQ-9)              evaluable
  A       Ada      iv_ketamine      completed  0:20 2:16 4:12 7:9 9:6 11:5 18:4  yes
  B       Bo       iv_ketamine      stopped    0:18 2:17 4:15                    yes
  C       Cy       esketamine_trd   active     0:24 3:11                         yes
  D       Di       esketamine_trd   completed  0:22                              no (baseline only)
  E       Ed       iv_ketamine      active     -                                 no
  F       Fay      esketamine_mdsi  completed  0:20 4:10 (from 5 May)            yes
  G       Ada      iv_ketamine      active     0:15 3:3 (from 2 June)            yes

Response at the last score (<= half the baseline): A 4, C 11, F 10, G 3 yes; B 15 no -> 4/5.
Remission (PHQ-9 below 5): A 4, G 3 -> 2/5.
Time to response: A day 7, C day 3, F day 4, G day 3; B censored day 4.
Dosed sessions 6+3+2+2+1+2+2 = 18; adverse events 2 (1 severe); alerts 2 (1 blood pressure).
"""

from datetime import date

import pytest

from ketaclinic.outcomes import queries
from tests.outcomes.builders import hand_built_registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(prescriber, front_desk):
    return hand_built_registry(prescriber, front_desk)


def rate(numerator, denominator):
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": round(numerator / denominator, 4) if denominator else None,
    }


def test_totals_count_patients_courses_and_dosed_sessions(registry, prescriber):
    # when the whole clinic is summarised
    result, _ = queries.summary(prescriber)
    o = result.overall
    # then 6 patients had 7 courses and 18 dosed sessions
    assert (o.patients, o.courses, o.sessions) == (6, 7, 18)
    # and 3 courses (of 3 patients) are active now
    assert (o.active_patients, o.active_courses) == (3, 3)
    assert (o.with_baseline, o.evaluable) == (6, 5)


def test_response_and_remission_are_judged_at_each_courses_last_score(registry, prescriber):
    result, _ = queries.summary(prescriber)
    body = result.as_dict({})
    assert body["response"] == rate(4, 5)
    assert body["remission"] == rate(2, 5)
    assert body["response_rate"] == 0.8
    assert body["remission_rate"] == 0.4


def test_rates_after_session_2_4_and_6(registry, prescriber):
    # after session 2: A 12 (no), B 15 (no), F 10 (response), G 3 (response and remission);
    # C has no score after session 2 and D none after its baseline
    # after session 4: only A reached it (6: response); after session 6: A (4: both)
    by_session = queries.summary(prescriber)[0].as_dict({})["by_session"]
    assert by_session["2"]["response"] == rate(2, 4)
    assert by_session["2"]["remission"] == rate(1, 4)
    assert by_session["4"]["response"] == rate(1, 1)
    assert by_session["4"]["remission"] == rate(0, 1)
    assert by_session["6"]["response"] == rate(1, 1)
    assert by_session["6"]["remission"] == rate(1, 1)


def test_kaplan_meier_of_time_to_response_matches_the_hand_computation(registry, prescriber):
    # (3,T) (3,T) (4,T) (4,censored) (7,T):
    #   day 3: 5 at risk, 2 respond -> S = 0.6; day 4: 3 at risk, 1 responds -> S = 0.4;
    #   day 7: 1 at risk, 1 responds -> S = 0
    ttr = queries.summary(prescriber)[0].as_dict({})["time_to_response"]
    curve = [(p["day"], p["at_risk"], p["responses"], p["censored"]) for p in ttr["curve"]]
    assert curve == [(3, 5, 2, 0), (4, 3, 1, 1), (7, 1, 1, 0)]
    assert [p["responded"] for p in ttr["curve"]] == [0.4, 0.6, 1.0]
    assert ttr["median_days"] == 4
    assert (ttr["courses"], ttr["responses"]) == (5, 4)


def test_completion_and_dropout_count_ended_courses(registry, prescriber):
    body = queries.summary(prescriber)[0].as_dict({})
    assert body["completion"] == rate(3, 4)
    assert body["dropout"] == rate(1, 4)


def test_events_and_alerts_per_100_dosed_sessions(registry, prescriber):
    body = queries.summary(prescriber)[0].as_dict({})
    assert body["adverse_events"] == {"numerator": 2, "denominator": 18, "per_100_sessions": 11.11}
    assert body["severe_adverse_events"]["per_100_sessions"] == 5.56
    assert body["safety_alerts"] == {"numerator": 2, "denominator": 18, "per_100_sessions": 11.11}
    assert body["bp_alerts"] == {"numerator": 1, "denominator": 18, "per_100_sessions": 5.56}


def test_each_protocol_has_its_own_rates(registry, prescriber):
    by_protocol = queries.summary(prescriber)[0].as_dict({})["by_protocol"]
    assert sorted(by_protocol) == ["esketamine_mdsi", "esketamine_trd", "iv_ketamine"]
    iv = by_protocol["iv_ketamine"]
    # A, B, E, G: evaluable A, B, G; response A, G; remission A, G
    assert (iv["patients"], iv["courses"], iv["sessions"]) == (3, 4, 12)
    assert iv["response"] == rate(2, 3)
    assert iv["remission"] == rate(2, 3)
    trd = by_protocol["esketamine_trd"]
    assert trd["response"] == rate(1, 1)
    assert trd["evaluable_courses"] == 1 and trd["courses_with_baseline"] == 2
    assert by_protocol["esketamine_mdsi"]["response"] == rate(1, 1)


def test_a_protocol_filter_selects_only_its_courses_and_sessions(registry, prescriber):
    result, selection = queries.summary(prescriber, protocol="iv_ketamine")
    body = result.as_dict(selection.as_dict())
    assert body["filters"] == {"protocol": "iv_ketamine", "from": None, "to": None}
    assert (body["courses"], body["sessions"]) == (4, 12)
    assert body["response"] == rate(2, 3)
    assert list(body["by_protocol"]) == ["iv_ketamine"]


def test_a_date_range_selects_courses_by_start_and_sessions_by_date(registry, prescriber):
    # from 1 May: courses F (5 May) and G (2 June), with their 2 + 2 sessions
    result, _ = queries.summary(prescriber, start=date(2025, 5, 1))
    o = result.overall
    assert (o.patients, o.courses, o.sessions) == (2, 2, 4)
    assert (o.response.numerator, o.response.denominator) == (2, 2)
    # and up to 31 March: the five March courses
    result, _ = queries.summary(prescriber, end=date(2025, 3, 31))
    assert result.overall.courses == 5


def test_sessions_are_counted_per_week(registry, prescriber):
    weekly = queries.summary(prescriber)[0].weekly
    # week of 3 March: A days 0,2,4; B 0,2,4; C 0,3; D 0,3; E 0 -> 11 sessions
    assert weekly[0] == (date(2025, 3, 3), 11)
    assert sum(n for _, n in weekly) == 18
    # empty weeks between are kept so the chart's time axis is honest
    assert len({w for w, _ in weekly}) == len(weekly)


def test_another_clinics_courses_are_never_counted(registry, outsider):
    result, _ = queries.summary(outsider)
    assert (result.overall.courses, result.overall.sessions) == (0, 0)
    assert result.by_protocol == {}


def test_the_clinics_own_remission_cut_off_is_used(registry, prescriber):
    # given the clinic counts PHQ-9 remission as 5 or less (a configurable cut-off)
    from ketaclinic.measures.models import InstrumentSettings

    InstrumentSettings.objects.create(
        clinic=prescriber.clinic,
        instrument="phq9",
        overrides={"remission": {"operator": "<=", "value": 5}},
    )
    # then nothing changes for A (4) and G (3), and no last score equals 5
    body = queries.summary(prescriber)[0].as_dict({})
    assert body["definition"]["remission"] == "total <= 5"
    assert body["remission"] == rate(2, 5)
    # but after session 6 ... A's first later score is 4: still a remission
    assert body["by_session"]["6"]["remission"] == rate(1, 1)
