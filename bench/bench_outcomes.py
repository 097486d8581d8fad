"""Benchmark worker for the outcomes table (bench/run.py runs it once per database and step).

    DATABASE_URL=... .venv/bin/python bench/bench_outcomes.py seed --patients 10000
    DATABASE_URL=... .venv/bin/python bench/bench_outcomes.py summary [--repeat 3] [--threads 2]
    DATABASE_URL=... .venv/bin/python bench/bench_outcomes.py summary --live-repeat 1 --no-duckdb
    DATABASE_URL=... .venv/bin/python bench/bench_outcomes.py export OUT_DIR

Each step prints one JSON object on its last line. Nothing here asserts anything about time.
It runs with the development settings (ketaclinic_devtools.settings: the product's settings
plus the synthetic registry generator), whatever DJANGO_SETTINGS_MODULE says.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ["DJANGO_SETTINGS_MODULE"] = "ketaclinic_devtools.settings"
AS_OF = date(2026, 1, 30)  # fixed: the same registry on every run and machine


def setup():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def emit(data: dict) -> None:
    print(json.dumps(data, default=str))


def step_seed(args):
    from ketaclinic.core.models import Clinic
    from ketaclinic.patients.models import Patient
    from ketaclinic_devtools.registry.seed import seed_registry

    if Clinic.objects.filter(slug="registry-1").exists():
        emit(
            {"cached": True, "patients": Patient.objects.filter(clinic__slug="registry-1").count()}
        )
        return
    result = seed_registry(
        patients=args.patients,
        clinics_count=1,
        seed=args.seed,
        as_of=AS_OF,
        password="bench-password-not-for-use",
        progress=lambda p: print(f"  seeding {p.line()}", file=sys.stderr, flush=True),
    )
    emit(
        {
            "cached": False,
            "patients": result.patients,
            "rows": result.rows,
            "seconds": round(result.seconds, 1),
            "patients_per_second": round(result.patients / result.seconds, 1),
            "rows_per_second": round(result.rows / result.seconds),
            "tables": result.tables,
        }
    )


def comparable(summary) -> dict:
    """The summary without the calendar (dates are shifted in the export)."""
    body = summary.as_dict({})
    body.pop("sessions_per_week")
    body.pop("filters")
    return body


def _timed(fn, repeat: int) -> tuple[dict, object]:
    times, result = [], None
    for _ in range(repeat + 1):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return {
        "first": round(times[0], 4),
        "median": round(statistics.median(times[1:]), 4),
        "best": round(min(times[1:]), 4),
    }, result


def step_summary(args):
    """The dashboard's summary from the fact tables, the live SQL over the clinical tables,
    and DuckDB running the live SQL over the same raw tables copied into it, in one run."""
    import duckdb
    from bench_duckdb import load_from_database
    from django.db import connection

    from ketaclinic.accounts.models import User
    from ketaclinic.outcomes import queries, sql
    from ketaclinic.outcomes.summary import assemble

    user = User.objects.get(username="reg1_prescriber1")
    load_before = os.getloadavg()
    facts, result = _timed(lambda: queries.summary(user)[0], args.repeat)
    live_repeat = args.repeat if args.live_repeat is None else args.live_repeat
    live, live_result = _timed(lambda: queries.live_summary(user)[0], live_repeat)
    if args.no_duckdb:  # a registry too large to copy into DuckDB in the time at hand
        emit(
            {
                **facts,
                "courses": result.overall.courses,
                "live": live,
                "facts_vs_live": round(facts["median"] / live["median"], 4),
                "facts_equal_live": result.as_dict({}) == live_result.as_dict({}),
                "load_average": [round(x, 2) for x in (*load_before, *os.getloadavg())],
            }
        )
        return
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET threads = {int(args.threads)}")
    loaded = load_from_database(con, connection, user.clinic_id)
    definition = queries.outcome_definition(user.clinic_id)
    names = queries.protocol_names(user.clinic_id)
    filters = sql.Filters(user.clinic_id)
    duck_queries = [
        sql.summary_query(sql.DUCKDB, filters, definition),
        sql.patients_query(sql.DUCKDB, filters),
        sql.sessions_query(sql.DUCKDB, filters),
    ]

    def in_duckdb():
        rows = [con.execute(q.sql, q.params).fetchall() for q in duck_queries]
        return assemble(definition, *rows, names)

    duck, duck_result = _timed(in_duckdb, args.repeat)
    emit(
        {
            **facts,
            "courses": result.overall.courses,
            "live": live,
            "duckdb": duck | {"load": round(loaded, 1), "threads": args.threads},
            "facts_vs_duckdb": round(facts["median"] / duck["median"], 3),
            "facts_vs_live": round(facts["median"] / live["median"], 4),
            "live_vs_duckdb": round(live["median"] / duck["median"], 2),
            "facts_equal_live": result.as_dict({}) == live_result.as_dict({}),
            "duckdb_equal_live": duck_result.as_dict({}) == live_result.as_dict({}),
            "load_average": [round(x, 2) for x in (*load_before, *os.getloadavg())],
            "summary": comparable(result),
        }
    )


def step_export(args):
    from ketaclinic.core.models import Clinic
    from ketaclinic.outcomes.export import export_tables
    from ketaclinic.outcomes.keys import research_key

    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    clinic = Clinic.objects.get(slug="registry-1")
    started = time.perf_counter()
    result = export_tables([clinic.pk], out, "parquet", research_key())
    emit({"seconds": round(time.perf_counter() - started, 1), "rows": sum(result.tables.values())})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    seed = sub.add_parser("seed")
    seed.add_argument("--patients", type=int, required=True)
    seed.add_argument("--seed", type=int, default=2026)
    summary = sub.add_parser("summary")
    summary.add_argument("--repeat", type=int, default=3)
    summary.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    summary.add_argument("--live-repeat", type=int, help="timed runs of the live SQL (--repeat)")
    summary.add_argument("--no-duckdb", action="store_true", help="facts and live SQL only")
    export = sub.add_parser("export")
    export.add_argument("out_dir")
    args = parser.parse_args()
    live_repeat = getattr(args, "live_repeat", None)
    if (
        args.step == "summary"
        and min(args.repeat, args.repeat if live_repeat is None else live_repeat) < 1
    ):
        parser.error("--repeat and --live-repeat take 1 or more timed runs")
    setup()
    {"seed": step_seed, "summary": step_summary, "export": step_export}[args.step](args)


if __name__ == "__main__":
    main()
