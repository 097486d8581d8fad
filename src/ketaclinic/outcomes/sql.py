"""The outcome summary as SQL: one text for SQLite, PostgreSQL and DuckDB (the benchmark).

Every rate is computed by the database with window functions and aggregates; Python only sums
the few hundred grouped rows that come back. `rules.course_outcome` is the readable reference
the tests hold this SQL to. Only constants from outcomes.definitions and validated integers are
written into the text; every value a user chooses is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ketaclinic.outcomes.definitions import AGE_BANDS, BP_ALERT_CODES

SQLITE, POSTGRESQL, DUCKDB = "sqlite", "postgresql", "duckdb"
COURSE_STATUSES = ("active", "completed", "stopped")
# measures.models.ResponseSource.REFERRAL (a test keeps the two equal): a score that came with a
# referral counts for a course only once a clinician confirmed it (referral_confirmed_at).
REFERRAL_SOURCE = "referral"


@dataclass(frozen=True)
class Definition:
    """How a course's outcome is judged (from the instrument and the clinic's cut-offs)."""

    instrument: str
    response_percent: int
    remission_operator: str  # "<" or "<="
    remission_value: int
    milestones: tuple[int, ...]

    def __post_init__(self):
        if self.remission_operator not in ("<", "<="):
            raise ValueError(f"unsupported remission operator {self.remission_operator!r}")
        if not all(isinstance(k, int) and 0 < k < 1000 for k in self.milestones):
            raise ValueError("milestones must be session numbers")


@dataclass(frozen=True)
class Filters:
    clinic_id: object
    protocol: str | None = None
    start: date | None = None
    end: date | None = None
    # Restricts the rows to one patient's (keeping that patient's fact rows current).
    patient_id: object = None


@dataclass(frozen=True)
class Tables:
    """Table names (Django's, or DuckDB views over the Parquet export)."""

    course: str = "protocols_course"
    session: str = "treatments_treatmentsession"
    response: str = "measures_measureresponse"
    event: str = "treatments_adverseevent"
    alert: str = "treatments_sessionalert"
    patient: str = "patients_patient"


class Query:
    """SQL text with its parameters in placeholder order."""

    def __init__(self, vendor: str):
        self.vendor = vendor
        self.mark = "?" if vendor == DUCKDB else "%s"
        self.params: list = []

    def p(self, value) -> str:
        self.params.append(value)
        return self.mark


def _clinic_value(vendor: str, clinic_id):
    # Django keeps UUIDs as 32 hex digits in SQLite; PostgreSQL and DuckDB take the UUID text.
    text = str(clinic_id)
    return text.replace("-", "") if vendor == SQLITE else text


def db_uuid(vendor: str, value) -> str:
    """A UUID as the database's text holds it (for bound parameters)."""
    return _clinic_value(vendor, value)


def _days(vendor: str, at: str, day: str) -> str:
    """Whole days from `day` (a date) to the UTC calendar date of `at` (a timestamp)."""
    if vendor == SQLITE:
        return f"CAST(julianday(date({at})) - julianday({day}) AS INTEGER)"
    if vendor == POSTGRESQL:
        return f"(CAST({at} AT TIME ZONE 'UTC' AS date) - {day})"
    return f"CAST(CAST({at} AS DATE) - {day} AS INTEGER)"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _where_courses(q: Query, f: Filters, alias: str) -> str:
    parts = [f"{alias}.clinic_id = {q.p(_clinic_value(q.vendor, f.clinic_id))}"]
    parts.append(_patient(q, f, alias))
    return " AND ".join(p for p in parts if p)


def _patient(q: Query, f: Filters, alias: str, column: str = "patient_id") -> str:
    """`alias.patient_id = %s` when the filters name a patient, else nothing."""
    if f.patient_id is None:
        return ""
    return f"{alias}.{column} = {q.p(_clinic_value(q.vendor, f.patient_id))}"


def _and(condition: str) -> str:
    return f" AND {condition}" if condition else ""


def _cohort_filters(q: Query, f: Filters, alias: str, day_column: str) -> str:
    # Parameters are bound in this order, only for the filters given.
    given = (
        ("protocol_code", "=", f.protocol),
        (day_column, ">=", f.start),
        (day_column, "<=", f.end),
    )
    parts = [f"{alias}.{column} {op} {q.p(value)}" for column, op, value in given if value]
    return " AND ".join(parts) if parts else "1 = 1"


def course_facts(q: Query, f: Filters, d: Definition, t: Tables) -> str:
    """CTEs `cohort` (one row per course) and `scored_courses` (one row per course with at least
    one score, with its outcome flags). Nothing joins back from an aggregate to the cohort:
    SQLite cannot index a CTE for that join, so callers add the two up instead.

    Cohort: courses of the clinic starting in the date range (and of the protocol). A course's
    scores are the outcome instrument's scores on or after its start date and before the
    patient's next course starts; the first is the baseline. A score that came with a referral
    counts only once a clinician has confirmed it.
    """
    clinic = _where_courses(q, f, "c")
    cohort = _cohort_filters(q, f, "ca", "start_date")
    instrument = q.p(d.instrument)
    clinic_r = q.p(_clinic_value(q.vendor, f.clinic_id))
    clinic_s = q.p(_clinic_value(q.vendor, f.clinic_id))
    patient_s = _and(_patient(q, f, "s"))
    percent = int(d.response_percent)
    remission = f"{d.remission_operator} {int(d.remission_value)}"
    doses = ",\n".join(
        f"    MAX(CASE WHEN s.number = {k} THEN s.dose_started_at END) AS d{k}"
        for k in d.milestones
    )
    marks = ",\n".join(
        f"    MAX(CASE WHEN f.rn > 1 AND f.taken_at > m.d{k} AND f.prev_at <= m.d{k} "
        f"THEN 1 + f.resp + 2 * f.remit END) AS m{k}"
        for k in d.milestones
    )
    milestone_in = ", ".join(str(k) for k in d.milestones)
    return f"""
course_all AS (
  SELECT c.id, c.clinic_id, c.patient_id, c.protocol_code, c.start_date, c.status, c.created_at,
    LEAD(c.start_date) OVER (PARTITION BY c.patient_id ORDER BY c.start_date, c.created_at, c.id)
      AS next_start
  FROM {t.course} c WHERE {clinic}
),
cohort AS (SELECT * FROM course_all ca WHERE {cohort}),
scored AS (
  SELECT co.id AS course_id, co.patient_id, co.protocol_code, co.start_date,
    r.administered_at AS taken_at, r.total AS total,
    ROW_NUMBER() OVER w AS rn,
    FIRST_VALUE(r.total) OVER w AS base,
    LAG(r.administered_at) OVER w AS prev_at,
    {_days(q.vendor, "r.administered_at", "co.start_date")} AS days_in
  FROM cohort co
  JOIN {t.response} r ON r.patient_id = co.patient_id
  WHERE r.instrument = {instrument} AND r.clinic_id = {clinic_r} AND r.total IS NOT NULL
    AND (r.source <> {_quote(REFERRAL_SOURCE)} OR r.referral_confirmed_at IS NOT NULL)
    AND r.administered_at >= co.start_date
    AND (co.next_start IS NULL OR r.administered_at < co.next_start)
  WINDOW w AS (PARTITION BY co.patient_id, co.id ORDER BY r.administered_at, r.id)
),
flagged AS (
  SELECT course_id, patient_id, protocol_code, start_date, taken_at, rn, prev_at, days_in,
    base, total,
    CASE WHEN base > 0 AND (base - total) * 100 >= {percent} * base THEN 1 ELSE 0 END AS resp,
    CASE WHEN total {remission} THEN 1 ELSE 0 END AS remit
  FROM scored
),
doses AS (
  SELECT s.course_id,
{doses}
  FROM {t.session} s
  WHERE s.clinic_id = {clinic_s}{patient_s} AND s.number IN ({milestone_in})
    AND s.dose_started_at IS NOT NULL
  GROUP BY s.course_id
),
scored_courses AS (
  SELECT f.course_id, f.patient_id, f.protocol_code, f.start_date,
    MAX(CASE WHEN f.rn > 1 THEN 1 ELSE 0 END) AS evaluable,
    -- The last score's flags ride in the low bits of MAX(rn): no second window pass.
    CASE WHEN MAX(f.rn) > 1 THEN
      CASE WHEN MOD(MAX(f.rn * 4 + f.resp * 2 + f.remit), 4) >= 2 THEN 1 ELSE 0 END
    END AS resp_last,
    CASE WHEN MAX(f.rn) > 1 THEN MOD(MAX(f.rn * 4 + f.resp * 2 + f.remit), 2) END AS remit_last,
    MIN(CASE WHEN f.rn > 1 AND f.resp = 1 THEN f.days_in END) AS resp_day,
    MAX(CASE WHEN f.rn > 1 THEN f.days_in END) AS last_day,
    MAX(f.base) AS baseline,
    MOD(MAX(f.rn * 1000 + f.total), 1000) AS latest,
{marks}
  FROM flagged f LEFT JOIN doses m ON m.course_id = f.course_id
  GROUP BY f.course_id, f.patient_id, f.protocol_code, f.start_date
)"""  # noqa: S608 (constants and bound parameters only)


def _status_sums(alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ",\n".join(
        f"  SUM(CASE WHEN {prefix}status = '{s}' THEN 1 ELSE 0 END)" for s in COURSE_STATUSES
    )


# A scored course's Kaplan-Meier time (days to the first response, else to the last score)
# and event (responded or censored); NULL for a course that is not evaluable.
KM_DAY = "CASE WHEN evaluable = 1 THEN COALESCE(resp_day, last_day) END"
KM_EVENT = "CASE WHEN evaluable = 1 THEN CASE WHEN resp_day IS NULL THEN 0 ELSE 1 END END"


def summary_query(vendor: str, f: Filters, d: Definition, t: Tables = Tables()) -> Query:
    """Rows to add up per protocol: course counts by status (km_day NULL, from the cohort), and
    per (protocol, Kaplan-Meier day, event) the scored courses' outcome sums."""
    q = Query(vendor)
    ctes = course_facts(q, f, d, t)
    zeros = ", ".join("0" for _ in range(3 * len(d.milestones)))
    milestones = ",\n".join(
        f"  SUM(CASE WHEN m{k} IS NOT NULL THEN 1 ELSE 0 END),\n"
        f"  SUM(CASE WHEN m{k} IN (2, 4) THEN 1 ELSE 0 END),\n"
        f"  SUM(CASE WHEN m{k} IN (3, 4) THEN 1 ELSE 0 END)"
        for k in d.milestones
    )
    km_day, km_event = KM_DAY, KM_EVENT
    q.sql = f"""WITH {ctes}
SELECT protocol_code, NULL, NULL, 0, COUNT(*), 0, 0, 0, 0,
{_status_sums()},
  {zeros}
FROM cohort GROUP BY protocol_code
UNION ALL
SELECT protocol_code, {km_day}, {km_event}, COUNT(*), 0, COUNT(*), SUM(evaluable),
  SUM(COALESCE(resp_last, 0)), SUM(COALESCE(remit_last, 0)), 0, 0, 0,
{milestones}
FROM scored_courses GROUP BY protocol_code, {km_day}, {km_event}"""  # noqa: S608 (constants and bound parameters only)
    return q


def _age(vendor: str, day: str, born: str) -> str:
    if vendor == SQLITE:
        # %% because Django formats the text with its parameters ("%Y" would be a placeholder).
        return (
            f"(CAST(strftime('%%Y', {day}) AS INTEGER) - CAST(strftime('%%Y', {born}) AS INTEGER)"
            f" - CASE WHEN strftime('%%m%%d', {day}) < strftime('%%m%%d', {born})"
            " THEN 1 ELSE 0 END)"
        )

    def md(x: str) -> str:
        return f"(EXTRACT(MONTH FROM {x}) * 100 + EXTRACT(DAY FROM {x}))"

    return (
        f"(CAST(EXTRACT(YEAR FROM {day}) - EXTRACT(YEAR FROM {born}) AS INTEGER)"
        f" - CASE WHEN {md(day)} < {md(born)} THEN 1 ELSE 0 END)"
    )


def age_band_sql(age: str) -> str:
    """CASE expression mapping an age in years to its band label (definitions.AGE_BANDS)."""
    whens = [f"WHEN {age} IS NULL THEN 'unknown'"]
    for band in AGE_BANDS:
        if band.high is None:
            whens.append(f"ELSE {_quote(band.label)}")
        else:
            whens.append(f"WHEN {age} <= {int(band.high)} THEN {_quote(band.label)}")
    return "CASE " + " ".join(whens) + " END"


EQUITY_COLUMNS = ("race", "ethnicity", "sex", "payer_type", "income_band")


def equity_query(vendor: str, f: Filters, d: Definition, t: Tables = Tables()) -> Query:
    """Rows to add up per combination of the patients' equity attributes: course counts by
    status (from the cohort) and outcome sums (from the scored courses)."""
    q = Query(vendor)
    ctes = course_facts(q, f, d, t)
    columns = ", ".join(f"p.{c}" for c in EQUITY_COLUMNS)
    band_co = age_band_sql(_age(vendor, "co.start_date", "p.date_of_birth"))
    band_sc = age_band_sql(_age(vendor, "sc.start_date", "p.date_of_birth"))
    q.sql = f"""WITH {ctes}
SELECT {columns}, {band_co}, COUNT(*), 0, 0, 0,
{_status_sums("co")}
FROM cohort co JOIN {t.patient} p ON p.id = co.patient_id
GROUP BY {columns}, {band_co}
UNION ALL
SELECT {columns}, {band_sc}, 0, SUM(sc.evaluable), SUM(COALESCE(sc.resp_last, 0)),
  SUM(COALESCE(sc.remit_last, 0)), 0, 0, 0
FROM scored_courses sc JOIN {t.patient} p ON p.id = sc.patient_id
GROUP BY {columns}, {band_sc}"""  # noqa: S608 (constants and bound parameters only)
    return q


def patients_query(vendor: str, f: Filters, t: Tables = Tables()) -> Query:
    """Distinct patients of the cohort and of its active courses, overall and per protocol."""
    q = Query(vendor)
    clinic = q.p(_clinic_value(vendor, f.clinic_id))
    cohort = _cohort_filters(q, f, "c", "start_date")
    clinic2 = q.p(_clinic_value(vendor, f.clinic_id))
    active = _cohort_filters(q, Filters(f.clinic_id, protocol=f.protocol), "c", "start_date")
    q.sql = f"""WITH cohort AS (
  SELECT c.patient_id, c.protocol_code FROM {t.course} c WHERE c.clinic_id = {clinic} AND {cohort}
), active AS (
  SELECT c.patient_id, c.protocol_code FROM {t.course} c
  WHERE c.clinic_id = {clinic2} AND c.status = 'active' AND {active}
)
SELECT 'cohort' AS what, NULL AS protocol_code, COUNT(DISTINCT patient_id), COUNT(*) FROM cohort
UNION ALL
SELECT 'cohort', protocol_code, COUNT(DISTINCT patient_id), COUNT(*) FROM cohort
  GROUP BY protocol_code
UNION ALL
SELECT 'active', NULL, COUNT(DISTINCT patient_id), COUNT(*) FROM active
UNION ALL
SELECT 'active', protocol_code, COUNT(DISTINCT patient_id), COUNT(*) FROM active
  GROUP BY protocol_code"""  # noqa: S608 (constants and bound parameters only)
    return q


def sessions_query(vendor: str, f: Filters, t: Tables = Tables()) -> Query:
    """Dosed sessions in the date range per protocol and day (one scan serves the totals and
    the weekly chart), their adverse events (and severe ones) and safety alerts (and
    blood-pressure ones) per protocol. Rows: (protocol, kind, day or NULL, count, subset)."""
    q = Query(vendor)
    bp = ", ".join(_quote(c) for c in BP_ALERT_CODES)

    def dosed(alias: str) -> str:
        clinic = q.p(_clinic_value(vendor, f.clinic_id))
        scope = _cohort_filters(q, f, alias, "scheduled_date")
        return f"{alias}.clinic_id = {clinic} AND {alias}.dose_started_at IS NOT NULL AND {scope}"

    sessions = dosed("s")
    clinic_e = q.p(_clinic_value(vendor, f.clinic_id))
    events = dosed("se")
    clinic_a = q.p(_clinic_value(vendor, f.clinic_id))
    alerts = dosed("sa")
    q.sql = f"""SELECT s.protocol_code, 'sessions', s.scheduled_date, COUNT(*), 0
FROM {t.session} s WHERE {sessions} GROUP BY s.protocol_code, s.scheduled_date
UNION ALL
SELECT se.protocol_code, 'events', NULL, COUNT(*),
  SUM(CASE WHEN e.severity = 'severe' THEN 1 ELSE 0 END)
FROM {t.event} e JOIN {t.session} se ON se.id = e.session_id
WHERE e.clinic_id = {clinic_e} AND {events} GROUP BY se.protocol_code
UNION ALL
SELECT sa.protocol_code, 'alerts', NULL, COUNT(*),
  SUM(CASE WHEN a.code IN ({bp}) THEN 1 ELSE 0 END)
FROM {t.alert} a JOIN {t.session} sa ON sa.id = a.session_id
WHERE a.clinic_id = {clinic_a} AND {alerts} GROUP BY sa.protocol_code"""  # noqa: S608 (constants and bound parameters only)
    return q


# --- fact tables ----------------------------------------------------------------------------
# The same figures from the outcomes app's fact tables (outcomes/models.py): one row per course
# and per dosed session, written by the queries below from the very CTEs the live summary uses,
# and the rows per clinic, protocol and day that the dashboard adds up.


@dataclass(frozen=True)
class FactTables:
    course: str = "outcomes_coursefact"
    session: str = "outcomes_sessionfact"
    day: str = "outcomes_dayfact"


FACT_MILESTONES = (2, 4, 6)  # the m2, m4, m6 columns of outcomes_coursefact
COURSE_FACT_COLUMNS = (
    "course_id",
    "clinic_id",
    "patient_id",
    "protocol_code",
    "start_date",
    "status",
    "scored",
    "evaluable",
    "baseline",
    "latest",
    "resp_last",
    "remit_last",
    "km_day",
    "km_event",
    *(f"m{k}" for k in FACT_MILESTONES),
    "dosed_sessions",
    "adverse_events",
    "severe_adverse_events",
    *EQUITY_COLUMNS,
    "age_band",
    "prev_start_any",
    "prev_start_protocol",
)
SESSION_FACT_COLUMNS = (
    "session_id",
    "clinic_id",
    "patient_id",
    "course_id",
    "protocol_code",
    "scheduled_date",
    "events",
    "severe_events",
    "alerts",
    "bp_alerts",
)
DAY_COUNTS = ("sessions", "events", "severe_events", "alerts", "bp_alerts")


def check_fact_milestones(d: Definition) -> None:
    if tuple(d.milestones) != FACT_MILESTONES:
        raise ValueError(
            f"the fact table holds milestones {FACT_MILESTONES}, the definition asks for "
            f"{tuple(d.milestones)}: change outcomes.models and rebuild the facts"
        )


def session_facts_query(
    vendor: str, f: Filters, t: Tables = Tables(), into: FactTables | None = None
) -> Query:
    """One row per dosed session of the clinic (or of one patient) with its adverse events
    (severe ones) and safety alerts (blood-pressure ones): sessions_query row by row. With
    `into`, an INSERT into the session fact table."""
    q = Query(vendor)
    bp = ", ".join(_quote(c) for c in BP_ALERT_CODES)

    def of_sessions(alias: str) -> str:
        # Only the patient's sessions' entries when a patient is given (no scan of the clinic).
        if f.patient_id is None:
            return ""
        sub_clinic = q.p(_clinic_value(vendor, f.clinic_id))
        sub_patient = q.p(_clinic_value(vendor, f.patient_id))
        return (
            f" AND {alias}.session_id IN (SELECT ps.id FROM {t.session} ps"  # noqa: S608 (constants and bound parameters only)
            f" WHERE ps.clinic_id = {sub_clinic} AND ps.patient_id = {sub_patient})"
        )

    clinic_e = q.p(_clinic_value(vendor, f.clinic_id))
    events = of_sessions("e")
    clinic_a = q.p(_clinic_value(vendor, f.clinic_id))
    alerts = of_sessions("a")
    clinic = q.p(_clinic_value(vendor, f.clinic_id))
    patient = _and(_patient(q, f, "s"))
    insert = f"INSERT INTO {into.session} ({', '.join(SESSION_FACT_COLUMNS)})\n" if into else ""
    q.sql = f"""{insert}SELECT s.id, s.clinic_id, s.patient_id, s.course_id, s.protocol_code,
  s.scheduled_date, COALESCE(e.n, 0), COALESCE(e.severe, 0), COALESCE(a.n, 0), COALESCE(a.bp, 0)
FROM {t.session} s
LEFT JOIN (
  SELECT e.session_id, COUNT(*) AS n,
    SUM(CASE WHEN e.severity = 'severe' THEN 1 ELSE 0 END) AS severe
  FROM {t.event} e WHERE e.clinic_id = {clinic_e}{events} GROUP BY e.session_id
) e ON e.session_id = s.id
LEFT JOIN (
  SELECT a.session_id, COUNT(*) AS n, SUM(CASE WHEN a.code IN ({bp}) THEN 1 ELSE 0 END) AS bp
  FROM {t.alert} a WHERE a.clinic_id = {clinic_a}{alerts} GROUP BY a.session_id
) a ON a.session_id = s.id
WHERE s.clinic_id = {clinic}{patient} AND s.dose_started_at IS NOT NULL"""  # noqa: S608 (constants and bound parameters only)
    return q


def course_facts_query(
    vendor: str,
    f: Filters,
    d: Definition,
    t: Tables = Tables(),
    into: FactTables | None = None,
    facts: FactTables = FactTables(),
) -> Query:
    """One row per course of the clinic (or of one patient) with its outcome: the cohort and
    scored_courses CTEs of the live summary joined up, plus the patient's equity attributes
    and the course's dosed sessions and adverse events (from the session facts, which must be
    current). With `into`, an INSERT into the course fact table."""
    check_fact_milestones(d)
    q = Query(vendor)
    ctes = course_facts(q, Filters(f.clinic_id, patient_id=f.patient_id), d, t)
    clinic_sf = q.p(_clinic_value(vendor, f.clinic_id))
    patient_sf = _and(_patient(q, f, "sf"))
    band = age_band_sql(_age(vendor, "co.start_date", "p.date_of_birth"))
    columns = ", ".join(f"p.{c}" for c in EQUITY_COLUMNS)
    marks = ", ".join(f"sc.m{k}" for k in FACT_MILESTONES)
    insert = f"INSERT INTO {into.course} ({', '.join(COURSE_FACT_COLUMNS)})\n" if into else ""
    km_day = KM_DAY.replace("evaluable", "sc.evaluable").replace("resp_day", "sc.resp_day")
    km_day = km_day.replace("last_day", "sc.last_day")
    km_event = KM_EVENT.replace("evaluable", "sc.evaluable").replace("resp_day", "sc.resp_day")
    order = "ORDER BY co.start_date, co.created_at, co.id"
    q.sql = f"""{insert}WITH {ctes},
per_course AS (
  SELECT sf.course_id, COUNT(*) AS dosed, SUM(sf.events) AS events,
    SUM(sf.severe_events) AS severe
  FROM {facts.session} sf WHERE sf.clinic_id = {clinic_sf}{patient_sf} GROUP BY sf.course_id
)
SELECT co.id, co.clinic_id, co.patient_id, co.protocol_code, co.start_date, co.status,
  CASE WHEN sc.course_id IS NULL THEN 0 ELSE 1 END, COALESCE(sc.evaluable, 0),
  sc.baseline, sc.latest, COALESCE(sc.resp_last, 0), COALESCE(sc.remit_last, 0),
  {km_day}, {km_event}, {marks},
  COALESCE(pc.dosed, 0), COALESCE(pc.events, 0), COALESCE(pc.severe, 0),
  {columns}, {band},
  LAG(co.start_date) OVER (PARTITION BY co.patient_id {order}),
  LAG(co.start_date) OVER (PARTITION BY co.patient_id, co.protocol_code {order})
FROM cohort co
JOIN {t.patient} p ON p.id = co.patient_id
LEFT JOIN scored_courses sc ON sc.course_id = co.id
LEFT JOIN per_course pc ON pc.course_id = co.id"""  # noqa: S608 (constants and bound parameters only)
    return q


def _fact_filters(q: Query, f: Filters, alias: str, day_column: str) -> str:
    clinic = f"{alias}.clinic_id = {q.p(_clinic_value(q.vendor, f.clinic_id))}"
    return f"{clinic} AND {_cohort_filters(q, f, alias, day_column)}"


def fact_summary_query(vendor: str, f: Filters, d: Definition, t: FactTables = FactTables()):
    """summary_query's rows from the course facts, in one pass: per protocol and Kaplan-Meier
    day and event, the course counts by status and the outcome sums (km_day is NULL for the
    courses that are not evaluable, which the curve leaves out)."""
    check_fact_milestones(d)
    q = Query(vendor)
    # A patient's courses in a date range are consecutive in their course order, so each
    # patient of the cohort has exactly one course whose predecessor is outside it (before
    # the range's start, or none): counting those counts distinct patients without DISTINCT.
    first = {
        column: (
            f"SUM(CASE WHEN {column} IS NULL OR {column} < {q.p(f.start)} THEN 1 ELSE 0 END)"
            if f.start
            else f"SUM(CASE WHEN {column} IS NULL THEN 1 ELSE 0 END)"
        )
        for column in ("prev_start_any", "prev_start_protocol")
    }
    where = _fact_filters(q, f, "c", "start_date")
    milestones = ",\n".join(
        f"  SUM(CASE WHEN m{k} IS NOT NULL THEN 1 ELSE 0 END),\n"
        f"  SUM(CASE WHEN m{k} IN (2, 4) THEN 1 ELSE 0 END),\n"
        f"  SUM(CASE WHEN m{k} IN (3, 4) THEN 1 ELSE 0 END)"
        for k in d.milestones
    )
    q.sql = f"""SELECT protocol_code, km_day, km_event, COUNT(*), COUNT(*), SUM(scored),
  SUM(evaluable), SUM(resp_last), SUM(remit_last),
{_status_sums()},
{milestones},
  {first["prev_start_any"]}, {first["prev_start_protocol"]}
FROM {t.course} c WHERE {where}
GROUP BY protocol_code, km_day, km_event"""  # noqa: S608 (constants and bound parameters only)
    return q


def fact_active_query(vendor: str, f: Filters, t: FactTables = FactTables()) -> Query:
    """Active courses per protocol (the protocol filter applies, the dates do not). A patient
    has at most one active course (a constraint of the courses table), so they are also the
    active patients."""
    q = Query(vendor)
    where = _fact_filters(q, Filters(f.clinic_id, protocol=f.protocol), "c", "start_date")
    q.sql = f"""SELECT protocol_code, COUNT(*) FROM {t.course} c
WHERE {where} AND c.status = 'active' GROUP BY protocol_code"""  # noqa: S608 (constants and bound parameters only)
    return q


def patient_rows_from_facts(summary_rows, active_rows, f: Filters) -> tuple[list, list]:
    """fact_summary_query and fact_active_query rows -> (summary rows as summary_query gives
    them, the rows of patients_query)."""
    plain, patients, courses = [], {}, {}
    overall = 0
    for row in summary_rows:
        *head, first_any, first_protocol = row
        plain.append(tuple(head))
        code = head[0]
        patients[code] = patients.get(code, 0) + int(first_protocol or 0)
        courses[code] = courses.get(code, 0) + int(head[4] or 0)
        overall += int((first_protocol if f.protocol else first_any) or 0)
    rows = [("cohort", None, overall, sum(courses.values()))]
    rows += [("cohort", code, patients[code], courses[code]) for code in sorted(courses)]
    active = [(code, int(n)) for code, n in active_rows]
    rows.append(("active", None, sum(n for _, n in active), sum(n for _, n in active)))
    rows += [("active", code, n, n) for code, n in active]
    return plain, rows


def fact_patients_query(vendor: str, f: Filters, t: FactTables = FactTables()) -> Query:
    """patients_query over the course facts."""
    q = Query(vendor)
    cohort = _fact_filters(q, f, "c", "start_date")
    active = _fact_filters(q, Filters(f.clinic_id, protocol=f.protocol), "c", "start_date")
    q.sql = f"""WITH cohort AS (
  SELECT c.patient_id, c.protocol_code FROM {t.course} c WHERE {cohort}
), active AS (
  SELECT c.patient_id, c.protocol_code FROM {t.course} c WHERE {active} AND c.status = 'active'
)
SELECT 'cohort' AS what, NULL AS protocol_code, COUNT(DISTINCT patient_id), COUNT(*) FROM cohort
UNION ALL
SELECT 'cohort', protocol_code, COUNT(DISTINCT patient_id), COUNT(*) FROM cohort
  GROUP BY protocol_code
UNION ALL
SELECT 'active', NULL, COUNT(DISTINCT patient_id), COUNT(*) FROM active
UNION ALL
SELECT 'active', protocol_code, COUNT(DISTINCT patient_id), COUNT(*) FROM active
  GROUP BY protocol_code"""  # noqa: S608 (constants and bound parameters only)
    return q


def fact_days_query(vendor: str, f: Filters, t: FactTables = FactTables()) -> Query:
    """The day facts in range: (protocol, day, sessions, events, severe, alerts, bp alerts)."""
    q = Query(vendor)
    where = _fact_filters(q, f, "d", "day")
    q.sql = f"""SELECT protocol_code, day, {", ".join(DAY_COUNTS)}
FROM {t.day} d WHERE {where}"""  # noqa: S608 (constants and bound parameters only)
    return q


def session_rows_from_days(rows) -> list[tuple]:
    """fact_days_query rows -> the (protocol, kind, day, count, subset) rows of sessions_query."""
    out: list[tuple] = []
    per: dict[str, list[int]] = {}
    for code, day, sessions, events, severe, alerts, bp in rows:
        out.append((code, "sessions", day, sessions, 0))
        sums = per.setdefault(code, [0, 0, 0, 0])
        for i, value in enumerate((events, severe, alerts, bp)):
            sums[i] += int(value or 0)
    for code, (events, severe, alerts, bp) in per.items():
        if events:
            out.append((code, "events", None, events, severe))
        if alerts:
            out.append((code, "alerts", None, alerts, bp))
    return out


def fact_equity_query(vendor: str, f: Filters, t: FactTables = FactTables()) -> Query:
    """equity_query's rows from the course facts, in one pass."""
    q = Query(vendor)
    where = _fact_filters(q, f, "c", "start_date")
    columns = ", ".join(EQUITY_COLUMNS)
    q.sql = f"""SELECT {columns}, age_band, COUNT(*), SUM(evaluable), SUM(resp_last),
  SUM(remit_last),
{_status_sums()}
FROM {t.course} c WHERE {where}
GROUP BY {columns}, age_band"""  # noqa: S608 (constants and bound parameters only)
    return q


def fact_equity_by_clinic_query(
    vendor: str, clinic_ids: Sequence, t: FactTables = FactTables()
) -> Query:
    """fact_equity_query's rows for several clinics at once, each row led by its clinic id
    (the network's equity by location). All of each clinic's courses: no date filter."""
    q = Query(vendor)
    ids = ", ".join(q.p(_clinic_value(vendor, c)) for c in clinic_ids) or "NULL"
    columns = ", ".join(EQUITY_COLUMNS)
    q.sql = f"""SELECT clinic_id, {columns}, age_band, COUNT(*), SUM(evaluable), SUM(resp_last),
  SUM(remit_last),
{_status_sums()}
FROM {t.course} c WHERE c.clinic_id IN ({ids})
GROUP BY clinic_id, {columns}, age_band"""  # noqa: S608 (constants and bound parameters only)
    return q
