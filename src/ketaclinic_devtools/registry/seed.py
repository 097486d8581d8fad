"""Seed a synthetic registry: K clinics, N patients with intake, courses, sessions, ledger.

Foreign keys stay checked. Django creates them DEFERRABLE INITIALLY DEFERRED on PostgreSQL
and SQLite, so rows of one transaction may arrive in any order as long as every row they
reference exists at commit. Each transaction is therefore self-contained:

- a clinic's own rows (clinic, staff, protocol versions, consent documents) are committed
  first, with the marker that says the generator made the clinic;
- on PostgreSQL (outside a transaction) patients are then written in chunks, each chunk one
  transaction, by one worker process per core (or in this process): a chunk references only
  its own rows and the clinic's committed ones;
- the clinic's ledger (products, lots, entries referencing committed sessions) comes last.

Elsewhere (SQLite, or inside a transaction such as a test) one process writes each clinic in a
single transaction. Both give the same rows: each patient has its own random stream.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta

from django.db import connection, connections, transaction
from django.utils import timezone
from faker import Faker

from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.core.models import Clinic
from ketaclinic.core.permissions import Role
from ketaclinic.outcomes import facts as outcome_facts
from ketaclinic_devtools.models import GeneratedClinic
from ketaclinic_devtools.registry import clinic as clinics
from ketaclinic_devtools.registry import progress as progress_lines
from ketaclinic_devtools.registry.bulk import BulkWriter
from ketaclinic_devtools.registry.generator import Generator, Pools, at, patient_stream
from ketaclinic_devtools.registry.ledger import LedgerCollector, write_ledger
from ketaclinic_devtools.registry.progress import Meter, Progress

MAX_PATIENTS = 2_000_000
SQLITE_CACHE_KIB = 1_000_000  # 1 GB page cache while seeding
CHUNK = 2_000  # patients per transaction on PostgreSQL
PARALLEL_FROM = 5_000  # fewer patients are not worth the processes
TICK = 100  # patients between two progress counts
LISTED = 10  # clinics named in a refusal


@dataclass(frozen=True)
class Plan:
    seed: int
    as_of: date
    years: int
    ledger_days: int


@dataclass
class SeedResult:
    clinics: list[str]
    patients: int = 0
    courses: int = 0
    sessions: int = 0
    responses: int = 0
    ledger_entries: int = 0
    rows: int = 0
    seconds: float = 0.0
    workers: int = 1
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def patients_per_second(self) -> float:
        return self.patients / self.seconds if self.seconds else 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def add(self, stats: dict, tables: dict) -> None:
        for key in ("patients", "courses", "sessions", "responses"):
            setattr(self, key, getattr(self, key) + stats[key])
        for name, n in tables.items():
            self.tables[name] = self.tables.get(name, 0) + n
        self.rows = sum(self.tables.values())


@dataclass
class Run:
    """What every clinic of one seeding run shares."""

    plan: Plan
    generator: Generator
    result: SeedResult
    meter: Meter
    password: str
    stamp: object
    workers: int


def _generator(plan: Plan, writer) -> Generator:
    """Pools and answer sets come from the seed alone, so every process builds the same."""
    master = random.Random(plan.seed)
    fake = Faker("en_US")
    fake.seed_instance(plan.seed)
    pools = Pools(master, fake)
    ledger = LedgerCollector(plan.as_of, plan.ledger_days) if plan.ledger_days else None
    return Generator(writer, pools, plan.as_of, seed=plan.seed, years=plan.years, ledger=ledger)


def _produced(generator: Generator) -> int:
    """Rows generated so far (written or waiting in a batch)."""
    return sum(t.written + len(t.rows) for t in generator.w.tables.values())


def _generate(
    generator: Generator, ctx, first: int, last: int, tick: Callable[[int, int], None]
) -> tuple[dict, dict, list]:
    before = dict(generator.stats)
    written = {t.sql_table: t.written for t in generator.w.tables.values()}
    counted, rows = first - 1, _produced(generator)
    for number in range(first, last + 1):
        generator.patient(ctx, number)
        if number - counted >= TICK:
            now = _produced(generator)
            tick(number - counted, now - rows)
            counted, rows = number, now
    generator.w.flush()
    tick(last - counted, _produced(generator) - rows)
    stats = {k: generator.stats[k] - before[k] for k in before}
    tables = {
        t.sql_table: t.written - written.get(t.sql_table, 0) for t in generator.w.tables.values()
    }
    events = []
    if generator.ledger is not None:
        events, generator.ledger.events = generator.ledger.events, []
    return stats, tables, events


_worker: dict = {}


def _start_worker(counts) -> None:
    _worker["counts"] = counts


def _count_in_parent(patients: int, rows: int) -> None:
    """A worker's progress, added to the counters the parent reads."""
    counts = _worker["counts"]
    with counts.get_lock():
        counts[0] += patients
        counts[1] += rows


def _work(job) -> tuple[dict, dict, list]:
    """One chunk of patients in a worker process, committed on its own connection."""
    plan, ctx, first, last = job
    if "generator" not in _worker:
        connections.close_all()  # never share the parent's socket
        _tune(connection)
        _worker["generator"] = _generator(plan, BulkWriter(connection))
    with transaction.atomic():
        _fast_commit()
        return _generate(_worker["generator"], ctx, first, last, _count_in_parent)


def seed_registry(
    *,
    patients: int,
    clinics_count: int = 1,
    seed: int = 2026,
    as_of: date | None = None,
    years: int = 2,
    ledger_days: int = 90,
    password: str,
    workers: int | None = None,
    force: bool = False,
    progress: Callable[[Progress], None] | None = None,
    progress_every: float | None = None,
) -> SeedResult:
    """Create `clinics_count` registry clinics sharing `patients` synthetic patients.

    The same seed and as-of date give the same registry; another as-of date gives the same
    people and histories moved in time. Refuses to run when a registry clinic exists, and when
    a clinic the generator did not create exists (unless `force`). `workers` None picks one
    per core on PostgreSQL outside a transaction, else 1. `progress` is called at most every
    `progress_every` seconds (default `progress.EVERY_S`) while patients are generated.
    """
    if not 1 <= patients <= MAX_PATIENTS:
        raise InvalidInput(f"--patients must be 1 to {MAX_PATIENTS}.", fields={"patients": "range"})
    if not 1 <= clinics_count <= min(patients, 1000):
        raise InvalidInput("--clinics must be 1 to the number of patients (at most 1000).")
    if years < 1 or ledger_days < 0:
        raise InvalidInput("--years must be 1 or more and --ledger-days 0 or more.")
    slugs = [clinics.slug_for(k) for k in range(1, clinics_count + 1)]
    check_database(slugs, force=force)
    # The synthetic registry spans clinics in several time zones: its default as-of date is UTC's.
    plan = Plan(seed, as_of or timezone.now().astimezone(UTC).date(), years, ledger_days)
    chunked = connection.vendor == "postgresql" and not connection.in_atomic_block
    if workers is None:
        workers = (os.cpu_count() or 1) if chunked and patients >= PARALLEL_FROM else 1
    if workers > 1 and not chunked:
        raise InvalidInput("Parallel seeding needs PostgreSQL and no open transaction.")
    started = time.perf_counter()
    _tune(connection)
    generator = _generator(plan, BulkWriter(connection))
    run = Run(
        plan=plan,
        generator=generator,
        result=SeedResult(clinics=slugs, workers=workers),
        meter=Meter(
            patients,
            progress,
            progress_lines.EVERY_S if progress_every is None else progress_every,
        ),
        password=password,
        stamp=at(plan.as_of - timedelta(days=round(365.25 * years) + 1), 12 * 60),
        workers=workers,
    )
    for index in range(1, clinics_count + 1):
        share = patients // clinics_count + (1 if index <= patients % clinics_count else 0)
        if chunked:
            _seed_clinic_chunked(run, index, share)
        else:
            _seed_clinic(run, index, share)
    _analyze([t.sql_table for t in generator.w.tables.values()] + ["inventory_ledgerentry"])
    outcome_facts.rebuild(slugs=slugs)  # the rows above were written in bulk, not by services
    run.result.seconds = time.perf_counter() - started
    return run.result


def check_database(slugs: list[str], *, force: bool = False) -> None:
    """Refuse a database the generator cannot safely add a registry to.

    A clinic is the generator's when it has a `GeneratedClinic` row: only the generator writes
    them. Any other clinic was created through the product, so it may hold real patients.
    """
    if GeneratedClinic._meta.db_table not in connection.introspection.table_names():
        raise Conflict(
            "This database has no table for generated clinics: run `ketaclinic migrate` with "
            "DJANGO_SETTINGS_MODULE=ketaclinic_devtools.settings first.",
            code="devtools_not_migrated",
        )
    taken = sorted(Clinic.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    if taken:
        raise Conflict(
            f"Registry clinics already exist ({', '.join(taken)}): seed into a fresh database.",
            code="registry_exists",
        )
    if force:
        return
    generated = GeneratedClinic.objects.values("clinic_id")
    foreign = Clinic.objects.exclude(pk__in=generated).order_by("slug")
    count = foreign.count()
    if count:
        named = ", ".join(f"{c.name} ({c.slug})" for c in foreign[:LISTED])
        more = f" and {count - LISTED} more" if count > LISTED else ""
        raise Conflict(
            f"This database holds {count} clinic(s) the registry generator did not create: "
            f"{named}{more}. Seed into a fresh database, or pass --force to add synthetic "
            "clinics next to them.",
            code="foreign_clinics",
        )


def _create(run: Run, index: int):
    """The clinic's own rows and its generator marker."""
    pools = run.generator.pools
    pools.begin(patient_stream(run.plan.seed, index, 0), index, 0)  # the clinic's own stream
    ctx = clinics.create_clinic(index, pools.rng, pools, run.password, run.stamp)
    GeneratedClinic.objects.create(clinic=ctx.clinic, seed=run.plan.seed, as_of=run.plan.as_of)
    return ctx


def _finish(run: Run, ctx, share: int, events: list) -> None:
    plan, generator, result = run.plan, run.generator, run.result
    if plan.ledger_days:
        rng = patient_stream(plan.seed, ctx.index, (1 << 28) - 1)
        start = plan.as_of - timedelta(days=plan.ledger_days)
        admin = ctx.staff[Role.CLINIC_ADMIN][0]
        before = {t.sql_table: t.written for t in generator.w.tables.values()}
        result.ledger_entries += write_ledger(generator.w, ctx, start, events, admin, rng)
        generator.w.flush()
        after = {t.sql_table: t.written for t in generator.w.tables.values()}
        zero = dict.fromkeys(("patients", "courses", "sessions", "responses"), 0)
        result.add(zero, {k: n - before.get(k, 0) for k, n in after.items()})
    Clinic.objects.filter(pk=ctx.id).update(next_mrn=share + 1)
    record_event(
        actor=None,
        action="outcomes.registry_seeded",
        clinic=ctx.clinic,
        changes={"patients": share, "seed": plan.seed, "as_of": plan.as_of.isoformat()},
    )


def _seed_clinic(run: Run, index: int, share: int) -> None:
    """One clinic in one transaction, in this process."""
    with transaction.atomic():
        _fast_commit()
        ctx = _create(run, index)
        events: list = []
        for first in range(1, share + 1, CHUNK):
            last = min(share, first + CHUNK - 1)
            stats, tables, chunk_events = _generate(run.generator, ctx, first, last, run.meter.add)
            run.result.add(stats, tables)
            events += chunk_events
        _finish(run, ctx, share, events)


def _seed_clinic_chunked(run: Run, index: int, share: int) -> None:
    """The clinic (committed), chunks of patients (one transaction each), then its ledger."""
    with transaction.atomic():
        ctx = _create(run, index)
    jobs = [
        (run.plan, ctx, first, min(share, first + CHUNK - 1))
        for first in range(1, share + 1, CHUNK)
    ]
    events: list = []
    if run.workers == 1:
        for _plan, _ctx, first, last in jobs:
            with transaction.atomic():
                _fast_commit()
                done = _generate(run.generator, ctx, first, last, run.meter.add)
            run.result.add(*done[:2])
            events += done[2]
    else:
        events = _in_workers(run, jobs)
    with transaction.atomic():
        _fast_commit()
        _finish(run, ctx, share, events)


def _in_workers(run: Run, jobs: list) -> list:
    """Run the chunks in worker processes; count their progress while waiting for them."""
    events: list = []
    connections.close_all()
    context = multiprocessing.get_context("fork")
    counts = context.Array("q", 2)  # patients and rows done since the parent last looked

    def collect() -> None:
        with counts.get_lock():
            patients, rows = counts[0], counts[1]
            counts[0] = counts[1] = 0
        run.meter.add(patients, rows)

    pool = context.Pool(run.workers, initializer=_start_worker, initargs=(counts,))
    with pool:
        results = pool.imap(_work, jobs)
        while True:
            try:
                stats, tables, chunk_events = results.next(timeout=max(run.meter.every, 0.5))
            except StopIteration:
                break
            except multiprocessing.TimeoutError:
                collect()
                continue
            collect()
            run.result.add(stats, tables)
            events += chunk_events
    return events


def _fast_commit() -> None:
    """Inside a transaction on PostgreSQL: do not wait for the WAL flush at commit.

    Synthetic rows can be generated again; a crash loses at most the last commits, never
    consistency. Foreign keys stay checked at commit.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def _tune(conn) -> None:
    """Bulk-load settings for this connection only; foreign keys must be enforced.

    Random UUID keys land all over every index; SQLite's default 2 MB page cache then spills
    to disk on almost every insert. A large cache keeps the indexes in memory while loading.
    """
    conn.ensure_connection()
    with conn.cursor() as cursor:
        if conn.vendor != "sqlite":
            return
        cursor.execute("PRAGMA foreign_keys")
        if not cursor.fetchone()[0]:
            raise Conflict(
                "SQLite foreign-key enforcement is off on this connection; the registry is "
                "written only with it on.",
                code="foreign_keys_off",
            )
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        if not conn.in_atomic_block:
            cursor.execute("PRAGMA temp_store = MEMORY")


def _analyze(tables: list[str]) -> None:
    """Refresh planner statistics after millions of rows (the dashboard's plans depend on it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in dict.fromkeys(tables):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        else:
            cursor.execute("ANALYZE")
