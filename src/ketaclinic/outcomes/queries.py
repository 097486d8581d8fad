"""Outcome reads for the actor's clinic: the summary and the equity breakdown (SQL aggregates
over the fact tables, or live over the clinical tables)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.db import connection, connections, router, transaction
from django.db.models import Count, Sum

from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.measures.queries import configured_instrument
from ketaclinic.outcomes import equity as equity_rules
from ketaclinic.outcomes import sql
from ketaclinic.outcomes.definitions import (
    MILESTONE_SESSIONS,
    OUTCOME_INSTRUMENT,
    RESPONSE_PERCENT,
)
from ketaclinic.outcomes.models import CourseFact
from ketaclinic.outcomes.summary import Summary, assemble
from ketaclinic.patients.queries import VOCABULARIES
from ketaclinic.protocols import queries as protocol_queries
from ketaclinic.treatments.queries import exports as session_exports

# A clinic may switch remission off for the instrument; then nothing counts as remission.
NEVER = ("<", 0)


@dataclass(frozen=True)
class Selection:
    """The validated filters of a dashboard, equity view or API request."""

    protocol: str | None = None
    start: date | None = None
    end: date | None = None

    def as_dict(self) -> dict:
        return {
            "protocol": self.protocol,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
        }


def outcome_definition(clinic_id, instrument: str = OUTCOME_INSTRUMENT) -> sql.Definition:
    """The outcome rules in force in the clinic: the instrument's remission cut-off (with the
    clinic's override, as the patient chart uses it) and the 50% response rule."""
    remission = configured_instrument(clinic_id, instrument).remission
    operator, value = (remission.operator, remission.value) if remission else NEVER
    return sql.Definition(instrument, RESPONSE_PERCENT, operator, value, MILESTONE_SESSIONS)


def protocol_names(clinic_id) -> dict[str, str]:
    """Code -> name of every protocol the clinic can report on (built-ins and its copies)."""
    return protocol_queries.protocol_names(clinic_id)


def select(user, *, protocol: str | None, start: date | None, end: date | None, names=None):
    """Validate filters: a known protocol code, and a range that does not end before it starts."""
    errors = {}
    protocol = (protocol or "").strip() or None
    names = protocol_names(user.clinic_id) if names is None else names
    if protocol is not None and protocol not in names:
        errors["protocol"] = "not a protocol of this clinic"
    if start and end and end < start:
        errors["to"] = "must not be before 'from'"
    if errors:
        raise InvalidInput("Please correct: " + ", ".join(sorted(errors)) + ".", fields=errors)
    return Selection(protocol, start, end), names


# PostgreSQL settings for the few aggregate queries of a summary, local to their transaction:
# the default 4 MB work_mem sends the window sorts and hash aggregates of a large clinic to
# disk, and the planner's row estimates for the window pipeline are high enough to trigger JIT
# compilation that costs more than it saves (measured in docs/performance.md).
POSTGRESQL_SETTINGS = ("SET LOCAL work_mem = '128MB'", "SET LOCAL jit = off")


@contextmanager
def analytics():
    """A read-only block for the summary queries (tuned on PostgreSQL; nothing on SQLite,
    whose IMMEDIATE transactions would take the write lock)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            for statement in POSTGRESQL_SETTINGS:
                cursor.execute(statement)
        yield


def _rows(query: sql.Query, using=None) -> list[tuple]:
    with (using or connection).cursor() as cursor:
        cursor.execute(query.sql, query.params)
        return cursor.fetchall()


def facts_connection():
    """The connection that reads the fact tables: the database router's choice for them (the
    read replica when KETACLINIC_REPLICA_URL is set, see core.routers), else the default."""
    return connections[router.db_for_read(CourseFact)]


def summary(user, *, protocol=None, start=None, end=None, names=None) -> tuple[Summary, Selection]:
    """Everything the dashboard and GET /outcomes/summary show, from the fact tables (kept
    current by outcomes.facts): three aggregate queries over rows per course and per day."""
    require(user, "outcomes.view")
    selection, names = select(user, protocol=protocol, start=start, end=end, names=names)
    f = sql.Filters(user.clinic_id, selection.protocol, selection.start, selection.end)
    definition = outcome_definition(user.clinic_id)
    facts = facts_connection()
    vendor = facts.vendor
    summary_rows, patient_rows = sql.patient_rows_from_facts(
        _rows(sql.fact_summary_query(vendor, f, definition), facts),
        _rows(sql.fact_active_query(vendor, f), facts),
        f,
    )
    session_rows = sql.session_rows_from_days(_rows(sql.fact_days_query(vendor, f), facts))
    return assemble(definition, summary_rows, patient_rows, session_rows, names), selection


def live_summary(user, *, protocol=None, start=None, end=None, names=None):
    """The same summary computed from the clinical tables themselves (the reference the fact
    tables are tested and measured against)."""
    require(user, "outcomes.view")
    selection, names = select(user, protocol=protocol, start=start, end=end, names=names)
    f = sql.Filters(user.clinic_id, selection.protocol, selection.start, selection.end)
    definition = outcome_definition(user.clinic_id)
    vendor = connection.vendor
    with analytics():
        rows = [
            _rows(sql.summary_query(vendor, f, definition)),
            _rows(sql.patients_query(vendor, f)),
            _rows(sql.sessions_query(vendor, f)),
        ]
    return assemble(definition, *rows, names), selection


def equity_labels() -> dict[str, dict[str, str]]:
    return {key: dict(cls.choices) for key, cls in VOCABULARIES.items()}


def equity(user, *, protocol=None, start=None, end=None, names=None, live=False):
    """Course outcomes by race, ethnicity, sex, age band, payer and income (suppressed), from
    the course facts (or, `live`, from the clinical tables)."""
    require(user, "outcomes.view")
    selection, names = select(user, protocol=protocol, start=start, end=end, names=names)
    f = sql.Filters(user.clinic_id, selection.protocol, selection.start, selection.end)
    definition = outcome_definition(user.clinic_id)
    if live:
        with analytics():
            rows = _rows(sql.equity_query(connection.vendor, f, definition))
    else:
        facts = facts_connection()
        rows = _rows(sql.fact_equity_query(facts.vendor, f), facts)
    return equity_rules.breakdown(rows, equity_labels()), selection, definition, names


def sessions_for_prediction(user, *, limit: int) -> list[dict]:
    """The user's clinic's most recent discharged sessions with what a prediction needs."""
    require(user, "outcomes.view")
    return session_exports.sessions_for_prediction(user.clinic_id, limit=limit)


@dataclass(frozen=True)
class LocationCounts:
    """A location's course outcomes from the fact table: courses, evaluable courses (a score
    after the baseline), responders and remitters at the last score, dosed sessions."""

    courses: int
    evaluable: int
    responders: int
    remitters: int
    dosed_sessions: int


def course_counts_by_clinic(clinic_ids) -> dict:
    """{clinic id: LocationCounts} from the course fact table, one grouped query: a read for the
    network report, which authorizes its reader and suppresses small cells."""
    rows = (
        CourseFact.objects.filter(clinic_id__in=list(clinic_ids))
        .values("clinic_id")
        .annotate(
            courses=Count("course_id"),
            evaluable=Sum("evaluable"),
            responders=Sum("resp_last"),
            remitters=Sum("remit_last"),
            dosed=Sum("dosed_sessions"),
        )
    )
    return {
        row["clinic_id"]: LocationCounts(
            row["courses"],
            row["evaluable"] or 0,
            row["responders"] or 0,
            row["remitters"] or 0,
            row["dosed"] or 0,
        )
        for row in rows
    }


def equity_rows_by_clinic(clinic_ids) -> dict[uuid.UUID, list[tuple]]:
    """{clinic id: the equity rows of its course facts} (equity.by_location's input), one
    grouped query: a read for the network report, which authorizes its reader and suppresses
    small cells."""
    clinic_ids = list(clinic_ids)
    by_clinic: dict[uuid.UUID, list[tuple]] = {uuid.UUID(str(c)): [] for c in clinic_ids}
    if not clinic_ids:
        return by_clinic
    facts = facts_connection()
    for row in _rows(sql.fact_equity_by_clinic_query(facts.vendor, clinic_ids), facts):
        by_clinic[uuid.UUID(str(row[0]))].append(row[1:])
    return by_clinic
