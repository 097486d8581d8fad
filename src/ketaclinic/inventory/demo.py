"""Demo ledger: the clinic's stock before the treatment day runs, all through the services.

Runs before the treatment-day demo (ORDER 55): products, the safe and the treatment room cart,
one delivery of each lot, the initial inventory, the cart stocked from the safe, and the
cart's first close-of-business count (1 mg short: the demo's open discrepancy). The treatment
demo then runs every dosed session through the chain itself: the second check picks one of
these lots, the nurse draws from the cart for the signed order, administers, wastes the rest
with a witness and closes the session's drug record.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from ketaclinic.inventory import queries, services

ORDER = 50

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
# The delivery arrives before the oldest charted demo session (the treatment demo charts 30
# days of history).
STOCK_DAYS = 35
KETAMINE_VIALS = 12  # 200 mg each
ESKETAMINE_PACKS = 80  # 3 devices each
CART_VIALS = 8
CART_PACKS = 60


def seed(ctx) -> None:
    admin, nurse = ctx.user("admin"), ctx.user("nurse")
    nurse2 = ctx.users.get("nurse2", ctx.user("prescriber"))
    tz = ctx.clinic.tz
    today = timezone.localdate(timezone.now(), tz)
    first = today - dt.timedelta(days=STOCK_DAYS)

    def at(day, hour, minute=0):
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)

    safe = services.create_location(actor=admin, name="Main safe", kind="safe")
    cart = services.create_location(actor=admin, name="Treatment room cart", kind="cart")
    ketamine = services.create_product(actor=admin, **KETAMINE)
    esketamine = services.create_product(actor=admin, **ESKETAMINE)
    expiry = today + dt.timedelta(days=540)
    lots = {}
    for product, lot_number, containers, invoice in (
        (ketamine, "KET-2418A", KETAMINE_VIALS, "INV-D-1001"),
        (esketamine, "ESK-2417A", ESKETAMINE_PACKS, "INV-D-1002"),
    ):
        lots[product.drug] = services.receive_stock(
            actor=nurse,
            product=product,
            location=safe,
            lot_number=lot_number,
            expires_on=expiry,
            containers=containers,
            invoice=invoice,
            received_on=first,
            now=at(first, 9, 15),
            **SUPPLIER,
        ).lot
    # The initial inventory, at close of business on the first day (21 CFR 1304.11).
    for lot in lots.values():
        services.count_stock(
            actor=admin,
            lot=lot,
            location=safe,
            counted=queries.stock_balance(lot.pk, safe.pk),
            kind="initial",
            timing="close",
            now=at(first, 17, 30),
        )
    # The cart is stocked from the safe the next morning; the sessions draw from the cart.
    stocked = first + dt.timedelta(days=1)
    for lot, containers in ((lots["ketamine"], CART_VIALS), (lots["esketamine"], CART_PACKS)):
        services.transfer_stock(
            actor=nurse,
            lot=lot,
            from_location=safe,
            to_location=cart,
            quantity=lot.product.quantity_per_container * containers,
            reason="Stock the treatment room cart",
            now=at(stocked, 8, 0),
        )
    # That evening's count of the cart is 1 mg of ketamine short: the open discrepancy.
    for lot in lots.values():
        book = queries.stock_balance(lot.pk, cart.pk)
        short = Decimal("1") if lot.product.unit == "mg" else Decimal(0)
        services.count_stock(
            actor=nurse2, lot=lot, location=cart, counted=book - short, now=at(stocked, 17, 45)
        )
    ctx.extra["ledger_cart"] = cart.pk
    ctx.notes.append(
        "Drug ledger: lots KET-2418A and ESK-2417A on the cart, one open count discrepancy; "
        "every dosed demo session is drawn, given, wasted with a witness and closed "
        "(verify: ketaclinic verify_ledger)."
    )
