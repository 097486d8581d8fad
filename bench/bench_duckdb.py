"""Benchmark: the outcome summary computed by DuckDB over the de-identified Parquet export.

    .venv/bin/python bench/bench_duckdb.py EXPORT_DIR [--repeat 3] [--threads 2]

The reference for how fast the summary could be: the same SQL text (outcomes/sql.py, DuckDB
dialect) over tables loaded from the Parquet files. Prints one JSON object (timings and the
summary, to compare with the database's). Dates in the export are shifted per patient, so
everything but the calendar (sessions per week) must equal the database's answer.
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
