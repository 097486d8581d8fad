"""Pharmacokinetics API: the published models and a simulation of a planned dose."""

from dataclasses import fields

from ninja import Router

from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.permissions import require

from . import rules
from .models_data import MODELS, PKModel
from .schemas import ModelsOut, SimulateIn, SimulateOut

router = Router(tags=["pharmacokinetics"])


def _citation(model: PKModel) -> dict:
    return vars(model.citation) | {"text": model.citation.text()}


def _model(model: PKModel) -> dict:
    validity = model.validity
    return {
        "code": model.code,
        "name": model.name,
        "drug": model.drug,
        "compartments": model.compartments,
        "effect_site": model.has_effect_site,
        "routes": list(model.routes),
        "device_mg": model.device_mg,
        "parameters": [vars(p) for p in model.parameters],
        "covariates": [vars(c) for c in model.covariates],
        "validity": {
            "population": validity.population,
            "age_years": list(validity.age_years) if validity.age_years else None,
            "weight_kg": list(validity.weight_kg) if validity.weight_kg else None,
            "routes": list(model.routes),
        },
        "provenance": model.provenance,
        "limits": list(model.limits),
        "citation": _citation(model),
    }


@router.get("/pk/models", response=ModelsOut)
def list_models(request):
    """Every shipped model with its parameters, covariates, validity and source."""
    require(request.auth, "pk.view_models")
    return {
        "decision_support_note": rules.DECISION_SUPPORT_NOTE,
        "models": [_model(m) for m in MODELS.values()],
    }


def _rounded(values) -> list[float]:
    return [round(float(v), 4) for v in values]


@router.post("/pk/simulate", response=SimulateOut)
def simulate(request, payload: SimulateIn):
    """Predicted plasma (and effect-site) concentrations of a planned dose: decision support."""
    require(request.auth, "pk.simulate")
    patient = rules.Patient(**{f.name: getattr(payload, f.name) for f in fields(rules.Patient)})
    doses = [rules.Dose(**dose.dict()) for dose in payload.doses]
    try:
        prediction = rules.predict(
            payload.model,
            patient,
            doses,
            until_min=payload.until_min,
            step_min=payload.step_min,
            threshold=payload.threshold_ng_per_ml,
        )
    except rules.PlanError as error:
        raise InvalidInput(
            "This dose plan cannot be simulated: " + ", ".join(sorted(error.fields)),
            fields=error.fields,
        ) from None
    model = prediction.model
    return {
        "decision_support_note": rules.DECISION_SUPPORT_NOTE,
        "model": {
            "code": model.code,
            "name": model.name,
            "drug": model.drug,
            "citation": _citation(model),
        },
        "times_min": _rounded(prediction.times),
        "plasma_ng_per_ml": _rounded(prediction.plasma),
        "effect_site_ng_per_ml": (
            _rounded(prediction.effect) if prediction.effect is not None else None
        ),
        "cmax_ng_per_ml": round(prediction.cmax, 4),
        "tmax_min": round(prediction.tmax, 4),
        "auc_ng_min_per_ml": round(prediction.auc, 2),
        "threshold_ng_per_ml": prediction.threshold,
        "below_threshold_from_min": (
            round(prediction.below_threshold_from, 2)
            if prediction.below_threshold_from is not None
            else None
        ),
        "warnings": list(prediction.warnings),
    }
