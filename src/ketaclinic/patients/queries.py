"""Reads of the patient registry, always scoped to the actor's clinic."""

import re
import uuid
from datetime import date, datetime

from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import NotFound
from ketaclinic.core.permissions import require

from . import search
from .models import Patient, PlausibleWeightRange
from .rules import DEFAULT_WEIGHT_RANGE, WeightRange

_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y")
# The list's order; the id breaks ties so that pages never repeat or skip a patient.
LIST_ORDER = ("family_name", "given_name", "date_of_birth", "id")
# What a list row shows (the page and the API's PatientSummary): nothing more is read.
LIST_FIELDS = ("id", "clinic_id", "mrn", "given_name", "family_name", "date_of_birth", "sex")


def parse_search_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def search_patients(user, q: str = ""):
    """Patients of the user's clinic matching a name, an MRN or a date of birth (list rows).

    A date (in any of the three formats) finds that date of birth; otherwise the MRN matches
    exactly (any case) or every word of `q` must match the name, in any order (search.py).
    Rows carry LIST_FIELDS only; other fields would be read one query per row.
    """
    require(user, "patient.view")
    patients = Patient.objects.visible_to(user).only(*LIST_FIELDS)
    q = (q or "").strip()
    if q and (dob := parse_search_date(q)) is not None:
        return patients.filter(date_of_birth=dob).order_by(*LIST_ORDER)
    if q:
        return search.matching(patients, q, [w for w in re.split(r"[\s,]+", q) if w])
    return patients.order_by(*LIST_ORDER)


def access_patient(user, patient_id, *, action: str = "patient.view", record_view: bool = False):
    """The patient of the user's clinic, or NotFound (also for other clinics' patients).

    With record_view, writes `patient.viewed`: opening a record is itself audited."""
    require(user, action)
    try:
        patient_id = uuid.UUID(str(patient_id))
    except ValueError:
        raise NotFound("No such patient.") from None
    patient = Patient.objects.visible_to(user).filter(pk=patient_id).first()
    if patient is None:
        raise NotFound("No such patient.")
    if record_view:
        record_event(actor=user, action="patient.viewed", obj=patient, patient=patient)
    return patient


def plausible_weight_range(clinic) -> WeightRange:
    """The clinic's data-entry plausibility range for weights (20-400 kg unless it chose one).

    Every path that takes a weight (patient record, check-in, course planning, the dose
    calculator and the dose order) checks it against this one range.
    """
    row = PlausibleWeightRange.objects.filter(clinic_id=getattr(clinic, "pk", clinic)).first()
    return WeightRange(row.min_kg, row.max_kg) if row else DEFAULT_WEIGHT_RANGE


def weight_errors(clinic, value, *, field: str = "weight_kg") -> dict[str, str]:
    """{field: what must hold} when a weight is not a plausible plain number; else {}."""
    if value is None:
        return {}
    problem = plausible_weight_range(clinic).problem(value)
    return {field: problem} if problem else {}
