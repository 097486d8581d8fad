"""Benchmark: the outcome summary computed by DuckDB over the de-identified Parquet export.

    .venv/bin/python bench/bench_duckdb.py EXPORT_DIR [--repeat 3] [--threads 2]

The reference for how fast the summary could be: the same SQL text (outcomes/sql.py, DuckDB
dialect) over tables loaded from the Parquet files. Prints one JSON object (timings and the
summary, to compare with the database's). Dates in the export are shifted per patient, so
everything but the calendar (sessions per week) must equal the database's answer.

`load_from_database` fills DuckDB with the same raw tables read from the Django database
itself (no export, dates unshifted): `bench_outcomes.py summary` times DuckDB over them beside
the database's live and fact-table summaries.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

# The export keeps the clinic on the patients table only; the views give every table the
# column names the summary SQL reads.
VIEWS = {
    "patients_patient": "SELECT patient AS id, clinic AS clinic_id FROM '{d}/patients.parquet'",
    "protocols_course": (
        "SELECT c.course AS id, c.patient AS patient_id, p.clinic AS clinic_id, c.protocol_code,"
        " c.start_date, c.status, CAST(c.start_date AS TIMESTAMP) AS created_at"
        " FROM '{d}/courses.parquet' c JOIN '{d}/patients.parquet' p ON p.patient = c.patient"
    ),
    "treatments_treatmentsession": (
        "SELECT s.session AS id, s.course AS course_id, s.patient AS patient_id,"
        " p.clinic AS clinic_id, s.protocol_code, s.number, s.status, s.scheduled_date,"
        " s.dose_started_at FROM '{d}/sessions.parquet' s"
        " JOIN '{d}/patients.parquet' p ON p.patient = s.patient"
    ),
    "measures_measureresponse": (
        "SELECT r.response AS id, r.patient AS patient_id, p.clinic AS clinic_id, r.instrument,"
        " r.total, r.administered_at, r.source, r.referral_confirmed_at"
        " FROM '{d}/measure_responses.parquet' r"
        " JOIN '{d}/patients.parquet' p ON p.patient = r.patient"
    ),
    "treatments_adverseevent": (
        "SELECT e.session AS session_id, p.clinic AS clinic_id, e.severity"
        " FROM '{d}/adverse_events.parquet' e JOIN '{d}/patients.parquet' p"
        " ON p.patient = e.patient"
    ),
    "treatments_sessionalert": (
        "SELECT a.session AS session_id, p.clinic AS clinic_id, a.code"
        " FROM '{d}/session_alerts.parquet' a JOIN '{d}/patients.parquet' p"
        " ON p.patient = a.patient"
    ),
}


# The raw tables' columns the summary SQL reads, copied from the Django database.
DATABASE_TABLES = {
    "patients_patient": ("id", "clinic_id"),
    "protocols_course": (
        "id",
        "patient_id",
        "clinic_id",
        "protocol_code",
        "start_date",
        "status",
        "created_at",
    ),
    "treatments_treatmentsession": (
        "id",
        "course_id",
        "patient_id",
        "clinic_id",
        "protocol_code",
        "number",
        "status",
        "scheduled_date",
        "dose_started_at",
    ),
    "measures_measureresponse": (
        "id",
        "patient_id",
        "clinic_id",
        "instrument",
        "total",
        "administered_at",
        "source",
        "referral_confirmed_at",
    ),
    "treatments_adverseevent": ("session_id", "clinic_id", "severity"),
    "treatments_sessionalert": ("session_id", "clinic_id", "code"),
}
BATCH = 200_000


def load_from_database(con, connection, clinic_id) -> float:
    """Copy the clinic's raw outcome tables from a Django connection into DuckDB tables of the
    same names (UUIDs as text, timestamps in UTC); answers the seconds taken."""
    import pyarrow as pa

    started = time.perf_counter()
    for table, columns in DATABASE_TABLES.items():
        con.execute(f"DROP TABLE IF EXISTS {table}")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(columns)} FROM {table} WHERE clinic_id = %s",
                [clinic_id],
            )
            first = True
            while rows := cursor.fetchmany(BATCH):
                data = {}
                for i, name in enumerate(columns):
                    values = [r[i] for r in rows]
                    if name == "id" or name.endswith("_id"):
                        values = [None if v is None else str(v) for v in values]
                    data[name] = values
                batch = pa.table(data)  # noqa: F841 (read by DuckDB by name)
                if first:
                    con.execute(f"CREATE TABLE {table} AS SELECT * FROM batch")
                    first = False
                else:
                    con.execute(f"INSERT INTO {table} SELECT * FROM batch")
            if first:  # an empty table still needs its columns
                con.execute(f"CREATE TABLE {table} ({', '.join(f'{c} VARCHAR' for c in columns)})")
    return time.perf_counter() - started


def main():
    import duckdb

    from ketaclinic.measures.instruments import INSTRUMENTS
    from ketaclinic.outcomes import sql
    from ketaclinic.outcomes.definitions import MILESTONE_SESSIONS, RESPONSE_PERCENT
    from ketaclinic.outcomes.summary import assemble
    from ketaclinic.protocols.definitions import PROTOCOLS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export_dir")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    directory = Path(args.export_dir)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET threads = {int(args.threads)}")
    started = time.perf_counter()
    for name, select in VIEWS.items():
        con.execute(f"CREATE TABLE {name} AS {select.format(d=directory)}")
    loaded = time.perf_counter() - started
    clinic = con.execute("SELECT clinic_id FROM patients_patient LIMIT 1").fetchone()[0]
    remission = INSTRUMENTS["phq9"].remission
    definition = sql.Definition(
        "phq9", RESPONSE_PERCENT, remission.operator, remission.value, MILESTONE_SESSIONS
    )
    filters = sql.Filters(clinic)
    queries = [
        sql.summary_query(sql.DUCKDB, filters, definition),
        sql.patients_query(sql.DUCKDB, filters),
        sql.sessions_query(sql.DUCKDB, filters),
    ]
    times, result = [], None
    for _ in range(args.repeat + 1):
        started = time.perf_counter()
        rows = [con.execute(q.sql, q.params).fetchall() for q in queries]
        result = assemble(definition, *rows, {c: p.name for c, p in PROTOCOLS.items()})
        times.append(time.perf_counter() - started)
    body = result.as_dict({})
    body.pop("sessions_per_week")
    body.pop("filters")
    print(
        json.dumps(
            {
                "load": round(loaded, 3),
                "first": round(times[0], 3),
                "median": round(statistics.median(times[1:]), 3),
                "best": round(min(times[1:]), 3),
                "summary": body,
            },
            default=str,
        )
    )


if __name__ == "__main__":
    main()
