"""Patient registry API: register, search, read (audited) and update."""

from uuid import UUID

from ninja import Query, Router, Schema, Status
from pydantic import Field

from ketaclinic.core import queries as core_queries
from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.numbers import RANGE_MEANING
from ketaclinic.core.pagination import MAX_PAGE, paginate
from ketaclinic.core.permissions import require

from . import queries, services
from .schemas import (
    PatientIn,
    PatientOut,
    PatientPage,
    PatientPatch,
    WeightRangeIn,
    WeightRangeOut,
)

router = Router(tags=["patients"])


class PatientSearch(Schema):
    q: str = Field("", max_length=200)
    page: int = Field(1, ge=1, le=MAX_PAGE)


@router.post("/patients", response={201: PatientOut})
def register_patient(request, payload: PatientIn):
    """Register a patient. A patient of the clinic with the same name and date of birth makes
    this a 409 (`possible_duplicate`, naming that patient) unless `confirm_duplicate` is true."""
    data = payload.dict()
    confirmed = data.pop("confirm_duplicate")
    patient = services.register_patient(actor=request.auth, duplicate_check=not confirmed, **data)
    return Status(201, patient)


@router.get("/patients", response=PatientPage)
def list_patients(request, filters: Query[PatientSearch]):
    """Patients matching `q` (name words in any order, MRN or date of birth), 25 a page.

    `count` stops at 1,000: past that, `count_is_exact` is false and `pages` counts the pages
    known so far (at least one more than the page asked for).
    """
    page = paginate(queries.search_patients(request.auth, filters.q), filters.page)
    return {
        "items": page.items,
        "count": page.counted,
        "count_is_exact": page.count_is_exact,
        "page": page.page,
        "pages": page.counted_pages,
    }


@router.get("/patients/{patient_id}", response=PatientOut)
def get_patient(request, patient_id: UUID):
    return queries.access_patient(request.auth, patient_id, record_view=True)


@router.patch("/patients/{patient_id}", response=PatientOut)
def update_patient(request, patient_id: UUID, payload: PatientPatch):
    patient = queries.access_patient(request.auth, patient_id, action="patient.update")
    changes = payload.dict(exclude_unset=True)
    required = {
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "race",
        "ethnicity",
        "payer_type",
        "income_band",
        "preferred_language",
    }
    nulls = sorted(k for k, v in changes.items() if v is None and k in required)
    if nulls:
        raise InvalidInput(
            "Required fields cannot be emptied: " + ", ".join(nulls),
            fields=dict.fromkeys(nulls, "cannot be null"),
        )
    changes = {k: ("" if v is None and k != "weight_kg" else v) for k, v in changes.items()}
    return services.update_patient(actor=request.auth, patient=patient, **changes)


def _range_out(found) -> dict:
    return {"min_kg": found.min_kg, "max_kg": found.max_kg, "meaning": RANGE_MEANING}


@router.get("/clinic/weight-range", response=WeightRangeOut)
def get_weight_range(request):
    """The weights the clinic accepts as typed: a data-entry plausibility range it chose."""
    require(request.auth, "patient.view")
    return _range_out(core_queries.plausible_weight_range(request.auth.clinic_id))


@router.put("/clinic/weight-range", response=WeightRangeOut)
def set_weight_range(request, payload: WeightRangeIn):
    """Choose the range (inside 20-400 kg); every weight entry and dose path uses it."""
    row = services.set_weight_range(actor=request.auth, **payload.dict())
    return _range_out(row)
