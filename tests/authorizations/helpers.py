"""Helpers for authorization tests: coverage and approvals made through the services."""

import datetime as dt

from ketaclinic.authorizations import queries, services


def today(clinic) -> dt.date:
    return queries.clinic_today(clinic)


def coverage(desk, patient, **overrides):
    values = {
        "payer_name": "Example commercial payer",
        "member_id": "M-100",
        "effective_from": today(patient.clinic) - dt.timedelta(days=365),
        "plan_name": "Example PPO",
        "group_number": "G-7",
    } | overrides
    return services.add_coverage(actor=desk, patient=patient, **values)


def approved(desk, patient, *, units, days=180, start=None, course_id=None, **extra):
    """A prior authorization submitted and approved today (or for a protocol, no course)."""
    start = start or today(patient.clinic)
    target = {"course_id": course_id} if course_id else {"protocol_code": "esketamine_trd"}
    made = services.create_authorization(
        actor=desk,
        patient=patient,
        coverage=extra.pop("coverage", None),
        unit=extra.pop("unit", "session"),
        **target,
    )
    services.change_status(actor=desk, authorization=made, to="submitted", payer_reference="PA-1")
    return services.change_status(
        actor=desk,
        authorization=made,
        to="approved",
        approved_units=units,
        valid_from=start,
        valid_to=start + dt.timedelta(days=days),
        **extra,
    )
