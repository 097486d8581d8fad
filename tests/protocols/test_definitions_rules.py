"""Built-in protocols carry the reference values with sources and survive a JSON round trip."""

import re
from dataclasses import fields, is_dataclass
from decimal import Decimal

import pytest

from ketaclinic.protocols.definitions import PROTOCOLS, ProtocolDefinition
from ketaclinic.protocols.editing import from_data, merge_changes, to_data, validate_definition
from ketaclinic.protocols.queries import UnknownProtocol, protocol_facts


def alert(code, measure, protocol):
    return next(r for r in PROTOCOLS[protocol].alerts if r.code == code and r.measure == measure)


def test_the_built_in_protocols_exist_with_drug_consent_type_and_jurisdiction():
    assert {code: (p.drug, p.consent_type, p.jurisdiction) for code, p in PROTOCOLS.items()} == {
        "iv_ketamine": ("ketamine", "ketamine_off_label", "US-FDA"),
        "esketamine_trd": ("esketamine", "esketamine_rems", "US-FDA"),
        "esketamine_mdsi": ("esketamine", "esketamine_rems", "US-FDA"),
        "esketamine_trd_eu": ("esketamine", "esketamine_rems", "EU-EMA"),
        "im_ketamine": ("ketamine", "ketamine_off_label", "US-FDA"),
        "oral_ketamine": ("ketamine", "ketamine_off_label", "US-FDA"),
    }


def test_the_us_esketamine_protocols_have_no_28_mg_dose_and_cite_the_us_label():
    for code in ("esketamine_trd", "esketamine_mdsi"):
        dose = PROTOCOLS[code].dose
        assert Decimal("28") not in dose.allowed_doses_mg
        assert dose.first_dose_mg_age_65_plus is None
        assert dose.allowed_doses_mg_age_65_plus == ()
        assert "d81a6a79-a74a-44b7-822c-0dfa3036eaed" in dose.source


def test_the_eu_protocol_starts_at_28_mg_from_65_citing_the_smpc_and_has_no_rems_form():
    eu = PROTOCOLS["esketamine_trd_eu"]

    assert eu.dose.first_dose_mg_age_65_plus == Decimal("28")
    assert eu.dose.allowed_doses_mg_age_65_plus == (Decimal("28"), Decimal("56"), Decimal("84"))
    assert "EU SmPC" in eu.dose.age_65_plus_source
    assert (eu.rems_form_required, eu.prescriber_on_site_required) == (False, False)


def test_us_esketamine_pre_checks_need_a_prescriber_on_site_per_the_rems():
    for code in ("esketamine_trd", "esketamine_mdsi"):
        protocol = PROTOCOLS[code]
        assert protocol.prescriber_on_site_required is True
        assert "REMS id 386" in protocol.prescriber_on_site_source
    assert PROTOCOLS["iv_ketamine"].prescriber_on_site_required is False


def test_iv_ketamine_draws_from_the_label_strengths_on_actual_weight_without_a_set_maximum():
    dose = PROTOCOLS["iv_ketamine"].dose

    assert dose.concentrations_mg_per_ml == (Decimal("10"), Decimal("50"), Decimal("100"))
    assert "14e8f864-8b8a-4e7e-8439-e510d3107063" in dose.concentrations_source
    assert dose.must_dilute_mg_per_ml == (Decimal("100"),)
    assert dose.dosing_weight == "actual"
    assert "the clinic's choice" in dose.dosing_weight_source
    assert dose.max_dose_mg is None
    assert "the clinic's choice, not a clinical fact" in dose.max_dose_source


def strings(value, path=""):
    """Every text in a definition, with where it is."""
    if is_dataclass(value):
        for f in fields(value):
            yield from strings(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, tuple):
        for n, item in enumerate(value):
            yield from strings(item, f"{path}[{n}]")
    elif isinstance(value, str):
        yield path, value


@pytest.mark.parametrize("code", sorted(PROTOCOLS))
def test_no_source_a_user_reads_names_an_internal_document_an_issue_or_a_file(code):
    for path, text in strings(PROTOCOLS[code], code):
        assert "clinical.md" not in text, path
        assert not re.search(r"\bissue \d", text, re.IGNORECASE), path
        assert not re.search(r"[\w-]+/[\w./-]+\.(md|py|html)\b", text), path


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


def test_esketamine_hypertension_is_180_over_110_the_label_trial_categories_marked_verify():
    assert alert("hypertension", "diastolic", "esketamine_trd").value == Decimal("110")
    source = alert("hypertension", "diastolic", "esketamine_trd").source
    assert "verify" in source
    assert "Spravato US label" in source


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
        "age_65_plus_source": "first_dose_mg_age_65_plus",
        "min_gap_source": "min_gap_days",
        "effects_source": "effects_resolved_required",
        "max_dose_source": "max_dose_mg",
        "concentrations_source": "concentrations_mg_per_ml",
        "must_dilute_source": "must_dilute_mg_per_ml",
        "prescriber_on_site_source": "prescriber_on_site_required",
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
        if protocol.dose.basis == "mg_per_kg" and protocol.configured:
            assert protocol.dose.dosing_weight_source, f"{code}: dosing weight has no source"


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


@pytest.mark.parametrize(
    ("code", "changes", "problem"),
    [
        (
            "esketamine_trd",
            {"dose": {"allowed_doses_mg": ["28", "56", "84"]}},
            "dose.allowed_doses_mg: the US-FDA label allows 56, 84 mg",
        ),
        (
            "esketamine_trd",
            {"dose": {"first_dose_mg_age_65_plus": "28"}},
            "dose.first_dose_mg_age_65_plus: the US-FDA label has no separate first dose",
        ),
        (
            "esketamine_trd_eu",
            {"dose": {"allowed_doses_mg_age_65_plus": ["14", "28"]}},
            "dose.allowed_doses_mg_age_65_plus: the EU-EMA label allows 28, 56, 84 mg",
        ),
        (
            "iv_ketamine",
            {"dose": {"concentrations_mg_per_ml": ["10", "20"]}},
            "dose.concentrations_mg_per_ml: only the marketed strengths 10, 50, 100 mg/mL",
        ),
        ("iv_ketamine", {"dose": {"dosing_weight": "lean"}}, "dose.dosing_weight must be one of"),
        ("iv_ketamine", {"jurisdiction": "UK-MHRA"}, "jurisdiction must be one of US-FDA, EU-EMA"),
        (
            "iv_ketamine",
            {"dose": {"syringe_step_ml": "0.005"}},
            "dose.syringe_step_ml must be a multiple of 0.01 mL",
        ),
    ],
)
def test_a_clinic_copy_may_narrow_the_label_but_never_widen_it(code, changes, problem):
    data = merge_changes(to_data(PROTOCOLS[code]), changes)

    problems = validate_definition(from_data(ProtocolDefinition, data))

    assert any(p.startswith(problem) for p in problems), problems


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
