"""Keeping the outcome fact tables current: per patient inside each write, per clinic in bulk.

Every write that can change an outcome records an audit event naming its patient, inside the
write's transaction; `on_audit_event` (registered with the audit app in OutcomesConfig.ready)
then rewrites that patient's fact rows in the same transaction, with the same SQL the live
summary runs, restricted to the patient. A change of the clinic's outcome definition (its
remission cut-off) rewrites the clinic's facts. `rebuild_clinic` rewrites a clinic's facts
with set-based SQL (the `rebuild_outcome_facts` command, the end of seeding).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import connection, transaction

from ketaclinic.core.models import Clinic
from ketaclinic.outcomes import sql
from ketaclinic.outcomes.models import CourseFact, DayFact, SessionFact
from ketaclinic.outcomes.queries import POSTGRESQL_SETTINGS, outcome_definition

FACTS = sql.FactTables()

# Audit areas whose events with a patient can change a course's outcome, its sessions,
# events, alerts or the patient's equity attributes; reads (*.viewed) never do.
PATIENT_AREAS = frozenset({"patient", "measure", "course", "session"})
# Clinic events that change the outcome definition (the instrument's remission cut-off).
DEFINITION_CODES = frozenset({"instrument_settings.updated"})


def on_audit_event(event) -> None:
    """The audit listener: refresh what the event's write changed."""
    action = event.action
    if action.endswith(".viewed"):
        return
    if action in DEFINITION_CODES and event.clinic_id is not None:
        rebuild_clinic(event.clinic_id)
    elif (
        event.patient_id is not None
        and event.clinic_id is not None
        and action.split(".", 1)[0] in PATIENT_AREAS
    ):
        refresh_patient(event.clinic_id, event.patient_id)


def _lock_key(value) -> int:
    """A signed 64-bit advisory-lock key from a UUID (its first 63 bits)."""
    return uuid.UUID(str(value)).int >> 65


def _lock(clinic_id, patient_id=None) -> None:
    """On PostgreSQL, serialise fact writers until the transaction ends: one patient's refreshes
    (otherwise two writers could each delete the old rows and insert new ones, and the second
    insert would collide), and a clinic's rebuild against its patients' refreshes. SQLite runs
    one writing transaction at a time already."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if patient_id is None:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(clinic_id)])
        else:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_lock_key(clinic_id)])
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(patient_id)])


def _written(model):
    """The facts as this module writes them: on the writing connection, never a read replica
    (core.routers), which may not have the rows just written yet."""
    return model.objects.using(connection.alias)


def _execute(query: sql.Query) -> None:
    with connection.cursor() as cursor:
        cursor.execute(query.sql, query.params)


def _day_counts(clinic_id, patient_id) -> dict[tuple[str, object], list[int]]:
    rows = (
        _written(SessionFact)
        .filter(clinic_id=clinic_id, patient_id=patient_id)
        .values_list(
            "protocol_code", "scheduled_date", "events", "severe_events", "alerts", "bp_alerts"
        )
    )
    out: dict[tuple[str, object], list[int]] = {}
    for code, day, *counts in rows:
        sums = out.setdefault((code, day), [0] * len(sql.DAY_COUNTS))
        for i, value in enumerate((1, *counts)):
            sums[i] += value
    return out


def _apply_day_deltas(clinic_id, before: dict, after: dict) -> None:
    """Add the difference of a patient's sessions per (protocol, day) to the day facts:
    increments (not recounts), so concurrent writers of one day add up under the row lock."""
    keys = set(before) | set(after)
    zero = [0] * len(sql.DAY_COUNTS)
    deltas = []
    for key in sorted(keys, key=lambda k: (k[0], k[1])):
        delta = [a - b for a, b in zip(after.get(key, zero), before.get(key, zero), strict=True)]
        if any(delta):
            deltas.append((key, delta))
    if not deltas:
        return
    table = FACTS.day
    columns = ", ".join(sql.DAY_COUNTS)
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in sql.DAY_COUNTS)
    clinic = sql.db_uuid(connection.vendor, clinic_id)
    statement = (
        f"INSERT INTO {table} (clinic_id, protocol_code, day, {columns})"  # noqa: S608
        f" VALUES (%s, %s, %s, {', '.join('%s' for _ in sql.DAY_COUNTS)})"
        f" ON CONFLICT (clinic_id, protocol_code, day) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            statement, [(clinic, code, day, *delta) for (code, day), delta in deltas]
        )
    DayFact.objects.filter(
        clinic_id=clinic_id, day__in={day for (_, day), _ in deltas}, sessions__lte=0
    ).delete()


def refresh_patient(clinic_id, patient_id) -> None:
    """Rewrite one patient's session and course facts (and the day facts they add to)."""
    definition = outcome_definition(clinic_id)
    f = sql.Filters(clinic_id, patient_id=patient_id)
    vendor = connection.vendor
    with transaction.atomic(savepoint=False):
        _lock(clinic_id, patient_id)
        before = _day_counts(clinic_id, patient_id)
        SessionFact.objects.filter(clinic_id=clinic_id, patient_id=patient_id).delete()
        _execute(sql.session_facts_query(vendor, f, into=FACTS))
        _apply_day_deltas(clinic_id, before, _day_counts(clinic_id, patient_id))
        CourseFact.objects.filter(clinic_id=clinic_id, patient_id=patient_id).delete()
        _execute(sql.course_facts_query(vendor, f, definition, into=FACTS))


def rebuild_clinic(clinic_id) -> dict[str, int]:
    """Rewrite all of a clinic's facts in a few set-based statements; answers the row counts."""
    definition = outcome_definition(clinic_id)
    f = sql.Filters(clinic_id)
    vendor = connection.vendor
    clinic = sql.db_uuid(vendor, clinic_id)
    columns = ", ".join(sql.DAY_COUNTS)
    with transaction.atomic(savepoint=False):
        _lock(clinic_id)
        if vendor == "postgresql":
            # The live summary's settings (in memory sorts, no JIT compilation: JIT alone took
            # most of a rebuild's time), local to this transaction.
            with connection.cursor() as cursor:
                for statement in POSTGRESQL_SETTINGS:
                    cursor.execute(statement)
        for model in (DayFact, SessionFact, CourseFact):
            model.objects.filter(clinic_id=clinic_id).delete()
        _execute(sql.session_facts_query(vendor, f, into=FACTS))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FACTS.day} (clinic_id, protocol_code, day, {columns})"  # noqa: S608
                f" SELECT clinic_id, protocol_code, scheduled_date, COUNT(*), SUM(events),"
                f" SUM(severe_events), SUM(alerts), SUM(bp_alerts) FROM {FACTS.session}"
                " WHERE clinic_id = %s GROUP BY clinic_id, protocol_code, scheduled_date",
                [clinic],
            )
        _execute(sql.course_facts_query(vendor, f, definition, into=FACTS))
    return {
        "courses": _written(CourseFact).filter(clinic_id=clinic_id).count(),
        "sessions": _written(SessionFact).filter(clinic_id=clinic_id).count(),
        "days": _written(DayFact).filter(clinic_id=clinic_id).count(),
    }


def rebuild(
    clinic_ids: Iterable | None = None, *, slugs: Iterable[str] | None = None
) -> dict[str, dict[str, int]]:
    """Rebuild the facts of the given clinics (by id or slug; every clinic when neither is
    given); per clinic slug, the row counts written."""
    clinics = Clinic.objects.all()
    if clinic_ids is not None:
        clinics = clinics.filter(pk__in=list(clinic_ids))
    if slugs is not None:
        clinics = clinics.filter(slug__in=list(slugs))
    done = {}
    for clinic in clinics.order_by("slug"):
        done[clinic.slug] = rebuild_clinic(clinic.pk)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (FACTS.course, FACTS.session, FACTS.day):
                cursor.execute(f"ANALYZE {table}")
    return done
