"""Rating-scale API: record and list scores, self-report links, safety alerts, FHIR export."""

from uuid import UUID

from django.utils import timezone
from ninja import Query, Router, Status

from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.core.schemas import ErrorOut

from . import present, queries, services
from .fhir import ResponseRecord, measures_bundle
from .instruments import UnknownInstrument
from .schemas import (
    AlertFilter,
    InstrumentOut,
    MeasureAlertAcknowledgeIn,
    MeasureCreated,
    MeasureFilter,
    MeasureIn,
    MeasureRequestIn,
    MeasureRequestOut,
    MeasureRow,
    ReferralConfirmed,
    SafetyAlertOut,
)

router = Router(tags=["measures"])


def _alert_out(alert) -> dict:
    return {
        "id": alert.id,
        "patient_id": alert.patient_id,
        "patient_name": alert.patient.full_name,
        "patient_mrn": alert.patient.mrn,
        "response_id": alert.response_id,
        "instrument": alert.response.instrument,
        "code": alert.code,
        "message": alert.message,
        "must_act": alert.must_act,
        "status": alert.status,
        "raised_at": alert.raised_at,
        "acknowledged_at": alert.acknowledged_at,
        "acknowledged_by": alert.acknowledged_by.display_name if alert.acknowledged_by else None,
        "action_note": alert.action_note,
    }


@router.post("/patients/{patient_id}/measures", response={201: MeasureCreated})
def record_measure(request, patient_id: UUID, payload: MeasureIn):
    patient = queries.access_patient_measures(request.auth, patient_id, action="measure.record")
    response, alerts = services.record_measure(
        actor=request.auth,
        patient=patient,
        instrument=payload.instrument,
        answers=payload.answers,
        administered_at=payload.administered_at,
    )
    return Status(
        201,
        {
            "id": response.id,
            "instrument": response.instrument,
            "total": response.total,
            "severity": response.severity or None,
            "administered_at": response.administered_at,
            "alerts": [{"code": a.code, "message": a.message} for a in alerts],
        },
    )


@router.get("/patients/{patient_id}/measures", response=list[MeasureRow])
def list_measures(request, patient_id: UUID, filters: Query[MeasureFilter]):
    patient = queries.access_patient_measures(request.auth, patient_id, record_view=True)
    try:
        rows = queries.patient_history(request.auth, patient, filters.instrument or None)
    except UnknownInstrument:
        raise InvalidInput(
            "Unknown instrument.", fields={"instrument": "unknown instrument"}
        ) from None
    return [present.measure_row(row, patient.clinic.tz) for row in rows]


@router.post(
    "/patients/{patient_id}/measures/{response_id}/confirm-referral", response=ReferralConfirmed
)
def confirm_referral_score(request, patient_id: UUID, response_id: UUID):
    """A clinician confirms a referral's score: from then on it may serve as a course baseline."""
    patient = queries.access_patient_measures(
        request.auth, patient_id, action="measure.confirm_referral"
    )
    response = queries.access_response(request.auth, patient, response_id)
    response = services.confirm_referral_score(actor=request.auth, response=response)
    return {
        "id": response.id,
        "instrument": response.instrument,
        "total": response.total,
        "referral": present.referral(response, patient.clinic.tz),
    }


@router.post(
    "/patients/{patient_id}/measure-requests", response={201: MeasureRequestOut, 503: ErrorOut}
)
def send_measure_request(request, patient_id: UUID, payload: MeasureRequestIn):
    patient = queries.access_patient_measures(request.auth, patient_id, action="measure.request")
    sent = services.send_measure_request(
        actor=request.auth,
        patient=patient,
        instruments=payload.instruments,
        delivery=payload.delivery,
    )
    return Status(
        201,
        {
            "id": sent.request.id,
            "url": sent.url,
            "expires_at": sent.request.expires_at,
            "instruments": sent.request.instruments,
            "delivery": sent.request.delivery,
        },
    )


@router.get("/measure-alerts", response=list[SafetyAlertOut])
def list_alerts(request, filters: Query[AlertFilter]):
    status = None if filters.status == "all" else filters.status
    return [_alert_out(a) for a in queries.clinic_alerts(request.auth, status)]


@router.get("/patients/{patient_id}/measure-alerts", response=list[SafetyAlertOut])
def list_patient_alerts(request, patient_id: UUID):
    patient = queries.access_patient_measures(request.auth, patient_id, record_view=True)
    alerts = queries.patient_alerts(request.auth, patient).select_related("patient")
    return [_alert_out(a) for a in alerts]


@router.post("/measure-alerts/{alert_id}/acknowledge", response=SafetyAlertOut)
def acknowledge_alert(request, alert_id: UUID, payload: MeasureAlertAcknowledgeIn):
    require(request.auth, "measure.acknowledge_alert")
    alert = queries.access_alert(request.auth, alert_id, action="measure.acknowledge_alert")
    alert = services.acknowledge_alert(actor=request.auth, alert=alert, note=payload.note)
    return _alert_out(alert)


@router.get("/patients/{patient_id}/fhir/measures", response=dict)
def fhir_measures(request, patient_id: UUID):
    """A FHIR R4 Bundle: one QuestionnaireResponse and one Observation per response."""
    patient = queries.access_patient_measures(request.auth, patient_id, record_view=True)
    rows = queries.patient_history(request.auth, patient)
    tz = patient.clinic.tz
    records = [
        ResponseRecord(
            id=row.id,
            instrument=row.instrument,
            authored=row.response.administered_at,
            answers=row.response.answers,
            total=row.total,
            severity=row.severity,
            referral_organisation=row.response.referral_organisation or None,
            referral_observed_on=timezone.localdate(row.response.administered_at, tz),
        )
        for row in reversed(rows)
    ]
    return measures_bundle(str(patient.id), records)


@router.get("/instruments", response=list[InstrumentOut])
def list_instruments(request):
    """Every instrument: items, options, scoring, bands, safety items, sources, licence."""
    return [present.instrument(i) for i in queries.clinic_instruments(request.auth)]


@router.get("/instruments/{code}", response=InstrumentOut)
def get_instrument(request, code: str):
    return present.instrument(queries.access_instrument(request.auth, code))
