"""`make bench`: the registry-scale benchmark table of issue 7 (numbers only, no assertions).

    .venv/bin/python bench/run.py                    # 10k and 100k patients, SQLite and PostgreSQL
    .venv/bin/python bench/run.py --sizes 10000 --dbs sqlite      # a quick look
    .venv/bin/python bench/run.py --fresh            # re-seed instead of reusing the registries

Registries are seeded once into databases of their own and reused by later runs (their
seeding time is kept in var/bench/): SQLite files var/bench/registry-N.sqlite3 and PostgreSQL
databases bench_N on --pg (default postgres://postgres@127.0.0.1:5432). It never touches the
default database or the test databases. Every step runs with the development settings
(ketaclinic_devtools.settings), which add the synthetic registry generator to the product's.
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
WORK = ROOT / "var" / "bench"
TARGET_SUMMARY_S = 2.0
TARGET_DUCKDB_FACTOR = 3.0
TARGET_SEED_S = 300.0
TARGET_LEDGER_RATE = 150_000
SETTINGS = "ketaclinic_devtools.settings"


def database_url(db: str, size: int, pg: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{WORK / f'registry-{size}.sqlite3'}"
    return f"{pg.rstrip('/')}/bench_{size}"


def reset(db: str, size: int, pg: str) -> None:
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{WORK / f'registry-{size}.sqlite3'}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{pg.rstrip('/')}/postgres", autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS bench_{size}")


def ensure_pg_database(size: int, pg: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg.rstrip('/')}/postgres", autocommit=True) as con:
        exists = con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (f"bench_{size}",))
        if exists.fetchone() is None:
            con.execute(f"CREATE DATABASE bench_{size}")


def worker(url: str, *args: str, script: str = "bench_outcomes.py") -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DATABASE_URL=url,
        KETACLINIC_VAR_DIR=str(WORK / "var"),
        KETACLINIC_PLAIN_HTTP="1",
        KETACLINIC_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        KETACLINIC_RESEARCH_KEY="be" * 32,
    )
    done = subprocess.run(
        [PY, str(ROOT / "bench" / script), *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def ledger_rate(url: str) -> str:
    """bench/bench_ledger_verify.py (the ledger's own benchmark), run against `url`."""
    script = ROOT / "bench" / "bench_ledger_verify.py"
    if not script.exists():
        return "not available"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DATABASE_URL=url,
        KETACLINIC_VAR_DIR=str(WORK / "var"),
    )
    done = subprocess.run(
        [PY, str(script), "--db", "--entries", "250000", "--day", "1000"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    rates = {}
    for line in done.stdout.splitlines():
        match = re.search(r"^(pure|db) verify\s*:.*=\s*([\d,]+) entries/s", line)
        if match:
            rates[match.group(1)] = int(match.group(2).replace(",", ""))
        match = re.search(r"^ratio\s*:.*takes ([\d.]+)x", line)
        if match:
            rates["x raw sha256"] = float(match.group(1))
        match = re.search(r"^incremental:.* in (\d+) ms", line)
        if match:
            rates["incremental day ms"] = int(match.group(1))
    return rates or done.stdout.strip()[-200:]


def seed(db: str, size: int, pg: str, fresh: bool) -> dict:
    record = WORK / f"seed-{db}-{size}.json"
    if fresh:
        reset(db, size, pg)
        record.unlink(missing_ok=True)
        shutil.rmtree(WORK / f"export-{size}", ignore_errors=True)
    if db == "postgresql":
        ensure_pg_database(size, pg)
    print(f"- {db} {size:,}: seeding (or reusing) the registry", file=sys.stderr, flush=True)
    result = worker(database_url(db, size, pg), "seed", "--patients", str(size))
    if not result["cached"]:
        record.write_text(json.dumps(result))
        return result
    return json.loads(record.read_text()) if record.exists() else result


def same(a: dict, b: dict) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--dbs", default="sqlite,postgresql")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--fresh", action="store_true", help="drop and re-seed the registries")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    dbs = args.dbs.split(",")
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rows: list[tuple[str, str, str]] = []
    summaries: dict = {}
    for db in dbs:
        for size in sizes:
            seeded = seed(db, size, args.pg, args.fresh)
            url = database_url(db, size, args.pg)
            if "seconds" in seeded:
                rows.append(
                    (
                        f"seed_registry --patients {size:,} ({db})",
                        f"{seeded['seconds']:,.0f} s; {seeded['patients_per_second']:,.0f} "
                        f"patients/s, {seeded['rows_per_second']:,} rows/s "
                        f"({seeded['rows']:,} rows)",
                        f"<= {TARGET_SEED_S:.0f} s (PostgreSQL, 100k)",
                    )
                )
            print(f"- {db} {size:,}: dashboard summary", file=sys.stderr, flush=True)
            summary = worker(url, "summary")
            summaries[(db, size)] = summary
            rows.append(
                (
                    f"dashboard summary, {size:,} patients ({db})",
                    f"{summary['median']:.2f} s median of 3 (first {summary['first']:.2f} s)",
                    f"<= {TARGET_SUMMARY_S:.0f} s (PostgreSQL, 100k)",
                )
            )
    for size in sizes:
        source = next((db for db in ("postgresql", "sqlite") if (db, size) in summaries), None)
        if source is None:
            continue
        export_dir = WORK / f"export-{size}"
        if not (export_dir / "manifest.json").exists():
            print(f"- export {size:,} to Parquet ({source})", file=sys.stderr, flush=True)
            for old in export_dir.glob("*"):
                old.unlink()
            exported = worker(database_url(source, size, args.pg), "export", str(export_dir))
            rows.append(
                (
                    f"research export to Parquet, {size:,} patients ({source})",
                    f"{exported['seconds']:,.0f} s ({exported['rows']:,} rows)",
                    "-",
                )
            )
        duck = json.loads(
            subprocess.run(
                [PY, str(ROOT / "bench" / "bench_duckdb.py"), str(export_dir)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        agrees = same(duck["summary"], summaries[(source, size)]["summary"])
        factors = ", ".join(
            f"{db} {summaries[(db, size)]['median'] / duck['median']:.1f}x"
            for db in dbs
            if (db, size) in summaries and duck["median"] > 0
        )
        rows.append(
            (
                f"same summary in DuckDB over Parquet, {size:,} patients",
                f"{duck['median']:.2f} s median (load {duck['load']:.1f} s); database/DuckDB: "
                f"{factors}; answers identical: {'yes' if agrees else 'NO'}",
                f"database within {TARGET_DUCKDB_FACTOR:.0f}x (PostgreSQL, 100k)",
            )
        )
    print("- patient chart pages, 10 vs 500 sessions (scratch databases)", file=sys.stderr)
    rows += chart_rows(dbs, args.pg)
    for db in dbs:
        url = database_url(db, sizes[0], args.pg)
        print(f"- {db}: ledger verification", file=sys.stderr, flush=True)
        rates = ledger_rate(url)
        text = (
            ", ".join(
                f"{k} {v:,} entries/s" if k in ("pure", "db") else f"{k} {v:,}"
                for k, v in rates.items()
            )
            if isinstance(rates, dict)
            else str(rates)
        )
        rows.append(
            (
                f"ledger verification, 250,000 entries ({db})",
                text,
                ">= 150,000/s, <= 4x raw sha256, one day < 1 s",
            )
        )
    print_table(rows, time.perf_counter() - started)


def chart_rows(dbs: list[str], pg: str) -> list[tuple[str, str, str]]:
    """Every chart tab at 10 vs 500 sessions (bench/bench_chart.py, its own scratch databases)."""
    command = [PY, str(ROOT / "bench" / "bench_chart.py")]
    if "sqlite" not in dbs:
        command.append("--no-sqlite")
    if "postgresql" in dbs:
        command += ["--pg", pg]
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    rows = []
    for db, data in json.loads(done.stdout.strip().splitlines()[-1]).items():
        for tab, by_count in data["tabs"].items():
            few, many = by_count["10"], by_count["500"]
            time_ratio = many["median_ms"] / few["median_ms"] if few["median_ms"] else 0
            bytes_ratio = many["bytes"] / few["bytes"] if few["bytes"] else 0
            rows.append(
                (
                    f"chart tab '{tab}', 10 vs 500 sessions ({db})",
                    f"queries {few['queries']} vs {many['queries']}; "
                    f"{few['median_ms']:.0f} vs {many['median_ms']:.0f} ms ({time_ratio:.2f}x); "
                    f"{few['bytes'] / 1024:.1f} vs {many['bytes'] / 1024:.1f} KB "
                    f"({bytes_ratio:.2f}x)",
                    "same queries; time <= 1.3x; bytes <= 1.5x",
                )
            )
    return rows


def print_table(rows, seconds: float) -> None:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    line = "+".join("-" * (w + 2) for w in widths)
    print()
    print(f"ketaclinic benchmarks ({machine}; load average {load:.1f}; took {seconds:,.0f} s)")
    print(line)
    for i, row in enumerate([("measure", "result", "target"), *rows]):
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        if i == 0:
            print(line)
    print(line)


if __name__ == "__main__":
    main()
