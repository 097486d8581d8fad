"""The /pk API: a simulation a prescriber can read, the models with their sources, and 422s that
name the field at fault."""

import pytest

pytestmark = pytest.mark.django_db

STANDARD = {
    "model": "clements_1981",
    "weight_kg": 70,
    "age_years": 40,
    "sex": "female",
    "height_cm": 170,
    "doses": [{"route": "iv", "start_min": 0, "duration_min": 40, "mg": 35}],
    "until_min": 240,
    "step_min": 1,
}


def with_changes(**changes):
    return {**STANDARD, **changes}


def test_a_prescriber_sees_the_predicted_curve_labelled_as_decision_support(api, prescriber):
    response = api(prescriber).post("/pk/simulate", with_changes(threshold_ng_per_ml=100))
    assert response.status_code == 200, response.content
    body = response.json()
    assert "Decision support only" in body["decision_support_note"]
    assert len(body["times_min"]) == len(body["plasma_ng_per_ml"]) == 241
    assert body["effect_site_ng_per_ml"] is None
    assert body["tmax_min"] == 40
    assert body["cmax_ng_per_ml"] == pytest.approx(177.3, abs=0.1)
    assert body["auc_ng_min_per_ml"] > 0
    assert 40 < body["below_threshold_from_min"] < 240
    assert body["model"]["citation"]["pmid"] == "7459184"
    assert "Br J Anaesth" in body["model"]["citation"]["text"]
    assert body["warnings"] == []


def test_an_esketamine_session_gives_warnings_and_no_effect_site(api, nurse):
    devices = [{"route": "intranasal", "time_min": t, "mg": 28} for t in (0, 5, 10)]
    response = api(nurse).post(
        "/pk/simulate", with_changes(model="perez_ruixo_2021", doses=devices, age_years=88)
    )
    assert response.status_code == 200, response.content
    body = response.json()
    # Hepatic blood flow falls above 60 years: the peak is higher than at 45 (101 ng/mL)
    assert body["cmax_ng_per_ml"] > 101.0
    assert body["effect_site_ng_per_ml"] is None
    assert any("Age 88" in w for w in body["warnings"])
    assert any("ancestry" in w for w in body["warnings"])


def test_the_domino_model_answers_an_effect_site_curve(api, prescriber):
    body = api(prescriber).post("/pk/simulate", with_changes(model="domino_1982")).json()
    assert len(body["effect_site_ng_per_ml"]) == 241


def test_the_model_list_gives_parameters_validity_and_citations(api, auditor):
    response = api(auditor).get("/pk/models")
    assert response.status_code == 200
    models = {m["code"]: m for m in response.json()["models"]}
    assert set(models) == {"clements_1981", "domino_1982", "hijazi_2003", "perez_ruixo_2021"}
    esketamine = models["perez_ruixo_2021"]
    assert esketamine["validity"]["age_years"] == [18.0, 86.0]
    assert esketamine["citation"]["doi"] == "10.1007/s40262-020-00953-4"
    assert {p["name"] for p in esketamine["parameters"]} >= {"FRn", "Fgut", "Vc", "Qh"}
    assert models["hijazi_2003"]["citation"]["pmid"] == "12538370"
    assert models["domino_1982"]["effect_site"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (with_changes(model="propofol_marsh"), "model"),
        (
            with_changes(doses=[{"route": "iv", "start_min": 0, "duration_min": 40, "mg": -5}]),
            "doses.0.mg",
        ),
        (
            with_changes(doses=[{"route": "iv", "start_min": 0, "duration_min": 40, "mg": 0}]),
            "doses.0.mg",
        ),
        (
            with_changes(doses=[{"route": "iv", "start_min": -10, "duration_min": 40, "mg": 5}]),
            "doses.0.start_min",
        ),
        (
            with_changes(
                doses=[
                    {"route": "iv", "start_min": 0, "duration_min": 40, "mg": 35},
                    {"route": "iv", "start_min": 20, "duration_min": 40, "mg": 35},
                ]
            ),
            "doses.1.start_min",
        ),
        (with_changes(until_min=2000), "until_min"),
        (with_changes(step_min=0.001), "step_min"),
        (with_changes(doses=[{"route": "intranasal", "time_min": 0, "mg": 28}]), "doses.0.route"),
        (with_changes(doses=[{"route": "oral", "time_min": 0, "mg": 28}]), "doses.0.route"),
        (with_changes(doses=[]), "doses"),
        (with_changes(weight_kg=0), "weight_kg"),
        (with_changes(threshold_ng_per_ml=-1), "threshold_ng_per_ml"),
        (
            with_changes(
                model="perez_ruixo_2021",
                doses=[{"route": "intranasal", "time_min": 0, "mg": 84}],
            ),
            "doses.0.mg",
        ),
    ],
)
def test_bad_input_answers_422_naming_the_field(api, prescriber, body, field):
    response = api(prescriber).post("/pk/simulate", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"], response.json()


def test_non_finite_numbers_are_refused_not_crashed_on(api, prescriber):
    client = api(prescriber)
    response = client.client.post(
        "/api/v1/pk/simulate",
        data='{"model": "clements_1981", "weight_kg": 70, "age_years": 40, "step_min": Infinity,'
        ' "doses": [{"route": "iv", "start_min": 0, "duration_min": 40, "mg": 35}]}',
        content_type="application/json",
        headers=client.headers,
    )
    assert response.status_code == 422
    assert "step_min" in response.json()["fields"]
