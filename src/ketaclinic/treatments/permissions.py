"""Actions of the treatments app: courses, running a session, orders, notes, REMS forms."""

from ketaclinic.core.permissions import CLINICAL_READERS, CLINICAL_STAFF, Role, define_table

define_table(
    [
        ("course.view", "See a patient's treatment courses", CLINICAL_READERS),
        ("course.start", "Start a treatment course", {Role.PRESCRIBER}),
        ("course.reschedule", "Move a planned session to another day", CLINICAL_STAFF),
        (
            "session.schedule",
            "Set a planned session's date, start time and chair (apply a week plan)",
            {Role.CLINIC_ADMIN},
        ),
        ("course.stop", "Stop a treatment course", {Role.PRESCRIBER}),
        (
            "course.rems_enrollment",
            "Confirm a patient's enrollment in the Spravato REMS",
            CLINICAL_STAFF,
        ),
        ("session.view", "See treatment sessions and the chair board", CLINICAL_READERS),
        (
            "session.arrive",
            "See today's schedule and check a patient in on arrival (chair and time; no clinical "
            "data)",
            {Role.FRONT_DESK, *CLINICAL_STAFF},
        ),
        (
            "session.run",
            "Run a session: check in, pre-checks, dosing, vitals, scales, events, alerts, "
            "discharge",
            CLINICAL_STAFF,
        ),
        (
            "session.prescribe",
            "Sign a dose order, decide go/no-go, override discharge criteria",
            {Role.PRESCRIBER},
        ),
        (
            "session.second_check",
            "Confirm product, lot and calculation before administering (second check)",
            CLINICAL_STAFF,
        ),
        ("session.note", "Write a session note draft and addenda", CLINICAL_STAFF),
        ("session.sign_note", "Sign and lock a session note", {Role.PRESCRIBER}),
        ("rems.view", "See REMS Patient Monitoring Forms", CLINICAL_READERS),
        (
            "rems.submit",
            "Mark a REMS Patient Monitoring Form as submitted",
            {Role.PRESCRIBER, Role.NURSE, Role.CLINIC_ADMIN},
        ),
        (
            "treatments.settings",
            "Set the clinic's treatment-day settings (the plasma concentration threshold for the "
            "predicted time below it)",
            {Role.CLINIC_ADMIN},
        ),
    ],
    area="treatments",
)
