"""API input and output shapes of the pharmacokinetic simulator."""

from typing import Literal

from ninja import Schema
from pydantic import Field

# Sanity bounds on what one request may carry (not clinical limits).
MAX_DOSES = 50
MAX_MG = 10_000


def _optional_minutes(description: str):
    """An optional time in minutes (0 or more) of a dose."""
    return Field(None, ge=0, allow_inf_nan=False, description=description)


class DoseIn(Schema):
    route: Literal["iv", "intranasal"]
    mg: float = Field(
        gt=0, le=MAX_MG, allow_inf_nan=False, description="Amount of drug in mg (must be above 0)."
    )
    start_min: float | None = _optional_minutes(
        "Intravenous: minutes from the start of the session."
    )
    duration_min: float | None = _optional_minutes(
        "Intravenous: infusion length in minutes; 0 for a bolus."
    )
    time_min: float | None = _optional_minutes(
        "Intranasal: minutes from the start when the device is used."
    )


class SimulateIn(Schema):
    model: str = Field(description="A model code from GET /api/v1/pk/models.")
    weight_kg: float = Field(gt=0, le=400, allow_inf_nan=False)
    age_years: float = Field(ge=0, le=120, allow_inf_nan=False)
    sex: Literal["female", "male"] | None = None
    height_cm: float | None = Field(None, gt=0, le=275, allow_inf_nan=False)
    ancestry: Literal["non_asian", "asian_non_japanese", "japanese"] | None = Field(
        None, description="Used by models with an ancestry covariate (Perez-Ruixo 2021)."
    )
    doses: list[DoseIn] = Field(min_length=1, max_length=MAX_DOSES)
    until_min: float = Field(
        240, gt=0, allow_inf_nan=False, description="End of the simulated span, minutes."
    )
    step_min: float = Field(
        1, gt=0, allow_inf_nan=False, description="Spacing of the time grid, minutes."
    )
    threshold_ng_per_ml: float | None = Field(
        None,
        gt=0,
        allow_inf_nan=False,
        description="Report when plasma concentration stays below this level.",
    )


class CitationOut(Schema):
    authors: str
    year: int
    title: str
    journal: str
    volume: str
    pages: str
    pmid: str
    doi: str
    text: str


class ParameterOut(Schema):
    name: str
    value: float
    unit: str
    meaning: str
    source: str


class CovariateOut(Schema):
    name: str
    unit: str
    effect: str


class ValidityOut(Schema):
    population: str
    age_years: list[float] | None
    weight_kg: list[float] | None
    routes: list[str]


class ModelOut(Schema):
    code: str
    name: str
    drug: str
    compartments: int
    effect_site: bool
    routes: list[str]
    device_mg: float | None
    parameters: list[ParameterOut]
    covariates: list[CovariateOut]
    validity: ValidityOut
    provenance: str
    limits: list[str]
    citation: CitationOut


class ModelSummaryOut(Schema):
    code: str
    name: str
    drug: str
    citation: CitationOut


class SimulateOut(Schema):
    decision_support_note: str
    model: ModelSummaryOut
    times_min: list[float]
    plasma_ng_per_ml: list[float]
    effect_site_ng_per_ml: list[float] | None
    cmax_ng_per_ml: float
    tmax_min: float
    auc_ng_min_per_ml: float = Field(description="Exact area under the plasma curve to until_min.")
    threshold_ng_per_ml: float | None
    below_threshold_from_min: float | None = Field(
        description="Time after which plasma stays below the threshold within the span; null "
        "without a threshold or when still above it at until_min."
    )
    warnings: list[str]


class ModelsOut(Schema):
    decision_support_note: str
    models: list[ModelOut]
