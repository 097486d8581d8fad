"""FHIR R4 bulk-data style NDJSON export of clinics, de-identified like the research tables.

One file per resource type (Patient, Encounter, MedicationAdministration, Observation,
QuestionnaireResponse) plus a bulk-data style manifest. Resource ids are keyed pseudonyms,
every time is shifted by the patient's offset, and no name, contact, address or birth date is
written. Rating scales reuse the measures app's FHIR mapping (measures.fhir).

It streams: one query per table read in chunks, each row turned into plain dicts and written
at once with orjson, so memory does not grow with the number of sessions, vital signs or
responses (only a patient's pseudonym and date shift are kept, one entry per patient).
fhir.resources validates the first resource of each type and every VALIDATE_EVERY-th during
the export (the tests validate all of them); an invalid one stops the export, and nothing is
left behind: the files are written in a staging directory and moved into place at the end.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import orjson
from django.utils import timezone
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.medicationadministration import MedicationAdministration
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from ketaclinic.measures.fhir import ResponseRecord, record_resources
from ketaclinic.measures.instruments import INSTRUMENTS
from ketaclinic.measures.queries import response_rows
from ketaclinic.outcomes import keys
from ketaclinic.outcomes.definitions import PSEUDONYM_HEX_LENGTH
from ketaclinic.outcomes.export import canonical_id
from ketaclinic.outcomes.rules import date_offset_days, pseudonym
from ketaclinic.patients.queries import patient_rows
from ketaclinic.treatments.queries import exports as treatment_exports

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
SECURITY = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
DRUG_SYSTEM = "urn:ketaclinic:drug"
TYPES = ("Patient", "Encounter", "MedicationAdministration", "Observation", "QuestionnaireResponse")
# Vital signs (FHIR R4B value set observation-vitalsignresult).
BP_PANEL = ("85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")
VITALS = (
    ("heart_rate", "8867-4", "Heart rate", "/min", "/min"),
    ("spo2", "2708-6", "Oxygen saturation in Arterial blood", "%", "%"),
    ("resp_rate", "9279-1", "Respiratory rate", "/min", "/min"),
)
ENCOUNTER_STATUS = {
    "scheduled": "planned",
    "discharged": "finished",
    "aborted": "cancelled",
}
MODELS = {
    "Patient": Patient,
    "Encounter": Encounter,
    "MedicationAdministration": MedicationAdministration,
    "Observation": Observation,
    "QuestionnaireResponse": QuestionnaireResponse,
}
# fhir.resources checks the first resource of each type and then every this many.
VALIDATE_EVERY = 100
PSEUDONYMISED = {"security": [{"system": SECURITY, "code": "PSEUDED", "display": "pseudonymized"}]}


class FhirExportError(Exception):
    """A resource failed the FHIR check during the export; nothing was written."""


@dataclass
class FhirResult:
    out_dir: Path
    counts: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    key_fingerprint: str = ""


class Pseudonyms:
    """rules.pseudonym(key, kind, id) with the key's HMAC state prepared once: the same values,
    without setting the key up again for each of the millions of ids."""

    def __init__(self, key: bytes):
        pseudonym(key, "key", "check")  # refuses a short key as the rule does
        self.base = hmac.new(key, digestmod=hashlib.sha256)

    def __call__(self, kind: str, raw: str) -> str:
        mac = self.base.copy()
        mac.update(f"{kind}:{raw}".encode())
        return mac.hexdigest()[:PSEUDONYM_HEX_LENGTH]


def raw_id(value) -> str:
    """canonical_id, without formatting a UUID with dashes only to remove them."""
    return value.hex if type(value) is uuid.UUID else canonical_id(value)


class People:
    """Per patient, computed once: the pseudonymous subject reference and the date shift."""

    def __init__(self, key: bytes, ids: Pseudonyms):
        self.key, self.ids = key, ids
        self.known: dict = {}

    def __call__(self, patient_id) -> tuple[dict, timedelta]:
        found = self.known.get(patient_id)
        if found is None:
            raw = raw_id(patient_id)
            found = (
                {"reference": f"Patient/{self.ids('patient', raw)}"},
                timedelta(days=date_offset_days(self.key, raw)),
            )
            self.known[patient_id] = found
        return found


def validate_resource(resource: dict) -> None:
    """Raise FhirExportError, naming the resource, unless fhir.resources (R4B) accepts it."""
    kind = resource["resourceType"]
    try:
        MODELS[kind].model_validate(resource)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or kind
        raise FhirExportError(
            f"{kind} {resource.get('id')} is not a valid FHIR R4B resource ({where}: "
            f"{first['msg']}); the export stopped and wrote nothing."
        ) from exc


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def patients(clinic_ids, ids: Pseudonyms) -> Iterator[dict]:
    for row in patient_rows(clinic_ids, ("id", "sex")):
        yield {
            "resourceType": "Patient",
            "id": ids("patient", raw_id(row["id"])),
            "meta": PSEUDONYMISED,
            "gender": row["sex"],
        }


SESSION_FIELDS = (
    "id",
    "patient_id",
    "protocol_code",
    "status",
    "scheduled_date",
    "checked_in_at",
    "dose_started_at",
    "infusion_ended_at",
    "last_device_at",
    "discharged_at",
    "aborted_at",
    "planned_dose_mg",
    "order__dose_mg",
    "protocol_version__definition__route",
    "protocol_version__definition__drug",
)
AMBULATORY = {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"}
ADMINISTRATION_STATUS = {"discharged": "completed", "aborted": "stopped"}


def encounters_and_administrations(clinic_ids, ids: Pseudonyms, people: People) -> Iterator[dict]:
    for s in treatment_exports.session_rows(clinic_ids, SESSION_FIELDS):
        subject, shift = people(s["patient_id"])
        raw = raw_id(s["id"])
        encounter = ids("session", raw)
        start = s["checked_in_at"] or s["dose_started_at"]
        if start is not None:
            period = {"start": (start + shift).isoformat()}
            end = s["discharged_at"] or s["aborted_at"]
            if end is not None:
                period["end"] = (end + shift).isoformat()
        else:
            period = {"start": (s["scheduled_date"] + shift).isoformat()}
        yield {
            "resourceType": "Encounter",
            "id": encounter,
            "meta": PSEUDONYMISED,
            "status": ENCOUNTER_STATUS.get(s["status"], "in-progress"),
            "class": AMBULATORY,
            "type": [{"text": s["protocol_code"]}],
            "subject": subject,
            "period": period,
        }
        dosed = s["dose_started_at"]
        if dosed is None:
            continue
        drug = s["protocol_version__definition__drug"] or "ketamine"
        dose = s["order__dose_mg"] or s["planned_dose_mg"]
        ended = s["infusion_ended_at"] or s["last_device_at"] or dosed
        administration = {
            "resourceType": "MedicationAdministration",
            "id": ids("administration", raw),
            "meta": PSEUDONYMISED,
            "status": ADMINISTRATION_STATUS.get(s["status"], "in-progress"),
            "medicationCodeableConcept": {
                "coding": [{"system": DRUG_SYSTEM, "code": drug, "display": drug}],
                "text": drug,
            },
            "subject": subject,
            "context": {"reference": f"Encounter/{encounter}"},
            "effectivePeriod": {
                "start": (dosed + shift).isoformat(),
                "end": (max(ended, dosed) + shift).isoformat(),
            },
        }
        if dose is not None:
            administration["dosage"] = {
                "route": {"text": s["protocol_version__definition__route"] or "unknown"},
                "dose": {"value": float(dose), "unit": "mg", "system": UCUM, "code": "mg"},
            }
        yield administration


def _quantity(value, unit: str, code: str) -> dict:
    return {"value": value, "unit": unit, "system": UCUM, "code": code}


def _coded(code: str, display: str) -> dict:
    return {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display}


VITAL_SIGNS = [{"coding": [{"system": CATEGORY, "code": "vital-signs"}]}]
BP_CODE = _coded(*BP_PANEL)
BP_PARTS = (
    ("systolic", {"coding": [{"system": LOINC, "code": SYSTOLIC[0], "display": SYSTOLIC[1]}]}),
    ("diastolic", {"coding": [{"system": LOINC, "code": DIASTOLIC[0], "display": DIASTOLIC[1]}]}),
)
VITAL_CODES = tuple(
    (name, f"vitals-{name}", _coded(code, display), unit, ucum)
    for name, code, display, unit, ucum in VITALS
)
VITALS_FIELDS = (
    "id",
    "session_id",
    "session__patient_id",
    "measured_at",
    "systolic",
    "diastolic",
    "heart_rate",
    "spo2",
    "resp_rate",
)


def _vital(rid: str, code: dict, subject: dict, encounter: dict, when: str) -> dict:
    return {
        "resourceType": "Observation",
        "id": rid,
        "meta": PSEUDONYMISED,
        "status": "final",
        "category": VITAL_SIGNS,
        "code": code,
        "subject": subject,
        "encounter": encounter,
        "effectiveDateTime": when,
    }


def vital_observations(clinic_ids, ids: Pseudonyms, people: People) -> Iterator[dict]:
    last_session, encounter = None, None
    for row in treatment_exports.vitals_rows(clinic_ids, VITALS_FIELDS):
        subject, shift = people(row["session__patient_id"])
        when = (row["measured_at"] + shift).isoformat()
        if row["session_id"] != last_session:  # a session's entries mostly come together
            last_session = row["session_id"]
            session = ids("session", raw_id(last_session))
            encounter = {"reference": f"Encounter/{session}"}
        raw = raw_id(row["id"])
        common = (subject, encounter, when)
        if row["systolic"] is not None and row["diastolic"] is not None:
            bp = _vital(ids("vitals-bp", raw), BP_CODE, *common)
            bp["component"] = [
                {"code": code, "valueQuantity": _quantity(row[name], "mmHg", "mm[Hg]")}
                for name, code in BP_PARTS
            ]
            yield bp
        for name, kind, code, unit, ucum in VITAL_CODES:
            if row[name] is not None:
                obs = _vital(ids(kind, raw), code, *common)
                obs["valueQuantity"] = _quantity(row[name], unit, ucum)
                yield obs


SCALE_FIELDS = ("id", "patient_id", "instrument", "administered_at", "answers", "total", "severity")


def scale_resources(clinic_ids, ids: Pseudonyms, people: People) -> Iterator[dict]:
    """QuestionnaireResponse + Observation per rating scale, via measures.fhir."""
    for row in response_rows(clinic_ids, SCALE_FIELDS, chunk_size=10000):
        subject, shift = people(row["patient_id"])
        record = ResponseRecord(
            id=uuid.UUID(ids("response", raw_id(row["id"]))),
            instrument=INSTRUMENTS[row["instrument"]],
            authored=row["administered_at"] + shift,
            answers=row["answers"],
            total=row["total"],
            severity=row["severity"] or None,
        )
        for resource in record_resources(record, subject):
            resource["meta"] = PSEUDONYMISED  # labelled like every other exported resource
            yield resource


class _Staging:
    """The NDJSON files, written in a hidden directory inside the target and moved into it
    only when the export is complete."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.dir = Path(tempfile.mkdtemp(prefix=".fhir-export-", dir=out_dir))
        self.handles = {t: (self.dir / f"{t}.ndjson").open("wb", buffering=1 << 20) for t in TYPES}
        self.counts = dict.fromkeys(TYPES, 0)

    def write(self, resource: dict) -> None:
        kind = resource["resourceType"]
        n = self.counts[kind] = self.counts[kind] + 1
        if n == 1 or n % VALIDATE_EVERY == 0:
            validate_resource(resource)
        self.handles[kind].write(orjson.dumps(resource, option=orjson.OPT_APPEND_NEWLINE))

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()

    def publish(self, names: list[str]) -> None:
        for name in names:
            os.replace(self.dir / name, self.out_dir / name)
        self.dir.rmdir()

    def discard(self) -> None:
        self.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def export_fhir(clinic_ids, out_dir: Path, key: bytes) -> FhirResult:
    """Write <Type>.ndjson for each resource type and a bulk-data style manifest.json.

    Raises FhirExportError, leaving out_dir as it was, when a checked resource is invalid.
    """
    result = FhirResult(out_dir, key_fingerprint=keys.fingerprint(key))
    ids = Pseudonyms(key)
    people = People(key, ids)
    staging = _Staging(out_dir)
    sources = ()
    try:
        sources = (
            patients(clinic_ids, ids),
            encounters_and_administrations(clinic_ids, ids, people),
            vital_observations(clinic_ids, ids, people),
            scale_resources(clinic_ids, ids, people),
        )
        for source in sources:
            for resource in source:
                staging.write(resource)
        staging.close()
        counts = staging.counts
        manifest = {
            "transactionTime": timezone.now().isoformat(),
            "request": "ketaclinic export_research --format fhir",
            "requiresAccessToken": False,
            "output": [{"type": t, "url": f"{t}.ndjson", "count": counts[t]} for t in TYPES],
            "error": [],
            "extension": {"key_fingerprint": result.key_fingerprint, "pseudonymised": True},
        }
        (staging.dir / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")
        result.counts = counts
        result.files = [f"{t}.ndjson" for t in TYPES] + ["manifest.json"]
        staging.publish(result.files)
    except BaseException:
        # Close the half-read streams now, while their transaction is still open: a
        # server-side cursor closed later, after a rollback, would fail the caller's transaction.
        for source in sources:
            close = getattr(source, "close", None)
            if close is not None:
                close()
        staging.discard()
        raise
    return result
