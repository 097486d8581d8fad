"""Every vitals and sedation alert rule fires at its threshold and not below it."""

from dataclasses import replace
from decimal import Decimal

import pytest

from ketaclinic.protocols.definitions import PROTOCOLS
from ketaclinic.treatments.rules import (
    Vitals,
    moaas_alerts,
    pre_dose_bp_needs_decision,
    validate_vitals,
    vitals_alerts,
)

IV = PROTOCOLS["iv_ketamine"]
ESK = PROTOCOLS["esketamine_trd"]
BASELINE = Vitals(systolic=130, diastolic=80, heart_rate=72, spo2=98, resp_rate=14)
CALM = Vitals(systolic=135, diastolic=82, heart_rate=75, spo2=97, resp_rate=14)


def codes(alerts):
    return [a.code for a in alerts]


def test_calm_vitals_raise_nothing():
    assert vitals_alerts(IV.alerts, CALM, BASELINE) == []
    assert vitals_alerts(ESK.alerts, CALM, BASELINE) == []


def test_185_over_95_during_an_iv_session_raises_hypertension():
    # given a baseline of 160/85 so the rise alone would not fire
    baseline = Vitals(systolic=160, diastolic=85)

    alerts = vitals_alerts(IV.alerts, Vitals(systolic=185, diastolic=95), baseline)

    assert codes(alerts) == ["hypertension"]
    assert alerts[0].message == "Hypertension: systolic BP 185 ≥ 180"
    assert "verify" in alerts[0].source


@pytest.mark.parametrize(
    ("protocol", "systolic", "diastolic", "fires"),
    [
        (IV, 179, 99, False),
        (IV, 180, 80, True),
        (IV, 150, 100, True),
        (ESK, 179, 109, False),
        (ESK, 180, 80, True),
        (ESK, 150, 110, True),
        (ESK, 150, 105, False),
    ],
)
def test_hypertension_thresholds_per_protocol(protocol, systolic, diastolic, fires):
    # no baseline: only the absolute thresholds are tested here
    alerts = vitals_alerts(protocol.alerts, Vitals(systolic=systolic, diastolic=diastolic), None)

    assert ("hypertension" in codes(alerts)) is fires


@pytest.mark.parametrize(
    ("systolic", "diastolic", "fires"),
    [(169, 104, False), (170, 80, True), (140, 105, True)],
)
def test_a_rise_of_40_systolic_or_25_diastolic_from_baseline_raises_bp_rise(
    systolic, diastolic, fires
):
    alerts = vitals_alerts(ESK.alerts, Vitals(systolic=systolic, diastolic=diastolic), BASELINE)

    assert ("bp_rise" in codes(alerts)) is fires


@pytest.mark.parametrize(
    ("field", "value", "code", "fires"),
    [
        ("heart_rate", 110, "tachycardia", False),
        ("heart_rate", 111, "tachycardia", True),
        ("heart_rate", 50, "bradycardia", False),
        ("heart_rate", 49, "bradycardia", True),
        ("spo2", 92, "hypoxemia", False),
        ("spo2", 91, "hypoxemia", True),
        ("resp_rate", 10, "bradypnea", False),
        ("resp_rate", 9, "bradypnea", True),
    ],
)
def test_heart_rate_oxygen_and_breathing_rules(field, value, code, fires):
    for protocol in (IV, ESK):
        alerts = vitals_alerts(protocol.alerts, replace(CALM, **{field: value}), BASELINE)
        assert (code in codes(alerts)) is fires


@pytest.mark.parametrize(("score", "fires"), [(0, True), (2, True), (3, False), (5, False)])
def test_moaas_of_2_or_less_raises_deep_sedation(score, fires):
    assert ("oversedation" in codes(moaas_alerts(ESK.alerts, score))) is fires


def test_one_entry_can_raise_several_alerts_each_once():
    alerts = vitals_alerts(
        IV.alerts,
        Vitals(systolic=200, diastolic=120, heart_rate=130, spo2=88, resp_rate=8),
        BASELINE,
    )

    assert codes(alerts) == ["hypertension", "bp_rise", "tachycardia", "hypoxemia", "bradypnea"]


def test_a_clinic_can_change_a_threshold_without_code():
    # given a clinic copy with systolic hypertension at 170
    rules = tuple(
        replace(r, value=Decimal("170"))
        if (r.code, r.measure) == ("hypertension", "systolic")
        else r
        for r in IV.alerts
    )

    assert codes(vitals_alerts(rules, Vitals(systolic=172, diastolic=80), None)) == ["hypertension"]


@pytest.mark.parametrize(
    ("systolic", "diastolic", "needs"),
    [(140, 90, False), (141, 80, True), (130, 91, True)],
)
def test_esketamine_pre_dose_bp_above_140_over_90_needs_a_prescriber_decision(
    systolic, diastolic, needs
):
    assert (
        pre_dose_bp_needs_decision(ESK.pre_dose, Vitals(systolic=systolic, diastolic=diastolic))
        is needs
    )


def test_pre_dose_decision_is_not_needed_without_a_bp():
    assert pre_dose_bp_needs_decision(ESK.pre_dose, None) is False
    assert pre_dose_bp_needs_decision(ESK.pre_dose, Vitals(heart_rate=80)) is False


def test_impossible_vitals_are_refused_with_the_field_named():
    errors = validate_vitals(Vitals(systolic=80, diastolic=120, heart_rate=400, spo2=101))

    assert set(errors) == {"diastolic", "heart_rate", "spo2"}


def test_a_bp_needs_both_numbers_and_an_entry_needs_a_value():
    assert validate_vitals(Vitals(systolic=120)) == {
        "diastolic": "blood pressure needs both systolic and diastolic"
    }
    assert "vitals" in validate_vitals(Vitals())
    assert validate_vitals(CALM) == {}
