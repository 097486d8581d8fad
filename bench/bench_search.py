"""Benchmark: patient search and patient detail on a 100k-patient clinic, next to the bare view.

    .venv/bin/python bench/bench_search.py                         # 100,000 patients, PostgreSQL
    .venv/bin/python bench/bench_search.py --patients 10000 --seconds 20
    .venv/bin/python bench/bench_search.py --fresh                 # drop and re-seed first

The registry lives in a PostgreSQL database of its own (`bench_search_<N>` on --pg, kept for
later runs): created, migrated and seeded the first time with the development seeding tool
(`seed_registry --patients N --seed 2026 --as-of 2026-01-30`, one clinic); later runs only
migrate it. `ketaclinic serve` then serves it with --workers (2) x --threads (2), and
--clients processes on the same host, each with one keep-alive connection and a
prescriber's bearer token, run three loads of --seconds each:

  search   GET /api/v1/patients?q= with varied queries, in equal shares: a partial family
           name (its first 3-5 letters, or 4 letters from inside it), two words (given and
           family name, either order, or their beginnings), an MRN (as stored or lower-case)
           and a date of birth (in each of the three accepted formats)
  detail   GET /api/v1/patients/{id}: the patient record, which also writes an audit event
  bare     a bare Django JSON view (no database) on the same server

It prints req/s, p50 and p99 per load and per kind of query, the error count (any answer
other than 200), detail as a share of bare, and how many PostgreSQL sessions each load opened
(with connections reused, a handful for thousands of requests). Numbers only, no assertions.
"""

import argparse
import os
import platform
import random
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote_plus

import psycopg
from serving import (
    KETACLINIC,
    Call,
    bare,
    load,
    rate,
    report_row,
    run,
    server_env,
    start_server,
    stop_server,
)

SEED_ARGS = ["--seed", "2026", "--as-of", "2026-01-30"]
PRESCRIBER = "reg1_prescriber1"
SAMPLE = 2000


def admin_url(pg: str) -> str:
    return f"{pg.rstrip('/')}/postgres"


def prepare(pg: str, db: str, patients: int, fresh: bool, work: Path) -> str:
    """The registry database, created and seeded once, migrated every run: its URL."""
    url = f"{pg.rstrip('/')}/{db}"
    with psycopg.connect(admin_url(pg), autocommit=True) as admin:
        if fresh:
            admin.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone() is None:
            admin.execute(f"CREATE DATABASE {db}")
    env = server_env(url, work) | {"DJANGO_SETTINGS_MODULE": "ketaclinic_devtools.settings"}
    print(f"migrating {db} ...", flush=True)
    run([*KETACLINIC, "migrate", "--noinput", "-v0"], env)
    with psycopg.connect(url) as conn:
        seeded = conn.execute("SELECT count(*) FROM patients_patient").fetchone()[0]
    if seeded == 0:
        print(f"seeding {patients:,} patients (several minutes) ...", flush=True)
        run([*KETACLINIC, "seed_registry", "--patients", str(patients), "--quiet", *SEED_ARGS], env)
    elif seeded != patients:
        sys.exit(f"{db} holds {seeded:,} patients, not {patients:,}: use --fresh or another --db")
    return url


def sample(url: str) -> dict:
    """Patients of the prescriber's clinic to search for and open (a fixed random sample)."""
    with psycopg.connect(url) as conn:
        conn.execute("SELECT setseed(0.2026)")
        rows = conn.execute(
            "SELECT p.id, p.mrn, p.given_name, p.family_name, p.date_of_birth "
            "FROM patients_patient p JOIN accounts_user u ON u.clinic_id = p.clinic_id "
            "WHERE u.username = %s ORDER BY random() LIMIT %s",
            (PRESCRIBER, SAMPLE),
        ).fetchall()
    return {"patients": rows}


def queries(rng: random.Random, rows) -> dict[str, list[str]]:
    """Search terms by kind, built from sampled patients."""
    terms: dict[str, list[str]] = {"family": [], "two words": [], "mrn": [], "dob": []}
    for _, mrn, given, family, dob in rows:
        family_l = family.lower()
        if len(family_l) > 5 and rng.random() < 0.25:
            start = rng.randint(1, len(family_l) - 4)
            terms["family"].append(family_l[start : start + 4])
        else:
            terms["family"].append(family_l[: rng.randint(3, 5)])
        terms["two words"].append(
            rng.choice(
                [f"{given} {family}", f"{family} {given}", f"{given[:3]} {family[:4]}"]
            ).lower()
        )
        terms["mrn"].append(rng.choice([mrn, mrn.lower()]))
        terms["dob"].append(
            rng.choice([dob.isoformat(), dob.strftime("%m/%d/%Y"), dob.strftime("%d.%m.%Y")])
        )
    return terms


def searches(token, terms):
    kinds = sorted(terms)

    def pick(rng) -> Call:
        kind = rng.choice(kinds)
        q = quote_plus(rng.choice(terms[kind]))
        return Call(f"search: {kind}", "GET", f"/api/v1/patients?q={q}", token)

    return pick


def details(token, ids):
    def pick(rng) -> Call:
        return Call("detail", "GET", f"/api/v1/patients/{rng.choice(ids)}", token)

    return pick


def sessions(url: str) -> int:
    """PostgreSQL sessions opened on the database so far (pg_stat_database, PostgreSQL 14+)."""
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()[0]


def measured(url, port, pick, seconds, clients):
    before = sessions(url)
    latencies, errors, elapsed = load(port, pick, seconds, clients)
    opened = sessions(url) - before - 1  # less this function's own connection
    return latencies, errors, elapsed, opened


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--db", help="database name (default bench_search_<patients>)")
    parser.add_argument("--fresh", action="store_true", help="drop and re-seed the database")
    parser.add_argument("--seconds", type=int, default=60, help="length of each load")
    parser.add_argument("--clients", type=int, default=4, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    db = args.db or f"bench_search_{args.patients}"
    work = Path(tempfile.mkdtemp(prefix="ketaclinic-bench-search-"))
    server = None
    try:
        url = prepare(args.pg, db, args.patients, args.fresh, work)
        env = server_env(url, work, workers=args.workers, threads=args.threads)
        token = run([*KETACLINIC, "create_api_token", PRESCRIBER, "--name", "bench"], env)
        token = token.strip().splitlines()[-1]
        rng = random.Random(2026)
        rows = sample(url)["patients"]
        terms = queries(rng, rows)
        ids = [str(row[0]) for row in rows]
        server, port, banner = start_server(env)
        find, open_ = searches(token, terms), details(token, ids)
        load(port, find, 5, args.clients)  # warm-up: connections, caches
        load(port, open_, 5, args.clients)
        results = {
            "search": measured(url, port, find, args.seconds, args.clients),
            "detail": measured(url, port, open_, args.seconds, args.clients),
            "bare": measured(url, port, bare, args.seconds, args.clients),
        }
    finally:
        stop_server(server)
        shutil.rmtree(work, ignore_errors=True)

    print()
    print(banner)
    print(
        f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
        f"{args.clients} client processes on the same host, database {db} "
        f"({args.patients:,} patients in one clinic), load average at the end "
        f"{os.getloadavg()[0]:.1f}"
    )
    print()
    print("| load | requests | req/s | p50 ms | p99 ms | errors | PostgreSQL sessions opened |")
    print("|---|---|---|---|---|---|---|")
    for name, (latencies, errors, elapsed, opened) in results.items():
        every = [v for values in latencies.values() for v in values]
        row = report_row(f"{name}, {args.seconds} s", every, len(errors), elapsed)
        print(f"{row} {opened} |")
        if len(latencies) > 1:
            for kind in sorted(latencies):
                print(f"{report_row(f'  {kind}', latencies[kind], '', elapsed)} |")
    detail_rate = rate(
        [v for vs in results["detail"][0].values() for v in vs], results["detail"][2]
    )
    bare_rate = rate(results["bare"][0].get("bare", []), results["bare"][2])
    if bare_rate:
        print(f"\npatient detail: {100 * detail_rate / bare_rate:.1f} % of the bare view's req/s")
    for _, (_, errors, _, _) in results.items():
        for sample_error in errors[:5]:
            print("error:", sample_error)


if __name__ == "__main__":
    main()
