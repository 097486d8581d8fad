"""Every write of a course or a treatment session: one function per action, audited, under a
row lock."""

from ketaclinic.treatments.services.courses import (
    record_rems_enrollment,
    reschedule_session,
    start_course,
    stop_course,
)
from ketaclinic.treatments.services.documents import (
    add_addendum,
    mark_rems_submitted,
    save_note,
    sign_note,
)
from ketaclinic.treatments.services.flowsheet import (
    acknowledge_alert,
    record_adverse_event,
    record_scale,
    record_vitals,
    update_adverse_event,
)
from ketaclinic.treatments.services.orders import second_check, sign_order
from ketaclinic.treatments.services.scheduling import hold_slots, rename_chair, schedule_session
from ketaclinic.treatments.services.settings import set_pk_threshold
from ketaclinic.treatments.services.transitions import (
    abort,
    check_in,
    decide_go_no_go,
    discharge,
    end_infusion,
    mark_ready,
    pre_check_issues,
    record_device,
    record_pre_checks,
    start_dose,
)
from ketaclinic.treatments.signals import session_discharged

__all__ = [
    "abort",
    "acknowledge_alert",
    "add_addendum",
    "check_in",
    "decide_go_no_go",
    "discharge",
    "end_infusion",
    "hold_slots",
    "mark_ready",
    "mark_rems_submitted",
    "pre_check_issues",
    "record_adverse_event",
    "record_device",
    "record_pre_checks",
    "record_rems_enrollment",
    "record_scale",
    "record_vitals",
    "rename_chair",
    "reschedule_session",
    "save_note",
    "schedule_session",
    "second_check",
    "session_discharged",
    "set_pk_threshold",
    "sign_note",
    "sign_order",
    "start_course",
    "start_dose",
    "stop_course",
    "update_adverse_event",
]
