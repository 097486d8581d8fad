"""Read a referral's FHIR R4 Bundle into plain values the intake services save (no database)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from ketaclinic.core.calendar import date_problem
from ketaclinic.intake.antidepressants import Antidepressant, dose_table, find_in_text
from ketaclinic.intake.rules.trials import MAX_DAILY_DOSE_MG, MAX_TRIAL_WEEKS

ICD10_SYSTEMS = frozenset({"http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10"})
ICD10_DEPRESSION_PREFIXES = ("F32", "F33")  # ICD-10(-CM) F32.x / F33.x depressive episodes
SNOMED = "http://snomed.info/sct"
# SNOMED CT depression concepts seen in referral letters and Synthea output; any other SNOMED
# condition whose name says "depress" is taken too, so this list only has to cover bare codes.
SNOMED_DEPRESSION = {
    "35489007": "Depressive disorder",
    "370143000": "Major depressive disorder",
    "36923009": "Major depression, single episode",
}
LOINC = "http://loinc.org"
LOINC_PHQ9_TOTAL = "44261-6"  # LOINC: PHQ-9 total score
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"

# HL7 v3 GTSAbbreviation timing codes: administrations per day.
TIMING_CODES_PER_DAY = {"QD": 1, "QAM": 1, "QPM": 1, "QHS": 1, "BID": 2, "TID": 3, "QID": 4}
TEXT_FREQUENCIES = (  # longest first so "twice daily" is not read as "daily"
    (re.compile(r"\b(four times (a day|daily)|qid)\b"), 4),
    (re.compile(r"\b(three times (a day|daily)|tid)\b"), 3),
    (re.compile(r"\b(twice (a day|daily)|two times (a day|daily)|bid)\b"), 2),
    (re.compile(r"\b(once (a day|daily)|daily|every day|qd|od|nightly|at bedtime|qhs|qam)\b"), 1),
)
_MG = re.compile(r"(\d+(?:\.\d+)?)\s*mg\b(?!\s*/)", re.IGNORECASE)
_MG_PER_DAY = re.compile(r"(\d+(?:\.\d+)?)\s*mg\s*(/|per)\s*(d|day)\b", re.IGNORECASE)
_TABLET_UNITS = frozenset({"tablet", "tab", "capsule", "cap", "{tbl}", "{capsule}", "1", ""})


# Resource types of earlier FHIR versions that R4 no longer has, with the version(s) that had them,
# so a refusal can tell the sender which version it exported (FHIR release notes, hl7.org/fhir).
RETIRED_RESOURCE_TYPES: dict[str, tuple[str, str]] = {
    "MedicationOrder": ("DSTU2", "STU3 and R4 call it MedicationRequest"),
    "DiagnosticOrder": ("DSTU2", ""),
    "DeviceUseRequest": ("DSTU2", "STU3 and R4 call it DeviceRequest"),
    "Order": ("DSTU2", ""),
    "OrderResponse": ("DSTU2", ""),
    "Conformance": ("DSTU2", "STU3 and R4 call it CapabilityStatement"),
    "ProcedureRequest": ("DSTU2 or STU3", "R4 calls it ServiceRequest"),
    "ReferralRequest": ("DSTU2 or STU3", "R4 calls it ServiceRequest"),
    "ProcessRequest": ("DSTU2 or STU3", ""),
    "ProcessResponse": ("DSTU2 or STU3", ""),
    "EligibilityRequest": ("DSTU2 or STU3", ""),
    "EligibilityResponse": ("DSTU2 or STU3", ""),
    "DataElement": ("DSTU2 or STU3", ""),
}


class BundleRejected(ValueError):
    """The upload is not a FHIR R4 Bundle the importer can read; nothing may be saved."""

    def __init__(
        self, message: str, details: list[str] | None = None, code: str = "invalid_bundle"
    ):
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.code = code


@dataclass
class PatientData:
    key: str
    identifiers: list[tuple[str, str]]
    family: str
    given: str
    birth_date: dt.date | None
    sex: str


@dataclass
class ImportedTrial:
    key: str
    drug: str  # table name, lower case
    source_text: str
    daily_dose_mg: Decimal | None
    started_on: dt.date | None
    ended_on: dt.date | None
    weeks: Decimal | None
    missing: list[str] = field(default_factory=list)


@dataclass
class ImportedItem:
    """A diagnosis, PHQ-9 total or allergy kept with the referral for the clinician to see."""

    key: str
    kind: str  # diagnosis | observation | allergy
    system: str
    code: str
    display: str
    value: Decimal | None = None
    recorded_on: dt.date | None = None
    ketamine_allergy: bool = False


@dataclass
class ReferralData:
    bundle_hash: str
    patient: PatientData
    trials: list[ImportedTrial] = field(default_factory=list)
    items: list[ImportedItem] = field(default_factory=list)
    unmapped: list[dict[str, str]] = field(default_factory=list)
    # The referring organisation's name (the Bundle's first named Organization), if given.
    organisation: str = ""


# ---------------------------------------------------------------------------------------------


def _load(raw: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleRejected(f"The file is not valid JSON ({exc}).") from exc
    if not isinstance(data, dict):
        raise BundleRejected("The file is JSON but not a FHIR resource (expected an object).")
    return data


def _resource_types(data: dict[str, Any]) -> list[str]:
    """resourceType of every entry and of the resources contained in them, in order."""
    types = []
    for entry in data.get("entry") or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            continue
        types.append(resource.get("resourceType"))
        for inner in resource.get("contained") or []:
            if isinstance(inner, dict):
                types.append(inner.get("resourceType"))
    return [t for t in types if isinstance(t, str)]


def _is_r4_resource_type(name: str) -> bool:
    from fhir.resources.R4B import get_fhir_model_class
    from fhir.resources.R4B.resource import Resource

    try:
        model = get_fhir_model_class(name)
    except (KeyError, ValueError):
        return False
    return issubclass(model, Resource)


def _refuse_other_versions(data: dict[str, Any]) -> None:
    """Name a resource type R4 does not have, with the FHIR version it comes from."""
    for name in dict.fromkeys(_resource_types(data)):
        if _is_r4_resource_type(name):
            continue
        retired = RETIRED_RESOURCE_TYPES.get(name)
        if retired:
            version, renamed = retired
            message = (
                f"The Bundle contains a {name} resource, a FHIR {version} resource type"
                + (f" ({renamed})" if renamed else "")
                + "; this importer reads FHIR R4 only. Ask the sender for a FHIR R4 export."
            )
        else:
            message = (
                f"The Bundle contains a {name} resource, which is not a FHIR R4 resource type "
                "(it may come from another FHIR version, such as R5); this importer reads "
                "FHIR R4 only."
            )
        raise BundleRejected(message, code="unsupported_fhir_version")


def _validate(data: dict[str, Any]):
    from fhir.resources.R4B.bundle import Bundle  # imported late: the models are slow to load

    if data.get("resourceType") != "Bundle":
        raise BundleRejected(
            f"Expected a FHIR Bundle, got resourceType {data.get('resourceType')!r}."
        )
    _refuse_other_versions(data)
    try:
        return Bundle.model_validate(data)
    except ValidationError as exc:
        details = [
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()[:10]
        ]
        raise BundleRejected(
            "The Bundle is not valid FHIR R4 (a resource shaped as in another FHIR version such "
            "as DSTU2, STU3 or R5, or a malformed field).",
            details,
        ) from exc
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        # The FHIR models raise these for shapes they cannot map; never a server error.
        raise BundleRejected(f"The Bundle is not valid FHIR R4 ({exc}).") from exc


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    for fmt, length in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        try:
            return dt.datetime.strptime(text[:length], fmt).date()
        except ValueError:
            continue
    return None


def _key(entry, resource) -> str:
    if entry.fullUrl:
        return str(entry.fullUrl)
    if resource.id:
        return f"{resource.get_resource_type()}/{resource.id}"
    canonical = json.dumps(resource.model_dump(mode="json"), sort_keys=True)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _label(resource, key: str) -> str:
    rtype = resource.get_resource_type()
    return f"{rtype}/{resource.id}" if resource.id else f"{rtype} ({key})"


def _concept_texts(concept) -> list[str]:
    if concept is None:
        return []
    texts = [concept.text] if concept.text else []
    texts += [c.display for c in concept.coding or [] if c.display]
    return texts


def _concept_summary(concept) -> str:
    texts = _concept_texts(concept)
    if texts:
        return texts[0]
    codes = (
        [f"{c.system or '?'}|{c.code}" for c in (concept.coding or []) if c.code] if concept else []
    )
    return ", ".join(codes) or "no code or text"


# ---------------------------------------------------------------------------------------------


def _patient(resource, key: str) -> PatientData:
    identifiers = [
        (str(i.system or ""), str(i.value)) for i in resource.identifier or [] if i.value
    ]
    names = resource.name or []
    name = next((n for n in names if n.use == "official"), names[0] if names else None)
    family = (name.family or "") if name else ""
    given = " ".join(name.given or []) if name else ""
    if name and not (family or given) and name.text:
        *first, last = name.text.split() or [""]
        family, given = last, " ".join(first)
    return PatientData(
        key=key,
        identifiers=identifiers,
        family=family.strip(),
        given=given.strip(),
        birth_date=_date(resource.birthDate),
        sex=str(resource.gender or "unknown"),
    )


def _per_day(timing) -> Decimal | None:
    if timing is None:
        return None
    repeat = timing.repeat
    if repeat and (repeat.frequency or repeat.period):
        frequency = Decimal(repeat.frequency or 1)
        period = Decimal(repeat.period or 1)
        days = {"h": period / 24, "d": period, "wk": period * 7}.get(str(repeat.periodUnit or "d"))
        if days:
            return frequency / days
    if timing.code:
        for coding in timing.code.coding or []:
            if coding.code and coding.code.upper() in TIMING_CODES_PER_DAY:
                return Decimal(TIMING_CODES_PER_DAY[coding.code.upper()])
    return None


def _strength_mg(texts: list[str]) -> Decimal | None:
    for text in texts:
        match = _MG.search(text)
        if match:
            return Decimal(match.group(1))
    return None


def _daily_dose(dosages, strength: Decimal | None) -> tuple[Decimal | None, str]:
    """Daily mg from the first dosage, or None with why not."""
    if not dosages:
        return None, "no dosage"
    dosage = dosages[0]
    per_day = _per_day(dosage.timing)
    quantity = None
    for dose_and_rate in dosage.doseAndRate or []:
        if dose_and_rate.doseQuantity is not None and dose_and_rate.doseQuantity.value:
            quantity = dose_and_rate.doseQuantity
            break
    text = (dosage.text or "").lower()
    if quantity is not None:
        unit = str(quantity.code or quantity.unit or "").lower()
        if unit == "mg":
            dose = Decimal(quantity.value)
        elif unit in _TABLET_UNITS and strength is not None:
            dose = Decimal(quantity.value) * strength
        else:
            return None, f"dose unit {unit or 'missing'} cannot be read as mg"
        if per_day is None:
            per_day = _text_frequency(text)
        if per_day is None:
            return None, "dose frequency not given"
        try:
            return (dose * per_day).quantize(Decimal("0.01")).normalize(), ""
        except InvalidOperation:  # a value beyond any dose (1e30)
            return None, f"{quantity.value} {unit} cannot be read as a daily dose"
    if text:
        per_day_text = _MG_PER_DAY.search(text)
        if per_day_text:
            return Decimal(per_day_text.group(1)), ""
        mg = _MG.search(text)
        frequency = per_day or _text_frequency(text)
        if mg and frequency:
            return (Decimal(mg.group(1)) * frequency).normalize(), ""
    return None, "dose not given"


def _text_frequency(text: str) -> Decimal | None:
    for pattern, per_day in TEXT_FREQUENCIES:
        if pattern.search(text):
            return Decimal(per_day)
    return None


def _weeks(start: dt.date | None, end: dt.date | None) -> Decimal | None:
    if start is None or end is None or end < start:
        return None
    return (Decimal((end - start).days) / 7).quantize(Decimal("0.1"))


def _medication_trial(
    resource,
    key: str,
    medications: dict[str, Any],
    table: Mapping[str, Antidepressant],
) -> tuple[ImportedTrial | None, str]:
    concept = resource.medicationCodeableConcept
    if concept is None and resource.medicationReference is not None:
        reference = str(resource.medicationReference.reference or "")
        if reference.startswith("#"):
            medication = _contained(resource, "Medication", reference[1:])
        else:
            medication = medications.get(reference)
        if medication is None:
            return None, f"refers to a Medication ({reference}) that is not in the bundle"
        concept = medication.code
    texts = _concept_texts(concept)
    if not texts:
        return None, f"medication {_concept_summary(concept)} has no name to identify the drug"
    row = next((r for r in (find_in_text(t, table) for t in texts) if r is not None), None)
    if row is None:
        return None, f"'{texts[0]}' is not in the antidepressant table"

    if resource.get_resource_type() == "MedicationStatement":
        dosages = resource.dosage
        period = resource.effectivePeriod
        start = _date(period.start) if period else _date(resource.effectiveDateTime)
        end = _date(period.end) if period else None
    else:  # MedicationRequest: the order date starts the trial; the end is rarely known
        dosages = resource.dosageInstruction
        validity = resource.dispenseRequest.validityPeriod if resource.dispenseRequest else None
        start = _date(resource.authoredOn) or (_date(validity.start) if validity else None)
        end = None
    dose, why_no_dose = _daily_dose(dosages, _strength_mg(texts))
    if dose is not None and not (dose.is_finite() and 0 < dose <= MAX_DAILY_DOSE_MG):
        dose, why_no_dose = None, f"{dose} mg a day is not a plausible dose"
    missing = []
    if dose is None:
        missing.append(f"daily dose ({why_no_dose})")
    for name, day in (("start", start), ("end", end)):
        if date_problem(day):
            # A year such as 0024 is a typing mistake in the sending record: not a date.
            missing.append(f"{name} date ({day.isoformat()} {date_problem(day)})")
            start, end = (None, end) if name == "start" else (start, None)
    weeks = _weeks(start, end)
    if weeks is not None and weeks > MAX_TRIAL_WEEKS:
        missing.append(f"duration ({weeks} weeks is more than {MAX_TRIAL_WEEKS})")
        weeks = None
    elif weeks is None:
        missing.append("duration")
    return (
        ImportedTrial(
            key=key,
            drug=row.name,
            source_text=texts[0][:200],
            daily_dose_mg=dose,
            started_on=start,
            ended_on=end,
            weeks=weeks,
            missing=missing,
        ),
        "",
    )


def _contained(resource, resource_type: str, local_id: str):
    """A resource contained in another one ("#id" references), or None."""
    for inner in resource.contained or []:
        if inner.get_resource_type() == resource_type and inner.id == local_id:
            return inner
    return None


def _condition(resource, key: str) -> ImportedItem | None:
    for coding in (resource.code.coding or []) if resource.code else []:
        code = str(coding.code or "")
        system = str(coding.system or "")
        if system in ICD10_SYSTEMS and code.upper().startswith(ICD10_DEPRESSION_PREFIXES):
            return _diagnosis(resource, key, system, code, coding.display)
        if system == SNOMED and code in SNOMED_DEPRESSION:
            return _diagnosis(
                resource, key, system, code, coding.display or SNOMED_DEPRESSION[code]
            )
    for text in _concept_texts(resource.code):
        if "depress" in text.lower():
            return _diagnosis(resource, key, "", "", text)
    return None


def _diagnosis(resource, key, system, code, display) -> ImportedItem:
    onset = _date(resource.onsetDateTime) or (
        _date(resource.onsetPeriod.start) if resource.onsetPeriod else None
    )
    return ImportedItem(
        key=key,
        kind="diagnosis",
        system=system,
        code=code,
        display=str(display or _concept_summary(resource.code))[:200],
        recorded_on=onset or _date(resource.recordedDate),
    )


def _observation(resource, key: str) -> tuple[ImportedItem | None, str]:
    codings = resource.code.coding or []
    if not any(c.system == LOINC and c.code == LOINC_PHQ9_TOTAL for c in codings):
        return None, f"observation '{_concept_summary(resource.code)}' is not a PHQ-9 total"
    value = None
    if resource.valueQuantity is not None and resource.valueQuantity.value is not None:
        value = resource.valueQuantity.value
    elif resource.valueInteger is not None:
        value = resource.valueInteger
    try:
        value = Decimal(value) if value is not None else None
    except InvalidOperation:
        value = None
    if value is None or not (0 <= value <= 27):
        return None, "PHQ-9 total without a value between 0 and 27"
    return (
        ImportedItem(
            key=key,
            kind="observation",
            system=LOINC,
            code=LOINC_PHQ9_TOTAL,
            display="PHQ-9 total",
            value=value,
            recorded_on=_date(resource.effectiveDateTime)
            or (_date(resource.effectivePeriod.start) if resource.effectivePeriod else None),
        ),
        "",
    )


def _allergy(resource, key: str) -> tuple[ImportedItem | None, str]:
    texts = _concept_texts(resource.code)
    if not texts:
        return None, "allergy without a substance name"
    coding = next(iter(resource.code.coding or []), None)
    return (
        ImportedItem(
            key=key,
            kind="allergy",
            system=str(coding.system or "") if coding else "",
            code=str(coding.code or "") if coding else "",
            display=texts[0][:200],
            recorded_on=_date(resource.recordedDate),
            ketamine_allergy=any("ketamine" in t.lower() for t in texts),
        ),
        "",
    )


def parse_bundle(
    raw: bytes | str | Mapping[str, Any],
    table: Mapping[str, Antidepressant] | None = None,
) -> ReferralData:
    """The patient, antidepressant trials, diagnoses, PHQ-9 totals and allergies of a referral.

    Raises BundleRejected for anything that is not one valid R4 Bundle about one patient.
    """
    table = dose_table() if table is None else table
    data = _load(raw)
    bundle = _validate(data)
    bundle_hash = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    entries = [(e, e.resource) for e in bundle.entry or [] if e.resource is not None]
    patients = [(e, r) for e, r in entries if r.get_resource_type() == "Patient"]
    if not patients:
        raise BundleRejected("The Bundle has no Patient resource: nothing to import.")
    if len(patients) > 1:
        raise BundleRejected(
            f"The Bundle has {len(patients)} Patient resources; a referral must be about one."
        )
    p_entry, p_resource = patients[0]
    result = ReferralData(bundle_hash, _patient(p_resource, _key(p_entry, p_resource)))

    medications: dict[str, Any] = {}
    for entry, resource in entries:
        if resource.get_resource_type() == "Medication":
            for ref in (entry.fullUrl, f"Medication/{resource.id}" if resource.id else None):
                if ref:
                    medications[str(ref)] = resource

    for entry, resource in entries:
        rtype = resource.get_resource_type()
        key = _key(entry, resource)
        if rtype in ("Patient", "Medication"):
            continue
        try:
            reason = _map_resource(result, rtype, resource, key, medications, table)
        except (InvalidOperation, OverflowError) as exc:  # a number or date beyond any use
            reason = f"a value is out of range ({type(exc).__name__})"
        if reason:
            result.unmapped.append({"resource": _label(resource, key), "reason": reason})
    return result


def _map_resource(result, rtype, resource, key, medications, table) -> str:
    """Add what one resource gives to `result`; why it gives nothing, or ""."""
    if rtype == "Organization":
        if not result.organisation and resource.name:
            result.organisation = str(resource.name)[:200]
        return ""
    if rtype in ("MedicationStatement", "MedicationRequest"):
        trial, reason = _medication_trial(resource, key, medications, table)
        if trial:
            result.trials.append(trial)
        return reason
    if rtype == "Condition":
        item = _condition(resource, key)
        if item:
            result.items.append(item)
            return ""
        return f"condition '{_concept_summary(resource.code)}' is not a depression diagnosis"
    if rtype in ("Observation", "AllergyIntolerance"):
        read = _observation if rtype == "Observation" else _allergy
        item, reason = read(resource, key)
        if item:
            result.items.append(item)
        return reason
    return "resource type not used by intake"
