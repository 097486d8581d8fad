"""Discharge criteria: each one on its own, all unmet ones listed, Aldrete and baseline range."""

import datetime
from dataclasses import replace

import pytest

from ketaclinic.protocols.definitions import PROTOCOLS
from ketaclinic.treatments.rules import (
    DischargeFacts,
    Vitals,
    aldrete_total,
    bp_within_baseline,
    evaluate_discharge,
    observation_ends_at,
)

ESK = PROTOCOLS["esketamine_trd"]
IV = PROTOCOLS["iv_ketamine"]
T0 = datetime.datetime(2025, 5, 5, 9, 0, tzinfo=datetime.UTC)
BASELINE = Vitals(systolic=130, diastolic=80, heart_rate=72, spo2=98, resp_rate=14)
READY = DischargeFacts(
    now=T0 + datetime.timedelta(minutes=125),
    dose_started_at=T0,
    baseline=BASELINE,
    latest_vitals=Vitals(systolic=138, diastolic=84, heart_rate=76, spo2=97, resp_rate=14),
    aldrete=10,
    moaas=5,
    escort_present=True,
)


def unmet(protocol, facts):
    return [issue.code for issue in evaluate_discharge(protocol, facts)]


def test_a_patient_meeting_every_criterion_may_leave():
    assert unmet(ESK, READY) == []


def test_esketamine_discharge_before_120_minutes_names_the_observation_time():
    facts = replace(READY, now=T0 + datetime.timedelta(minutes=119))

    issues = evaluate_discharge(ESK, facts)

    assert [i.code for i in issues] == ["observation_time"]
    assert "120 min from the first device; 119 min have passed" in issues[0].message


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"aldrete": 8}, "aldrete"),
        ({"aldrete": None}, "aldrete"),
        ({"moaas": 4}, "moaas"),
        ({"moaas": None}, "moaas"),
        ({"escort_present": False}, "escort"),
        ({"unresolved_effects": ("dissociation",)}, "effects"),
        ({"open_alerts": 1}, "open_alerts"),
        ({"latest_vitals": None}, "vitals"),
        ({"latest_vitals": Vitals(systolic=160, diastolic=84)}, "vitals"),
        ({"latest_vitals": Vitals(systolic=130, diastolic=80, spo2=90)}, "vitals"),
        ({"dose_started_at": None}, "dose_not_given"),
    ],
)
def test_each_criterion_blocks_discharge_on_its_own(change, code):
    assert unmet(ESK, replace(READY, **change)) == [code]


def test_every_unmet_criterion_is_listed_at_once():
    facts = replace(
        READY,
        now=T0 + datetime.timedelta(minutes=30),
        aldrete=7,
        moaas=3,
        escort_present=False,
        open_alerts=2,
    )

    assert unmet(ESK, facts) == ["observation_time", "aldrete", "moaas", "escort", "open_alerts"]


def test_an_iv_patient_cannot_leave_while_the_infusion_runs():
    facts = replace(READY, infusion=True, infusion_ended_at=None)

    assert unmet(IV, facts) == ["infusion_running"]


def test_an_iv_clinic_copy_counts_observation_from_the_infusion_end():
    # given a clinic copy of IV ketamine with 30 min observation after the infusion
    protocol = replace(IV, observation=replace(IV.observation, minimum_min=30))
    ended = T0 + datetime.timedelta(minutes=40)
    facts = replace(
        READY, infusion=True, infusion_ended_at=ended, now=ended + datetime.timedelta(minutes=20)
    )

    issues = evaluate_discharge(protocol, facts)

    assert [i.code for i in issues] == ["observation_time"]
    assert "30 min from the infusion end; 20 min have passed" in issues[0].message
    assert observation_ends_at(protocol.observation, T0, ended) == ended + datetime.timedelta(
        minutes=30
    )


def test_bp_within_20_percent_of_baseline():
    assert bp_within_baseline(
        Vitals(systolic=156, diastolic=96), BASELINE, ESK.discharge.bp_within_pct_of_baseline
    )
    assert not bp_within_baseline(
        Vitals(systolic=157, diastolic=80), BASELINE, ESK.discharge.bp_within_pct_of_baseline
    )
    assert not bp_within_baseline(
        Vitals(systolic=130, diastolic=63), BASELINE, ESK.discharge.bp_within_pct_of_baseline
    )
    assert not bp_within_baseline(
        Vitals(heart_rate=70), BASELINE, ESK.discharge.bp_within_pct_of_baseline
    )


def test_the_modified_aldrete_score_is_the_sum_of_five_items_scored_0_to_2():
    items = {
        "activity": 2,
        "respiration": 2,
        "circulation": 2,
        "consciousness": 1,
        "oxygen_saturation": 2,
    }

    assert aldrete_total(items) == 9


def test_an_incomplete_or_out_of_range_aldrete_is_refused_naming_the_items():
    with pytest.raises(ValueError, match="missing: oxygen_saturation; must be 0-2: activity"):
        aldrete_total({"activity": 3, "respiration": 2, "circulation": 2, "consciousness": 2})
