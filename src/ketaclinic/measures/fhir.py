"""FHIR R4 export of rating-scale responses: a Bundle of QuestionnaireResponse + Observation."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from fhir.resources.R4B.bundle import Bundle

from ketaclinic.measures.instruments import RISK_LEVEL, Instrument

LOINC = "http://loinc.org"
# Instruments without a verified LOINC code are exported with this local code system rather
# than a guessed LOINC code (see docs/measures.md, FHIR export).
LOCAL_SYSTEM = "urn:ketaclinic:measures"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
_OBSERVATION_NS = uuid.UUID("5d7f3c52-8a8e-4f8c-9d0b-6f1d2f0c9a11")


@dataclass(frozen=True)
class ResponseRecord:
    id: uuid.UUID
    instrument: Instrument
    authored: datetime
    answers: dict[str, int]
    total: int | None
    severity: str | None
    # Set for a score that came with a referral: the total only, taken by that organisation
    # on that day (the clinic's local date).
    referral_organisation: str | None = None
    referral_observed_on: date | None = None


def questionnaire_url(instrument: Instrument) -> str:
    if instrument.loinc_panel:
        return f"{LOINC}/q/{instrument.loinc_panel}"
    return f"urn:ketaclinic:questionnaire:{instrument.code}|{instrument.version}"


def fhir_datetime(value: datetime) -> str:
    """ISO 8601 as FHIR JSON writes it: UTC as "Z"."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _questionnaire_response(record: ResponseRecord, subject: dict) -> dict:
    items = []
    for item in record.instrument.items:
        if item.key not in record.answers:
            continue
        entry = {"linkId": item.key, "answer": [{"valueInteger": record.answers[item.key]}]}
        entry["text"] = item.text or item.label
        items.append(entry)
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(record.id),
        "questionnaire": questionnaire_url(record.instrument),
        "status": "completed",
        "subject": subject,
        "authored": fhir_datetime(record.authored),
        "item": items,
    }


def _observation(record: ResponseRecord, subject: dict, qr_url: str | None) -> dict:
    instrument = record.instrument
    if instrument.loinc_total:
        coding = {
            "system": LOINC,
            "code": instrument.loinc_total,
            "display": f"{instrument.name} total score",
        }
    else:
        what = ("risk", "risk level") if instrument.scoring == RISK_LEVEL else ("total", "total")
        coding = {
            "system": LOCAL_SYSTEM,
            "code": f"{instrument.code}-{what[0]}",
            "display": f"{instrument.name} {what[1]}",
        }
    observation = {
        "resourceType": "Observation",
        "id": str(uuid.uuid5(_OBSERVATION_NS, str(record.id))),
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]}],
        "code": {"coding": [coding], "text": coding["display"]},
        "subject": subject,
        "effectiveDateTime": fhir_datetime(record.authored),
    }
    if qr_url is not None:
        observation["derivedFrom"] = [{"reference": qr_url}]
    if record.referral_organisation:
        # The referral gives the day only; the referring organisation took the score.
        observed_on = record.referral_observed_on or record.authored.date()
        observation["effectiveDateTime"] = observed_on.isoformat()
        observation["performer"] = [{"display": record.referral_organisation}]
        observation["note"] = [{"text": f"From referral: {record.referral_organisation}"}]
    if record.total is not None:
        observation["valueInteger"] = record.total
    else:
        observation["valueCodeableConcept"] = {
            "coding": [
                {
                    "system": f"{LOCAL_SYSTEM}:{instrument.code}",
                    "code": record.severity or "unknown",
                }
            ],
            "text": record.severity or "unknown",
        }
    if record.total is not None and record.severity:
        observation["interpretation"] = [{"text": record.severity}]
    return observation


def record_resources(record: ResponseRecord, subject: dict) -> list[dict]:
    """The record's QuestionnaireResponse and Observation as plain JSON-ready dicts, not
    validated (measures_bundle validates them; the bulk export validates a sample)."""
    # A total without item answers (a referral's score) has no QuestionnaireResponse.
    if not record.answers:
        return [_observation(record, subject, None)]
    return [
        _questionnaire_response(record, subject),
        _observation(record, subject, f"urn:uuid:{record.id}"),
    ]


def measures_bundle(patient_id: str, records: Iterable[ResponseRecord]) -> dict:
    """A validated FHIR R4 `collection` Bundle as a JSON-ready dict."""
    subject = {"reference": f"Patient/{patient_id}"}
    entries = [
        {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
        for record in records
        for resource in record_resources(record, subject)
    ]
    bundle = Bundle.model_validate(
        {"resourceType": "Bundle", "type": "collection", "entry": entries}
    )
    return json.loads(bundle.model_dump_json(exclude_none=True))
