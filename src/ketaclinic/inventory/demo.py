"""Demo ledger: weeks of receipts, draws and administrations tied to the demo sessions,
witnessed waste, daily counts and one open discrepancy, all through the services.

Runs after the treatment-day demo (ORDER 55), which hands over its dosed sessions and their
orders as plain values (ctx.extra["dosed_sessions"]), so every draw belongs to a real demo
session and uses the lot number its order recorded.
"""

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from ketaclinic.inventory import queries, services
from ketaclinic.inventory.models import LedgerEntry, Lot
from ketaclinic.inventory.witness import WitnessCredentials

ORDER = 70

# Demo products; NDCs are placeholders (00000-...), not real product codes.
KETAMINE = {
    "name": "Ketamine HCl injection 10 mg/mL",
    "drug": "ketamine",
    "ndc": "00000-0010-20",
    "form": "injection_solution",
    "concentration": Decimal("10"),
    "units_per_container": Decimal("20"),
}
ESKETAMINE = {
    "name": "Spravato (esketamine) 28 mg nasal device",
    "drug": "esketamine",
    "ndc": "00000-0028-03",
    "form": "nasal_spray_device",
    "concentration": Decimal("28"),
    "units_per_container": Decimal("3"),
}
SUPPLIER = {
    "supplier_name": "Demo Pharma Distribution (fictitious)",
    "supplier_address": "500 Supply Road, Columbus, OH 43004",
    "supplier_dea": "RD0000000",
}
HISTORY_DAYS = 28
# Drawn IV doses are rounded up to whole mL of the 10 mg/mL vial; the rest is wasted.
WASTE_STEP_MG = Decimal("10")


class LedgerDemo:
    def __init__(self, ctx):
        self.ctx = ctx
        self.clinic = ctx.clinic
        self.tz = ctx.clinic.tz
        self.admin = ctx.user("admin")
        self.nurse = ctx.user("nurse")
        self.nurse2 = ctx.users.get("nurse2", ctx.user("prescriber"))
        self.now = timezone.now()
        self.today = timezone.localdate(self.now, self.tz)
        self.events: list[tuple[dt.datetime, int, object]] = []

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def witness(self, actor) -> WitnessCredentials:
        other = self.nurse2 if actor == self.nurse else self.nurse
        return WitnessCredentials(username=other.username, password=self.ctx.password)

    def later(self, when: dt.datetime, action) -> None:
        # Entries are appended in time order, so the chain reads like the clinic's day.
        self.events.append((min(when, self.now), len(self.events), action))

    def run(self) -> None:
        for _when, _order, action in sorted(self.events, key=lambda e: (e[0], e[1])):
            action()


@dataclass(frozen=True)
class DosedSession:
    """A demo session that got a dose, with its signed order (from the treatments demo)."""

    session_id: object
    protocol_code: str
    dose_started_at: dt.datetime
    status: str
    dose_mg: Decimal
    devices: int | None
    lot_number: str


def _dosed_sessions(ctx) -> list[DosedSession]:
    return [DosedSession(**row) for row in ctx.extra.get("dosed_sessions", [])]


def _needed(orders) -> tuple[Decimal, int]:
    mg = sum(
        (_drawn_mg(o) for o in orders if not o.protocol_code.startswith("esketamine")),
        Decimal(0),
    )
    devices = sum(o.devices or 0 for o in orders if o.protocol_code.startswith("esketamine"))
    return mg, devices


def _drawn_mg(order) -> Decimal:
    return Decimal(math.ceil(order.dose_mg / WASTE_STEP_MG)) * WASTE_STEP_MG


def seed(ctx) -> None:
    demo = LedgerDemo(ctx)
    admin, nurse = demo.admin, demo.nurse
    safe = services.create_location(actor=admin, name="Main safe", kind="safe")
    cart = services.create_location(actor=admin, name="Treatment room cart", kind="cart")
    ketamine = services.create_product(actor=admin, **KETAMINE)
    esketamine = services.create_product(actor=admin, **ESKETAMINE)
    orders = _dosed_sessions(ctx)
    mg, devices = _needed(orders)
    ket_lot = next((o.lot_number for o in orders if o.protocol_code == "iv_ketamine"), "")
    esk_lot = next((o.lot_number for o in orders if o.lot_number.startswith("ESK")), "")
    lots = {"ketamine": ket_lot or "KET-2418A", "esketamine": esk_lot or "ESK-2417A"}
    start = min(
        [demo.today - dt.timedelta(days=HISTORY_DAYS)]
        + [timezone.localdate(o.dose_started_at, demo.tz) for o in orders]
    )
    expiry = demo.today + dt.timedelta(days=540)
    vials = int(mg / ketamine.quantity_per_container) + 6
    packs = int(devices / 3) + 4
    first = start - dt.timedelta(days=1)

    def receive(product, lot_number, containers, day, invoice):
        return services.receive_stock(
            actor=nurse,
            product=product,
            location=safe,
            lot_number=lot_number,
            expires_on=expiry,
            containers=containers,
            invoice=invoice,
            received_on=day,
            now=demo.at(day, 9, 15),
            **SUPPLIER,
        )

    # Two deliveries: most at the start, the rest mid-way.
    receive(ketamine, lots["ketamine"], vials - vials // 3, first, "INV-D-1001")
    receive(esketamine, lots["esketamine"], packs - packs // 3, first, "INV-D-1002")
    mid = first + dt.timedelta(days=HISTORY_DAYS // 2)
    demo.later(
        demo.at(mid, 9, 20),
        lambda: receive(ketamine, lots["ketamine"], vials // 3, mid, "INV-D-1013"),
    )
    demo.later(
        demo.at(mid, 9, 25),
        lambda: receive(esketamine, lots["esketamine"], packs // 3, mid, "INV-D-1014"),
    )
    ket = Lot.objects.get(clinic=demo.clinic, lot_number=lots["ketamine"])
    esk = Lot.objects.get(clinic=demo.clinic, lot_number=lots["esketamine"])
    # The initial inventory, at close of business on the first day (21 CFR 1304.11).
    for lot in (ket, esk):
        services.count_stock(
            actor=admin,
            lot=lot,
            location=safe,
            counted=queries.stock_balance(lot.pk, safe.pk),
            kind="initial",
            timing="close",
            now=demo.at(first, 17, 30),
        )

    days_with_sessions = set()
    for index, order in enumerate(orders):
        _plan_session(demo, order, index, ket, esk, cart, safe)
        days_with_sessions.add(timezone.localdate(order.dose_started_at, demo.tz))

    # Close-of-business counts of the cart every past treatment day; one is 1 mg short.
    short_day = max((d for d in days_with_sessions if d < demo.today), default=None)
    for day in sorted(d for d in days_with_sessions if d < demo.today):
        when = demo.at(day, 17, 45)
        demo.later(when, _count_cart(demo, cart, (ket, esk), when, short=day == short_day))
    demo.run()
    head = queries.head_of(demo.clinic.pk)
    ctx.notes.append(
        f"Drug ledger: {LedgerEntry.objects.filter(clinic=demo.clinic).count()} entries, "
        f"one open count discrepancy; chain head {head[:16]}… (verify: ketaclinic verify_ledger)"
    )


def _ensure_on_cart(demo, lot, cart, safe, needed: Decimal, when):
    def move():
        have = queries.stock_balance(lot.pk, cart.pk)
        if have >= needed:
            return
        per = lot.product.quantity_per_container
        containers = math.ceil((needed - have) / per) + 1
        available = queries.stock_balance(lot.pk, safe.pk)
        amount = min(per * containers, available)
        if amount > 0:
            services.transfer_stock(
                actor=demo.nurse,
                lot=lot,
                from_location=safe,
                to_location=cart,
                quantity=amount,
                reason="Restock the treatment room cart",
                now=when,
            )

    return move


def _plan_session(demo, order, index, ket, esk, cart, safe) -> None:
    session = order.session_id
    esketamine = order.protocol_code.startswith("esketamine")
    lot = esk if esketamine else ket
    actor = demo.nurse if index % 3 else demo.nurse2
    dose_at = order.dose_started_at
    draw_at = dose_at - dt.timedelta(minutes=10)
    drawn = Decimal(order.devices or 0) if esketamine else _drawn_mg(order)
    if drawn <= 0:
        return
    given = drawn if esketamine else Decimal(order.dose_mg)
    restock = _ensure_on_cart(demo, lot, cart, safe, drawn, draw_at - dt.timedelta(minutes=2))

    def draw():
        restock()
        services.draw_for_session(
            actor=actor, session=session, lot=lot, location=cart, quantity=drawn, now=draw_at
        )

    def give():
        services.administer(actor=actor, session=session, lot=lot, quantity=given, now=dose_at)

    demo.later(draw_at, draw)
    in_progress = order.status == "dosing"
    if in_progress:
        return  # today's dosing session still holds its devices
    demo.later(dose_at, give)
    waste = drawn - given
    if waste > 0:
        waste_at = dose_at + dt.timedelta(minutes=45)

        def record_waste():
            services.record_waste(
                actor=actor,
                session=session,
                lot=lot,
                quantity=waste,
                method="Remainder expelled into drug disposal container",
                witness=demo.witness(actor),
                now=waste_at,
            )

        demo.later(waste_at, record_waste)
    if timezone.localdate(dose_at, demo.tz) < demo.today:
        close_at = dose_at + dt.timedelta(minutes=50)
        demo.later(
            close_at,
            lambda: services.close_session_drug_record(actor=actor, session=session, now=close_at),
        )


def _count_cart(demo, cart, lots, when, *, short: bool):
    def count():
        for lot in lots:
            book = queries.stock_balance(lot.pk, cart.pk)
            if book == 0:
                continue
            counted = book
            if short and lot.product.unit == "mg":
                counted = book - Decimal("1")  # the demo's open discrepancy
            services.count_stock(
                actor=demo.nurse2,
                lot=lot,
                location=cart,
                counted=counted,
                now=when,
            )

    return count
