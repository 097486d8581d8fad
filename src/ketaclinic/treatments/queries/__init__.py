"""Treatment reads, scoped to the actor's clinic: sessions, courses, REMS forms.

Other apps read courses and sessions only through these functions (never the models); the
status vocabularies (CourseStatus, SessionStatus) are exported here for them to compare with.
The research exports read through treatments.queries.exports.
"""

from ketaclinic.treatments.models import CourseStatus, SessionStatus
from ketaclinic.treatments.queries.courses import (
    ExposureView,
    access_course,
    active_courses,
    clinic_courses,
    course_definition,
    course_sessions,
    course_statuses,
    courses_of,
    courses_with_sessions,
    current_course,
    current_course_started_on,
    doses_given,
    exposure_of,
    latest_course,
    rems_enrollment,
)
from ketaclinic.treatments.queries.ledger import ledger_administration, lots_for_order
from ketaclinic.treatments.queries.orders import previous_signed_order_at, signed_orders_between
from ketaclinic.treatments.queries.planning import (
    last_dosed_dates,
    sessions_by_ids,
    sessions_to_plan,
)
from ketaclinic.treatments.queries.rems_forms import (
    first_treatment,
    localize_form,
    rems_due,
    rems_facts,
    rems_form,
    rems_required,
)
from ketaclinic.treatments.queries.sessions import (
    BoardRow,
    access_session,
    board,
    clinic_today,
    discharged_sessions,
    dose_start_times,
    scheduled_today,
    session_definition,
    session_for_update,
    session_state,
    session_statuses,
    session_summary,
    sessions_for,
    sessions_of_patient,
    todays_schedule,
    trajectory_markers,
    treated_patient_ids,
    with_rows,
)
from ketaclinic.treatments.queries.settings import pk_threshold, treatment_settings

__all__ = [
    "BoardRow",
    "CourseStatus",
    "ExposureView",
    "SessionStatus",
    "access_course",
    "access_session",
    "active_courses",
    "board",
    "clinic_courses",
    "clinic_today",
    "course_definition",
    "course_sessions",
    "course_statuses",
    "courses_of",
    "courses_with_sessions",
    "current_course",
    "current_course_started_on",
    "discharged_sessions",
    "dose_start_times",
    "doses_given",
    "exposure_of",
    "first_treatment",
    "last_dosed_dates",
    "latest_course",
    "ledger_administration",
    "localize_form",
    "lots_for_order",
    "pk_threshold",
    "previous_signed_order_at",
    "rems_due",
    "rems_enrollment",
    "rems_facts",
    "rems_form",
    "rems_required",
    "scheduled_today",
    "session_definition",
    "session_for_update",
    "session_state",
    "session_statuses",
    "session_summary",
    "sessions_by_ids",
    "sessions_for",
    "sessions_of_patient",
    "sessions_to_plan",
    "signed_orders_between",
    "todays_schedule",
    "trajectory_markers",
    "treated_patient_ids",
    "treatment_settings",
    "with_rows",
]
