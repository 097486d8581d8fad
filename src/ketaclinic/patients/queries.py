"""Reads of the patient registry, always scoped to the actor's clinic."""

import re
import uuid
from datetime import date, datetime

from django.db.models import Q

from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import NotFound
from ketaclinic.core.permissions import require

from .models import Patient, PlausibleWeightRange
from .rules import DEFAULT_WEIGHT_RANGE, WeightRange

_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y")


def parse_search_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def search_patients(user, q: str = ""):
    """Patients of the user's clinic matching a name, an MRN or a date of birth."""
    require(user, "patient.view")
    patients = Patient.objects.visible_to(user)
    q = (q or "").strip()
    if not q:
        return patients
    if (dob := parse_search_date(q)) is not None:
        return patients.filter(date_of_birth=dob)
    condition = Q(mrn__iexact=q)
    words = [w for w in re.split(r"[\s,]+", q) if w]
    name_match = Q()
    for word in words:
        name_match &= Q(given_name__icontains=word) | Q(family_name__icontains=word)
    return patients.filter(condition | name_match)


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
