"""Coverage and prior-authorization API: coverage, benefits checks, authorizations, packets."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status

from ketaclinic.core.permissions import require

from . import fhir, packet, queries, services
from .schemas import (
    AuthorizationDetailOut,
    AuthorizationIn,
    AuthorizationOut,
    AuthorizationPatch,
    AuthorizationSettingsIn,
    AuthorizationSettingsOut,
    BenefitsCheckIn,
    BenefitsCheckOut,
    ChecklistIn,
    ChecklistOut,
    CourseCoverageOut,
    CoverageIn,
    CoverageOut,
    CoveragePatch,
    PacketOut,
    SessionStatusOut,
    StatusIn,
    WorkItemOut,
)
from .shapes import same_named

router = Router(tags=["authorizations"])
PATIENT = "/patients/{patient_id}"
AUTHORIZATION = "/authorizations/{authorization_id}"


class On(Schema):
    on: datetime.date | None = None


# --- shaping answers ---------------------------------------------------------------------------


AUTHORIZATION_FIELDS = (
    "id patient_id status course_id protocol_code drug coverage_id payer_reference unit"
    " requested_units approved_units approved_dose_mg approved_units_per_session valid_from"
    " valid_to submitted_on decided_on denial_reason checklist_id note created_at"
)


def authorization_out(a) -> dict:
    return same_named(a, AUTHORIZATION_FIELDS) | {
        "status_label": a.get_status_display(),
        "payer_name": a.coverage.payer_name if a.coverage_id else "",
    }


def _usage(u) -> dict:
    return {
        "unit": u.grant.unit,
        "approved": u.grant.units,
        "used": u.used,
        "left": u.left,
        "planned": u.planned,
    }


def _warning(w) -> dict:
    return {"kind": w.kind, "message": w.message, "day": w.day, "session_number": w.session_number}


def _sessions(picture) -> list[dict]:
    if picture is None:
        return []
    return [
        {
            "number": c.visit.number,
            "day": c.visit.day,
            "dosed": c.visit.dosed,
            "authorization_id": c.grant,
            "units": c.units,
            "problem": c.problem.value if c.problem else None,
            "dose_above_approved_mg": c.dose_above,
        }
        for c in picture.coverage
    ]


def _change(c) -> dict:
    return same_named(c, "id from_status to_status on note reason payer_reference appeals_id") | {
        "recorded_by": c.recorded_by.display_name
    }


def _detail(user, authorization) -> dict:
    view = queries.authorization_view(user, authorization)
    return authorization_out(authorization) | {
        "usage": _usage(view.usage) if view.usage else None,
        "warnings": [_warning(w) for w in view.warnings],
        "sessions": _sessions(view.picture),
        "changes": [_change(c) for c in view.changes],
        "next_statuses": [s.value for s in view.next_statuses],
    }


BENEFITS_FIELDS = (
    "id coverage_id checked_on summary covered deductible_remaining out_of_pocket_remaining"
    " prior_authorization_required payer_reference"
)


def _benefits(b) -> dict:
    return same_named(b, BENEFITS_FIELDS) | {
        "payer_name": b.coverage.payer_name,
        "checked_by": b.checked_by.display_name,
    }


def _checklist(c) -> dict:
    return {
        "id": c.id,
        "payer_name": c.payer_name,
        "source": c.source,
        "note": c.note,
        "criteria": [
            {"position": r.position, "kind": r.kind, "label": r.label, "params": r.params}
            for r in c.criteria.all()
        ],
    }


def _patient(request, patient_id, *, manage: bool = False):
    """The patient, read (an audited view) or, with manage, to be changed."""
    if manage:
        return queries.access_coverage_patient(
            request.auth, patient_id, action="authorization.manage"
        )
    return queries.access_coverage_patient(request.auth, patient_id, record_view=True)


def _viewed(user, authorization):
    """Opening an authorization is opening the patient's record: audited."""
    return queries.access_coverage_patient(user, authorization.patient_id, record_view=True)


# --- coverage and benefits checks --------------------------------------------------------------


@router.get(PATIENT + "/coverages", response=list[CoverageOut])
def list_coverages(request, patient_id: UUID):
    patient = _patient(request, patient_id)
    return list(queries.coverages_of(request.auth, patient))


@router.post(PATIENT + "/coverages", response={201: CoverageOut})
def add_coverage(request, patient_id: UUID, payload: CoverageIn):
    patient = _patient(request, patient_id, manage=True)
    return Status(201, services.add_coverage(actor=request.auth, patient=patient, **payload.dict()))


@router.patch("/coverages/{coverage_id}", response=CoverageOut)
def patch_coverage(request, coverage_id: UUID, payload: CoveragePatch):
    coverage = queries.access_coverage(request.auth, coverage_id, action="authorization.manage")
    return services.update_coverage(
        actor=request.auth, coverage=coverage, **payload.dict(exclude_unset=True)
    )


@router.get(PATIENT + "/benefits-checks", response=list[BenefitsCheckOut])
def list_benefits_checks(request, patient_id: UUID):
    patient = _patient(request, patient_id)
    return [_benefits(b) for b in queries.benefits_checks_of(request.auth, patient)]


@router.post(PATIENT + "/benefits-checks", response={201: BenefitsCheckOut})
def add_benefits_check(request, patient_id: UUID, payload: BenefitsCheckIn):
    patient = _patient(request, patient_id, manage=True)
    data = payload.dict()
    coverage = queries.access_coverage(
        request.auth, data.pop("coverage_id"), action="authorization.manage"
    )
    check = services.record_benefits_check(
        actor=request.auth, patient=patient, coverage=coverage, **data
    )
    return Status(201, _benefits(check))


# --- prior authorizations ----------------------------------------------------------------------


def _links(user, data: dict) -> dict:
    """Turn coverage_id / checklist_id into rows of the user's clinic (404 otherwise)."""
    if "coverage_id" in data:
        key = data.pop("coverage_id")
        data["coverage"] = (
            queries.access_coverage(user, key, action="authorization.manage") if key else None
        )
    if "checklist_id" in data:
        key = data.pop("checklist_id")
        data["checklist"] = queries.access_checklist(user, key) if key else None
    return data


@router.get(PATIENT + "/authorizations", response=list[AuthorizationOut])
def list_authorizations(request, patient_id: UUID):
    patient = _patient(request, patient_id)
    return [authorization_out(a) for a in queries.authorizations_of(request.auth, patient)]


@router.post(PATIENT + "/authorizations", response={201: AuthorizationDetailOut})
def create_authorization(request, patient_id: UUID, payload: AuthorizationIn):
    patient = _patient(request, patient_id, manage=True)
    data = _links(request.auth, payload.dict())
    made = services.create_authorization(actor=request.auth, patient=patient, **data)
    row = queries.access_authorization(request.auth, made.id)
    return Status(201, _detail(request.auth, row))


@router.get(AUTHORIZATION, response=AuthorizationDetailOut)
def get_authorization(request, authorization_id: UUID):
    row = queries.access_authorization(request.auth, authorization_id)
    _viewed(request.auth, row)
    return _detail(request.auth, row)


@router.patch(AUTHORIZATION, response=AuthorizationDetailOut)
def patch_authorization(request, authorization_id: UUID, payload: AuthorizationPatch):
    row = queries.access_authorization(
        request.auth, authorization_id, action="authorization.manage"
    )
    data = _links(request.auth, payload.dict(exclude_unset=True))
    services.update_authorization(actor=request.auth, authorization=row, **data)
    return _detail(request.auth, queries.access_authorization(request.auth, authorization_id))


@router.post(AUTHORIZATION + "/status", response=AuthorizationDetailOut)
def change_status(request, authorization_id: UUID, payload: StatusIn):
    row = queries.access_authorization(
        request.auth, authorization_id, action="authorization.manage"
    )
    services.change_status(actor=request.auth, authorization=row, **payload.dict())
    return _detail(request.auth, queries.access_authorization(request.auth, authorization_id))


@router.get("/courses/{course_id}/authorizations", response=CourseCoverageOut)
def course_coverage(request, course_id: UUID):
    picture = queries.course_picture(request.auth, course_id)
    queries.access_coverage_patient(request.auth, picture.course.patient_id, record_view=True)
    return {
        "course_id": picture.course.id,
        "protocol_code": picture.course.protocol_code,
        "planned_sessions": len(picture.course.planned),
        "dosed_sessions": picture.course.dosed_count,
        "authorizations": [authorization_out(a) for a in picture.authorizations],
        "usages": [_usage(u) for u in picture.usages.values()],
        "sessions": _sessions(picture),
        "warnings": [_warning(w) for w in picture.warnings],
    }


@router.get("/sessions/{session_id}/authorization-status", response=SessionStatusOut)
def session_status(request, session_id: UUID):
    return queries.status_for_session(session_id, user=request.auth)


@router.get("/authorization-warnings", response=list[WorkItemOut])
def work_queue(request, params: Query[On]):
    return queries.warnings_for_clinic(request.auth, params.on)


# --- the packet --------------------------------------------------------------------------------


def _packet(request, authorization_id, what: str):
    require(request.auth, "authorization.packet")
    row = queries.access_authorization(request.auth, authorization_id)
    _viewed(request.auth, row)
    built = packet.build_packet(request.auth, row)
    services.record_packet_prepared(actor=request.auth, authorization=row, what=what)
    return built


@router.get(AUTHORIZATION + "/packet", response=PacketOut)
def packet_summary(request, authorization_id: UUID):
    p = _packet(request, authorization_id, "json")
    return {
        "authorization_id": p.authorization.id,
        "payer_name": p.coverage.payer_name if p.coverage else "",
        "checklist_id": p.checklist.id if p.checklist else None,
        "checklist_source": p.checklist.source if p.checklist else "",
        "criteria": [
            {
                "label": r.criterion.label,
                "kind": r.criterion.kind,
                "verdict": r.verdict.value,
                "evidence": list(r.evidence),
            }
            for r in p.results
        ],
        "met": p.tally.get("met", 0),
        "not_met": p.tally.get("not_met", 0),
        "by_hand": p.tally.get("by_hand", 0),
        "nothing_sent": p.nothing_sent,
    }


@router.get(AUTHORIZATION + "/packet/fhir", response=dict)
def packet_fhir(request, authorization_id: UUID):
    """The packet as a FHIR R4 collection Bundle (Patient, Coverage, Condition,
    MedicationStatement per trial, Observation per score, Claim, DocumentReference)."""
    return fhir.packet_bundle(_packet(request, authorization_id, "fhir"))


@router.get(AUTHORIZATION + "/packet/pdf")
def packet_pdf(request, authorization_id: UUID):
    p = _packet(request, authorization_id, "pdf")
    response = HttpResponse(packet.render_pdf(p), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{packet.filename(p, "pdf")}"'
    return response


# --- configuration -----------------------------------------------------------------------------


@router.get("/payer-checklists", response=list[ChecklistOut])
def list_checklists(request):
    return [_checklist(c) for c in queries.checklists(request.auth)]


@router.post("/payer-checklists", response={201: ChecklistOut})
def create_checklist(request, payload: ChecklistIn):
    data = payload.dict()
    made = services.save_checklist(actor=request.auth, **data)
    return Status(201, _checklist(queries.access_checklist(request.auth, made.id)))


@router.get("/payer-checklists/{checklist_id}", response=ChecklistOut)
def get_checklist(request, checklist_id: UUID):
    return _checklist(queries.access_checklist(request.auth, checklist_id))


@router.put("/payer-checklists/{checklist_id}", response=ChecklistOut)
def replace_checklist(request, checklist_id: UUID, payload: ChecklistIn):
    row = queries.access_checklist(request.auth, checklist_id, action="authorization.configure")
    services.save_checklist(actor=request.auth, checklist=row, **payload.dict())
    return _checklist(queries.access_checklist(request.auth, checklist_id))


@router.get("/authorization-settings", response=AuthorizationSettingsOut)
def get_settings(request):
    require(request.auth, "authorization.view")
    return queries.settings_for(request.auth.clinic)


@router.patch("/authorization-settings", response=AuthorizationSettingsOut)
def patch_settings(request, payload: AuthorizationSettingsIn):
    return services.update_settings(actor=request.auth, **payload.dict(exclude_unset=True))
