"""Build a large Synthea-style referral Bundle in memory: one patient and a long history."""

import json
import uuid

PATIENT_ID = "9b3f6f0e-5d1c-4c55-8f57-4a1c2b7d0a01"


def _observation(n: int, encounter: str) -> dict:
    # Vital signs as Synthea writes them: a LOINC code, a value and the encounter it belongs to.
    return {
        "fullUrl": f"urn:uuid:{uuid.UUID(int=10**12 + n)}",
        "resource": {
            "resourceType": "Observation",
            "id": str(uuid.UUID(int=10**12 + n)),
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "vital-signs",
                            "display": "vital-signs",
                        }
                    ]
                }
            ],
            "code": {
                "coding": [
                    {"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}
                ],
                "text": "Heart rate",
            },
            "subject": {"reference": f"urn:uuid:{PATIENT_ID}"},
            "encounter": {"reference": encounter},
            "effectiveDateTime": f"{2010 + n % 14}-0{1 + n % 9}-1{n % 10}T09:1{n % 10}:00-05:00",
            "issued": f"{2010 + n % 14}-0{1 + n % 9}-1{n % 10}T09:1{n % 10}:00.000-05:00",
            "valueQuantity": {
                "value": 60 + n % 40,
                "unit": "/min",
                "system": "http://unitsofmeasure.org",
                "code": "/min",
            },
        },
        "request": {"method": "POST", "url": "Observation"},
    }


def _encounter(n: int) -> dict:
    ident = str(uuid.UUID(int=2 * 10**12 + n))
    return {
        "fullUrl": f"urn:uuid:{ident}",
        "resource": {
            "resourceType": "Encounter",
            "id": ident,
            "status": "finished",
            "class": {
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                "code": "AMB",
            },
            "type": [
                {
                    "coding": [
                        {
                            "system": "http://snomed.info/sct",
                            "code": "185349003",
                            "display": "Encounter for check up (procedure)",
                        }
                    ],
                    "text": "Encounter for check up (procedure)",
                }
            ],
            "subject": {"reference": f"urn:uuid:{PATIENT_ID}"},
            "period": {
                "start": f"{2010 + n % 14}-0{1 + n % 9}-1{n % 10}T09:00:00-05:00",
                "end": f"{2010 + n % 14}-0{1 + n % 9}-1{n % 10}T09:30:00-05:00",
            },
        },
        "request": {"method": "POST", "url": "Encounter"},
    }


def large_bundle(target_bytes: int) -> str:
    """A transaction Bundle of about target_bytes: a patient, one sertraline trial, and as many
    encounters with their vital-sign observations as it takes."""
    entries = [
        {
            "fullUrl": f"urn:uuid:{PATIENT_ID}",
            "resource": {
                "resourceType": "Patient",
                "id": PATIENT_ID,
                "identifier": [
                    {"system": "https://github.com/synthetichealth/synthea", "value": PATIENT_ID}
                ],
                "name": [{"use": "official", "family": "Wiza601", "given": ["Tomas436"]}],
                "gender": "male",
                "birthDate": "1972-08-19",
            },
            "request": {"method": "POST", "url": "Patient"},
        },
        {
            "fullUrl": "urn:uuid:9b3f6f0e-5d1c-4c55-8f57-4a1c2b7d0a02",
            "resource": {
                "resourceType": "MedicationRequest",
                "id": "9b3f6f0e-5d1c-4c55-8f57-4a1c2b7d0a02",
                "status": "stopped",
                "intent": "order",
                "medicationCodeableConcept": {"text": "sertraline 100 MG Oral Tablet"},
                "subject": {"reference": f"urn:uuid:{PATIENT_ID}"},
                "authoredOn": "2022-02-01T10:00:00-05:00",
                "dosageInstruction": [{"text": "1 tablet daily"}],
            },
            "request": {"method": "POST", "url": "MedicationRequest"},
        },
    ]
    size = len(json.dumps(entries))
    n = 0
    while size < target_bytes:
        encounter = _encounter(n)
        entries.append(encounter)
        size += len(json.dumps(encounter)) + 2
        for k in range(3):
            observation = _observation(3 * n + k, encounter["fullUrl"])
            entries.append(observation)
            size += len(json.dumps(observation)) + 2
        n += 1
    return json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": entries})
