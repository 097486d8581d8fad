"""Chart tabs at 10 vs 500 sessions: time, bytes and queries of every registered tab.

    .venv/bin/python bench/bench_chart.py                      # SQLite (a scratch file)
    .venv/bin/python bench/bench_chart.py --pg postgres://postgres@127.0.0.1:5432
    .venv/bin/python bench/bench_chart.py --repeat 15 --sessions 10 500

Each database is a scratch one created for the run and removed after it (SQLite: a temporary
file; PostgreSQL: database `bench_chart` on --pg, dropped at the end). Two patients get the
same kind of history (tests/chart_history.py: sessions, vitals, scores, charges, payments, PDMP
checks, alerts), one with few sessions and one with many; each tab is requested through
Django's test client in-process as a prescriber, alternating the two patients, and the median
of --repeat requests is taken. It prints a table (time ratio, byte ratio, queries) with the
load average, and one JSON object on its last line. It asserts nothing.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_TIME = 1.3
TARGET_BYTES = 1.5


def _environment(url: str, var_dir: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="ketaclinic.config.settings",
        DATABASE_URL=url,
        KETACLINIC_VAR_DIR=var_dir,
        KETACLINIC_PLAIN_HTTP="1",
        KETACLINIC_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        KETACLINIC_SECRET_KEY="bench-chart-" + "x" * 40,
    )
    return env


def measure(args) -> None:
    """The worker: runs inside the scratch database given by DATABASE_URL."""
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from ketaclinic.core.permissions import Role
    from ketaclinic.core.ui import chart_tabs_for
    from tests.chart_history import build_history
    from tests.factories import make_clinic, make_user

    call_command("migrate", verbosity=0)
    clinic = make_clinic("Chart bench", "chart-bench")
    users = {
        "prescriber": make_user(clinic, "bench_prescriber", Role.PRESCRIBER),
        "nurse": make_user(clinic, "bench_nurse", Role.NURSE),
        "front_desk": make_user(clinic, "bench_desk", Role.FRONT_DESK),
    }
    started = time.perf_counter()
    patients = {n: build_history(clinic, users, n) for n in args.sessions}
    built = time.perf_counter() - started
    client = Client()
    client.force_login(users["prescriber"])
    results = {}
    for tab in chart_tabs_for(users["prescriber"]):
        urls = {n: reverse(tab.url_name, kwargs={"patient_id": p.pk}) for n, p in patients.items()}
        times = {n: [] for n in urls}
        sizes, queries, status = {}, {}, {}
        for url in urls.values():
            client.get(url)  # warm-up
        for _ in range(args.repeat):
            for n, url in urls.items():  # alternate: load changes hit both sides alike
                with CaptureQueriesContext(connection) as captured:
                    begun = time.perf_counter()
                    response = client.get(url)
                    times[n].append(time.perf_counter() - begun)
                queries[n] = len(captured.captured_queries)
                sizes[n] = len(response.content)
                status[n] = response.status_code
        results[tab.key] = {
            str(n): {
                "median_ms": round(statistics.median(times[n]) * 1000, 2),
                "bytes": sizes[n],
                "queries": queries[n],
                "status": status[n],
            }
            for n in urls
        }
    print(
        json.dumps({"vendor": connection.vendor, "build_seconds": round(built, 1), "tabs": results})
    )


def run_worker(url: str, args, var_dir: str) -> dict:
    command = [sys.executable, __file__, "--worker", "--repeat", str(args.repeat), "--sessions"]
    done = subprocess.run(
        [*command, *map(str, args.sessions)],
        env=_environment(url, var_dir),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(data: dict, few: int, many: int) -> list[str]:
    lines = [
        f"{data['vendor']}: histories built in {data['build_seconds']} s; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"{'tab':<10} {'ms ' + str(few):>9} {'ms ' + str(many):>9} {'time':>6} "
        f"{'KB ' + str(few):>8} {'KB ' + str(many):>8} {'bytes':>6} {'queries':>9}  met?",
    ]
    for key, by_count in data["tabs"].items():
        a, b = by_count[str(few)], by_count[str(many)]
        t = b["median_ms"] / a["median_ms"] if a["median_ms"] else 0.0
        s = b["bytes"] / a["bytes"] if a["bytes"] else 0.0
        met = t <= TARGET_TIME and s <= TARGET_BYTES and a["queries"] == b["queries"]
        lines.append(
            f"{key:<10} {a['median_ms']:>9.1f} {b['median_ms']:>9.1f} {t:>5.2f}x "
            f"{a['bytes'] / 1024:>8.1f} {b['bytes'] / 1024:>8.1f} {s:>5.2f}x "
            f"{a['queries']:>4} {b['queries']:>4}  {'yes' if met else 'NO'}"
            + ("" if a["status"] == b["status"] == 200 else f" (HTTP {a['status']}/{b['status']})")
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="PostgreSQL server URL (also measure there)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--sessions", type=int, nargs=2, default=[10, 500])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        measure(args)
        return
    few, many = args.sessions
    out = {}
    with tempfile.TemporaryDirectory(prefix="bench-chart-") as scratch:
        if not args.no_sqlite:
            data = run_worker(f"sqlite:///{scratch}/chart.sqlite3", args, scratch)
            print("\n".join(report(data, few, many)), flush=True)
            out["sqlite"] = data
        if args.pg:
            import psycopg

            server = args.pg.rstrip("/")
            with psycopg.connect(f"{server}/postgres", autocommit=True) as con:
                con.execute("DROP DATABASE IF EXISTS bench_chart")
                con.execute("CREATE DATABASE bench_chart")
            try:
                data = run_worker(f"{server}/bench_chart", args, scratch)
            finally:
                with psycopg.connect(f"{server}/postgres", autocommit=True) as con:
                    con.execute("DROP DATABASE IF EXISTS bench_chart")
            print("\n".join(report(data, few, many)), flush=True)
            out["postgresql"] = data
    print(json.dumps(out))


if __name__ == "__main__":
    main()
