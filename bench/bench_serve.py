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
import multiprocessing
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
KETACLINIC = [sys.executable, "-m", "ketaclinic.config.cli"]
MIX = (("search", 35), ("detail", 30), ("phq9", 20), ("health", 15))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(argv, env) -> str:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv[3:])} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def request(conn, method, path, token=None, body=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def client(port, token, targets, scenario, seconds, seed, out):
    """One keep-alive connection issuing requests until the deadline; latencies to `out`."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        kind = "bare" if scenario == "bare" else rng.choices(kinds, weights)[0]
        if kind == "bare":
            call, expected = ("GET", "/bench/bare", None, None), 200
        elif kind == "health":
            call, expected = ("GET", "/api/v1/health", None, None), 200
        elif kind == "search":
            term = rng.choice(targets["terms"])
            call, expected = ("GET", f"/api/v1/patients?q={term}", token, None), 200
        elif kind == "detail":
            pid = rng.choice(targets["patients"])
            call, expected = ("GET", f"/api/v1/patients/{pid}", token, None), 200
        else:
            pid = rng.choice(targets["patients"])
            answers = {str(n): rng.randint(0, 3) for n in range(1, 9)} | {"9": 0}
            body = {"instrument": "phq9", "answers": answers}
            call, expected = ("POST", f"/api/v1/patients/{pid}/measures", token, body), 201
        started = time.perf_counter()
        try:
            status, payload = request(conn, *call)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{kind}: {exc!r}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.setdefault(kind, []).append(time.perf_counter() - started)
        if status != expected:
            errors.append(f"{kind}: HTTP {status} {payload[:200]!r}")
    conn.close()
    out.put((latencies, errors))


def load(port, token, targets, scenario, seconds, clients):
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [
        ctx.Process(target=client, args=(port, token, targets, scenario, seconds, i, out))
        for i in range(clients)
    ]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    for lat, err in results:
        for kind, values in lat.items():
            latencies.setdefault(kind, []).extend(values)
        errors.extend(err)
    return latencies, errors, elapsed


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))] * 1000


def report_row(label, values, errors, elapsed):
    if not values:
        return f"| {label} | 0 | - | - | - | {errors} |"
    rate = len(values) / elapsed
    return (
        f"| {label} | {len(values)} | {rate:.1f} | {percentile(values, 0.5):.1f} | "
        f"{percentile(values, 0.99):.1f} | {errors} |"
    )


def wait_for(port, server, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit("the server stopped during start-up")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            status, _ = request(conn, "GET", "/api/v1/health")
            conn.close()
            if status == 200:
                return
        except OSError:
            time.sleep(0.3)
    sys.exit("the server did not answer in time")


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
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETACLINIC_")}
    env.update(
        DATABASE_URL=database_url,
        KETACLINIC_VAR_DIR=str(work),
        KETACLINIC_PLAIN_HTTP="1",
        KETACLINIC_ACCESS_LOG="off",
        DJANGO_SETTINGS_MODULE="bench_serve_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(BENCH), env.get("PYTHONPATH")])),
    )
    if args.workers:
        env["KETACLINIC_WORKERS"] = str(args.workers)
    if args.threads:
        env["KETACLINIC_THREADS"] = str(args.threads)
    server = None
    try:
        print("seeding the demo clinic ...", flush=True)
        run([*KETACLINIC, "migrate", "--noinput", "-v0"], env)
        run([*KETACLINIC, "seed_demo"], env)
        token = run([*KETACLINIC, "create_api_token", "prescriber", "--name", "bench"], env)
        token = token.strip().splitlines()[-1]
        port = free_port()
        server = subprocess.Popen(
            [*KETACLINIC, "serve", "--bind", f"127.0.0.1:{port}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        banner = server.stdout.readline().strip()
        wait_for(port, server)
        targets = targets_of(port, token)
        load(port, token, targets, "app", 5, args.clients)  # warm-up: connections, caches
        app, app_errors, app_elapsed = load(port, token, targets, "app", args.seconds, args.clients)
        bare_seconds = args.bare_seconds or args.seconds
        bare, bare_errors, bare_elapsed = load(
            port, token, targets, "bare", bare_seconds, args.clients
        )
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
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
            f"bare view, {bare_seconds} s", bare.get("bare", []), len(bare_errors), bare_elapsed
        )
    )
    for sample in (app_errors + bare_errors)[:10]:
        print("error:", sample)


if __name__ == "__main__":
    main()
