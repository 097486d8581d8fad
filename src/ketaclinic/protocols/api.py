"""Protocols API: protocols, schedule previews, courses, rescheduling, dose calculations."""

from uuid import UUID

from django.utils import timezone
from ninja import Router, Status

from ketaclinic.core.permissions import require
from ketaclinic.patients.queries import access_patient
from ketaclinic.protocols import queries, services
from ketaclinic.protocols.editing import to_data
from ketaclinic.protocols.rules import InfusionCalculation, max_dose_note, rounding_text

from .schemas import (
    CourseIn,
    CourseOut,
    CourseStopIn,
    DoseCalculationIn,
    DoseCalculationOut,
    ExposureOut,
    OpenDaysIn,
    ProtocolChangeIn,
    ProtocolCopyIn,
    ProtocolOut,
    RescheduleIn,
    RescheduleOut,
    SchedulePreviewIn,
    SchedulePreviewOut,
)

router = Router(tags=["protocols"])


def protocol_out(row: queries.ProtocolRow) -> dict:
    d = row.definition
    return {
        "code": row.code,
        "base_code": row.base_code,
        "version": row.version,
        "is_builtin": row.is_builtin,
        "name": d.name,
        "drug": d.drug,
        "route": d.route,
        "consent_type": d.consent_type,
        "jurisdiction": d.jurisdiction,
        "summary": d.summary,
        "configured": d.configured,
        "needs_configuration": list(d.needs_configuration),
        "definition": to_data(d),
    }


def course_out(course) -> dict:
    from ketaclinic.treatments.models import TreatmentSession

    definition = queries.course_definition(course)
    today = timezone.localdate(timezone.now(), course.patient.clinic.tz)
    sessions = TreatmentSession.objects.filter(course=course).order_by("number")
    return {
        "id": course.id,
        "patient_id": course.patient_id,
        "protocol": course.protocol_code,
        "protocol_version": course.protocol_version.version,
        "status": course.status,
        "start_date": course.start_date,
        "weight_kg": course.weight_kg,
        "warnings": course.planning_warnings,
        "rems_enrolled": course.rems_enrolled,
        "sessions": [
            {
                "id": s.id,
                "number": s.number,
                "date": s.scheduled_date,
                "phase": s.phase,
                "planned_dose_mg": s.planned_dose_mg,
                "planned_dose_mg_per_kg": s.planned_dose_mg_per_kg,
                "status": s.status,
            }
            for s in sessions
        ],
        "exposure": queries.exposure_of(course.patient, definition, today),
    }


@router.get("/protocols", response=list[ProtocolOut])
def list_protocols(request):
    return [protocol_out(row) for row in queries.protocols_for(request.auth)]


@router.get("/protocols/{code}", response=ProtocolOut)
def get_protocol(request, code: str):
    return protocol_out(queries.access_protocol(request.auth, code))


@router.post("/protocols/{code}/versions", response={201: ProtocolOut})
def change_protocol(request, code: str, payload: ProtocolChangeIn):
    queries.access_protocol(request.auth, code)
    services.change_protocol(
        actor=request.auth, code=code, changes=payload.changes, note=payload.note
    )
    return Status(201, protocol_out(queries.access_protocol(request.auth, code)))


@router.post("/protocols/{code}/copies", response={201: ProtocolOut})
def copy_protocol(request, code: str, payload: ProtocolCopyIn):
    queries.access_protocol(request.auth, code)
    services.copy_protocol(
        actor=request.auth,
        source_code=code,
        new_code=payload.code,
        name=payload.name,
        changes=payload.changes,
        note=payload.note,
    )
    return Status(201, protocol_out(queries.access_protocol(request.auth, payload.code)))


@router.post("/protocols/{code}/schedule-preview", response=SchedulePreviewOut)
def schedule_preview(request, code: str, payload: SchedulePreviewIn):
    """The planned sessions of a course starting on `start_date`; nothing is saved."""
    plan = services.preview_schedule(actor=request.auth, code=code, **payload.dict())
    return {"protocol": code, "sessions": plan.sessions, "warnings": plan.warnings}


@router.put("/clinic/open-days", response=OpenDaysIn)
def set_open_days(request, payload: OpenDaysIn):
    calendar = services.set_open_weekdays(actor=request.auth, weekdays=payload.weekdays)
    return {"weekdays": calendar.open_weekdays}


@router.post("/patients/{patient_id}/courses", response={201: CourseOut})
def start_course(request, patient_id: UUID, payload: CourseIn):
    """Start a course and plan its sessions (date, phase, planned dose)."""
    patient = access_patient(request.auth, patient_id, action="course.start")
    course = services.start_course(
        actor=request.auth,
        patient=patient,
        protocol_code=payload.protocol,
        start_date=payload.start_date,
        weight_kg=payload.weight_kg,
        maintenance_sessions=payload.maintenance_sessions,
    )
    return Status(201, course_out(course))


@router.get("/patients/{patient_id}/courses", response=list[CourseOut])
def list_courses(request, patient_id: UUID):
    patient = access_patient(request.auth, patient_id, action="course.view")
    return [course_out(c) for c in queries.courses_of(request.auth, patient)]


@router.get("/patients/{patient_id}/exposure", response=ExposureOut)
def patient_exposure(request, patient_id: UUID, protocol: str = "esketamine_trd"):
    """Sessions and mg of the protocol's drug in the last 30 days, with the limit's warnings."""
    patient = access_patient(request.auth, patient_id, action="course.view")
    definition = queries.access_protocol(request.auth, protocol).definition
    today = timezone.localdate(timezone.now(), patient.clinic.tz)
    return queries.exposure_of(patient, definition, today)


@router.get("/courses/{course_id}", response=CourseOut)
def get_course(request, course_id: UUID):
    return course_out(queries.access_course(request.auth, course_id))


@router.post("/courses/{course_id}/stop", response=CourseOut)
def stop_course(request, course_id: UUID, payload: CourseStopIn):
    course = queries.access_course(request.auth, course_id, action="course.stop")
    return course_out(
        services.stop_course(actor=request.auth, course=course, reason=payload.reason)
    )


@router.post("/sessions/{session_id}/reschedule", response=RescheduleOut)
def reschedule(request, session_id: UUID, payload: RescheduleIn):
    """Move a planned session; the answer lists the protocol rules the new date breaks."""
    from ketaclinic.treatments.queries import access_session

    session = access_session(request.auth, session_id, action="course.reschedule")
    warnings = services.reschedule_session(
        actor=request.auth, session=session, new_date=payload.date
    )
    return {"session_id": session.id, "date": payload.date, "warnings": warnings}


@router.post("/dose-calculations", response=DoseCalculationOut)
def dose_calculation(request, payload: DoseCalculationIn):
    """Dose, volumes and pump rate (IV) or devices (esketamine); nothing is saved.

    The answer says what the maximum is (the clinic's choice, or that none is set) and how
    every number was rounded: always down, so the drawn dose never exceeds its ceiling.
    """
    require(request.auth, "dose.calculate")
    data = payload.dict()
    code = data.pop("protocol")
    definition, calc = services.calculate_dose(actor=request.auth, code=code, **data)
    answer = {
        "protocol": code,
        "jurisdiction": definition.jurisdiction,
        "dose_mg": calc.dose_mg,
        "max_dose_mg": calc.max_dose_mg,
        "max_dose_note": max_dose_note(definition),
        "rounding": rounding_text(definition),
    }
    if isinstance(calc, InfusionCalculation):
        answer |= {
            name: getattr(calc, name)
            for name in (
                "calculated_dose_mg",
                "dose_mg_per_kg",
                "clinic_max_dose_mg",
                "weight_kg",
                "dosing_weight_kg",
                "dosing_weight_basis",
                "dosing_weight_source",
                "ideal_body_weight_kg",
                "concentration_mg_per_ml",
                "draw_volume_ml",
                "infusion_volume_ml",
                "duration_min",
                "rate_ml_per_h",
                "actual_duration_min",
            )
        } | {"warnings": list(calc.warnings)}
    else:
        answer |= {
            "devices": calc.devices,
            "device_mg": calc.device_mg,
            "allowed_doses_mg": list(calc.allowed_doses_mg),
            "rest_between_devices_min": calc.rest_between_devices_min,
        }
    return answer
