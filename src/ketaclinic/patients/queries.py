"""Reads of the patient registry, always scoped to the actor's clinic."""

import copy
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import NotFound
from ketaclinic.core.models import Clinic
from ketaclinic.core.pagination import MAX_PAGE
from ketaclinic.core.permissions import require

from . import search
from .models import Ethnicity, IncomeBand, Patient, PatientTransfer, PayerType, Race, Sex

# The demographic vocabularies other apps group and label by (values and labels, no rows).
VOCABULARIES = {
    "race": Race,
    "ethnicity": Ethnicity,
    "sex": Sex,
    "payer_type": PayerType,
    "income_band": IncomeBand,
}

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


def access_row(user, action: str, rows, row_id, missing: str, malformed: str = ""):
    """The row of `rows` with id `row_id` once the user may do `action`, or NotFound: `missing`,
    or `malformed` (when given) for an id that is not a UUID."""
    require(user, action)
    try:
        pk = uuid.UUID(str(row_id))
    except ValueError:
        raise NotFound(malformed or missing) from None
    row = rows.filter(pk=pk).first()
    if row is None:
        raise NotFound(missing)
    return row


def patient_record(user, action: str, model, patient):
    """The rows of `model` (a clinic-scoped model) in `patient`'s record, once the user may do
    `action`: the permission check, the clinic scope and the patient filter in one place."""
    require(user, action)
    return model.objects.visible_to(user).filter(patient=patient)


def access_patient(user, patient_id, *, action: str = "patient.view", record_view: bool = False):
    """The patient of the user's clinic, or NotFound (also for other clinics' patients).

    With record_view, writes `patient.viewed`: opening a record is itself audited."""
    patient = access_row(
        user, action, Patient.objects.visible_to(user), patient_id, "No such patient."
    )
    if record_view:
        record_event(actor=user, action="patient.viewed", obj=patient, patient=patient)
    return patient


def patient_by_mrn(user, mrn: str):
    """The patient of the user's clinic with this MRN (any case), or None."""
    require(user, "patient.view")
    return Patient.objects.visible_to(user).filter(mrn__iexact=mrn.strip()).first()


def matching_patient(clinic_id, *, family_name: str, given_name: str, date_of_birth: date):
    """The clinic's patient with this name and date of birth (any case), or None: how an
    imported record is matched when no identifier on file matches."""
    return Patient.objects.filter(
        clinic_id=clinic_id,
        family_name__iexact=family_name,
        given_name__iexact=given_name,
        date_of_birth=date_of_birth,
    ).first()


def patients_by_id(user, patient_ids) -> dict:
    """id -> patient of the user's clinic among these ids, for another app's list (names and
    MRNs next to its own rows); that app has checked its own permission."""
    rows = Patient.objects.visible_to(user).filter(pk__in=list(patient_ids))
    return {p.pk: p for p in rows}


def patient_rows(clinic_ids, fields: tuple[str, ...], chunk_size: int = 5000):
    """The named fields of every patient of several clinics (for the research exports, which
    check their own permission)."""
    rows = Patient.objects.filter(clinic_id__in=clinic_ids).order_by().values(*fields)
    return rows.iterator(chunk_size=chunk_size)


# --- chart pages ---------------------------------------------------------------------------

CHART_PAGE = 20  # rows of a chart tab's list shown at once; older ones load on request


@dataclass(frozen=True)
class ChartPage:
    """One page of a chart list, newest first: its rows and where the next (older) page starts
    (`next_offset` is None on the last page)."""

    rows: list
    offset: int
    next_offset: int | None


# The furthest an older-rows request may reach (a larger offset would overflow the database's
# integers: it reads as this one, past every chart's end).
MAX_OFFSET = MAX_PAGE * CHART_PAGE


def page_offset(value) -> int:
    """The `offset` query parameter of an older-rows request (bad or negative input: 0; beyond
    MAX_OFFSET: MAX_OFFSET)."""
    try:
        return min(max(0, int(value or 0)), MAX_OFFSET)
    except (TypeError, ValueError):
        return 0


def chart_page(rows, offset: int = 0, size: int = CHART_PAGE) -> ChartPage:
    """`size` rows of an ordered queryset from `offset`, reading one more to know whether an
    older page follows. The queryset must have a total order (end it with the primary key)."""
    fetched = list(rows[offset : offset + size + 1])
    more = len(fetched) > size
    return ChartPage(
        rows=fetched[:size], offset=offset, next_offset=offset + size if more else None
    )


def transfers_of(user, patient) -> list[PatientTransfer]:
    """The patient's transfers recorded at the user's clinic (out to, or in from, another
    location of the organization)."""
    require(user, "patient.view")
    return list(
        PatientTransfer.objects.visible_to(user)
        .filter(patient_id=patient.pk)
        .select_related("transferred_by")
        .order_by("transferred_at")
    )


def transferred_in(user, patient) -> PatientTransfer | None:
    """How the patient came to the user's clinic from another location, or None: the key to
    the history written there, which the user's clinic reads and never changes."""
    require(user, "patient.view")
    return (
        PatientTransfer.objects.visible_to(user)
        .filter(patient_id=patient.pk, direction=PatientTransfer.Direction.IN)
        .first()
    )


def history_reader(user, transfer: PatientTransfer):
    """A read-only view of the sending location for one transferred patient: the user as they
    are, working at the location the patient came from. Callers pass it to that location's
    reads (courses, scores) for `transfer.other_patient_id` only, never to a service; every
    read keeps its own permission check, so a role sees there what it may see here."""
    if transfer.direction != PatientTransfer.Direction.IN or transfer.clinic_id != user.clinic_id:
        raise NotFound("No such transfer.")
    reader = copy.copy(user)
    reader.clinic = Clinic.objects.get(pk=transfer.other_clinic_id)
    return reader


def transfer_destinations(user) -> list[Clinic]:
    """The other locations of the user's organization, where a patient may be transferred."""
    require(user, "patient.transfer")
    return list(
        Clinic.objects.filter(organization_id=user.clinic.organization_id)
        .exclude(pk=user.clinic_id)
        .order_by("name")
    )
