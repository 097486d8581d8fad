"""Built-in protocols carry the reference values with sources and survive a JSON round trip."""

from dataclasses import fields, is_dataclass
from decimal import Decimal

import pytest

from ketaclinic.protocols.definitions import PROTOCOLS, ProtocolDefinition
from ketaclinic.protocols.editing import from_data, merge_changes, to_data, validate_definition
from ketaclinic.protocols.queries import UnknownProtocol, protocol_facts


def alert(code, measure, protocol):
    return next(r for r in PROTOCOLS[protocol].alerts if r.code == code and r.measure == measure)


def test_the_five_built_in_protocols_exist_with_drug_route_and_consent_type():
    assert {code: (p.drug, p.consent_type) for code, p in PROTOCOLS.items()} == {
        "iv_ketamine": ("ketamine", "ketamine_off_label"),
        "esketamine_trd": ("esketamine", "esketamine_rems"),
        "esketamine_mdsi": ("esketamine", "esketamine_rems"),
        "im_ketamine": ("ketamine", "ketamine_off_label"),
        "oral_ketamine": ("ketamine", "ketamine_off_label"),
    }


def test_iv_ketamine_defaults_to_half_a_mg_per_kg_over_40_minutes_within_the_practice_range():
    dose = PROTOCOLS["iv_ketamine"].dose

    assert (dose.default_mg_per_kg, dose.default_duration_min) == (Decimal("0.5"), 40)
    assert (dose.min_mg_per_kg, dose.max_mg_per_kg) == (Decimal("0.5"), Decimal("1.0"))
    assert (dose.min_duration_min, dose.max_duration_min) == (40, 60)
    assert "Sanacora" in dose.source


def test_iv_monitoring_is_every_10_minutes_during_and_15_after_the_infusion():
    monitoring = PROTOCOLS["iv_ketamine"].monitoring

    assert (monitoring.during_infusion_every_min, monitoring.after_infusion_every_min) == (10, 15)
    assert "Emory" in monitoring.source


def test_esketamine_observation_is_120_minutes_from_the_first_device():
    observation = PROTOCOLS["esketamine_trd"].observation

    assert (observation.minimum_min, observation.measured_from) == (120, "first_device")


def test_esketamine_pre_dose_bp_threshold_is_140_over_90_and_marked_verify():
    rule = PROTOCOLS["esketamine_trd"].pre_dose

    assert (rule.systolic_above, rule.diastolic_above) == (Decimal("140"), Decimal("90"))
    assert "verify" in rule.source


def test_iv_hypertension_is_180_over_100_as_the_reference_says_and_marked_verify():
    assert alert("hypertension", "systolic", "iv_ketamine").value == Decimal("180")
    assert alert("hypertension", "diastolic", "iv_ketamine").value == Decimal("100")
    assert "verify" in alert("hypertension", "diastolic", "iv_ketamine").source


def test_esketamine_hypertension_is_the_issue_example_180_over_110_and_marked_verify():
    assert alert("hypertension", "diastolic", "esketamine_trd").value == Decimal("110")
    assert "verify" in alert("hypertension", "diastolic", "esketamine_trd").source


def test_discharge_needs_aldrete_9_moaas_5_and_an_escort():
    for code in ("iv_ketamine", "esketamine_trd", "esketamine_mdsi"):
        criteria = PROTOCOLS[code].discharge
        assert (criteria.aldrete_min, criteria.moaas_required, criteria.escort_required) == (
            9,
            5,
            True,
        )
        assert criteria.bp_within_pct_of_baseline == Decimal("20")


def test_every_rule_of_every_protocol_names_its_source():
    # a value with its own source field (e.g. min_gap_days -> min_gap_source) needs it when set
    companions = {
        "first_dose_age_65_source": "first_dose_mg_age_65_plus",
        "min_gap_source": "min_gap_days",
        "effects_source": "effects_resolved_required",
        "max_dose_source": "max_dose_mg",
    }

    def walk(value, path):
        if is_dataclass(value):
            for f in fields(value):
                described = companions.get(f.name)
                if f.name == "source" or (described and getattr(value, described)):
                    assert getattr(value, f.name), f"{path}.{f.name} has no source"
                walk(getattr(value, f.name), f"{path}.{f.name}")
        elif isinstance(value, tuple):
            for n, item in enumerate(value):
                walk(item, f"{path}[{n}]")

    for code, protocol in PROTOCOLS.items():
        walk(protocol, code)


def test_exposure_limits_say_they_are_configurable_and_not_from_the_reference():
    for code in ("iv_ketamine", "esketamine_trd", "esketamine_mdsi"):
        source = PROTOCOLS[code].exposure.source
        assert "verify; configurable" in source


def test_clinic_defined_placeholders_are_unusable_and_say_what_to_configure():
    for code in ("im_ketamine", "oral_ketamine"):
        protocol = PROTOCOLS[code]
        assert protocol.configured is False
        assert protocol.phases == ()
        assert protocol.dose.max_dose_mg is None
        assert "clinic must configure" in protocol.dose.source
        assert protocol.needs_configuration


@pytest.mark.parametrize("code", sorted(PROTOCOLS))
def test_a_protocol_survives_a_json_round_trip(code):
    protocol = PROTOCOLS[code]

    assert from_data(ProtocolDefinition, to_data(protocol)) == protocol


def test_a_clinic_change_is_merged_into_the_definition():
    data = to_data(PROTOCOLS["iv_ketamine"])

    changed = from_data(
        ProtocolDefinition,
        merge_changes(data, {"observation": {"minimum_min": 60}, "dose": {"max_dose_mg": "70"}}),
    )

    assert changed.observation.minimum_min == 60
    assert changed.dose.max_dose_mg == Decimal("70")
    assert changed.dose.default_mg_per_kg == Decimal("0.5")


def test_a_clinic_edit_that_breaks_the_dose_range_is_refused():
    data = merge_changes(to_data(PROTOCOLS["iv_ketamine"]), {"dose": {"default_mg_per_kg": "2"}})

    problems = validate_definition(from_data(ProtocolDefinition, data))

    assert problems == ["dose: min_mg_per_kg <= default_mg_per_kg <= max_mg_per_kg must hold"]


def test_configuring_a_placeholder_needs_dose_values_and_a_schedule():
    data = merge_changes(to_data(PROTOCOLS["oral_ketamine"]), {"configured": True})

    problems = validate_definition(from_data(ProtocolDefinition, data))

    assert "dose.allowed_doses_mg must list at least one dose" in problems
    assert "at least one schedule phase is needed" in problems


def test_the_built_ins_are_valid():
    for protocol in PROTOCOLS.values():
        assert validate_definition(protocol) == []


def test_protocol_facts_of_a_built_in_code():
    facts = protocol_facts(None, "esketamine_trd")

    assert (facts.code, facts.drug, facts.route, facts.consent_type) == (
        "esketamine_trd",
        "esketamine",
        "intranasal",
        "esketamine_rems",
    )


def test_protocol_facts_of_an_unknown_code_raise_unknown_protocol():
    with pytest.raises(UnknownProtocol):
        protocol_facts(None, "laughing_gas")
