"""Diversion signals for the compliance officer, each linked to the entries behind it.

What automated dispensing cabinets report (see docs/inventory.md): discrepancies by user, per-user
waste compared with peers (outliers), draws not matched to an administration; plus waste
attempts refused for want of a witness, movements outside clinic hours and esketamine
devices not matched to a session.
"""

import datetime as dt
import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from ketaclinic.core.permissions import require
from ketaclinic.inventory import rules
from ketaclinic.inventory.config import get_config
from ketaclinic.inventory.models import (
    EntryType,
    LedgerEntry,
    RefusedMovement,
    SessionDrugClosure,
)
from ketaclinic.inventory.queries import (
    SESSION_TYPES,
    _from_micro,
    _micro_units,
    reconciliation_deadline,
    session_lot_balances,
)
from ketaclinic.inventory.sessions import session_reader
from ketaclinic.protocols import queries as protocol_queries

MOVEMENT_TYPES = (
    EntryType.RECEIPT,
    EntryType.DRAW,
    EntryType.ADMINISTRATION,
    EntryType.WASTE,
    EntryType.RETURN,
    EntryType.TRANSFER,
    EntryType.DESTRUCTION,
    EntryType.LOSS,
    EntryType.DISTRIBUTION,
)


class SignalKind:
    WASTE_OUTLIER = "waste_outlier"
    DRAW_WITHOUT_ADMINISTRATION = "draw_without_administration"
    UNWITNESSED_WASTE_ATTEMPT = "unwitnessed_waste_attempt"
    REPEATED_DISCREPANCIES = "repeated_discrepancies"
    OUTSIDE_HOURS = "outside_hours"
    DEVICE_NOT_MATCHED = "device_not_matched"
    OVER_DRAW = "over_draw"
    ADMINISTERED_NOT_ORDERED = "administered_not_ordered"
    DRAW_WITHOUT_ORDER = "draw_without_order"
    LATE_RECONCILIATION = "late_reconciliation"
    WITNESS_PAIRING = "witness_pairing"


@dataclass
class Signal:
    kind: str
    title: str
    detail: str
    subject: str
    entry_ids: list[uuid.UUID] = field(default_factory=list)
    refusal_ids: list[uuid.UUID] = field(default_factory=list)


@dataclass
class DiversionReport:
    date_from: dt.date
    date_to: dt.date
    threshold: Decimal
    signals: list[Signal]


def _window(clinic, date_from: dt.date, date_to: dt.date):
    tz = clinic.tz
    start = dt.datetime.combine(date_from, dt.time.min, tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tz)
    return start, end


def _open_weekdays(clinic, default):
    return protocol_queries.open_weekdays(clinic) or default


def diversion_report(
    user, *, date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None
) -> DiversionReport:
    """Every signal in the clinic-local date range."""
    require(user, "ledger.diversion")
    return location_report(user.clinic, date_from=date_from, date_to=date_to, now=now)


def location_report(
    clinic, *, date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None
) -> DiversionReport:
    """The signals of one clinic in its local date range. No permission check: for
    diversion_report above and for the network report, which authorize their reader."""
    now = now or timezone.now()
    config = get_config()
    start, end = _window(clinic, date_from, date_to)
    in_range = LedgerEntry.objects.filter(
        clinic_id=clinic.pk, occurred_at__gte=start, occurred_at__lt=end
    )
    signals: list[Signal] = []
    signals += _waste_outliers(in_range, config)
    signals += _draws_without_administration(clinic, in_range, now - config.draw_grace)
    signals += _unwitnessed_waste(clinic, start, end)
    signals += _repeated_discrepancies(in_range, clinic, config)
    signals += _outside_hours(in_range, clinic, config)
    signals += _devices_not_matched(clinic, in_range, now - config.draw_grace)
    signals += _chain_signals(clinic, in_range, now)
    signals += _witness_pairing(in_range, config)
    return DiversionReport(date_from, date_to, config.robust_z_threshold, signals)


def _waste_outliers(in_range, config) -> list[Signal]:
    """Waste as a share of what the same person drew, against peers (mg products): whoever
    charts the dose, a person who wastes much of what they draw stands out."""
    kinds = (EntryType.DRAW, EntryType.WASTE)
    totals: dict = defaultdict(lambda: dict.fromkeys(kinds, Decimal(0)))
    names = {}
    rows = (
        in_range.filter(entry_type__in=kinds, unit="mg")
        .values("actor_id", "actor_name", "entry_type")
        .annotate(total=Sum(_micro_units("quantity")))
        .order_by()
    )
    for row in rows:
        totals[row["actor_id"]][row["entry_type"]] += _from_micro(row["total"])
        names[row["actor_id"]] = row["actor_name"]
    # Fair to staff who treat more patients: a ratio, not a total.
    ratios = {
        actor: t[EntryType.WASTE] / t[EntryType.DRAW]
        for actor, t in totals.items()
        if t[EntryType.DRAW] > 0
    }
    if not ratios:
        return []
    median = statistics.median(ratios.values())
    signals = []
    for outlier in rules.flag_high_outliers(
        ratios, threshold=config.robust_z_threshold, min_peers=config.diversion_min_peers
    ):
        waste_ids = list(
            in_range.filter(entry_type=EntryType.WASTE, actor_id=outlier.key, unit="mg")
            .order_by("sequence")
            .values_list("id", flat=True)
        )
        signals.append(
            Signal(
                kind=SignalKind.WASTE_OUTLIER,
                title="Wastes more than peers",
                detail=(
                    f"wasted {outlier.value:.0%} of the mg they drew, peers' median "
                    f"{median:.0%}; robust z = {outlier.z:.1f} "
                    f"(threshold {config.robust_z_threshold})"
                ),
                subject=names[outlier.key],
                entry_ids=waste_ids,
            )
        )
    return signals


def _draws_without_administration(clinic, in_range, cutoff) -> list[Signal]:
    administered = LedgerEntry.objects.filter(
        clinic_id=clinic.pk, entry_type=EntryType.ADMINISTRATION, session_id__isnull=False
    ).values_list("session_id", "lot_id")
    draws = in_range.filter(entry_type=EntryType.DRAW, occurred_at__lt=cutoff).order_by("sequence")
    draws = list(
        draws.values("id", "session_id", "lot_id", "actor_name", "sequence", "quantity", "unit")
    )
    if not draws:
        return []
    session_ids = {d["session_id"] for d in draws if d["session_id"]}
    matched = set(administered.filter(session_id__in=session_ids))
    return [
        Signal(
            kind=SignalKind.DRAW_WITHOUT_ADMINISTRATION,
            title="Draw without administration",
            detail=f"entry #{d['sequence']}: {rules.canonical_decimal(d['quantity'])} {d['unit']} "
            "drawn and no administration recorded for that session and lot",
            subject=d["actor_name"],
            entry_ids=[d["id"]],
        )
        for d in draws
        if (d["session_id"], d["lot_id"]) not in matched
    ]


def _unwitnessed_waste(clinic, start, end) -> list[Signal]:
    refused = RefusedMovement.objects.filter(
        clinic_id=clinic.pk,
        entry_type=EntryType.WASTE,
        occurred_at__gte=start,
        occurred_at__lt=end,
    ).select_related("actor")
    by_actor: dict = defaultdict(list)
    for row in refused.order_by("occurred_at"):
        by_actor[row.actor].append(row)
    return [
        Signal(
            kind=SignalKind.UNWITNESSED_WASTE_ATTEMPT,
            title="Waste attempted without a valid witness",
            detail=f"{len(rows)} refused attempt{'s' if len(rows) != 1 else ''}: "
            + "; ".join(sorted({r.reason for r in rows})),
            subject=actor.display_name,
            refusal_ids=[r.pk for r in rows],
        )
        for actor, rows in by_actor.items()
    ]


def _repeated_discrepancies(in_range, clinic, config) -> list[Signal]:
    found = in_range.filter(entry_type=EntryType.DISCREPANCY, data__kind="found").order_by(
        "sequence"
    )
    by_actor: dict = defaultdict(list)
    for entry in found.only("id", "actor_name", "occurred_at", "quantity"):
        by_actor[entry.actor_name].append(entry)
    signals = []
    for name, rows in by_actor.items():
        days = [timezone.localdate(r.occurred_at, clinic.tz) for r in rows]
        if rules.repeated_discrepancies(
            days,
            at_least=config.repeated_discrepancy_count,
            within_days=config.repeated_discrepancy_window_days,
        ):
            signals.append(
                Signal(
                    kind=SignalKind.REPEATED_DISCREPANCIES,
                    title="Repeated count discrepancies",
                    detail=f"{len(rows)} discrepancies found in counts by this user "
                    f"({config.repeated_discrepancy_count} within "
                    f"{config.repeated_discrepancy_window_days} days is the signal)",
                    subject=name,
                    entry_ids=[r.pk for r in rows],
                )
            )
    return signals


def _outside_hours(in_range, clinic, config) -> list[Signal]:
    weekdays = _open_weekdays(clinic, config.clinic_weekdays)
    by_actor: dict = defaultdict(list)
    rows = in_range.filter(entry_type__in=MOVEMENT_TYPES).order_by("sequence")
    for entry_id, name, at in rows.values_list("id", "actor_name", "occurred_at"):
        local = timezone.localtime(at, clinic.tz)
        if rules.outside_hours(local, config.clinic_opens, config.clinic_closes, weekdays):
            by_actor[name].append(entry_id)
    return [
        Signal(
            kind=SignalKind.OUTSIDE_HOURS,
            title="Movements outside clinic hours",
            detail=f"{len(ids)} movement{'s' if len(ids) != 1 else ''} outside "
            f"{config.clinic_opens:%H:%M}-{config.clinic_closes:%H:%M} on open days",
            subject=name,
            entry_ids=ids,
        )
        for name, ids in by_actor.items()
    ]


def _devices_not_matched(clinic, in_range, cutoff) -> list[Signal]:
    signals = []
    draws = list(
        in_range.filter(entry_type=EntryType.DRAW, unit="device", occurred_at__lt=cutoff).order_by(
            "sequence"
        )
    )
    balances = session_lot_balances(clinic.pk, {d.session_id for d in draws if d.session_id})
    for draw in draws:
        if draw.session_id is None:
            why = "drawn without a treatment session"
        else:
            balance = balances[(draw.session_id, draw.lot_id)]
            if balance.balanced:
                continue
            missing = rules.canonical_decimal(balance.in_hand)
            why = f"{missing} device(s) of the session unaccounted for"
        signals.append(
            Signal(
                kind=SignalKind.DEVICE_NOT_MATCHED,
                title="Esketamine devices not matched to a session",
                detail=f"entry #{draw.sequence}: {why}",
                subject=draw.actor_name,
                entry_ids=[draw.pk],
            )
        )
    return signals


# --- the chain: order, draw, administration, closing ----------------------------------------


def _q(value: Decimal, unit: str) -> str:
    return rules.describe_quantity(value, unit)


def _chain_signals(clinic, in_range, now) -> list[Signal]:
    """Signals that compare the ledger with the signed order of each session drawn for."""
    draws = list(
        in_range.filter(entry_type=EntryType.DRAW, session_id__isnull=False).order_by("sequence")
    )
    if not draws:
        return []
    facts = {f.id: f for f in session_reader().of_ids_at(clinic.pk, {d.session_id for d in draws})}
    entries: dict = defaultdict(list)
    for entry in (
        LedgerEntry.objects.filter(
            clinic_id=clinic.pk, session_id__in=list(facts), entry_type__in=SESSION_TYPES
        )
        .select_related("lot__product")
        .order_by("sequence")
    ):
        entries[entry.session_id].append(entry)
    closures = {
        c.session_id: c
        for c in SessionDrugClosure.objects.filter(clinic_id=clinic.pk, session_id__in=list(facts))
    }
    signals: list[Signal] = []
    tz = clinic.tz
    for draw in draws:
        session = facts.get(draw.session_id)
        if session is None:
            continue
        if session.order_signed_at is None or session.order_signed_at > draw.occurred_at:
            signals.append(
                Signal(
                    kind=SignalKind.DRAW_WITHOUT_ORDER,
                    title="Draw without a signed order",
                    detail=f"entry #{draw.sequence}: {_q(draw.quantity, draw.unit)} drawn for "
                    f"{session.patient_name} (session {session.number}) "
                    + (
                        "with no signed dose order"
                        if session.order_signed_at is None
                        else "before the dose order was signed"
                    ),
                    subject=draw.actor_name,
                    entry_ids=[draw.pk],
                )
            )
    for session_id in sorted(facts, key=lambda k: entries[k][0].sequence if entries[k] else 0):
        session = facts[session_id]
        rows = entries[session_id]
        if not rows:
            continue
        signals += _against_order(session, rows, closures.get(session_id), now)
        first_draw = next((e for e in rows if e.entry_type == EntryType.DRAW), rows[0])
        deadline = reconciliation_deadline(session, first_draw.occurred_at, tz)
        closure = closures.get(session_id)
        closed_at = closure.closed_at if closure else None
        if (closed_at or now) > deadline:
            when = (
                f"closed {timezone.localtime(closed_at, tz):%Y-%m-%d %H:%M}"
                if closed_at
                else "still open"
            )
            signals.append(
                Signal(
                    kind=SignalKind.LATE_RECONCILIATION,
                    title="Drug record not closed by the end of the clinic day",
                    detail=f"{session.patient_name} (session {session.number}, "
                    f"{session.scheduled_date:%Y-%m-%d}): {when}",
                    subject=first_draw.actor_name,
                    entry_ids=[e.pk for e in rows],
                )
            )
    return signals


def _against_order(session, rows, closure, now) -> list[Signal]:
    """Over-draw and administered != ordered, for a session with a signed order."""
    if session.ordered_mg is None:
        return []
    signals = []
    draws = [e for e in rows if e.entry_type == EntryType.DRAW]
    by_unit: dict = defaultdict(list)
    for e in rows:
        by_unit[e.unit].append(e)
    for unit, unit_rows in by_unit.items():
        product = unit_rows[0].lot.product
        allowance = rules.draw_allowance(session.ordered_mg, unit, product.concentration)
        net = sum(
            (e.quantity for e in unit_rows if e.entry_type == EntryType.DRAW), Decimal(0)
        ) - sum((e.quantity for e in unit_rows if e.entry_type == EntryType.RETURN), Decimal(0))
        if net > allowance:
            unit_draws = [e for e in draws if e.unit == unit]
            reasons = "; ".join(dict.fromkeys(e.reason for e in unit_draws if e.reason))
            signals.append(
                Signal(
                    kind=SignalKind.OVER_DRAW,
                    title="Drew more than the order",
                    detail=f"{session.patient_name} (session {session.number}): "
                    f"{_q(net, unit)} drawn for an order of "
                    f"{_q(session.ordered_mg, 'mg')} (up to {_q(allowance, unit)} with the "
                    "container size)" + (f"; reason given: {reasons}" if reasons else ""),
                    subject=unit_draws[0].actor_name if unit_draws else "",
                    entry_ids=[e.pk for e in unit_draws],
                )
            )
    finished = closure is not None or session.ended_by(now)
    if not finished:
        return signals
    given = [e for e in rows if e.entry_type == EntryType.ADMINISTRATION]
    given_mg = sum(
        (rules.administered_mg(e.quantity, e.unit, e.lot.product.concentration) for e in given),
        Decimal(0),
    )
    if given_mg != session.ordered_mg:
        signals.append(
            Signal(
                kind=SignalKind.ADMINISTERED_NOT_ORDERED,
                title="Administered differs from the order",
                detail=f"{session.patient_name} (session {session.number}): "
                f"{_q(given_mg, 'mg')} administered, {_q(session.ordered_mg, 'mg')} ordered",
                subject=(given or draws or rows)[0].actor_name,
                entry_ids=[e.pk for e in (given or draws)],
            )
        )
    return signals


def _witness_pairing(in_range, config) -> list[Signal]:
    """Staff whose witnessed wastes all have the same witness, though others witness too."""
    wastes = list(
        in_range.filter(entry_type=EntryType.WASTE, witness_id__isnull=False)
        .order_by("sequence")
        .values("id", "actor_id", "actor_name", "witness_id", "witness_name")
    )
    if len({w["witness_id"] for w in wastes}) < 2:
        return []
    by_actor: dict = defaultdict(list)
    for w in wastes:
        by_actor[w["actor_id"]].append(w)
    signals = []
    for rows in by_actor.values():
        witnesses = {w["witness_id"] for w in rows}
        if len(rows) >= config.witness_pair_min_acts and len(witnesses) == 1:
            signals.append(
                Signal(
                    kind=SignalKind.WITNESS_PAIRING,
                    title="Always the same witness",
                    detail=f"all {len(rows)} wastes witnessed by {rows[0]['witness_name']}, "
                    "while other staff witness for the rest of the team",
                    subject=rows[0]["actor_name"],
                    entry_ids=[w["id"] for w in rows],
                )
            )
    return signals
