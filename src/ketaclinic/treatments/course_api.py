"""Courses API: start a course, list and read courses, stop one, exposure, rescheduling.

Mounted by treatments.api. These endpoints were published with the protocols app and keep
their tag and operation ids, so the OpenAPI document (and clients generated from it) did not
change when courses moved to treatments.
"""

from uuid import UUID

from django.utils import timezone
from ninja import Router, Status

from ketaclinic.patients.queries import access_patient
from ketaclinic.protocols import queries as protocol_queries
from ketaclinic.treatments import queries, services

from .schemas import CourseIn, CourseOut, CourseStopIn, ExposureOut, RescheduleIn, RescheduleOut

router = Router(tags=["protocols"])


def _published(name: str) -> str:
    return f"ketaclinic_protocols_api_{name}"


def course_out(course) -> dict:
    definition = queries.course_definition(course)
    today = timezone.localdate(timezone.now(), course.patient.clinic.tz)
    sessions = queries.course_sessions(course)
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


@router.post(
    "/patients/{patient_id}/courses",
    response={201: CourseOut},
    operation_id=_published("start_course"),
)
def start_course(request, patient_id: UUID, payload: CourseIn):
    """Start a course and plan its sessions (date, phase, planned dose)."""
    patient = access_patient(request.auth, patient_id, action="course.start")
    plan = payload.dict()
    course = services.start_course(
        actor=request.auth, patient=patient, protocol_code=plan.pop("protocol"), **plan
    )
    return Status(201, course_out(course))


@router.get(
    "/patients/{patient_id}/courses",
    response=list[CourseOut],
    operation_id=_published("list_courses"),
)
def list_courses(request, patient_id: UUID):
    patient = access_patient(request.auth, patient_id, action="course.view", record_view=True)
    return [course_out(c) for c in queries.courses_of(request.auth, patient)]


@router.get(
    "/patients/{patient_id}/exposure",
    response=ExposureOut,
    operation_id=_published("patient_exposure"),
)
def patient_exposure(request, patient_id: UUID, protocol: str = "esketamine_trd"):
    """Sessions and mg of the protocol's drug in the last 30 days, with the limit's warnings."""
    patient = access_patient(request.auth, patient_id, action="course.view", record_view=True)
    definition = protocol_queries.access_protocol(request.auth, protocol).definition
    today = timezone.localdate(timezone.now(), patient.clinic.tz)
    return queries.exposure_of(patient, definition, today)


@router.get("/courses/{course_id}", response=CourseOut, operation_id=_published("get_course"))
def get_course(request, course_id: UUID):
    return course_out(queries.access_course(request.auth, course_id))


@router.post(
    "/courses/{course_id}/stop", response=CourseOut, operation_id=_published("stop_course")
)
def stop_course(request, course_id: UUID, payload: CourseStopIn):
    course = queries.access_course(request.auth, course_id, action="course.stop")
    return course_out(
        services.stop_course(actor=request.auth, course=course, reason=payload.reason)
    )


@router.post(
    "/sessions/{session_id}/reschedule",
    response=RescheduleOut,
    operation_id=_published("reschedule"),
)
def reschedule(request, session_id: UUID, payload: RescheduleIn):
    """Move a planned session; the answer lists the protocol rules the new date breaks."""
    session = queries.access_session(request.auth, session_id, action="course.reschedule")
    warnings = services.reschedule_session(
        actor=request.auth, session=session, new_date=payload.date
    )
    return {"session_id": session.id, "date": payload.date, "warnings": warnings}
