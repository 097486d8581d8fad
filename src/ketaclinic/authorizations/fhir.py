"""The packet as a FHIR R4 collection Bundle: Patient, Coverage, Condition, a MedicationStatement
per antidepressant trial, an Observation per PHQ-9/MADRS score, a Claim (use preauthorization)
for the planned sessions, and a DocumentReference carrying the criteria summary.

Validated with the fhir.resources R4B models (R4B keeps R4's shape for these resources).
No code is guessed: drugs and services are sent as text, and only verified codes are coded
(ICD-10-CM for the diagnosis; LOINC where the instrument definition carries one).
"""

from __future__ import annotations

import base64
import json
import uuid

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from . import rules

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
LOCAL = "urn:ketaclinic"
RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
INFO_CATEGORY = "http://terminology.hl7.org/CodeSystem/claiminformationcategory"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
_NS = uuid.UUID("0b3f8f9e-3c1e-4c55-9a55-7a1f3f1d2c10")


def _id(*parts) -> str:
    return str(uuid.uuid5(_NS, "/".join(str(p) for p in parts)))


def _ref(resource: dict) -> dict:
    return {"reference": f"urn:uuid:{resource['id']}"}


def _patient(p) -> dict:
    patient = p.patient
    return {
        "resourceType": "Patient",
        "id": _id("patient", patient.id),
        "identifier": [{"system": f"{LOCAL}:mrn:{p.clinic.slug}", "value": patient.mrn}],
        "name": [{"family": patient.family_name, "given": [patient.given_name]}],
        "gender": patient.sex
        if patient.sex in {"female", "male", "other", "unknown"}
        else "unknown",
        "birthDate": patient.date_of_birth.isoformat(),
    }


def _coverage(p, patient: dict) -> dict | None:
    c = p.coverage
    if c is None:
        return None
    classes = []
    if c.group_number:
        classes.append(
            {
                "type": {"coding": [{"system": COVERAGE_CLASS, "code": "group"}]},
                "value": c.group_number,
            }
        )
    if c.plan_name:
        classes.append(
            {
                "type": {"coding": [{"system": COVERAGE_CLASS, "code": "plan"}]},
                "value": c.plan_name,
                "name": c.plan_name,
            }
        )
    period = {"start": c.effective_from.isoformat()}
    if c.effective_to:
        period["end"] = c.effective_to.isoformat()
    resource = {
        "resourceType": "Coverage",
        "id": _id("coverage", c.id),
        "status": "active",
        "subscriberId": c.member_id,
        "beneficiary": _ref(patient),
        "relationship": {"coding": [{"system": RELATIONSHIP, "code": c.subscriber_relationship}]},
        "period": period,
        "payor": [{"display": c.payer_name}],
        "order": c.order,
    }
    if c.subscriber_name:
        resource["subscriber"] = {"display": c.subscriber_name}
    if classes:
        resource["class"] = classes
    return resource


def _condition(p, patient: dict) -> dict | None:
    if not p.diagnosis_code:
        return None
    return {
        "resourceType": "Condition",
        "id": _id("condition", p.patient.id, p.diagnosis_code),
        "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
        "code": {
            "coding": [
                {
                    "system": ICD10CM,
                    "code": p.diagnosis_code,
                    "display": p.diagnosis_description,
                }
            ],
            "text": p.diagnosis_description or p.diagnosis_code,
        },
        "subject": _ref(patient),
    }


def _trial(p, n: int, t: rules.TrialEvidence, patient: dict) -> dict:
    verdict = (
        "adequate failed trial in the current episode"
        if t.counts_as_failed
        else ("adequate" if t.adequate else "not adequate")
    )
    notes = [f"Outcome: {t.outcome or 'not recorded'}. Verdict: {verdict}."]
    notes += [f"{reason}." for reason in t.reasons]
    resource = {
        "resourceType": "MedicationStatement",
        "id": _id("trial", p.patient.id, n),
        "status": "completed" if t.ended_on else "unknown",
        "medicationCodeableConcept": {"text": t.drug},
        "subject": _ref(patient),
        "note": [{"text": " ".join(notes)}],
    }
    if t.started_on or t.ended_on:
        period = {}
        if t.started_on:
            period["start"] = t.started_on.isoformat()
        if t.ended_on:
            period["end"] = t.ended_on.isoformat()
        resource["effectivePeriod"] = period
    dosage = []
    if t.daily_dose_mg is not None:
        text = f"{t.daily_dose_mg.normalize():f} mg per day"
        if t.weeks is not None:
            text += f" for {t.weeks.normalize():f} weeks"
        dosage.append({"text": text})
    elif t.weeks is not None:
        dosage.append({"text": f"{t.weeks.normalize():f} weeks"})
    if dosage:
        resource["dosage"] = dosage
    return resource


def _observation(p, s: rules.ScoreEvidence, patient: dict) -> dict:
    if s.loinc:
        coding = {"system": LOINC, "code": s.loinc, "display": f"{s.name} total score"}
    else:
        coding = {
            "system": f"{LOCAL}:measures",
            "code": f"{s.instrument}-total",
            "display": f"{s.name} total",
        }
    resource = {
        "resourceType": "Observation",
        "id": _id("score", p.patient.id, s.instrument, s.on, s.total),
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]}],
        "code": {"coding": [coding], "text": coding["display"]},
        "subject": _ref(patient),
        "effectiveDateTime": s.on.isoformat(),
    }
    if s.total is not None:
        resource["valueInteger"] = s.total
    if s.severity:
        resource["interpretation"] = [{"text": s.severity}]
    return resource


def _claim(p, patient, coverage, condition, supporting) -> dict | None:
    if coverage is None:
        return None
    a = p.authorization
    sessions = list(p.planned_sessions)
    quantity = a.requested_units or (len(sessions) if a.unit == rules.Unit.SESSION else None)
    item = {
        "sequence": 1,
        "productOrService": {"text": f"{p.protocol_name}: treatment sessions"},
    }
    if quantity:
        item["quantity"] = {"value": quantity, "unit": rules.UNIT_LABELS[rules.Unit(a.unit)]}
    if sessions:
        item["servicedPeriod"] = {
            "start": sessions[0].scheduled_date.isoformat(),
            "end": sessions[-1].scheduled_date.isoformat(),
        }
    claim = {
        "resourceType": "Claim",
        "id": _id("claim", a.id),
        "status": "active",
        "type": {"coding": [{"system": CLAIM_TYPE, "code": "professional"}]},
        "use": "preauthorization",
        "patient": _ref(patient),
        "created": p.prepared_at.isoformat(),
        "provider": {"display": p.clinic.name},
        "priority": {"coding": [{"system": PRIORITY, "code": "normal"}]},
        "insurance": [{"sequence": 1, "focal": True, "coverage": _ref(coverage)}],
        "item": [item],
    }
    if a.payer_reference:
        claim["insurance"][0]["preAuthRef"] = [a.payer_reference]
    if condition is not None:
        claim["diagnosis"] = [{"sequence": 1, "diagnosisReference": _ref(condition)}]
        item["diagnosisSequence"] = [1]
    if supporting:
        claim["supportingInfo"] = [
            {
                "sequence": n,
                "category": {"coding": [{"system": INFO_CATEGORY, "code": "info"}]},
                "valueReference": _ref(resource),
            }
            for n, resource in enumerate(supporting, start=1)
        ]
    return claim


def summary_text(p) -> str:
    """The packet's criteria and facts as plain text (the DocumentReference's attachment)."""
    lines = [
        f"Prior-authorization packet, {p.clinic.name}, prepared {p.today.isoformat()}",
        f"Patient: {p.patient.full_name}, born {p.patient.date_of_birth.isoformat()}",
        f"Treatment: {p.protocol_name}",
        f"Diagnosis: {p.diagnosis_code} {p.diagnosis_description}".rstrip(),
        f"Adequate failed antidepressant trials (current episode): {p.adequate_failed}",
    ]
    if p.checklist is not None:
        lines.append(f"Criteria of {p.checklist.payer_name} (source: {p.checklist.source}):")
        for r in p.results:
            lines.append(f"- {r.criterion.label}: {r.verdict_label}. " + " ".join(r.evidence))
    lines.append(p.nothing_sent)
    return "\n".join(lines)


def _document(p, patient: dict) -> dict:
    text = summary_text(p)
    return {
        "resourceType": "DocumentReference",
        "id": _id("packet", p.authorization.id, p.prepared_at.isoformat()),
        "status": "current",
        "type": {"text": "Prior-authorization packet summary"},
        "subject": _ref(patient),
        "date": p.prepared_at.isoformat(),
        "description": "Payer criteria checked against the clinic's record, with evidence",
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "data": base64.b64encode(text.encode()).decode(),
                    "title": "Criteria summary",
                }
            }
        ],
    }


def packet_bundle(p) -> dict:
    """The packet as a validated FHIR R4 collection Bundle (a JSON-ready dict)."""
    patient = _patient(p)
    coverage = _coverage(p, patient)
    condition = _condition(p, patient)
    trials = [_trial(p, n, t, patient) for n, t in enumerate(p.trials, start=1)]
    scores = [_observation(p, s, patient) for s in p.scores]
    document = _document(p, patient)
    claim = _claim(p, patient, coverage, condition, [*trials, *scores])
    resources = [patient, coverage, condition, *trials, *scores, claim, document]
    entries = []
    for resource in resources:
        if resource is None:
            continue
        # Each resource is checked against its own model; the Bundle only checks the envelope.
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        entries.append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})
    bundle = Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "id": _id("bundle", p.authorization.id, p.prepared_at.isoformat()),
            "type": "collection",
            "timestamp": p.prepared_at.isoformat(),
            "entry": entries,
        }
    )
    return json.loads(bundle.model_dump_json(exclude_none=True))
