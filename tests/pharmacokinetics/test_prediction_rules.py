"""What a prediction says: plan checks, warnings outside a model's population, the threshold."""

import numpy as np
import pytest

from ketaclinic.pharmacokinetics import rules, simulator
from ketaclinic.pharmacokinetics.models_data import MODELS

ADULT = rules.Patient(70.0, 40.0)
STANDARD = [rules.Dose("iv", 35.0, 0.0, 40.0)]


def problems(code, doses, until=240.0, step=1.0):
    with pytest.raises(rules.PlanError) as caught:
        rules.predict(code, ADULT, doses, until_min=until, step_min=step)
    return caught.value.fields


def test_an_unknown_model_is_named_with_the_known_ones():
    fields = problems("marsh_1991", STANDARD)
    assert "model" in fields and "clements_1981" in fields["model"]


def test_overlapping_infusions_are_refused_naming_the_later_one():
    fields = problems(
        "clements_1981", [rules.Dose("iv", 35.0, 0.0, 40.0), rules.Dose("iv", 10.0, 30.0, 20.0)]
    )
    assert list(fields) == ["doses.1.start_min"]
    assert "doses.0" in fields["doses.1.start_min"]


def test_a_bolus_during_an_infusion_and_back_to_back_infusions_are_allowed():
    doses = [
        rules.Dose("iv", 20.0, 0.0, 40.0),
        rules.Dose("iv", 5.0, 20.0, 0.0),
        rules.Dose("iv", 10.0, 40.0, 20.0),
    ]
    result = rules.predict("clements_1981", ADULT, doses, until_min=240, step_min=1)
    assert result.cmax > 0


def test_a_route_the_model_does_not_describe_is_refused():
    fields = problems("clements_1981", [rules.Dose("intranasal", 28.0, time_min=0.0)])
    assert "doses.0.route" in fields
    fields = problems("perez_ruixo_2021", STANDARD)
    assert "doses.0.route" in fields


def test_an_esketamine_device_must_be_the_28_mg_device_of_the_model():
    fields = problems("perez_ruixo_2021", [rules.Dose("intranasal", 56.0, time_min=0.0)])
    assert "28 mg" in fields["doses.0.mg"]


def test_each_route_needs_its_own_time_fields():
    assert set(problems("clements_1981", [rules.Dose("iv", 35.0, start_min=0.0)])) == {
        "doses.0.duration_min"
    }
    fields = problems("perez_ruixo_2021", [rules.Dose("intranasal", 28.0, start_min=0.0)])
    assert "doses.0.time_min" in fields


def test_doses_after_the_span_and_spans_too_long_or_too_fine_are_refused():
    assert "doses.0.start_min" in problems("clements_1981", [rules.Dose("iv", 35.0, 250.0, 40.0)])
    assert "until_min" in problems("clements_1981", STANDARD, until=1441.0)
    assert "step_min" in problems("clements_1981", STANDARD, until=1440.0, step=0.1)
    assert "step_min" in problems("clements_1981", STANDARD, until=240.0, step=1e-320)


def test_the_grid_ends_exactly_at_the_end_of_the_span():
    assert rules.time_grid(240.0, 1.0)[-1] == 240.0
    grid = rules.time_grid(100.0, 7.0)
    assert grid[-1] == 100.0 and grid[-2] == 98.0


def test_an_intensive_care_model_always_warns_an_outpatient():
    result = rules.predict("hijazi_2003", ADULT, STANDARD, until_min=240, step_min=1)
    assert any("intensive care" in w for w in result.warnings)
    clements = rules.predict("clements_1981", ADULT, STANDARD, until_min=240, step_min=1)
    assert clements.warnings == ()


@pytest.mark.parametrize(
    ("patient", "start", "studied"),
    [
        (rules.Patient(70.0, 90.0, ancestry="non_asian"), "Age 90", "18-86 years"),
        (rules.Patient(70.0, 16.0, ancestry="non_asian"), "Age 16", "18-86 years"),
        (rules.Patient(30.0, 40.0, ancestry="non_asian"), "Weight 30", "39-170 kg"),
    ],
)
def test_a_patient_outside_the_population_studied_gets_a_warning(patient, start, studied):
    doses = [rules.Dose("intranasal", 28.0, time_min=t) for t in (0.0, 5.0)]
    result = rules.predict("perez_ruixo_2021", patient, doses, until_min=240, step_min=1)
    assert [w for w in result.warnings if w.startswith(start) and studied in w]


def test_a_patient_inside_the_population_gets_no_range_warning():
    doses = [rules.Dose("intranasal", 28.0, time_min=t) for t in (0.0, 5.0)]
    patient = rules.Patient(70.0, 45.0, ancestry="non_asian")
    result = rules.predict("perez_ruixo_2021", patient, doses, until_min=240, step_min=1)
    assert result.warnings == ()


def test_esketamine_without_ancestry_and_devices_too_close_are_flagged():
    doses = [rules.Dose("intranasal", 28.0, time_min=t) for t in (0.0, 2.0)]
    result = rules.predict(
        "perez_ruixo_2021", rules.Patient(70.0, 45.0), doses, until_min=240, step_min=1
    )
    assert any("ancestry" in w for w in result.warnings)
    assert any("5 minutes between devices" in w for w in result.warnings)


def test_ancestry_changes_the_prediction_as_the_paper_reports():
    doses = [rules.Dose("intranasal", 28.0, time_min=t) for t in (0.0, 5.0)]

    def peak(ancestry):
        patient = rules.Patient(70.0, 45.0, ancestry=ancestry)
        return rules.predict("perez_ruixo_2021", patient, doses, until_min=240, step_min=1).cmax

    # Japanese ancestry raises the nasal fraction, hence the peak (Table 4: 94.5 vs 72.5 ng/mL)
    assert peak("japanese") == pytest.approx(94.5, rel=0.05)
    assert peak("non_asian") == pytest.approx(72.5, rel=0.05)


def test_the_threshold_crossing_is_found_between_grid_points():
    # Given 0.5 mg/kg over 40 minutes and a threshold of 100 ng/mL
    result = rules.predict(
        "clements_1981", ADULT, STANDARD, until_min=240, step_min=5, threshold=100.0
    )
    crossing = result.below_threshold_from
    # Then the plasma concentration is above 100 just before that time and below just after
    model = MODELS["clements_1981"]
    system = rules.system_for(model, ADULT)
    inputs = rules.inputs_for(model, system, ADULT, STANDARD)
    around = simulator.curve(system, inputs, np.array([0.0, crossing - 0.01, crossing + 0.01]))
    assert around.plasma[1] > 100.0 > around.plasma[2]
    assert crossing % 5 != 0


def test_a_threshold_never_reached_or_never_left():
    never_above = rules.predict(
        "clements_1981", ADULT, STANDARD, until_min=240, step_min=1, threshold=1000.0
    )
    assert never_above.below_threshold_from == 0.0
    still_above = rules.predict(
        "clements_1981", ADULT, STANDARD, until_min=60, step_min=1, threshold=50.0
    )
    assert still_above.below_threshold_from is None
    assert any("still at or above 50" in w for w in still_above.warnings)


def test_the_area_under_the_curve_is_exact_not_a_coarse_trapezoid():
    coarse = rules.predict("domino_1982", ADULT, STANDARD, until_min=120, step_min=20)
    fine = rules.predict("domino_1982", ADULT, STANDARD, until_min=120, step_min=0.05)
    trapezoid = np.trapezoid(fine.plasma, fine.times)
    assert coarse.auc == pytest.approx(fine.auc, rel=1e-9)
    assert fine.auc == pytest.approx(trapezoid, rel=1e-4)


def test_models_without_a_published_ke0_have_no_effect_site_curve():
    for code, model in MODELS.items():
        has_ke0 = any(p.name == "ke0" for p in model.parameters)
        assert model.has_effect_site == has_ke0, code
    result = rules.predict("clements_1981", ADULT, STANDARD, until_min=240, step_min=1)
    assert result.effect is None


def test_every_parameter_names_its_source_and_every_model_its_citation():
    for model in MODELS.values():
        assert model.citation.pmid or model.citation.doi
        assert all(p.source for p in model.parameters)
        assert model.provenance and model.validity.population


def test_a_near_defective_system_falls_back_to_matrix_exponentials():
    # Given an absorption rate equal to the elimination rate (repeated eigenvalue)
    a = np.array([[-0.1, 0.0, 0.0, 0.0], [0.1, -0.1, 0.0, 0.0], [0, 1.0, 0, 0], [0, 0.1, 0, 0]])
    system = simulator.LinearSystem(
        ("depot", "central", "auc", "eliminated"),
        a,
        central=1,
        volume_l=10.0,
        auc=2,
        eliminated=3,
        mass=(0, 1),
    )
    result = simulator.curve(system, [simulator.Input(0, 0.0, 0.0, 10.0)], np.arange(0.0, 61.0))
    # Then the result is the textbook k t exp(-k t) curve
    t = np.arange(0.0, 61.0)
    expected = 10.0 * 0.1 * t * np.exp(-0.1 * t) / 10.0 * 1000.0
    assert not system.modal
    assert np.allclose(result.plasma, expected, rtol=1e-8, atol=1e-8)


def test_the_time_below_a_threshold_counts_a_peak_between_grid_points():
    # a bolus at minute 5 peaks near 285 ng/mL between the points of a 10-minute grid
    patient = rules.Patient(weight_kg=70, age_years=40)
    doses = [rules.Dose("iv", 35.0, start_min=5.0, duration_min=0.0)]

    def below(step):
        return rules.predict(
            "clements_1981", patient, doses, until_min=240, step_min=step, threshold=270
        )

    fine, coarse = below(0.1), below(10)
    assert fine.cmax > 270 and coarse.cmax < 270
    assert 5 < fine.below_threshold_from < 10
    assert abs(coarse.below_threshold_from - fine.below_threshold_from) < 0.1
    # a threshold never reached still answers 0
    assert (
        rules.predict(
            "clements_1981", patient, doses, until_min=240, step_min=10, threshold=400
        ).below_threshold_from
        == 0
    )
