"""Demo coverage and prior authorizations: the example payer checklist, a covered course with
units for part of it, and an approval about to expire. Runs after the billing demo."""

from __future__ import annotations

import datetime

from django.utils import timezone

from . import course_facts, services
from .definitions import EXAMPLE_PAYER_NAME

ORDER = 95


def _esketamine_courses(ctx) -> list:
    found = []
    for patient in ctx.patients:
        course = course_facts.current_course_for(patient)
        if course is not None and course.drug == "esketamine" and course.planned:
            found.append((patient, course))
    return found


def _coverage(desk, patient, start, n):
    return services.add_coverage(
        actor=desk,
        patient=patient,
        payer_name=EXAMPLE_PAYER_NAME,
        plan_name="Example PPO plan (demo)",
        member_id=f"DEMO{100200 + n}",
        group_number=f"G-{4100 + n}",
        effective_from=start,
    )


def seed(ctx) -> None:
    desk, admin = ctx.user("frontdesk"), ctx.user("admin")
    today = timezone.localdate(timezone.now(), ctx.clinic.tz)
    services.update_settings(
        actor=admin,
        site_rems_certified=True,
        site_rems_reference="DEMO-SITE (example reference)",
        site_rems_certified_on=today - datetime.timedelta(days=400),
    )
    services.copy_example_checklist(actor=admin, payer_name=EXAMPLE_PAYER_NAME)
    courses = _esketamine_courses(ctx)
    if not courses:
        ctx.notes.append("Authorizations: no esketamine course in the demo to authorize.")
        return
    # A covered course: the payer approved fewer sessions than the course plans.
    patient, course = courses[0]
    coverage = _coverage(desk, patient, today - datetime.timedelta(days=365), 1)
    services.record_benefits_check(
        actor=desk,
        patient=patient,
        coverage=coverage,
        checked_on=course.start_date - datetime.timedelta(days=14),
        summary="Spravato covered under the medical benefit after prior authorization; "
        "specialist copay applies (demo).",
        covered="yes",
        deductible_remaining="250.00",
        out_of_pocket_remaining="1800.00",
        prior_authorization_required="yes",
        payer_reference="CALL-DEMO-0001",
    )
    planned = len(course.planned)
    approved = max(1, planned - 4)
    first = services.create_authorization(
        actor=desk,
        patient=patient,
        course_id=course.id,
        coverage=coverage,
        requested_units=planned,
        note="Demo: the payer approved fewer sessions than requested.",
    )
    submitted = min(course.start_date - datetime.timedelta(days=10), today)
    decided = min(course.start_date - datetime.timedelta(days=3), today)
    services.change_status(
        actor=desk, authorization=first, to="submitted", on=submitted, payer_reference="PA-DEMO-1"
    )
    services.change_status(
        actor=desk,
        authorization=first,
        to="approved",
        on=max(decided, submitted),
        approved_units=approved,
        approved_dose_mg="84",
        valid_from=course.start_date,
        valid_to=course.start_date + datetime.timedelta(days=180),
    )
    made = 1
    # A second patient's approval that expires in 10 days: on the front desk's work queue.
    if len(courses) > 1:
        patient2, course2 = courses[1]
        coverage2 = _coverage(desk, patient2, today - datetime.timedelta(days=200), 2)
        second = services.create_authorization(
            actor=desk, patient=patient2, course_id=course2.id, coverage=coverage2
        )
        services.change_status(
            actor=desk,
            authorization=second,
            to="submitted",
            on=today - datetime.timedelta(days=85),
            payer_reference="PA-DEMO-2",
        )
        services.change_status(
            actor=desk,
            authorization=second,
            to="approved",
            on=today - datetime.timedelta(days=81),
            approved_units=len(course2.planned),
            valid_from=min(course2.start_date, today - datetime.timedelta(days=80)),
            valid_to=today + datetime.timedelta(days=10),
        )
        made += 1
    ctx.notes.append(
        f"Authorizations: {made} approved prior authorization(s); see Authorizations for the "
        "warnings (units short, one expiring in 10 days)."
    )
