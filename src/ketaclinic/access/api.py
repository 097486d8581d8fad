"""Access API: barriers per patient, the prioritized waiting list, dropout risk, equity report."""

from __future__ import annotations

from uuid import UUID

from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.core.schemas import WorkingDate
from ketaclinic.patients.queries import access_patient

from . import queries, reports, services
from .schemas import (
    AccessSettingsIn,
    AccessSettingsOut,
    BarrierIn,
    BarrierOut,
    ResolveIn,
    RiskOut,
    WaitingOut,
)

router = Router(tags=["access"])


class AccessReportPeriod(Schema):
    model_config = ConfigDict(populate_by_name=True)

    date_from: WorkingDate = Field(alias="from")
    date_to: WorkingDate = Field(alias="to")


@router.get("/patients/{patient_id}/barriers", response=list[BarrierOut])
def list_barriers(request, patient_id: UUID):
    require(request.auth, "access.view")
    patient = access_patient(request.auth, patient_id, record_view=True)
    return list(queries.barriers_of(request.auth, patient))


@router.post("/patients/{patient_id}/barriers", response={201: BarrierOut})
def record_barrier(request, patient_id: UUID, payload: BarrierIn):
    require(request.auth, "access.record")
    patient = access_patient(request.auth, patient_id)
    return Status(
        201, services.record_barrier(actor=request.auth, patient=patient, **payload.dict())
    )


@router.post("/barriers/{barrier_id}/resolve", response=BarrierOut)
def resolve_barrier(request, barrier_id: UUID, payload: ResolveIn):
    barrier = queries.access_barrier(request.auth, barrier_id, action="access.record")
    return services.resolve_barrier(
        actor=request.auth, barrier=barrier, resolution=payload.resolution
    )


@router.get("/waiting-list", response=list[WaitingOut])
def waiting_list(request):
    """Referred, untreated patients: C-SSRS high risk first, then severe scores, then the
    longest wait. Ability to pay is never part of the order."""
    return [
        {
            "position": row.ranked.position,
            "patient_id": row.patient.id,
            "name": f"{row.patient.family_name}, {row.patient.given_name}",
            "mrn": row.patient.mrn,
            "referred_on": row.ranked.referred_on,
            "days_waiting": row.ranked.days_waiting,
            "referral_status": row.referral_status,
            "tier": row.ranked.tier,
            "priority": row.ranked.tier_label,
            "reasons": list(row.reasons),
            "barriers": list(row.barriers),
        }
        for row in queries.waiting_list(request.auth)
    ]


@router.get("/at-risk", response=list[RiskOut])
def at_risk(request):
    """Patients in an active course with missed or cancelled sessions, an old unpaid balance,
    or a transport, cost or insurance barrier, with what staff can do."""
    return [
        {
            "patient_id": row.patient.id,
            "name": f"{row.patient.family_name}, {row.patient.given_name}",
            "mrn": row.patient.mrn,
            "course_id": row.course.id,
            "protocol": row.protocol,
            "signals": [s.__dict__ for s in row.signals],
        }
        for row in queries.at_risk(request.auth)
    ]


@router.get("/reports/access")
def access_report(request, period: Query[AccessReportPeriod]):
    """Referral to first treatment and dropout by payer type and income band (small cells
    suppressed)."""
    if period.date_to < period.date_from:
        raise InvalidInput("'to' is before 'from'.", fields={"to": "on or after 'from'"})
    return reports.equity_report(request.auth, period.date_from, period.date_to)


@router.get("/access/settings", response=AccessSettingsOut)
def get_settings(request):
    require(request.auth, "access.view")
    return queries.access_settings(request.auth.clinic)


@router.patch("/access/settings", response=AccessSettingsOut)
def patch_settings(request, payload: AccessSettingsIn):
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.update_access_settings(actor=request.auth, **changes)
