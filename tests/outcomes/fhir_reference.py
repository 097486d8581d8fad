"""The FHIR export as it was before the streaming rewrite, kept as the reference it is held to.

Every scale's resources go through a fhir.resources Bundle round trip per patient (validate, dump,
parse), and rows are formatted with the standard library's json. The tests compare the streaming
export's resources with these, field by field; bench/bench_fhir.py times both for the ratio.
Do not "improve" this module: its value is that it is the old behaviour. The code systems, codes
and fields come from the export itself, so that they are written in one place.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.utils import timezone

from ketaclinic.measures.fhir import ResponseRecord, measures_bundle
from ketaclinic.measures.instruments import INSTRUMENTS
from ketaclinic.measures.queries import response_rows
from ketaclinic.outcomes import keys
from ketaclinic.outcomes.export import Keyed, Shifts
from ketaclinic.outcomes.fhir_export import (  # the codes and fields, not the old code
    ACT_CODE,
    BP_PANEL,
    CATEGORY,
    DIASTOLIC,
    DRUG_SYSTEM,
    ENCOUNTER_STATUS,
    LOINC,
    PSEUDONYMISED,
    SESSION_FIELDS,
    SYSTOLIC,
    TYPES,
    UCUM,
    VITALS,
    FhirResult,
)
from ketaclinic.outcomes.rules import pseudonym, shift
from ketaclinic.patients.queries import patient_rows
from ketaclinic.treatments.queries import exports as treatment_exports


class Ids(Keyed):
    """Keyed pseudonyms of ids, by kind: ids(kind, raw id)."""

    compute = staticmethod(pseudonym)


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def _subject(ids: Ids, patient_id) -> dict:
    return {"reference": f"Patient/{ids('patient', patient_id)}"}


def patients(clinic_ids, ids: Ids) -> Iterator[dict]:
    for row in patient_rows(clinic_ids, ("id", "sex")):
        yield {
            "resourceType": "Patient",
            "id": ids("patient", row["id"]),
            "meta": PSEUDONYMISED,
            "gender": row["sex"],
        }


def _session_rows(clinic_ids):
    return treatment_exports.session_rows(clinic_ids, SESSION_FIELDS)


def encounters_and_administrations(clinic_ids, ids: Ids, shifts: Shifts):
    for s in _session_rows(clinic_ids):
        days = shifts(s["patient_id"])
        encounter = ids("session", s["id"])
        start = s["checked_in_at"] or s["dose_started_at"]
        period = {}
        if start is not None:
            period["start"] = _iso(shift(start, days))
        else:
            period["start"] = shift(s["scheduled_date"], days).isoformat()
        end = s["discharged_at"] or s["aborted_at"]
        if end is not None and start is not None:
            period["end"] = _iso(shift(end, days))
        yield {
            "resourceType": "Encounter",
            "id": encounter,
            "meta": PSEUDONYMISED,
            "status": ENCOUNTER_STATUS.get(s["status"], "in-progress"),
            "class": {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"},
            "type": [{"text": s["protocol_code"]}],
            "subject": _subject(ids, s["patient_id"]),
            "period": period,
        }
        if s["dose_started_at"] is None:
            continue
        drug = s["protocol_version__definition__drug"] or "ketamine"
        dose = s["order__dose_mg"] or s["planned_dose_mg"]
        ended = s["infusion_ended_at"] or s["last_device_at"] or s["dose_started_at"]
        administration = {
            "resourceType": "MedicationAdministration",
            "id": ids("administration", s["id"]),
            "meta": PSEUDONYMISED,
            "status": "completed"
            if s["status"] == "discharged"
            else "stopped"
            if s["status"] == "aborted"
            else "in-progress",
            "medicationCodeableConcept": {
                "coding": [{"system": DRUG_SYSTEM, "code": drug, "display": drug}],
                "text": drug,
            },
            "subject": _subject(ids, s["patient_id"]),
            "context": {"reference": f"Encounter/{encounter}"},
            "effectivePeriod": {
                "start": _iso(shift(s["dose_started_at"], days)),
                "end": _iso(shift(max(ended, s["dose_started_at"]), days)),
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


def _vital(ids, row, kind, code, display, when, subject, encounter) -> dict:
    return {
        "resourceType": "Observation",
        "id": ids(f"vitals-{kind}", row["id"]),
        "meta": PSEUDONYMISED,
        "status": "final",
        "category": [{"coding": [{"system": CATEGORY, "code": "vital-signs"}]}],
        "code": {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display},
        "subject": subject,
        "encounter": encounter,
        "effectiveDateTime": when,
    }


def vital_observations(clinic_ids, ids: Ids, shifts: Shifts) -> Iterator[dict]:
    fields = (
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
    for row in treatment_exports.vitals_rows(clinic_ids, fields):
        patient = row["session__patient_id"]
        when = _iso(shift(row["measured_at"], shifts(patient)))
        subject = _subject(ids, patient)
        encounter = {"reference": f"Encounter/{ids('session', row['session_id'])}"}
        if row["systolic"] is not None and row["diastolic"] is not None:
            bp = _vital(ids, row, "bp", *BP_PANEL, when, subject, encounter)
            bp["component"] = [
                {
                    "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
                    "valueQuantity": _quantity(row[name], "mmHg", "mm[Hg]"),
                }
                for name, (code, display) in (("systolic", SYSTOLIC), ("diastolic", DIASTOLIC))
            ]
            yield bp
        for name, code, display, unit, ucum in VITALS:
            if row[name] is None:
                continue
            obs = _vital(ids, row, name, code, display, when, subject, encounter)
            obs["valueQuantity"] = _quantity(row[name], unit, ucum)
            yield obs


def scale_resources(clinic_ids, ids: Ids, shifts: Shifts) -> Iterator[dict]:
    """QuestionnaireResponse + Observation per rating scale, via measures.fhir."""
    fields = ("id", "patient_id", "instrument", "administered_at", "answers", "total", "severity")
    current, records = None, []

    def bundle():
        result = measures_bundle(ids("patient", current), records)
        # every exported resource carries the pseudonymised label
        return [entry["resource"] | {"meta": PSEUDONYMISED} for entry in result["entry"]]

    for row in response_rows(clinic_ids, fields, chunk_size=10000):
        if current is not None and row["patient_id"] != current and records:
            yield from bundle()
            records = []
        current = row["patient_id"]
        records.append(
            ResponseRecord(
                id=uuid.UUID(ids("response", row["id"])),
                instrument=INSTRUMENTS[row["instrument"]],
                authored=shift(row["administered_at"], shifts(row["patient_id"])),
                answers=row["answers"],
                total=row["total"],
                severity=row["severity"] or None,
            )
        )
    if records:
        yield from bundle()


def export_fhir_reference(clinic_ids, out_dir: Path, key: bytes) -> FhirResult:
    """Write <Type>.ndjson for each resource type and a bulk-data style manifest.json."""
    result = FhirResult(out_dir, key_fingerprint=keys.fingerprint(key))
    ids, shifts = Ids(key), Shifts(key)
    handles = {t: (out_dir / f"{t}.ndjson").open("w", encoding="utf-8") for t in TYPES}
    counts = dict.fromkeys(TYPES, 0)
    try:
        sources = (
            patients(clinic_ids, ids),
            encounters_and_administrations(clinic_ids, ids, shifts),
            vital_observations(clinic_ids, ids, shifts),
            scale_resources(clinic_ids, ids, shifts),
        )
        for source in sources:
            for resource in source:
                kind = resource["resourceType"]
                handles[kind].write(json.dumps(resource, separators=(",", ":")) + "\n")
                counts[kind] += 1
    finally:
        for handle in handles.values():
            handle.close()
    manifest = {
        "transactionTime": timezone.now().isoformat(),
        "request": "ketaclinic export_research --format fhir",
        "requiresAccessToken": False,
        "output": [{"type": t, "url": f"{t}.ndjson", "count": counts[t]} for t in TYPES],
        "error": [],
        "extension": {"key_fingerprint": result.key_fingerprint, "pseudonymised": True},
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    result.counts = counts
    result.files = [f"{t}.ndjson" for t in TYPES] + ["manifest.json"]
    return result
