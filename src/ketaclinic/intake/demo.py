"""Demo intake: referred and imported patients, intake in progress, declines, approvals + consent.

Most demo patients end approved (for esketamine and IV ketamine) with both consents signed, so
the treatment-day demo can treat them; their ids are in ctx.extra["intake_approved"].
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from . import fhir_import, queries, rules, services
from .antidepressants import BUILT_IN

ORDER = 40

REFERRERS = [
    "Dr. Dana Whitfield (Northside Family Practice)",
    "Dr. Omar Haddad (Psychiatry)",
    "Lena Brooks, NP (Community Mental Health)",
    "Dr. Ines Park (Internal Medicine)",
]
# Drugs whose table row has a minimum dose (venlafaxine has none: a clinician confirms its dose).
COMMON = [
    "sertraline",
    "escitalopram",
    "fluoxetine",
    "citalopram",
    "duloxetine",
    "bupropion",
    "mirtazapine",
    "vortioxetine",
    "nortriptyline",
]
ALL_NO = dict.fromkeys(rules.QUESTION_KEYS, "no")
PROTOCOLS = ("esketamine_trd", "iv_ketamine")

# How the 25 demo patients are spread over the intake states.
REFERRED, MID_INTAKE, DECLINED = 3, 3, 2


def _trials(ctx, nurse, patient, count: int, *, adequate: bool = True) -> None:
    rng = ctx.rng
    table = {row.name: row for row in BUILT_IN}
    drugs = rng.sample(COMMON, count)
    plan = [
        (rng.randint(6, 16) if adequate else rng.randint(2, 4), rng.randint(1, 6)) for _ in drugs
    ]
    span = sum(weeks + gap for weeks, gap in plan)
    start = ctx.now.date() - timedelta(weeks=span, days=rng.randint(7, 60))
    for drug, (weeks, gap) in zip(drugs, plan, strict=True):
        minimum = table[drug].min_daily_dose_mg
        dose = minimum * rng.choice([1, Decimal("1.5"), 2]) if adequate else minimum / 2
        services.record_trial(
            actor=nurse,
            patient=patient,
            drug=drug,
            daily_dose_mg=dose,
            started_on=start,
            ended_on=start + timedelta(weeks=weeks),
            adherence=rng.choice(["good", "good", "partial"]),
            outcome=rng.choice(["no_response", "no_response", "partial_response"]),
        )
        start += timedelta(weeks=weeks + gap)


def _history(ctx, nurse, patient) -> None:
    rng = ctx.rng
    services.update_history(
        actor=nurse,
        patient=patient,
        episode_onset=ctx.now.date() - timedelta(days=rng.randint(250, 1600)),
        current_severity=rng.choice(
            ["moderate", "severe_without_psychosis", "severe_without_psychosis", "mild"]
        ),
        augmentation_used=rng.random() < 0.4,
        augmentation_notes="aripiprazole 5 mg" if rng.random() < 0.5 else "",
        psychotherapy=rng.random() < 0.8,
        psychotherapy_notes="CBT, 16 sessions" if rng.random() < 0.5 else "",
        ect_used=rng.random() < 0.1,
    )


def _approve(ctx, prescriber, nurse, patient) -> None:
    for protocol in PROTOCOLS:
        view = queries.eligibility_for(patient, protocol)
        justification = ""
        if view.result.recommendation != rules.Recommendation.ELIGIBLE:
            justification = "Reviewed in person with the patient; risks discussed and accepted."
        services.decide_eligibility(
            actor=prescriber,
            patient=patient,
            protocol_code=protocol,
            outcome="approve",
            note="Meets the clinic's criteria after intake review.",
            justification=justification,
        )
        services.record_consent(
            actor=nurse,
            patient=patient,
            consent_type=view.protocol.consent_type,
            signer_name=patient.full_name,
            witness_name=nurse.get_full_name(),
            signed_on=ctx.now.date() - timedelta(days=ctx.rng.randint(1, 20)),
        )


EHR = "https://ehr.example.org/fhir"
SUBJECT = {"reference": "Patient/demo-ref-1"}


def _entry(resource_type: str, resource_id: str, **resource) -> dict:
    """One Bundle entry: a resource with its type, id and full URL at the referring EHR."""
    return {
        "fullUrl": f"{EHR}/{resource_type}/{resource_id}",
        "resource": {"resourceType": resource_type, "id": resource_id, **resource},
    }


def _referral_bundle(ctx) -> dict:
    """A small referral as a neighbouring EHR would send it (for the import demo)."""
    fake, rng = ctx.fake, ctx.rng
    birth = ctx.now.date().replace(year=ctx.now.year - rng.randint(25, 60), month=4, day=12)
    start = ctx.now.date() - timedelta(days=400)
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            _entry(
                "Patient",
                "demo-ref-1",
                identifier=[{"system": "urn:oid:2.16.840.1.113883.19.5", "value": "R-48213"}],
                name=[
                    {
                        "use": "official",
                        "family": fake.last_name(),
                        "given": [fake.first_name_female()],
                    }
                ],
                gender="female",
                birthDate=birth.isoformat(),
            ),
            _entry(
                "Condition",
                "demo-ref-c1",
                code={
                    "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F33.2"}],
                    "text": "Recurrent major depression, severe",
                },
                subject=SUBJECT,
            ),
            _entry(
                "MedicationStatement",
                "demo-ref-m1",
                status="completed",
                medicationCodeableConcept={"text": "Sertraline 150 mg tablet"},
                subject=SUBJECT,
                effectivePeriod={
                    "start": start.isoformat(),
                    "end": (start + timedelta(weeks=10)).isoformat(),
                },
                dosage=[{"text": "150 mg once daily"}],
            ),
            _entry(
                "MedicationStatement",
                "demo-ref-m2",
                status="active",
                medicationCodeableConcept={"text": "Cymbalta"},
                subject=SUBJECT,
                effectivePeriod={"start": (start + timedelta(weeks=12)).isoformat()},
            ),
            _entry(
                "Observation",
                "demo-ref-o1",
                status="final",
                code={
                    "coding": [{"system": "http://loinc.org", "code": "44261-6"}],
                    "text": "PHQ-9 total",
                },
                subject=SUBJECT,
                effectiveDateTime=(ctx.now.date() - timedelta(days=9)).isoformat(),
                valueInteger=22,
            ),
        ],
    }


def seed(ctx) -> None:
    rng = ctx.rng
    nurse, prescriber = ctx.user("nurse"), ctx.user("prescriber")
    frontdesk = ctx.user("frontdesk")
    patients = list(ctx.patients)
    today = ctx.now.date()
    for patient in patients:
        services.create_referral(
            actor=frontdesk,
            patient=patient,
            referred_on=today - timedelta(days=rng.randint(20, 240)),
            referring_clinician=rng.choice(REFERRERS),
            reason="Depression not responding to antidepressants; assess for ketamine/esketamine.",
        )
    referred = patients[-REFERRED:]  # the newest referrals stay untouched on the waiting list
    rest = patients[:-REFERRED]
    mid, declined, approved = (
        rest[:MID_INTAKE],
        rest[MID_INTAKE : MID_INTAKE + DECLINED],
        rest[MID_INTAKE + DECLINED :],
    )

    for patient in mid:  # history taken, checklist half done
        _history(ctx, nurse, patient)
        _trials(ctx, nurse, patient, rng.randint(1, 2))
        keys = rng.sample(rules.QUESTION_KEYS, 6)
        services.record_contraindications(
            actor=nurse, patient=patient, answers=dict.fromkeys(keys, "no")
        )

    # One declined for an esketamine contraindication, one for too little treatment so far.
    first, second = declined
    _history(ctx, nurse, first)
    _trials(ctx, nurse, first, 3)
    services.record_contraindications(
        actor=nurse,
        patient=first,
        answers=ALL_NO | {"aneurysmal_vascular_disease": "yes"},
        note="Abdominal aortic aneurysm on CT, per the referral letter",
    )
    services.decide_eligibility(
        actor=prescriber,
        patient=first,
        protocol_code="esketamine_trd",
        outcome="decline",
        note="Contraindicated (aneurysmal vascular disease). Referred back with alternatives.",
    )
    _history(ctx, nurse, second)
    _trials(ctx, nurse, second, 2, adequate=False)
    services.record_contraindications(actor=nurse, patient=second, answers=ALL_NO)
    services.decide_eligibility(
        actor=prescriber,
        patient=second,
        protocol_code="iv_ketamine",
        outcome="decline",
        note="Not treatment-resistant yet: both trials under-dosed. Optimise and re-refer.",
    )

    for index, patient in enumerate(approved):
        _history(ctx, nurse, patient)
        _trials(ctx, nurse, patient, rng.randint(2, 4))
        answers = dict(ALL_NO)
        if index == 1:
            answers["uncontrolled_hypertension"] = "yes"  # approved with a justification
        services.record_contraindications(actor=nurse, patient=patient, answers=answers)
        _approve(ctx, prescriber, nurse, patient)

    imported = fhir_import.import_fhir_bundle(actor=nurse, raw=_referral_bundle(ctx))
    ctx.extra["intake_approved"] = [p.id for p in approved]
    ctx.extra["intake_referred"] = [p.id for p in referred] + [imported["patient_id"]]
    ctx.notes.append(
        f"Intake: {len(referred) + 1} referred (one imported from FHIR), {len(mid)} mid-intake, "
        f"{len(declined)} declined, {len(approved)} approved with signed consent."
    )
