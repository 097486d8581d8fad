"""Benchmark: how many ledger entries per second the hash-chain verification checks.

    .venv/bin/python bench/bench_ledger_verify.py                 # pure, in memory
    KETACLINIC_VAR_DIR="$(mktemp -d)" .venv/bin/python bench/bench_ledger_verify.py --db
    DATABASE_URL=postgres://... KETACLINIC_VAR_DIR="$(mktemp -d)" \
        .venv/bin/python bench/bench_ledger_verify.py --db --no-pure --entries 250000 --day 1000

With --db the script migrates the configured database, writes a throwaway clinic's chain
straight into the table inside a transaction (with a checkpoint `--day` entries before the
end), verifies it as `verify_ledger --full` does (streamed from the database), times the same
check over one connection only (what the second connection adds), times raw
`hashlib.sha256` over the same canonical bytes for the ratio, times the default incremental
verification from the checkpoint, and rolls everything back. It prints numbers and asserts
nothing.
"""

import argparse
import datetime as dt
import hashlib
import os
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ketaclinic.inventory.rules import GENESIS_HASH, chain_hash, verify_chain

T0 = dt.datetime(2026, 1, 5, 14, 0, tzinfo=dt.UTC)


def content(i: int, clinic: uuid.UUID, lot: uuid.UUID, user: uuid.UUID) -> dict:
    """A realistic entry: a draw with the same fields the ledger hashes."""
    return {
        "v": 1,
        "id": uuid.uuid4(),
        "clinic": clinic,
        "sequence": i,
        "entry_type": "draw",
        "occurred_at": T0 + dt.timedelta(minutes=i),
        "actor": user,
        "actor_name": "Sam Jones, RN",
        "lot": lot,
        "location": lot,
        "to_location": None,
        "quantity": Decimal("36.5"),
        "stock_delta": Decimal("-36.5"),
        "unit": "mg",
        "session": None,
        "patient": None,
        "related_entry": None,
        "witness": None,
        "witness_name": "",
        "second_witness": None,
        "second_witness_name": "",
        "reason": "",
        "data": {},
    }


def bench_pure(n: int) -> None:
    clinic, lot, user = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    rows, prev = [], GENESIS_HASH
    started = time.perf_counter()
    for i in range(1, n + 1):
        c = content(i, clinic, lot, user)
        digest = chain_hash(prev, c)
        rows.append((c, digest, prev))
        prev = digest
    built = time.perf_counter() - started
    started = time.perf_counter()
    verdict = verify_chain(rows)
    took = time.perf_counter() - started
    print(f"pure build : {n} entries in {built:.2f} s = {n / built:,.0f} entries/s")
    print(
        f"pure verify: {n} entries in {took:.2f} s = {n / took:,.0f} entries/s "
        f"(valid={verdict.valid})"
    )


def bench_db(n: int, day: int) -> None:
    # The development settings, like every bench step (the product's plus the generator app).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic_devtools.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models.sql import InsertQuery

    from ketaclinic.accounts.models import User
    from ketaclinic.core.models import Clinic
    from ketaclinic.inventory.models import (
        LedgerChainHead,
        LedgerEntry,
        Lot,
        Product,
        StorageLocation,
    )

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        clinic = Clinic.objects.create(name="Bench clinic", slug=f"bench-{uuid.uuid4().hex[:8]}")
        user = User.objects.create(username=f"bench-{uuid.uuid4().hex[:8]}", clinic=clinic)
        product = Product.objects.create(
            clinic=clinic,
            name="Ketamine 50 mg/mL",
            drug="ketamine",
            ndc="00000-0000-00",
            form="injection_solution",
            concentration=Decimal("50"),
            units_per_container=Decimal("10"),
        )
        lot = Lot.objects.create(
            clinic=clinic, product=product, lot_number="B1", expires_on=dt.date(2030, 1, 1)
        )
        place = StorageLocation.objects.create(clinic=clinic, name="Safe")
        fields = LedgerEntry._meta.concrete_fields
        state = {"prev": GENESIS_HASH}

        def write(first: int, last: int) -> None:
            batch = []
            for i in range(first, last + 1):
                c = content(i, clinic.pk, lot.pk, user.pk)
                entry = LedgerEntry(
                    id=c["id"],
                    clinic=clinic,
                    sequence=i,
                    entry_type="draw",
                    occurred_at=c["occurred_at"],
                    actor=user,
                    actor_name=c["actor_name"],
                    lot=lot,
                    location=place,
                    quantity=c["quantity"],
                    stock_delta=c["stock_delta"],
                    unit="mg",
                    reason="" if i % 10 else "vial dropped, witnessed",
                    data={} if i % 7 else {"counted": "12.5", "expected": "12"},
                    prev_hash=state["prev"],
                )
                entry.hash = chain_hash(state["prev"], entry.hash_content())
                state["prev"] = entry.hash
                batch.append(entry)
                if len(batch) == 1000 or i == last:
                    query = InsertQuery(LedgerEntry)
                    query.insert_values(fields, batch)
                    with connection.cursor() as cursor:
                        for sql, params in query.get_compiler(using="default").as_sql():
                            cursor.execute(sql, params)
                    batch = []
            LedgerChainHead.objects.update_or_create(
                clinic=clinic, defaults={"sequence": last, "head_hash": state["prev"]}
            )

        started = time.perf_counter()
        write(1, n - day)
        print(f"db write   : {n - day} entries in {time.perf_counter() - started:.2f} s")
    # Committed, like a real ledger: a long chain on PostgreSQL is read over two connections.
    try:
        _measure(n, day, clinic, write)
    finally:
        _remove(clinic)


def _measure(n, day, clinic, write) -> None:
    from django.db import connection, transaction

    from ketaclinic.inventory import services
    from ketaclinic.inventory.models import LedgerEntry
    from ketaclinic.inventory.queries import verify_clinic_chain, verify_clinic_ledger
    from ketaclinic.inventory.verification import LAST, _check_range, fast_rows

    # The daily checkpoint, then one more day of entries after it.
    started = time.perf_counter()
    services.take_checkpoint(clinic)
    print(f"checkpoint : taken in {time.perf_counter() - started:.2f} s (verifies first)")
    with transaction.atomic():
        write(n - day + 1, n)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum would have by now
            cursor.execute(f"ANALYZE {LedgerEntry._meta.db_table}")

    # Full verification, as `verify_ledger --full` runs it, and raw hashlib.sha256 over
    # the very same canonical bytes (prev hash + content), taken in turns (best of 3 each)
    # so that both see the same load.
    inputs = [row[2] for batch in fast_rows(clinic.pk) for row in batch]
    sha = hashlib.sha256
    took, raw, alone = float("inf"), float("inf"), float("inf")
    for _ in range(3):
        took = min(took, _timed(lambda: verify_clinic_chain(clinic.pk)))
        raw = min(raw, _timed(lambda: [sha(b).hexdigest() for b in inputs]))
        # the whole chain over this one connection: what the second connection adds
        alone = min(alone, _timed(lambda: _check_range(clinic.pk, 0, LAST, None)))
    verdict = verify_clinic_chain(clinic.pk)
    full_rate = n / took
    raw_rate = n / raw
    incremental = min(_timed(lambda: verify_clinic_ledger(clinic.pk)) for _ in range(3))
    ledger_verdict = verify_clinic_ledger(clinic.pk)
    print(
        f"db verify  : {n} entries in {took:.2f} s = {full_rate:,.0f} entries/s "
        f"(valid={verdict.valid}, {connection.vendor})"
    )
    print(f"one conn.  : {n} entries in {alone:.2f} s = {n / alone:,.0f} entries/s")
    print(f"raw sha256 : {n} inputs in {raw:.3f} s = {raw_rate:,.0f} entries/s")
    print(f"ratio      : verification takes {raw_rate / full_rate:.2f}x raw sha256's time")
    print(f"load       : {os.getloadavg()[0]:.1f} (1-minute load average, {os.cpu_count()} cores)")
    print(
        f"incremental: {ledger_verdict.entries} entries from the checkpoint "
        f"(one day = {day}) in {incremental * 1000:.0f} ms "
        f"(valid={ledger_verdict.valid}, mode={ledger_verdict.mode})"
    )


def _remove(clinic) -> None:
    """Delete everything the bench wrote (past the append-only guards: raw deletes)."""
    from ketaclinic.accounts.models import User
    from ketaclinic.audit.models import AuditEvent
    from ketaclinic.core.models import Clinic
    from ketaclinic.inventory.models import (
        LedgerChainHead,
        LedgerCheckpoint,
        LedgerEntry,
        Lot,
        Product,
        StorageLocation,
    )

    for model in (
        AuditEvent,
        LedgerCheckpoint,
        LedgerEntry,
        LedgerChainHead,
        Lot,
        Product,
        StorageLocation,
        User,
        Clinic,
    ):
        field = "pk" if model is Clinic else "clinic_id"
        model.objects.filter(**{field: clinic.pk})._raw_delete(model.objects.db)


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--day", type=int, default=1000, help="entries after the checkpoint")
    parser.add_argument("--db", action="store_true", help="also verify from the database")
    parser.add_argument("--no-pure", action="store_true", help="skip the in-memory reference")
    args = parser.parse_args()
    if not args.no_pure:
        bench_pure(args.entries)
    if args.db:
        bench_db(args.entries, args.day)


if __name__ == "__main__":
    main()
