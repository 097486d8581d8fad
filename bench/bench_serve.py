"""Benchmark: `ketaclinic serve` under a loopback load of mixed API reads and writes.

    .venv/bin/python bench/bench_serve.py                       # 120 s each, SQLite
    .venv/bin/python bench/bench_serve.py --pg postgres://postgres@127.0.0.1:5432
    .venv/bin/python bench/bench_serve.py --seconds 20 --clients 4 --workers 3 --threads 2

Seeds a database of its own with `ketaclinic seed_demo` (a temporary SQLite file, or a
scratch PostgreSQL database on --pg, dropped afterwards), starts `ketaclinic serve` on a free
loopback port, and runs two loads of --seconds each from --clients processes, each with one
keep-alive connection and a prescriber's bearer token:

  app mix   35 % patient search, 30 % patient detail (audited: a write too),
            20 % POST a PHQ-9 through the measures API, 15 % health
  bare      a bare Django JSON view (no database) on the same server, through the same
            middleware: what the server and Django cost before any application work

It prints req/s, p50, p99 and the error count of each (any answer other than the expected
2xx is an error). It prints numbers and asserts nothing.
"""

import argparse
import http.client
import json
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

from serving import (
    KETACLINIC,
    Call,
    bare,
    load,
    report_row,
    request,
    run,
    server_env,
    start_server,
    stop_server,
)

ROOT = Path(__file__).resolve().parents[1]
MIX = (("search", 35), ("detail", 30), ("phq9", 20), ("health", 15))


def app_mix(token, targets):
    """The application mix: a `pick(rng)` for serving.load."""
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]

    def pick(rng) -> Call:
        kind = rng.choices(kinds, weights)[0]
        if kind == "health":
            return Call("health", "GET", "/api/v1/health")
        if kind == "search":
            term = rng.choice(targets["terms"])
            return Call("search", "GET", f"/api/v1/patients?q={term}", token)
        pid = rng.choice(targets["patients"])
        if kind == "detail":
            return Call("detail", "GET", f"/api/v1/patients/{pid}", token)
        answers = {str(n): rng.randint(0, 3) for n in range(1, 9)} | {"9": 0}
        body = {"instrument": "phq9", "answers": answers}
        return Call("phq9", "POST", f"/api/v1/patients/{pid}/measures", token, body, 201)

    return pick


def targets_of(port, token):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    patients, terms = [], set()
    page = 1
    while True:
        status, body = request(conn, "GET", f"/api/v1/patients?page={page}", token)
        if status != 200:
            sys.exit(f"listing patients failed: HTTP {status}")
        data = json.loads(body)
        for item in data["items"]:
            patients.append(item["id"])
            terms.add(item["family_name"][:3].lower())
        if page >= data["pages"]:
            break
        page += 1
    conn.close()
    return {"patients": patients, "terms": sorted(terms)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120, help="length of each load")
    parser.add_argument(
        "--bare-seconds", type=int, help="length of the bare load (default: --seconds)"
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--workers", type=int, help="KETACLINIC_WORKERS (default: serve's)")
    parser.add_argument("--threads", type=int, help="KETACLINIC_THREADS (default: serve's)")
    parser.add_argument(
        "--pg", help="PostgreSQL server URL, e.g. postgres://postgres@127.0.0.1:5432"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ketaclinic-bench-serve-"))
    scratch = f"bench_serve_{os.getpid()}"
    if args.pg:
        import psycopg

        with psycopg.connect(f"{args.pg.rstrip('/')}/postgres", autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {scratch}")
        database_url = f"{args.pg.rstrip('/')}/{scratch}"
    else:
        database_url = f"sqlite:///{work / 'bench.sqlite3'}"
    env = server_env(database_url, work, workers=args.workers, threads=args.threads)
    server = None
    try:
        print("seeding the demo clinic ...", flush=True)
        run([*KETACLINIC, "migrate", "--noinput", "-v0"], env)
        run([*KETACLINIC, "seed_demo"], env)
        token = run([*KETACLINIC, "create_api_token", "prescriber", "--name", "bench"], env)
        token = token.strip().splitlines()[-1]
        server, port, banner = start_server(env)
        targets = targets_of(port, token)
        pick = app_mix(token, targets)
        load(port, pick, 5, args.clients)  # warm-up: connections, caches
        app, app_errors, app_elapsed = load(port, pick, args.seconds, args.clients)
        bare_seconds = args.bare_seconds or args.seconds
        bare_lat, bare_errors, bare_elapsed = load(port, bare, bare_seconds, args.clients)
    finally:
        stop_server(server)
        if args.pg:
            import psycopg

            with psycopg.connect(f"{args.pg.rstrip('/')}/postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)

    every = [v for values in app.values() for v in values]
    print()
    print(f"{banner}")
    print(
        f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
        f"{args.clients} client processes on the same host, {len(targets['patients'])} patients, "
        f"load average at the end {os.getloadavg()[0]:.1f}"
    )
    print()
    print("| load | requests | req/s | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|")
    print(report_row(f"app mix, {args.seconds} s", every, len(app_errors), app_elapsed))
    for kind, _ in MIX:
        print(report_row(f"  {kind}", app.get(kind, []), "", app_elapsed))
    print(
        report_row(
            f"bare view, {bare_seconds} s",
            bare_lat.get("bare", []),
            len(bare_errors),
            bare_elapsed,
        )
    )
    for sample in (app_errors + bare_errors)[:10]:
        print("error:", sample)


if __name__ == "__main__":
    main()
