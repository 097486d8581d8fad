"""Clinic networks: hash partitioning by clinic through postgres_fdw, and a logical-replication
read replica of the outcome fact tables, each measured against one plain node (numbers only,
no assertions).

    .venv/bin/python bench/bench_shards.py                      # 10,000 patients in 8 clinics
    .venv/bin/python bench/bench_shards.py --patients 2000 --repeat 5 --lag-rounds 5  # a quick look
    .venv/bin/python bench/bench_shards.py --patients 20000 --insert-rows 50000
    .venv/bin/python bench/bench_shards.py --skip-replica       # the shards only
    .venv/bin/python bench/bench_shards.py --skip-shards        # the replica only
    .venv/bin/python bench/bench_shards.py --pg-bin /usr/lib/postgresql/15/bin --port 54331

It starts PostgreSQL instances of its own (initdb into one temporary directory, trust
authentication, listening on 127.0.0.1 only, on the first free ports from --port up) and
stops and removes them at the end, after a failure, Ctrl-C or SIGTERM too. Run as root, the
servers run as the `postgres` user (--os-user). The instances:

  single       every row, the real schema (`ketaclinic migrate`, then `seed_registry
               --clinics N`); the reference node and the publisher (wal_level=logical)
  coordinator  the largest clinical tables as PARTITION BY HASH (clinic_id) parents whose
               partitions are postgres_fdw foreign tables (batch_size, fetch_size,
               async_capable on the servers)
  shard1/2     the partitions' rows, in tables with the single node's columns, checks and
               indexes (no foreign keys: a shard holds only these tables)
  replica      a subscriber of the outcome fact tables (CREATE PUBLICATION / SUBSCRIPTION)

Measured: (i) one patient's chart (sessions, vitals, scores; filtered by clinic and patient),
with the partitions EXPLAIN shows it scanning; (ii) a network summary (sessions per clinic and
the mean change of the PHQ-9 total, per clinic, across all clinics); (iii) a bulk insert of
vital-sign rows through the partitioned table; (iv) replication lag of batches of fact rows and
the outcomes summary (through the product's read-replica router) on the replica and the primary.
"""

import argparse
import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SETTINGS = "ketaclinic_devtools.settings"
DB = "ketaclinic"
AS_OF = "2026-01-30"  # fixed: the same registry on every run and machine

# The largest tables that a chart and the network summary read (seed_registry also writes
# larger ones that neither reads, such as the pre-dose checklist answers).
SHARDED = (
    "patients_patient",
    "protocols_course",
    "treatments_treatmentsession",
    "treatments_vitalsignsentry",
    "measures_measureresponse",
)
FACTS = ("outcomes_coursefact", "outcomes_sessionfact", "outcomes_dayfact")
SHARDS = ("shard1", "shard2")

CHART = (
    (
        "sessions",
        "SELECT id, scheduled_date, phase, status, dose_started_at, discharged_at"
        " FROM treatments_treatmentsession WHERE clinic_id = %(clinic)s"
        " AND patient_id = %(patient)s ORDER BY scheduled_date, id",
    ),
    (
        "vitals",
        # of the sessions the first query found (as a chart page reads them)
        "SELECT session_id, measured_at, systolic, diastolic, heart_rate, spo2"
        " FROM treatments_vitalsignsentry WHERE clinic_id = %(clinic)s"
        " AND session_id = ANY(%(sessions)s) ORDER BY measured_at, id",
    ),
    (
        "scores",
        "SELECT instrument, total, severity, administered_at FROM measures_measureresponse"
        " WHERE clinic_id = %(clinic)s AND patient_id = %(patient)s"
        " ORDER BY administered_at, id",
    ),
)
NETWORK = (
    (
        "sessions per clinic",
        "SELECT clinic_id, count(*), count(dose_started_at) FROM treatments_treatmentsession"
        " GROUP BY clinic_id ORDER BY clinic_id",
    ),
    (
        "mean PHQ-9 change per clinic",
        "SELECT clinic_id, count(*), round(avg(latest - first), 3) FROM ("
        " SELECT clinic_id, patient_id,"
        " (array_agg(total ORDER BY administered_at, id))[1] AS first,"
        " (array_agg(total ORDER BY administered_at DESC, id DESC))[1] AS latest"
        " FROM measures_measureresponse WHERE instrument = 'phq9' AND total IS NOT NULL"
        " GROUP BY clinic_id, patient_id HAVING count(*) > 1) per_patient"
        " GROUP BY clinic_id ORDER BY clinic_id",
    ),
)
# The coordinator's session: partition-wise joins and aggregates push work to the shards.
COORDINATOR_SETTINGS = (
    "SET enable_partitionwise_join = on",
    "SET enable_partitionwise_aggregate = on",
)


def find_pg_bin() -> str:
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True)
        if (Path(out.stdout.strip()) / "initdb").exists():
            return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        sys.exit("no initdb found: pass --pg-bin")
    return str(Path(found[-1]).parent)


def free_ports(start: int, count: int) -> list[int]:
    ports, port = [], start
    while len(ports) < count:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                ports.append(port)
            except OSError:
                pass
        port += 1
    return ports


class Instance:
    """One PostgreSQL server of this run, in a folder of the run's temporary directory."""

    def __init__(self, name, root: Path, port: int, pg_bin: str, os_user, settings=()):
        self.name, self.port, self.pg_bin, self.os_user = name, port, pg_bin, os_user
        self.data = root / name
        self.socket_dir = root
        self.settings = settings
        self.started = False

    def _run(self, *args, **kw):
        prefix = ["runuser", "-u", self.os_user, "--"] if self.os_user else []
        return subprocess.run([*prefix, *args], check=True, capture_output=True, text=True, **kw)

    def start(self):
        self._run(
            f"{self.pg_bin}/initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        options = [
            f"-p {self.port}",
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.socket_dir}",
            *(f"-c {s}" for s in self.settings),
        ]
        self.started = True
        self._run(
            f"{self.pg_bin}/pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.data / "server.log"),
            "-w",
            "-o",
            " ".join(options),
            "start",
        )
        with self.connect("postgres") as con:
            con.execute(f"CREATE DATABASE {DB}")

    def stop(self):
        if self.started:
            with contextlib.suppress(Exception):
                self._run(f"{self.pg_bin}/pg_ctl", "-D", str(self.data), "-m", "fast", "stop")
            self.started = False

    def url(self, db=DB) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def connect(self, db=DB, autocommit=True):
        import psycopg

        return psycopg.connect(self.url(db), autocommit=autocommit)


def django_env(instance: Instance, replica: Instance | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "KETACLINIC_REPLICA_URL"}
    env.update(DJANGO_SETTINGS_MODULE=SETTINGS, DATABASE_URL=instance.url())
    if replica is not None:
        env["KETACLINIC_REPLICA_URL"] = replica.url()
    return env


def ketaclinic(instance: Instance, *args) -> float:
    started = time.perf_counter()
    subprocess.run([str(BIN / "ketaclinic"), *args], env=django_env(instance), check=True)
    return time.perf_counter() - started


def table_ddl(con, table: str, *, constraints: bool = True, indexes: bool = True) -> list[str]:
    """CREATE TABLE (columns, defaults, primary key, unique and check constraints, no foreign
    keys) and CREATE INDEX statements that rebuild `table` as the migrations made it."""
    columns = con.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
        " pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a"
        " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
        " WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped"
        " ORDER BY a.attnum",
        (table,),
    ).fetchall()
    parts = [
        f'"{name}" {kind}' + (" NOT NULL" if not_null else "") + (f" DEFAULT {d}" if d else "")
        for name, kind, not_null, d in columns
    ]
    if constraints:
        parts += [
            f'CONSTRAINT "{name}" {definition}'
            for name, definition in con.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'c') ORDER BY conname",
                (table,),
            )
        ]
    statements = [f"CREATE TABLE {table} ({', '.join(parts)})"]
    if indexes:
        statements += [
            row[0]
            for row in con.execute(
                "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid ="
                " %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
                " WHERE c.conindid = i.indexrelid) ORDER BY 1",
                (table,),
            )
        ]
    return statements


def support_ddl(con) -> list[str]:
    """The extensions and the schema's own functions that the tables' indexes use."""
    extensions = [
        f"CREATE EXTENSION IF NOT EXISTS {name}"
        for (name,) in con.execute("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'")
    ]
    functions = [
        definition
        for (definition,) in con.execute(
            "SELECT pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.pronamespace ="
            " 'public'::regnamespace AND p.prokind = 'f' AND NOT EXISTS (SELECT 1 FROM pg_depend"
            " d WHERE d.objid = p.oid AND d.deptype = 'e') ORDER BY p.proname"
        )
    ]
    return extensions + functions


def copy_rows(src, dst, select: str, table: str, params=()) -> None:
    with (
        src.cursor().copy(f"COPY ({select}) TO STDOUT (FORMAT BINARY)", params) as out,
        dst.cursor().copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as into,
    ):
        for block in out:
            into.write(block)


def timed(fn, repeat: int) -> dict:
    times = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return {
        "first": times[0],
        "median": statistics.median(times[1:]),
        "best": min(times[1:]),
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def print_table(title: str, rows: list[tuple[str, dict, dict]]) -> None:
    print(f"\n{title}")
    print(f"{'':46} {'single ms':>12} {'sharded ms':>12} {'ratio':>8}")
    for label, single, sharded in rows:
        ratio = sharded["median"] / single["median"]
        print(f"{label:46} {ms(single['median']):>12} {ms(sharded['median']):>12} {ratio:>7.2f}x")


def plan_scans(con, sql: str, params: dict) -> list[str]:
    """The relations (partitions) the coordinator's plan scans, from EXPLAIN (FORMAT JSON)."""
    plan = con.execute("EXPLAIN (VERBOSE, FORMAT JSON) " + sql, params).fetchone()[0][0]["Plan"]
    found = []

    def walk(node):
        if node.get("Node Type") == "Foreign Scan":
            found.append(node.get("Relation Name") or node.get("Relations"))
        elif "Relation Name" in node:
            found.append(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan)
    return found


def remote_sql(con, sql: str) -> list[str]:
    rows = con.execute("EXPLAIN (VERBOSE) " + sql).fetchall()
    return [r[0].strip() for r in rows if "Remote SQL" in r[0]]


# --- the shards -------------------------------------------------------------------------


def build_shards(args, single: Instance, coordinator: Instance, shards: list[Instance]) -> dict:
    with single.connect() as src, coordinator.connect() as coord:
        coord.execute("CREATE EXTENSION postgres_fdw")
        for shard in shards:
            coord.execute(
                f"CREATE SERVER {shard.name} FOREIGN DATA WRAPPER postgres_fdw OPTIONS ("
                f"host '127.0.0.1', port '{shard.port}', dbname '{DB}',"
                f" batch_size '{args.batch_size}', fetch_size '{args.fetch_size}',"
                " async_capable 'true')"
            )
            coord.execute(
                f"CREATE USER MAPPING FOR postgres SERVER {shard.name} OPTIONS (user 'postgres')"
            )
        for shard in shards:
            with shard.connect() as con:
                for statement in support_ddl(src):
                    con.execute(statement)
        for table in SHARDED:
            ddl = table_ddl(src, table)
            for shard in shards:
                with shard.connect() as con:
                    for statement in ddl:
                        con.execute(statement)
            parent = table_ddl(src, table, constraints=False, indexes=False)[0]
            coord.execute(parent + " PARTITION BY HASH (clinic_id)")
            for remainder, shard in enumerate(shards):
                coord.execute(
                    f"CREATE FOREIGN TABLE {table}_{shard.name} PARTITION OF {table}"
                    f" FOR VALUES WITH (MODULUS {len(shards)}, REMAINDER {remainder})"
                    f" SERVER {shard.name} OPTIONS (table_name '{table}')"
                )
        clinics = [r[0] for r in src.execute("SELECT id FROM core_clinic ORDER BY slug")]
        placement = {shard.name: [] for shard in shards}
        for clinic in clinics:
            for remainder, shard in enumerate(shards):
                hit = coord.execute(
                    "SELECT satisfies_hash_partition(%s::regclass, %s, %s, %s::uuid)",
                    (SHARDED[0], len(shards), remainder, clinic),
                ).fetchone()[0]
                if hit:
                    placement[shard.name].append(clinic)
        started = time.perf_counter()
        rows = {}
        for shard in shards:
            with shard.connect(autocommit=False) as dst:
                for table in SHARDED:
                    copy_rows(
                        src,
                        dst,
                        f"SELECT * FROM {table} WHERE clinic_id = ANY(%s)",
                        table,
                        (placement[shard.name],),
                    )
                dst.commit()
                dst.autocommit = True
                dst.execute("VACUUM ANALYZE")
                rows[shard.name] = {
                    t: dst.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in SHARDED
                }
        src.execute("VACUUM ANALYZE")
        for table in SHARDED:
            coord.execute(f"ANALYZE {table}")
        copied = time.perf_counter() - started
    return {
        "clinics": {name: len(ids) for name, ids in placement.items()},
        "rows": rows,
        "copy_seconds": copied,
    }


def chart_patients(single: Instance, count: int) -> list[dict]:
    with single.connect() as con:
        con.execute("SELECT setseed(0.2026)")
        return [
            {"clinic": clinic, "patient": patient, "sessions": sessions}
            for clinic, patient, sessions in con.execute(
                "SELECT clinic_id, patient_id, sessions FROM (SELECT clinic_id, patient_id,"
                " array_agg(id ORDER BY scheduled_date, id) AS sessions"
                " FROM treatments_treatmentsession GROUP BY 1, 2 ORDER BY 1, 2) p"
                " ORDER BY random() LIMIT %s",
                (count,),
            )
        ]


def measure_shards(args, single: Instance, coordinator: Instance, shards) -> None:
    patients = chart_patients(single, args.chart_patients)
    with single.connect() as one, coordinator.connect() as coord:
        for statement in COORDINATOR_SETTINGS:
            coord.execute(statement)
        print("\n(i) one patient's chart: partitions the coordinator's plan scans")
        for label, sql in CHART:
            print(f"  {label:8} {', '.join(map(str, plan_scans(coord, sql, patients[0])))}")
        print(f"  ({len(patients)} patients in turn; per query: median of --repeat {args.repeat})")
        rows = []
        for label, sql in CHART:
            pair = []
            for con in (one, coord):

                def chart(con=con, sql=sql):
                    for params in patients:
                        con.execute(sql, params).fetchall()

                result = timed(chart, args.repeat)
                pair.append({k: v / len(patients) for k, v in result.items()})
            rows.append((f"chart {label} (per patient)", *pair))
        whole = [
            {"median": sum(r[i]["median"] for r in rows)} for i in (1, 2)
        ]  # one chart: the three queries
        rows.append(("chart: the three queries", *whole))
        print_table("(i) single-clinic chart query", rows)

        print("\n(ii) network summary: what the coordinator sends to each shard")
        for label, sql in NETWORK:
            print(f"  {label}:")
            for line in remote_sql(coord, sql)[:2]:
                print(f"    {line[:150]}")
        answers_equal = all(
            one.execute(sql).fetchall() == coord.execute(sql).fetchall() for _, sql in NETWORK
        )
        rows = []
        for label, sql in NETWORK:
            rows.append(
                (
                    label,
                    timed(lambda sql=sql: one.execute(sql).fetchall(), args.repeat),
                    timed(lambda sql=sql: coord.execute(sql).fetchall(), args.repeat),
                )
            )
        for shard in shards:
            coord.execute(f"ALTER SERVER {shard.name} OPTIONS (SET async_capable 'false')")
        for label, sql in NETWORK:
            rows.append(
                (
                    f"{label}, shards in turn",
                    rows[[r[0] for r in rows].index(label)][1],
                    timed(lambda sql=sql: coord.execute(sql).fetchall(), args.repeat),
                )
            )
        for shard in shards:
            coord.execute(f"ALTER SERVER {shard.name} OPTIONS (SET async_capable 'true')")
        print_table("(ii) network summary across all clinics", rows)
        print(f"  answers identical on the single node and through the shards: {answers_equal}")

        print(f"\n(iii) bulk insert of {args.insert_rows:,} vital-sign rows")
        columns = [
            r[0]
            for r in one.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid ="
                " 'treatments_vitalsignsentry'::regclass AND attnum > 0 AND NOT attisdropped"
                " ORDER BY attnum"
            )
        ]
        chosen = ", ".join(
            "gen_random_uuid() AS id"
            if c == "id"
            else "measured_at + interval '1 minute' AS measured_at"
            if c == "measured_at"
            else c
            for c in columns
        )
        one.execute("SELECT setseed(0.5)")
        one.execute(
            f"CREATE TEMP TABLE stage AS SELECT {chosen} FROM treatments_vitalsignsentry"
            f" ORDER BY random() LIMIT {int(args.insert_rows)}"
        )
        coord.execute("CREATE TEMP TABLE stage (LIKE treatments_vitalsignsentry)")
        copy_rows(one, coord, "SELECT * FROM stage", "stage")
        names = ", ".join(columns)

        ids = [r[0] for r in one.execute("SELECT id FROM stage")]
        delete = "DELETE FROM treatments_vitalsignsentry WHERE id = ANY(%s)"

        def insert(con, cleanup):
            started = time.perf_counter()
            with con.transaction():
                con.execute(f"INSERT INTO treatments_vitalsignsentry ({names}) SELECT * FROM stage")
            elapsed = time.perf_counter() - started
            cleanup()
            return elapsed

        def on_shards():  # straight on the shards: a DELETE through postgres_fdw scans them
            for shard in shards:
                with shard.connect() as con:
                    con.execute(delete, (ids,))

        def on_single():
            one.execute(delete, (ids,))

        results = {}
        for batch in sorted({1, args.batch_size}):
            for shard in shards:
                coord.execute(f"ALTER SERVER {shard.name} OPTIONS (SET batch_size '{batch}')")
            results[batch] = [insert(coord, on_shards) for _ in range(args.insert_repeat)]
        for shard in shards:
            coord.execute(f"ALTER SERVER {shard.name} OPTIONS (SET batch_size '{args.batch_size}')")
        local = [insert(one, on_single) for _ in range(args.insert_repeat)]
        single_time = {"median": statistics.median(local)}
        rows = [
            (
                f"INSERT ... SELECT, batch_size {batch}",
                single_time,
                {"median": statistics.median(times)},
            )
            for batch, times in results.items()
        ]
        print_table(f"(iii) bulk insert (median of {args.insert_repeat})", rows)
        rate = args.insert_rows / statistics.median(results[args.batch_size])
        print(
            f"  single node {args.insert_rows / single_time['median']:,.0f} rows/s"
            f" (foreign keys checked); coordinator, batch_size {args.batch_size}:"
            f" {rate:,.0f} rows/s"
        )


# --- the replica ------------------------------------------------------------------------


def summary_worker(args) -> None:
    """Run inside a child process with the Django settings: the outcomes summary of the first
    registry clinic, timed; with KETACLINIC_REPLICA_URL set, the facts come from the replica."""
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from ketaclinic.outcomes import queries

    user = get_user_model().objects.get(username="reg1_prescriber1")
    result = timed(lambda: queries.summary(user), args.repeat)
    with contextlib.ExitStack() as stack:
        captured = {
            a: stack.enter_context(CaptureQueriesContext(connections[a])) for a in connections
        }
        answer = queries.summary(user)[0]
    on = {a: sum("outcomes_" in q["sql"] for q in c.captured_queries) for a, c in captured.items()}
    print(
        json.dumps(
            {
                **result,
                "fact_queries_by_alias": on,
                "facts_alias": queries.facts_connection().alias,
                "summary": answer.as_dict({}),
            },
            default=str,
        )
    )


def summary_on(single: Instance, replica: Instance | None, repeat: int) -> dict:
    env = django_env(single, replica)
    out = subprocess.run(
        [sys.executable, __file__, "summary-worker", "--repeat", str(repeat)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_replica(args, single: Instance, replica: Instance) -> None:
    with single.connect() as pub, replica.connect() as sub:
        for statement in support_ddl(pub):
            sub.execute(statement)
        for table in FACTS:
            for statement in table_ddl(pub, table):
                sub.execute(statement)
        pub.execute(f"CREATE PUBLICATION outcome_facts FOR TABLE {', '.join(FACTS)}")
        started = time.perf_counter()
        sub.execute(
            "CREATE SUBSCRIPTION outcome_facts CONNECTION"
            f" 'host=127.0.0.1 port={single.port} dbname={DB} user=postgres'"
            " PUBLICATION outcome_facts"
        )
        while sub.execute(
            "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'"
        ).fetchone()[0] or sub.execute("SELECT count(*) FROM pg_subscription_rel").fetchone()[
            0
        ] < len(FACTS):
            time.sleep(0.05)
        synced = time.perf_counter() - started
        counts = {t: sub.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in FACTS}
        # to see a batch arrive without scanning the table (an index of the subscriber only)
        sub.execute("CREATE INDEX bench_lag ON outcomes_sessionfact (protocol_code)")
        sub.execute("VACUUM ANALYZE")
        print(f"\n(iv) replica: initial copy of the fact tables {synced:.1f} s {counts}")

        primary = summary_on(single, None, args.repeat)
        on_replica = summary_on(single, replica, args.repeat)
        print(
            f"  outcomes summary (queries.summary, registry-1, median of {args.repeat}):"
            f" primary {ms(primary['median'])} ms, replica {ms(on_replica['median'])} ms,"
            f" ratio {on_replica['median'] / primary['median']:.2f}x"
        )
        print(
            f"  fact queries per alias: without the variable {primary['fact_queries_by_alias']},"
            f" with KETACLINIC_REPLICA_URL {on_replica['fact_queries_by_alias']};"
            f" answers identical: {primary['summary'] == on_replica['summary']}"
        )

        columns = (
            "session_id, clinic_id, patient_id, course_id, protocol_code, scheduled_date,"
            " events, severe_events, alerts, bp_alerts"
        )
        print("\n(iv) replication lag: batches of session-fact rows inserted on the primary")
        print(
            f"{'rows per commit':>16} {'rounds':>7} {'lag median ms':>14} {'lag max ms':>11}"
            f" {'behind at commit, median bytes':>31}"
        )
        batch = 0
        for size in args.lag_rows:
            lags, behind, rows = [], [], 0
            for _ in range(args.lag_rounds):
                batch += 1
                marker = f"bench-lag-{batch}"
                with pub.transaction():
                    written = pub.execute(
                        f"INSERT INTO outcomes_sessionfact ({columns}) SELECT gen_random_uuid(),"
                        " clinic_id, patient_id, course_id, %s, scheduled_date, 0, 0, 0, 0"
                        " FROM outcomes_sessionfact WHERE protocol_code NOT LIKE 'bench-lag%%'"
                        " LIMIT %s",
                        (marker, size),
                    ).rowcount  # fewer than asked when the registry is smaller
                committed = time.perf_counter()
                row = pub.execute(
                    "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)"
                    " FROM pg_stat_replication WHERE application_name = 'outcome_facts'"
                ).fetchone()
                behind.append(float(row[0]) if row and row[0] is not None else float("nan"))
                while (
                    sub.execute(
                        "SELECT count(*) FROM outcomes_sessionfact WHERE protocol_code = %s",
                        (marker,),
                    ).fetchone()[0]
                    < written
                ):
                    time.sleep(0.001)
                lags.append(time.perf_counter() - committed)
                rows = written
            print(
                f"{rows:>16,} {len(lags):>7} {ms(statistics.median(lags)):>14}"
                f" {ms(max(lags)):>11} {statistics.median(behind):>31,.0f}"
            )
        state = sub.execute(
            "SELECT received_lsn, latest_end_lsn, last_msg_receipt_time - last_msg_send_time"
            " FROM pg_stat_subscription WHERE subname = 'outcome_facts'"
        ).fetchone()
        print(f"  pg_stat_subscription at the end: received {state[0]}, latest end {state[1]}")
        sub.execute("DROP SUBSCRIPTION outcome_facts")


# --- the run ----------------------------------------------------------------------------


def run(args) -> None:
    pg_bin = args.pg_bin or find_pg_bin()
    os_user = args.os_user if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="ketaclinic-shards-"))
    instances: list[Instance] = []

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        if os_user:
            shutil.chown(root, user=os_user)
        names = ["single"]
        if not args.skip_shards:
            names += ["coordinator", *SHARDS]
        if not args.skip_replica:
            names.append("replica")
        ports = free_ports(args.port, len(names))
        common = ("fsync=on", "max_connections=40")
        extra = {
            "single": ("wal_level=logical", "max_wal_senders=4", "max_replication_slots=4"),
        }
        by_name = {}
        for name, port in zip(names, ports, strict=True):
            instance = Instance(name, root, port, pg_bin, os_user, common + extra.get(name, ()))
            instances.append(instance)
            instance.start()
            by_name[name] = instance
        single = by_name["single"]
        load = os.getloadavg()
        print(
            f"PostgreSQL from {pg_bin}; instances: "
            + ", ".join(f"{i.name} :{i.port}" for i in instances)
        )
        migrate = ketaclinic(single, "migrate", "--noinput", "-v", "0")
        seed = ketaclinic(
            single,
            "seed_registry",
            "--patients",
            str(args.patients),
            "--clinics",
            str(args.clinics),
            "--seed",
            str(args.seed),
            "--as-of",
            AS_OF,
            "--quiet",
        )
        with single.connect() as con:
            sizes = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in SHARDED}
            con.execute("VACUUM ANALYZE")
        print(
            f"single node: migrate {migrate:.0f} s, seed_registry --patients {args.patients:,}"
            f" --clinics {args.clinics} {seed:.0f} s; rows {sizes}"
        )
        if not args.skip_shards:
            shards = [by_name[s] for s in SHARDS]
            built = build_shards(args, single, by_name["coordinator"], shards)
            print(
                f"shards: clinics per shard {built['clinics']}, copied in"
                f" {built['copy_seconds']:.0f} s"
            )
            for name, counts in built["rows"].items():
                print(f"  {name}: {counts}")
            measure_shards(args, single, by_name["coordinator"], shards)
        if not args.skip_replica:
            measure_replica(args, single, by_name["replica"])
        print(
            "\nload average before / after: "
            + " ".join(f"{x:.2f}" for x in load)
            + " / "
            + " ".join(f"{x:.2f}" for x in os.getloadavg())
        )
    finally:
        for instance in reversed(instances):
            instance.stop()
        shutil.rmtree(root, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0].replace("\n", " "),
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--patients", type=int, default=10_000, help="registry size (10,000)")
    parser.add_argument("--clinics", type=int, default=8, help="clinics (8)")
    parser.add_argument("--seed", type=int, default=2026, help="seed_registry's seed (2026)")
    parser.add_argument("--repeat", type=int, default=11, help="timed runs per query (11)")
    parser.add_argument("--chart-patients", type=int, default=20, help="charts read (20)")
    parser.add_argument("--insert-rows", type=int, default=20_000, help="bulk insert (20,000)")
    parser.add_argument("--insert-repeat", type=int, default=3, help="bulk insert runs (3)")
    parser.add_argument("--batch-size", type=int, default=100, help="postgres_fdw batch_size")
    parser.add_argument("--fetch-size", type=int, default=10_000, help="postgres_fdw fetch_size")
    parser.add_argument(
        "--lag-rows",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[100, 1000, 10000],
        help="rows per commit for the lag rounds (100,1000,10000)",
    )
    parser.add_argument("--lag-rounds", type=int, default=10, help="commits per size (10)")
    parser.add_argument("--port", type=int, default=54331, help="first port tried (54331)")
    parser.add_argument("--pg-bin", help="PostgreSQL binaries (pg_config --bindir, else Debian's)")
    parser.add_argument(
        "--os-user", default="postgres", help="user the servers run as when run as root"
    )
    parser.add_argument("--skip-shards", action="store_true", help="the replica part only")
    parser.add_argument("--skip-replica", action="store_true", help="the shards part only")
    if len(sys.argv) > 1 and sys.argv[1] == "summary-worker":
        worker = argparse.ArgumentParser()
        worker.add_argument("step")
        worker.add_argument("--repeat", type=int, default=5)
        summary_worker(worker.parse_args())
        return
    args = parser.parse_args()
    if min(args.repeat, args.insert_repeat, args.lag_rounds, args.chart_patients) < 1:
        parser.error("--repeat, --insert-repeat, --lag-rounds and --chart-patients take 1 or more")
    run(args)


if __name__ == "__main__":
    main()
