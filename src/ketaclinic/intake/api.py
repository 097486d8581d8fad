"""Intake API: trials, history, contraindications, eligibility, decisions, consent, FHIR import."""

from uuid import UUID

from django.core.exceptions import RequestDataTooBig
from ninja import Query, Router, Status

from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.pagination import paginate
from ketaclinic.core.permissions import require
from ketaclinic.patients.queries import access_patient

from . import fhir_import, present, queries, services
from .schemas import (
    AnswerOut,
    AntidepressantIn,
    AntidepressantOut,
    BlockersOut,
    ConsentDocumentIn,
    ConsentDocumentOut,
    ConsentIn,
    ConsentOut,
    ContraindicationsIn,
    DecisionIn,
    DecisionOut,
    EligibilityOut,
    EligibilityQuery,
    HistoryIn,
    HistoryOut,
    ImportOut,
    IntakeReferralOut,
    ReferralIn,
    ReferralPage,
    ReferralSearch,
    RevokeIn,
    SettingsIO,
    TrialConfirmIn,
    TrialIn,
    TrialOut,
    TrialPatch,
)

router = Router(tags=["intake"])

PATIENT = "/patients/{patient_id}"


def _patient(request, patient_id, action="intake.view", *, viewed=False):
    return access_patient(request.auth, patient_id, action=action, record_view=viewed)


def _trial(request, patient_id, trial_id, action):
    """The patient and their trial, both reached with the permission for `action`."""
    patient = _patient(request, patient_id, action)
    return patient, queries.access_trial(request.auth, patient, trial_id, action=action)


def _refuse_nulls(nulls: list, message: str, note: str) -> None:
    """Refuse a payload that sets the fields `nulls` to null, naming them."""
    if nulls:
        raise InvalidInput(message + ": " + ", ".join(nulls), fields=dict.fromkeys(nulls, note))


# --- antidepressant trials ----------------------------------------------------------------------


@router.post(PATIENT + "/antidepressant-trials", response={201: TrialOut})
def record_trial(request, patient_id: UUID, payload: TrialIn):
    """Record a trial; a drug the dose table does not know is kept as free text and flagged."""
    patient = _patient(request, patient_id, "intake.record")
    data = payload.dict()
    data["outcome"] = data["outcome"] or ""
    trial = services.record_trial(actor=request.auth, patient=patient, **data)
    return Status(201, present.trial_rows(patient, [trial])[0])


@router.get(PATIENT + "/antidepressant-trials", response=list[TrialOut])
def list_trials(request, patient_id: UUID):
    patient = _patient(request, patient_id, viewed=True)
    return present.trial_rows(patient)


@router.patch(PATIENT + "/antidepressant-trials/{trial_id}", response=TrialOut)
def update_trial(request, patient_id: UUID, trial_id: UUID, payload: TrialPatch):
    patient, trial = _trial(request, patient_id, trial_id, "intake.record")
    changes = payload.dict(exclude_unset=True)
    nulls = sorted(
        k for k in ("drug", "adherence", "current_episode") if k in changes and changes[k] is None
    )
    _refuse_nulls(nulls, "These fields cannot be emptied", "cannot be null")
    trial = services.update_trial(actor=request.auth, trial=trial, **changes)
    return present.trial_rows(patient, [trial])[0]


@router.post(PATIENT + "/antidepressant-trials/{trial_id}/confirm", response=TrialOut)
def confirm_trial(request, patient_id: UUID, trial_id: UUID, payload: TrialConfirmIn):
    """A prescriber confirms an imported trial, or the dose of a drug outside the table."""
    patient, trial = _trial(request, patient_id, trial_id, "intake.confirm_trial")
    trial = services.confirm_trial(
        actor=request.auth, trial=trial, dose_adequate=payload.dose_adequate
    )
    return present.trial_rows(patient, [trial])[0]


@router.delete(PATIENT + "/antidepressant-trials/{trial_id}", response={204: None})
def remove_trial(request, patient_id: UUID, trial_id: UUID):
    _, trial = _trial(request, patient_id, trial_id, "intake.record")
    services.remove_trial(actor=request.auth, trial=trial)
    return Status(204, None)


# --- history and checklist ----------------------------------------------------------------------


@router.get(PATIENT + "/treatment-history", response=HistoryOut)
def get_history(request, patient_id: UUID):
    patient = _patient(request, patient_id, viewed=True)
    return present.history_dict(queries.history_of(patient))


@router.put(PATIENT + "/treatment-history", response=HistoryOut)
def put_history(request, patient_id: UUID, payload: HistoryIn):
    """Set any of the fields given (others stay as they are)."""
    patient = _patient(request, patient_id, "intake.record")
    history = services.update_history(
        actor=request.auth, patient=patient, **payload.dict(exclude_unset=True)
    )
    return present.history_dict(history)


@router.get(PATIENT + "/contraindications", response=list[AnswerOut])
def get_contraindications(request, patient_id: UUID):
    patient = _patient(request, patient_id, viewed=True)
    return present.answer_rows(patient)


@router.put(PATIENT + "/contraindications", response=list[AnswerOut])
def put_contraindications(request, patient_id: UUID, payload: ContraindicationsIn):
    """Answer any of the checklist questions yes / no / unknown; the reply is the whole list."""
    patient = _patient(request, patient_id, "intake.record")
    data = payload.dict(exclude_unset=True)
    note = data.pop("note", "")
    answers = {k: v for k, v in data.items() if v is not None}
    nulls = sorted(k for k, v in data.items() if v is None)
    _refuse_nulls(nulls, "Answer yes, no or unknown", "answer yes, no or unknown")
    services.record_contraindications(
        actor=request.auth, patient=patient, answers=answers, note=note
    )
    return present.answer_rows(patient)


# --- eligibility --------------------------------------------------------------------------------


@router.get(PATIENT + "/eligibility", response=EligibilityOut)
def get_eligibility(request, patient_id: UUID, query: Query[EligibilityQuery]):
    """The recommendation for a protocol (the clinic's default protocol when none is given)."""
    patient = _patient(request, patient_id, viewed=True)
    return present.eligibility_dict(queries.eligibility_for(patient, query.protocol), patient)


@router.get(PATIENT + "/eligibility/decisions", response=list[DecisionOut])
def list_decisions(request, patient_id: UUID):
    patient = _patient(request, patient_id, viewed=True)
    return [present.decision_dict(d) for d in queries.decisions_of(patient)]


@router.post(PATIENT + "/eligibility/decisions", response={201: DecisionOut})
def decide(request, patient_id: UUID, payload: DecisionIn):
    """A prescriber approves or declines; approving against the recommendation needs a
    justification, and unknown checklist answers block approval."""
    patient = _patient(request, patient_id, "intake.decide")
    data = payload.dict()
    decision = services.decide_eligibility(
        actor=request.auth, patient=patient, protocol_code=data.pop("protocol"), **data
    )
    return Status(201, present.decision_dict(decision))


@router.get(PATIENT + "/treatment-blockers", response=BlockersOut)
def get_blockers(request, patient_id: UUID, query: Query[EligibilityQuery]):
    """What still stands between the patient and a session under the protocol."""
    patient = _patient(request, patient_id, viewed=True)
    facts = queries.resolve_protocol(patient.clinic, query.protocol)
    blockers = queries.treatment_blockers(patient, facts.code)
    return {"protocol": facts.code, "may_treat": not blockers, "blockers": blockers}


# --- consent ------------------------------------------------------------------------------------


@router.get("/consent-documents", response=list[ConsentDocumentOut])
def list_consent_documents(request):
    require(request.auth, "intake.view")
    return [_document(d) for d in queries.consent_documents(request.auth.clinic)]


def _document(d) -> dict:
    """A consent document as the API shows it; an unsaved one is the shipped, unpublished text."""
    return {
        "consent_type": d.consent_type,
        "version": d.version,
        "title": d.title,
        "body": d.body,
        "published": not d._state.adding,
    }


@router.post("/consent-documents", response={201: ConsentDocumentOut})
def publish_consent_document(request, payload: ConsentDocumentIn):
    document = services.publish_consent_document(
        actor=request.auth,
        consent_type=payload.consent_type,
        title=payload.title,
        body=payload.body,
    )
    return Status(201, _document(document))


@router.get(PATIENT + "/consents", response=list[ConsentOut])
def list_consents(request, patient_id: UUID):
    patient = _patient(request, patient_id, viewed=True)
    return [present.consent_dict(c) for c in queries.consents_of(patient)]


@router.post(PATIENT + "/consents", response={201: ConsentOut})
def record_consent(request, patient_id: UUID, payload: ConsentIn):
    patient = _patient(request, patient_id, "consent.record")
    consent = services.record_consent(actor=request.auth, patient=patient, **payload.dict())
    return Status(201, present.consent_dict(consent))


@router.post(PATIENT + "/consents/{consent_id}/revoke", response=ConsentOut)
def revoke_consent(request, patient_id: UUID, consent_id: UUID, payload: RevokeIn):
    patient = _patient(request, patient_id, "consent.record")
    consent = queries.access_consent(request.auth, patient, consent_id, action="consent.record")
    consent = services.revoke_consent(actor=request.auth, consent=consent, reason=payload.reason)
    return present.consent_dict(consent)


# --- referral import and waiting list -----------------------------------------------------------


@router.post(
    "/fhir/import",
    response={201: ImportOut},
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A FHIR R4 Bundle (JSON) from the referring clinician, up to "
            "KETACLINIC_FHIR_MAX_BUNDLE_MB megabytes (20 by default).",
            "content": {
                "application/fhir+json": {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
            },
        },
        "responses": {
            "413": {"description": "The Bundle is larger than the server's limit."},
            "422": {
                "description": "Not a FHIR R4 Bundle the importer can read (for example a "
                "DSTU2 MedicationOrder); nothing is saved."
            },
        },
    },
)
def import_fhir(request):
    """Create or match the patient and prefill trials ('imported — needs review').

    A malformed or non-R4 Bundle is refused (422) and nothing is saved; importing the same
    Bundle again creates nothing twice."""
    raw = _bundle_body(request)
    if not raw:
        raise InvalidInput("Send the FHIR Bundle as the request body.", fields={"bundle": "empty"})
    return Status(201, fhir_import.import_fhir_bundle(actor=request.auth, raw=raw))


def _bundle_body(request) -> bytes:
    """The request body, up to the Bundle limit rather than Django's form-post limit."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    fhir_import.refuse_if_too_large(declared)
    try:
        return request.body
    except RequestDataTooBig:
        # DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default) guards form posts; a referral Bundle
        # may be larger (Synthea's are 1-4 MB), so read it under the Bundle limit instead.
        raw = request.read(fhir_import.max_bundle_bytes() + 1)
        fhir_import.refuse_if_too_large(len(raw))
        return raw


@router.get("/intake/referrals", response=ReferralPage)
def list_referrals(request, filters: Query[ReferralSearch]):
    """The waiting list: referred patients and their intake status, oldest referral first."""
    page = paginate(
        queries.waiting_list(request.auth, filters.status or "", filters.q), filters.page
    )
    return {
        "items": [present.referral_dict(r) for r in page.items],
        "count": page.count,
        "page": page.page,
        "pages": page.pages,
    }


@router.post("/intake/referrals", response={201: IntakeReferralOut})
def create_referral(request, payload: ReferralIn):
    patient = access_patient(request.auth, payload.patient_id, action="referral.create")
    referral = services.create_referral(
        actor=request.auth, patient=patient, **payload.dict(exclude={"patient_id"})
    )
    return Status(201, present.referral_dict(referral))


# --- clinic configuration -----------------------------------------------------------------------


@router.get("/intake/antidepressants", response=list[AntidepressantOut])
def list_antidepressants(request):
    """The clinic's dose table: built-in MGH-ATRQ rows with the clinic's own rows laid over."""
    require(request.auth, "intake.view")
    table = queries.dose_table_for(request.auth.clinic)
    return [_antidepressant(row) for row in sorted(table.values(), key=lambda r: r.name)]


@router.put("/intake/antidepressants/{name}", response=AntidepressantOut)
def put_antidepressant(request, name: str, payload: AntidepressantIn):
    """Replace a built-in row for this clinic (same name) or add a drug, with its source."""
    row = services.set_clinic_antidepressant(actor=request.auth, name=name, **payload.dict())
    # The clinic's own row, entered with its source, is the clinic's verified value.
    return {
        "name": row.name,
        "drug_class": row.drug_class,
        "min_daily_dose_mg": row.min_daily_dose_mg,
        "source": row.source,
        "needs_verification": False,
    }


def _antidepressant(row) -> dict:
    return {
        "name": row.name,
        "drug_class": row.drug_class,
        "min_daily_dose_mg": row.min_daily_dose_mg,
        "inadequate_at_or_below_mg": row.inadequate_at_or_below_mg,
        "source": row.source,
        "needs_verification": row.needs_verification,
    }


@router.get("/intake/settings", response=SettingsIO)
def get_settings(request):
    require(request.auth, "intake.view")
    return _settings(queries.intake_settings(request.auth.clinic))


@router.put("/intake/settings", response=SettingsIO)
def put_settings(request, payload: SettingsIO):
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return _settings(services.update_intake_settings(actor=request.auth, **changes))


def _settings(row) -> dict:
    return {
        "min_trial_weeks": row.min_trial_weeks,
        "min_failed_trials_for_trd": row.min_failed_trials_for_trd,
        "default_protocol_code": row.default_protocol_code,
    }
