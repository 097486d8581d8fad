"""When the next vitals and scales are due, per protocol, and when they are overdue."""

import datetime

from ketaclinic.protocols.definitions import PROTOCOLS
from ketaclinic.treatments.rules import Due, assessments_due, is_overdue, next_vitals_due

T0 = datetime.datetime(2025, 5, 5, 9, 0, tzinfo=datetime.UTC)
IV = PROTOCOLS["iv_ketamine"].monitoring
ESK = PROTOCOLS["esketamine_trd"].monitoring


def at(minutes):
    return T0 + datetime.timedelta(minutes=minutes)


def due_iv(vitals, ended=None):
    return next_vitals_due(
        IV,
        dose_started_at=T0,
        infusion_ended_at=ended,
        vitals_times=vitals,
        observation_ends_at=None,
        infusion=True,
    )


def due_esk(vitals, dose=T0):
    return next_vitals_due(
        ESK,
        dose_started_at=dose,
        infusion_ended_at=None,
        vitals_times=vitals,
        observation_ends_at=at(120) if dose else None,
        infusion=False,
    )


def test_before_the_dose_pre_dose_vitals_are_asked_for():
    assert due_esk([], dose=None) == Due(None, "pre-dose vitals")
    assert due_esk([at(-10)], dose=None) == Due(None, "")


def test_iv_vitals_are_due_every_10_minutes_while_the_infusion_runs():
    assert due_iv([at(-5)]).at == at(10)
    assert due_iv([at(-5), at(9)]).at == at(19)
    assert due_iv([at(9)]).reason == "every 10 min during infusion"


def test_iv_vitals_are_due_every_15_minutes_after_the_infusion_ends():
    assert due_iv([at(30), at(38)], ended=at(40)).at == at(55)
    assert due_iv([at(30), at(38), at(56)], ended=at(40)).at == at(71)


def test_esketamine_bp_is_due_at_about_40_minutes_then_before_discharge():
    # given pre-dose vitals only
    assert due_esk([at(-10)]) == Due(at(40), "40 min after dose")
    # a check at 37 min counts as "about 40 min"
    assert due_esk([at(-10), at(37)]) == Due(at(120), "before discharge")
    # and after a check near the end nothing is scheduled: as clinically warranted
    assert due_esk([at(-10), at(41), at(118)]) == Due(None, "as clinically warranted")


def test_an_entry_too_early_does_not_cover_the_40_minute_check():
    assert due_esk([at(-10), at(20)]).at == at(40)


def test_a_due_time_in_the_past_is_overdue():
    due = due_esk([at(-10)])

    assert not is_overdue(due, at(40))
    assert is_overdue(due, at(41))
    assert not is_overdue(Due(None, "as clinically warranted"), at(500))


def test_moaas_and_cadss6_are_due_at_the_protocol_times():
    # given an esketamine session with a MOAA/S at 40 min and nothing else
    due = dict(
        assessments_due(
            ESK,
            dose_started_at=T0,
            entries={"moaas": [at(41)]},
            observation_ends_at=at(120),
        )
    )

    assert due["moaas"] == Due(at(120), "before discharge")
    assert due["cadss6"] == Due(at(40), "40 min after dose")


def test_no_scale_is_due_before_the_dose():
    assert assessments_due(ESK, dose_started_at=None, entries={}, observation_ends_at=None) == []
