"""Benchmark: how many ledger entries per second the hash-chain verification checks.

    .venv/bin/python bench/bench_ledger_verify.py                 # pure, in memory
    KETACLINIC_VAR_DIR=/tmp/bench .venv/bin/python bench/bench_ledger_verify.py --db
    DATABASE_URL=postgres://... .venv/bin/python bench/bench_ledger_verify.py --db

With --db the script migrates the configured database, writes a throwaway clinic's chain
straight into the table inside a transaction, verifies it as `verify_ledger` does (streamed
from the database) and rolls everything back. It prints numbers and asserts nothing.
"""

import argparse
import datetime as dt
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


def bench_db(n: int) -> None:
    # The development settings, like every bench step (the product's plus the generator app).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic_devtools.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models.sql import InsertQuery

    from ketaclinic.accounts.models import User
    from ketaclinic.core.models import Clinic
    from ketaclinic.inventory.models import LedgerChainHead, LedgerEntry, Lot, Product
    from ketaclinic.inventory.queries import verify_clinic_chain

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
        from ketaclinic.inventory.models import StorageLocation

        place = StorageLocation.objects.create(clinic=clinic, name="Safe")
        started = time.perf_counter()
        prev, batch = GENESIS_HASH, []
        fields = LedgerEntry._meta.concrete_fields
        for i in range(1, n + 1):
            c = content(i, clinic.pk, lot.pk, user.pk)
            c["location"] = place.pk
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
                data={},
                prev_hash=prev,
            )
            entry.hash = chain_hash(prev, entry.hash_content())
            prev = entry.hash
            batch.append(entry)
            if len(batch) == 1000 or i == n:
                query = InsertQuery(LedgerEntry)
                query.insert_values(fields, batch)
                with connection.cursor() as cursor:
                    for sql, params in query.get_compiler(using="default").as_sql():
                        cursor.execute(sql, params)
                batch = []
        LedgerChainHead.objects.create(clinic=clinic, sequence=n, head_hash=prev)
        written = time.perf_counter() - started
        started = time.perf_counter()
        verdict = verify_clinic_chain(clinic.pk)
        took = time.perf_counter() - started
        print(f"db write   : {n} entries in {written:.2f} s ({connection.vendor})")
        print(
            f"db verify  : {n} entries in {took:.2f} s = {n / took:,.0f} entries/s "
            f"(valid={verdict.valid}, {connection.vendor})"
        )
        transaction.set_rollback(True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--db", action="store_true", help="also verify from the database")
    args = parser.parse_args()
    bench_pure(args.entries)
    if args.db:
        bench_db(args.entries)


if __name__ == "__main__":
    main()
