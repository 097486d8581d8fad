"""The prior-authorization packet: what the clinic already holds, and the payer's criteria
checked against it. Rendered as a print page and a PDF (one template) and as FHIR (fhir.py)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone

from ketaclinic.billing import queries as billing_queries
from ketaclinic.core.pdf import html_to_pdf
from ketaclinic.core.permissions import require
from ketaclinic.intake import queries as intake_queries
from ketaclinic.intake import rules as intake_rules
from ketaclinic.measures import queries as measure_queries

from . import course_facts, queries, rules
from .course_facts import CourseFact
from .definitions import ICD10_SOURCE, NOTHING_SENT, PACKET_INSTRUMENTS


@dataclass(frozen=True)
class ScreeningAnswer:
    question: str
    answer: str
    note: str = ""


@dataclass
class Packet:
    """Everything the packet shows, read once; templates and the FHIR builder only format it."""

    prepared_at: datetime.datetime
    today: datetime.date
    prepared_by: str
    clinic: object
    patient: object
    authorization: object
    coverage: object | None
    course: CourseFact | None
    protocol_name: str
    drug: str
    diagnosis_code: str
    diagnosis_description: str
    trials: list[rules.TrialEvidence]
    adequate_failed: int
    failed_drugs: tuple[str, ...]
    maudsley: object
    maudsley_source: str
    scores: list[rules.ScoreEvidence]
    rems_patient: bool | None
    site_rems: object
    screening: list[ScreeningAnswer]
    contraindications: list[str]
    unanswered: list[str]
    checklist: object | None
    results: list[rules.CriterionResult]
    tally: dict[str, int] = field(default_factory=dict)
    sources: list[tuple[str, str]] = field(default_factory=list)
    nothing_sent: str = NOTHING_SENT

    @property
    def planned_sessions(self):
        return self.course.planned if self.course else ()


def _trials(view, table) -> list[rules.TrialEvidence]:
    rows = []
    for trial, assessment in zip(view.trials, view.result.trial_assessments, strict=True):
        known = table.get(assessment.drug_key)
        rows.append(
            rules.TrialEvidence(
                drug=trial.drug,
                drug_class=known.drug_class if known else None,
                daily_dose_mg=trial.daily_dose_mg,
                weeks=trial.weeks,
                started_on=trial.started_on,
                ended_on=trial.ended_on,
                outcome=trial.get_outcome_display() if trial.outcome else "",
                failed=trial.outcome in intake_rules.FAILED_OUTCOMES,
                current_episode=trial.current_episode,
                adequate=assessment.adequate,
                counts_as_failed=assessment.counts_as_failed,
                needs_review=trial.needs_review,
                reasons=assessment.reasons,
            )
        )
    return rows


def _scores(user, patient) -> list[rules.ScoreEvidence]:
    tz = patient.clinic.tz
    rows = [
        r
        for r in measure_queries.patient_history(user, patient)
        if r.response.instrument in PACKET_INSTRUMENTS
    ]
    return sorted(
        (
            rules.ScoreEvidence(
                instrument=r.response.instrument,
                name=r.instrument.name,
                on=timezone.localtime(r.response.administered_at, tz).date(),
                total=r.total,
                severity=r.severity,
                loinc=r.instrument.loinc_total,
            )
            for r in rows
        ),
        key=lambda s: (s.on, s.instrument),
    )


def _screening(view) -> list[ScreeningAnswer]:
    answers = view.answers
    rows = []
    for question in intake_rules.QUESTIONS:
        row = answers.get(question.key)
        rows.append(
            ScreeningAnswer(
                question.label,
                row.answer if row is not None else "not answered",
                row.note if row is not None else "",
            )
        )
    return rows


def _labels(keys) -> list[str]:
    return [
        intake_rules.QUESTIONS_BY_KEY[k].label for k in keys if k in intake_rules.QUESTIONS_BY_KEY
    ]


def _sources(drug: str, checklist) -> list[tuple[str, str]]:
    texts = intake_rules.RULES
    sources = [
        ("Adequate antidepressant trial", texts["adequate_trial"].source),
        ("Treatment-resistant depression", texts["trd"].source),
        ("Maudsley Staging Method", intake_rules.MSM_SOURCE),
        ("Diagnosis codes", ICD10_SOURCE),
    ]
    label_rule = texts.get(f"{drug}_contraindications")
    if label_rule is not None:
        sources.append(("Contraindications", label_rule.source))
    if checklist is not None:
        sources.append((f"Criteria of {checklist.payer_name}", checklist.source))
    return sources


def build_packet(user, authorization, *, today: datetime.date | None = None) -> Packet:
    """Read the record for the packet and check the payer's criteria against it."""
    require(user, "authorization.packet")
    patient = authorization.patient
    clinic = patient.clinic
    today = today or queries.clinic_today(clinic)
    course = None
    if authorization.course_id is not None:
        course = course_facts.course_for(
            user, authorization.course_id, action="authorization.packet"
        )
    view = intake_queries.eligibility_for(patient, authorization.protocol_code, today=today)
    table = intake_queries.dose_table_for(clinic)
    trials = _trials(view, table)
    diagnosis = billing_queries.current_diagnosis(patient)
    scores = _scores(user, patient)
    rems_patient = course_facts.rems_enrollment(patient, course)
    site = queries.settings_for(clinic)
    screening = _screening(view)
    contraindications = _labels(view.result.contraindications)
    unanswered = _labels(view.result.unknown)
    record = rules.Record(
        drug=view.protocol.drug,
        diagnosis_code=diagnosis.code if diagnosis else "",
        diagnosis_description=diagnosis.description if diagnosis else "",
        trials=trials,
        scores=scores,
        rems_patient=rems_patient,
        rems_site=site.site_rems_certified,
        rems_site_reference=site.site_rems_reference,
        contraindications=contraindications,
        unanswered=unanswered,
        cautions=_labels(view.result.cautions),
        questions_answered=sum(1 for s in screening if s.answer != "not answered"),
    )
    checklist = queries.checklist_for(authorization)
    criteria = [c.as_rule() for c in checklist.criteria.all()] if checklist else []
    results = rules.evaluate(criteria, record)
    return Packet(
        prepared_at=timezone.now(),
        today=today,
        prepared_by=user.display_name,
        clinic=clinic,
        patient=patient,
        authorization=authorization,
        coverage=authorization.coverage,
        course=course,
        protocol_name=course.protocol_name if course else view.protocol.name,
        drug=view.protocol.drug,
        diagnosis_code=record.diagnosis_code,
        diagnosis_description=record.diagnosis_description,
        trials=trials,
        adequate_failed=view.result.adequate_failed_trials,
        failed_drugs=view.result.failed_drugs,
        maudsley=view.result.maudsley,
        maudsley_source=intake_rules.MSM_SOURCE,
        scores=scores,
        rems_patient=rems_patient,
        site_rems=site,
        screening=screening,
        contraindications=contraindications,
        unanswered=unanswered,
        checklist=checklist,
        results=results,
        tally=rules.tally(results),
        sources=_sources(view.protocol.drug, checklist),
    )


def render_html(packet: Packet, *, for_pdf: bool, request=None) -> str:
    """The packet as one HTML document: the print page and the PDF's source."""
    return render_to_string(
        "authorizations/packet.html", {"p": packet, "for_pdf": for_pdf}, request=request
    )


def render_pdf(packet: Packet) -> bytes:
    return html_to_pdf(render_html(packet, for_pdf=True))


def filename(packet: Packet, extension: str) -> str:
    return f"prior-authorization-{packet.patient.mrn}-{packet.today.isoformat()}.{extension}"
