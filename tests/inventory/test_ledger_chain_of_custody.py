"""The signed order drives the ledger: draws against the order, waste before closing, and
the diversion signals of the chain, each built on seeded entries and naming them."""

import datetime as dt
from decimal import Decimal

import pytest

from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.core.permissions import Role
from ketaclinic.inventory import queries, reports, services
from ketaclinic.inventory.diversion import SignalKind, diversion_report
from ketaclinic.inventory.models import EntryType, LedgerEntry
from tests.factories import make_user

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


def report(user, now):
    return diversion_report(user, date_from=DAY, date_to=DAY + dt.timedelta(days=6), now=now)


def kinds(signals, kind):
    return [s for s in signals if s.kind == kind]


# --- through the API ---------------------------------------------------------------------------


def test_a_draw_above_the_order_needs_a_reason_and_then_shows_as_a_diversion_signal(
    api, nurse, auditor, ketamine_lot, safe, make_session, patient
):
    # given a signed order of 45 mg (50 mg/mL: one whole mL, 50 mg, is what the syringe forces)
    session = make_session(patient, ordered_mg="45")
    draw = {"session_id": str(session.pk), "lot_id": str(ketamine_lot.pk)}
    draw["location_id"] = str(safe.pk)

    # when the nurse draws 100 mg without a reason: 422 naming the field, nothing written
    answer = api(nurse).post("/ledger/draws", draw | {"quantity": "100"})
    assert answer.status_code == 422
    assert "reason" in answer.json()["fields"]
    assert not LedgerEntry.objects.filter(entry_type=EntryType.DRAW).exists()
    # the allowance itself needs no reason
    assert api(nurse).post("/ledger/draws", draw | {"quantity": "50"}).status_code == 201

    # with a reason it is recorded, the order it exceeded kept on the entry
    answer = api(nurse).post(
        "/ledger/draws", draw | {"quantity": "50", "reason": "first syringe contaminated"}
    )
    assert answer.status_code == 201
    over = LedgerEntry.objects.get(pk=answer.json()["id"])
    assert over.data["over_draw"] == "50"

    # and GET /ledger/diversion lists the over-draw, naming both draws
    signals = api(auditor).get("/ledger/diversion").json()["signals"]
    found = [s for s in signals if s["kind"] == "over_draw"]
    assert len(found) == 1
    first = LedgerEntry.objects.filter(entry_type=EntryType.DRAW).order_by("sequence").first()
    assert found[0]["entry_ids"] == [str(first.pk), str(over.pk)]
    assert "first syringe contaminated" in found[0]["detail"]


def test_administered_not_ordered_is_listed_once_the_record_is_closed(
    api, nurse, nurse2, auditor, ketamine_lot, safe, make_session, patient, witness_of
):
    session = make_session(patient, ordered_mg="50")
    base = {"session_id": str(session.pk)}
    n = api(nurse)
    n.post(
        "/ledger/draws",
        base | {"lot_id": str(ketamine_lot.pk), "location_id": str(safe.pk), "quantity": "50"},
    )
    given = n.post("/ledger/administrations", base | {"quantity": "30"}).json()
    witness = {"username": nurse2.username, "password": witness_of(nurse2).password}
    waste = base | {"quantity": "20", "method": "into disposal container", "witness": witness}
    assert n.post("/ledger/wastes", waste).status_code == 201
    assert n.post(f"/ledger/sessions/{session.pk}/close").status_code == 201

    signals = api(auditor).get("/ledger/diversion").json()["signals"]

    found = [s for s in signals if s["kind"] == "administered_not_ordered"]
    assert [s["entry_ids"] for s in found] == [[given["id"]]]
    assert "30 mg administered, 50 mg ordered" in found[0]["detail"]


# --- the chain's rules -------------------------------------------------------------------------


def test_the_record_closes_only_once_the_difference_is_wasted_with_a_witness(
    nurse, nurse2, ketamine_lot, safe, make_session, patient, witness_of, at
):
    session = make_session(patient, ordered_mg="40")
    services.draw_for_session(
        actor=nurse, session=session, lot=ketamine_lot, location=safe, quantity="50", now=at()
    )
    # administered never exceeds drawn
    with pytest.raises(Conflict):
        services.administer(actor=nurse, session=session, quantity="60", now=at(minutes=5))
    services.administer(actor=nurse, session=session, quantity="40", now=at(minutes=5))
    with pytest.raises(Conflict) as refused:
        services.close_session_drug_record(actor=nurse, session=session, now=at(minutes=10))
    assert refused.value.code == "unbalanced"
    # a waste without a witness's credential is refused; with one it is recorded
    with pytest.raises(InvalidInput):
        services.record_waste(
            actor=nurse, session=session, quantity="10", method="sink", witness=None
        )
    services.record_waste(
        actor=nurse,
        session=session,
        quantity="10",
        method="into disposal container",
        witness=witness_of(nurse2),
        now=at(minutes=12),
    )
    closure = services.close_session_drug_record(actor=nurse, session=session, now=at(minutes=15))
    assert (closure.drawn, closure.administered, closure.wasted) == (
        Decimal("50"),
        Decimal("40"),
        Decimal("10"),
    )


def test_esketamine_draws_whole_devices_and_an_unused_one_goes_back(
    receive, esketamine, safe, make_session, patient, nurse, at
):
    lot = receive(esketamine, safe, containers=2, lot_number="E1").lot
    session = make_session(patient, protocol="esketamine_trd", ordered_mg="56")
    with pytest.raises(InvalidInput):
        services.draw_for_session(
            actor=nurse, session=session, lot=lot, location=safe, quantity="1.5", now=at()
        )
    # three devices for an order of two needs a reason
    with pytest.raises(InvalidInput) as refused:
        services.draw_for_session(
            actor=nurse, session=session, lot=lot, location=safe, quantity=3, now=at()
        )
    assert "reason" in refused.value.fields
    services.draw_for_session(
        actor=nurse, session=session, lot=lot, location=safe, quantity=2, now=at()
    )
    services.administer(actor=nurse, session=session, quantity=1, now=at(minutes=5))
    # the unused device is never silently dropped: the record does not close
    with pytest.raises(Conflict):
        services.close_session_drug_record(actor=nurse, session=session, now=at(minutes=30))
    services.return_to_stock(
        actor=nurse, session=session, quantity=1, location=safe, now=at(minutes=31)
    )
    services.close_session_drug_record(actor=nurse, session=session, now=at(minutes=32))
    assert queries.stock_balance(lot.pk, safe.pk) == Decimal("5")


# --- diversion signals on seeded data ----------------------------------------------------------


def test_a_draw_without_a_signed_order_is_a_signal(
    ketamine_lot, safe, make_session, patient, nurse, auditor, at
):
    unordered = make_session(patient)
    late_order = make_session(patient, ordered_mg="50", signed_at=at(hours=1))
    first = services.draw_for_session(
        actor=nurse, session=unordered, lot=ketamine_lot, location=safe, quantity="50", now=at()
    )
    second = services.draw_for_session(
        actor=nurse, session=late_order, lot=ketamine_lot, location=safe, quantity="50", now=at()
    )

    signals = kinds(report(auditor, now=at(hours=2)).signals, SignalKind.DRAW_WITHOUT_ORDER)

    assert [s.entry_ids for s in signals] == [[first.pk], [second.pk]]
    assert "with no signed dose order" in signals[0].detail
    assert "before the dose order was signed" in signals[1].detail


def test_a_record_left_open_past_the_clinic_day_is_late_and_on_the_open_list(
    ketamine_lot, safe, make_session, make_patient, nurse, auditor, at
):
    on_time = make_session(make_patient(given="On"), ordered_mg="50")
    late = make_session(make_patient(given="Late"), ordered_mg="50")
    for session in (on_time, late):
        services.draw_for_session(
            actor=nurse, session=session, lot=ketamine_lot, location=safe, quantity="50", now=at()
        )
        services.administer(actor=nurse, session=session, quantity="50", now=at(minutes=5))
    services.close_session_drug_record(actor=nurse, session=on_time, now=at(hours=2))

    # during the day nothing is late
    assert kinds(report(auditor, now=at(hours=3)).signals, SignalKind.LATE_RECONCILIATION) == []
    assert queries.unreconciled_sessions(nurse, now=at(hours=3)) == []
    # the next morning the open one is, naming its entries
    signals = kinds(report(auditor, now=at(days=1)).signals, SignalKind.LATE_RECONCILIATION)
    late_ids = list(LedgerEntry.objects.filter(session=late).values_list("id", flat=True))
    assert [(s.entry_ids, "still open" in s.detail) for s in signals] == [(late_ids, True)]
    assert [u.session.id for u in queries.unreconciled_sessions(nurse, now=at(days=1))] == [late.pk]
    # closed the next day, it stays a late reconciliation
    services.close_session_drug_record(actor=nurse, session=late, now=at(days=1))
    signals = kinds(report(auditor, now=at(days=2)).signals, SignalKind.LATE_RECONCILIATION)
    assert [s.entry_ids for s in signals] == [late_ids]
    assert queries.unreconciled_sessions(nurse, now=at(days=2)) == []


def test_a_nurse_whose_wastes_always_have_the_same_witness_is_a_signal(
    clinic, receive, ketamine, safe, make_session, make_patient, witness_of, auditor, at
):
    lot = receive(ketamine, safe, containers=4).lot
    team = {n: make_user(clinic, n, Role.NURSE, first_name=n.upper()) for n in "abcd"}
    # a always pairs with b; c and d witness for each other and for b, in turns
    pairs = [("a", "b")] * 5 + [("c", "d"), ("d", "c"), ("b", "c"), ("c", "b"), ("d", "b")]
    wastes = {}
    for i, (actor, witness) in enumerate(pairs):
        session = make_session(make_patient(given=f"P{i}"), ordered_mg="45")
        start = at(hours=i % 8, days=i // 8)
        kw = {"actor": team[actor], "session": session}
        services.draw_for_session(**kw, lot=lot, location=safe, quantity="50", now=start)
        services.administer(**kw, quantity="45", now=start + dt.timedelta(minutes=5))
        wastes.setdefault(actor, []).append(
            services.record_waste(
                **kw,
                quantity="5",
                method="into disposal container",
                witness=witness_of(team[witness]),
                now=start + dt.timedelta(minutes=6),
            ).pk
        )

    signals = kinds(report(auditor, now=at(days=3)).signals, SignalKind.WITNESS_PAIRING)

    assert [(s.subject, s.entry_ids) for s in signals] == [("A", wastes["a"])]
    assert "all 5 wastes witnessed by B" in signals[0].detail


def test_a_record_left_open_shows_on_the_work_queue_and_in_the_dea_report(
    web, ketamine_lot, safe, make_session, make_patient, nurse, auditor, front_desk, at
):
    # given a session drawn for on 2 March whose record was never closed
    session = make_session(make_patient(given="Open", family="Record"), ordered_mg="50")
    services.draw_for_session(
        actor=nurse, session=session, lot=ketamine_lot, location=safe, quantity="50", now=at()
    )

    # then the nurse's and the compliance officer's home pages list it, linked to the record
    for user in (nurse, auditor):
        page = web(user).get("/").content.decode()
        assert "Drug record of Open Record not closed" in page
        assert f"/ledger/sessions/{session.pk}/" in page
        assert "50 mg drawn and not accounted for" in page
    # (the front desk does not handle controlled substances)
    assert "not closed" not in web(front_desk).get("/").content.decode()
    # and the DEA report of open session records has it, with the draw's ledger entry
    built = reports.build_report(auditor, "open_sessions", DAY, DAY)
    assert [
        (r["patient"], r["drawn"], r["unaccounted"], r["entry_sequences"]) for r in built.rows
    ] == [("Open Record", "50", "50", "2")]
