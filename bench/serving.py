"""Shared by the server benchmarks: start `ketaclinic serve`, drive it, report req/s and latency.

A load is a `pick(rng) -> Call` function run by client processes, each with one keep-alive
connection, until a deadline; latencies are gathered per kind of call. The bare view (a Django
JSON view with no database, mounted only by bench_serve_settings) is the yardstick: what the
server and Django's middleware cost before any application work.
"""

import http.client
import json
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
KETACLINIC = [sys.executable, "-m", "ketaclinic.config.cli"]


@dataclass(frozen=True)
class Call:
    kind: str
    method: str
    path: str
    token: str | None = None
    body: dict | None = None
    expected: int = 200


BARE = Call("bare", "GET", "/bench/bare")


def bare(rng) -> Call:
    return BARE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(argv, env) -> str:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv[3:])} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def request(conn, method, path, token=None, body=None, headers=None):
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def client(port, pick, seconds, seed, out):
    """One keep-alive connection issuing `pick(rng)` calls until the deadline."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        call = pick(rng)
        started = time.perf_counter()
        try:
            status, payload = request(conn, call.method, call.path, call.token, call.body)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{call.kind}: {exc!r}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.setdefault(call.kind, []).append(time.perf_counter() - started)
        if status != call.expected:
            errors.append(f"{call.kind} {call.path}: HTTP {status} {payload[:200]!r}")
    conn.close()
    out.put((latencies, errors))


def load(port, pick, seconds, clients):
    """Run `clients` processes of `pick` calls for `seconds`: (latencies, errors, elapsed)."""
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=client, args=(port, pick, seconds, i, out)) for i in range(clients)]
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


def rate(values, elapsed) -> float:
    return len(values) / elapsed if values else 0.0


def report_row(label, values, errors, elapsed):
    if not values:
        return f"| {label} | 0 | - | - | - | {errors} |"
    return (
        f"| {label} | {len(values)} | {rate(values, elapsed):.1f} | "
        f"{percentile(values, 0.5):.1f} | {percentile(values, 0.99):.1f} | {errors} |"
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


def server_env(database_url, var_dir, *, workers=None, threads=None) -> dict:
    """The environment of a bench server: bench settings (bare view), plain HTTP, no log."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETACLINIC_")}
    env.update(
        DATABASE_URL=database_url,
        KETACLINIC_VAR_DIR=str(var_dir),
        KETACLINIC_PLAIN_HTTP="1",
        KETACLINIC_ACCESS_LOG="off",
        DJANGO_SETTINGS_MODULE="bench_serve_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(BENCH), env.get("PYTHONPATH")])),
    )
    if workers:
        env["KETACLINIC_WORKERS"] = str(workers)
    if threads:
        env["KETACLINIC_THREADS"] = str(threads)
    return env


def start_server(env):
    """`ketaclinic serve` on a free loopback port, answering: (process, port, banner)."""
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
    return server, port, banner


def stop_server(server) -> None:
    if server is not None and server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
