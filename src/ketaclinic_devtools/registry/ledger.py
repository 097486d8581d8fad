"""Ledger movements of the synthetic registry: receipts, draws, administrations and wastes.

The ledger covers the last `days` days before the as-of date (as if the clinic moved its
controlled-substance records into ketaclinic then). Patient generation only collects the
movements (plain, picklable tuples: worker processes send them back); `write_ledger` then
adds the receipts, orders everything in time and chains it with the ledger's own rules: the
entry's content as the ledger reads it back (`entry_content`, ids as UUIDs), canonical data
(`rules.canonical_value`) and `rules.chain_hash`, so `verify_ledger` accepts the result.
"""

from __future__ import annotations

import math
import random
import uuid
from datetime import date, timedelta
from decimal import Decimal

from ketaclinic.inventory import rules
from ketaclinic.inventory.models import (
    LedgerChainHead,
    LedgerEntry,
    Lot,
    Product,
    SessionDrugClosure,
    StorageLocation,
    # The hashed content of an entry; pure, but kept in models.py by the inventory app.
    entry_content,
)
from ketaclinic_devtools.registry import columns as cols
from ketaclinic_devtools.registry.course import at

BLOCK_DAYS = 30
VIAL_MG = Decimal(500)  # 50 mg/mL x 10 mL
DRAW_STEP_MG = Decimal(50)  # drawn in whole mL of a 50 mg/mL vial
PACK_DEVICES = Decimal(2)
SUPPLIER = {
    "supplier_name": "Synthetic Pharma Distribution (synthetic)",
    "supplier_address": "1 Warehouse Road, Springfield",
    "supplier_dea": "RS0000000",
}
ORDER = {"receipt": 0, "draw": 1, "waste": 2, "administration": 3, "closure": 4}


class LedgerCollector:
    """Collects the drug movements of dosed sessions inside the ledger window."""

    def __init__(self, as_of: date, days: int):
        self.start = as_of - timedelta(days=days)
        self.events: list[tuple] = []

    def block(self, day: date) -> int:
        return (day - self.start).days // BLOCK_DAYS

    def session(self, pools, row, iv: bool, nurse, witness, dose_at, discharged) -> None:
        day = row["scheduled_date"]
        if day < self.start:
            return
        lot = ("ketamine" if iv else "esketamine", self.block(day))
        if iv:
            dose = row["planned_dose_mg"]
            drawn = Decimal(math.ceil(dose / DRAW_STEP_MG)) * DRAW_STEP_MG
            given_at = row["infusion_ended_at"]
        else:
            dose = drawn = Decimal(row["devices_given"])
            given_at = row["last_device_at"]
        sid, pid, draw_id = row["id"], row["patient_id"], pools.uuid()
        add = self.events.append
        add(
            (
                dose_at - timedelta(minutes=10),
                "draw",
                draw_id,
                lot,
                drawn,
                -drawn,
                nurse,
                None,
                sid,
                pid,
                None,
                {},
            )
        )
        add(
            (
                given_at,
                "administration",
                pools.uuid(),
                lot,
                dose,
                0,
                nurse,
                None,
                sid,
                pid,
                draw_id,
                {},
            )
        )
        wasted = drawn - dose
        if wasted > 0:
            method = {"method": "Wasted into a drug disposal container"}
            add(
                (
                    dose_at + timedelta(minutes=5),
                    "waste",
                    pools.uuid(),
                    lot,
                    wasted,
                    0,
                    nurse,
                    witness,
                    sid,
                    pid,
                    draw_id,
                    method,
                )
            )
        add((discharged, "closure", sid, nurse, drawn, dose, wasted))


# The synthetic products: drug, name, NDC, form, concentration, units per container.
PRODUCTS = (
    (
        "ketamine",
        "Ketamine HCl injection 50 mg/mL (synthetic)",
        "SYNTH-0001",
        "injection_solution",
        Decimal(50),
        Decimal(10),
    ),
    (
        "esketamine",
        "Esketamine 28 mg nasal spray device (synthetic)",
        "SYNTH-0002",
        "nasal_spray_device",
        Decimal(28),
        PACK_DEVICES,
    ),
)


def _uuid(value) -> uuid.UUID | None:
    """An id as the ledger reads it back from the database (the generator makes hex text)."""
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(value)


def write_ledger(writer, ctx, start: date, events: list[tuple], admin, rng: random.Random) -> int:
    """Products, lots, receipts and every movement of one clinic, chained; returns entries."""

    def uid() -> str:
        return uuid.UUID(int=rng.getrandbits(128), version=4).hex

    products = {
        drug: Product.objects.create(
            id=uid(),
            clinic=ctx.clinic,
            name=name,
            drug=drug,
            ndc=ndc,
            form=form,
            concentration=concentration,
            units_per_container=units_per_container,
        )
        for drug, name, ndc, form, concentration, units_per_container in PRODUCTS
    }
    location = StorageLocation.objects.create(id=uid(), clinic=ctx.clinic, name="Main safe")
    demand: dict = {}
    for event in events:
        if event[1] == "draw":
            demand[event[3]] = demand.get(event[3], Decimal(0)) + event[4]
    lots = {}
    for drug, block in sorted(demand):
        lots[(drug, block)] = Lot(
            id=uid(),
            clinic=ctx.clinic,
            product=products[drug],
            lot_number=f"SYN{block:03d}{'K' if drug == 'ketamine' else 'E'}",
            expires_on=start + timedelta(days=BLOCK_DAYS * block + 730),
        )
    Lot.objects.bulk_create(lots.values())
    receipts = []
    for (drug, block), needed in sorted(demand.items()):
        per = VIAL_MG if drug == "ketamine" else PACK_DEVICES
        containers = math.ceil(needed / per) + 2
        received = start + timedelta(days=BLOCK_DAYS * block)
        data = dict(
            SUPPLIER, containers=containers, invoice=f"SYN-{block:03d}", received_on=received
        )
        quantity = per * containers
        receipts.append(
            (
                at(received, 13 * 60),
                "receipt",
                uid(),
                (drug, block),
                quantity,
                quantity,
                admin,
                None,
                None,
                None,
                None,
                data,
            )
        )
    timeline = sorted(receipts + events, key=lambda e: (e[0], ORDER[e[1]], str(e[2])))
    t_entry = writer.table(LedgerEntry, cols.LEDGER_ENTRY)
    t_closure = writer.table(SessionDrugClosure, cols.DRUG_CLOSURE)
    prev, sequence = rules.GENESIS_HASH, 0
    clinic_id, location_id = _uuid(ctx.id), _uuid(location.pk)
    units = {drug: str(product.unit) for drug, product in products.items()}
    for event in timeline:
        if event[1] == "closure":
            when, _, sid, nurse, drawn, given, wasted = event
            t_closure.add(
                (uid(), ctx.id, when, sid, nurse.id, when, drawn, given, wasted, Decimal(0), prev)
            )
            continue
        when, kind, eid, lot_key, qty, delta, actor, witness, sid, pid, related, data = event
        lot = lots[lot_key]
        sequence += 1
        values = {
            "id": _uuid(eid),
            "clinic_id": clinic_id,
            "sequence": sequence,
            "entry_type": kind,
            "occurred_at": when,
            "actor_id": _uuid(actor.id),
            "actor_name": actor.display_name,
            "lot_id": _uuid(lot.pk),
            "location_id": location_id,
            "to_location_id": None,
            "quantity": Decimal(qty),
            "stock_delta": Decimal(delta),
            "unit": units[lot_key[0]],
            "session_id": _uuid(sid),
            "patient_id": _uuid(pid),
            "related_entry_id": _uuid(related),
            "witness_id": _uuid(witness.id) if witness else None,
            "witness_name": witness.display_name if witness else "",
            "second_witness_id": None,
            "second_witness_name": "",
            "reason": "",
            # Stored canonical, as the ledger service stores it.
            "data": rules.canonical_value(data),
        }
        digest = rules.chain_hash(prev, entry_content(values))
        values.update(created_at=when, prev_hash=prev, hash=digest)
        t_entry.add(tuple(values[c] for c in cols.LEDGER_ENTRY))
        prev = digest
    LedgerChainHead.objects.create(clinic=ctx.clinic, sequence=sequence, head_hash=prev)
    return sequence
