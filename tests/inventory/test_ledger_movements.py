"""Each ledger movement through its service: what is recorded, balances, and refusals."""

import datetime as dt
from decimal import Decimal

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from ketaclinic.inventory import queries, services
from ketaclinic.inventory.models import EntryType, LedgerEntry, RefusedMovement
from ketaclinic.inventory.witness import WitnessCredentials

pytestmark = pytest.mark.django_db
D = Decimal


def balance(lot, location):
    return queries.stock_balance(lot.pk, location.pk)


def test_a_receipt_adds_whole_containers_and_keeps_the_supplier_record(
    receive, ketamine, safe, nurse
):
    # when two 10 mL vials of 50 mg/mL arrive
    entry = receive(ketamine, safe, containers=2)
    # then 1000 mg is in the safe, with the supplier's name, address and DEA number
    assert entry.entry_type == EntryType.RECEIPT
    assert entry.quantity == D("1000")
    assert balance(entry.lot, safe) == D("1000")
    assert entry.data["supplier_dea"] == "RA0000000"
    assert entry.data["containers"] == 2
    assert entry.actor == nurse
    assert AuditEvent.objects.filter(action="ledger.receipt", object_id=str(entry.pk)).exists()


def test_a_second_receipt_of_a_lot_with_another_expiry_is_refused(receive, ketamine, safe, nurse):
    receive(ketamine, safe)
    with pytest.raises(InvalidInput) as exc:
        services.receive_stock(
            actor=nurse,
            product=ketamine,
            location=safe,
            lot_number="K100",
            expires_on=dt.date(2028, 1, 1),
            containers=1,
            supplier_name="Acme",
            supplier_address="1 Way",
            supplier_dea="RA0000000",
        )
    assert "expires_on" in exc.value.fields


def test_a_draw_for_a_session_takes_stock_and_names_the_patient(
    ketamine_lot, safe, session, nurse, at
):
    # when the nurse draws 36.5 mg for a session
    entry = services.draw_for_session(
        actor=nurse, session=session, lot=ketamine_lot, location=safe, quantity="36.5", now=at()
    )
    # then the safe holds 963.5 mg and the draw names session and patient
    assert balance(ketamine_lot, safe) == D("963.5")
    assert entry.stock_delta == D("-36.5")
    assert entry.session == session
    assert entry.patient == session.patient


def test_a_draw_larger_than_the_stock_is_refused_and_records_nothing(
    ketamine_lot, safe, session, nurse
):
    # given 1000 mg in the safe
    # when 1000.001 mg is drawn
    with pytest.raises(Conflict) as exc:
        services.draw_for_session(
            actor=nurse, session=session, lot=ketamine_lot, location=safe, quantity="1000.001"
        )
    # then the draw is refused with what is on hand, and nothing was recorded
    assert "1000 mg on hand" in exc.value.message
    assert not LedgerEntry.objects.filter(entry_type=EntryType.DRAW).exists()
    assert balance(ketamine_lot, safe) == D("1000")


def test_a_draw_from_a_location_without_that_lot_is_refused(ketamine_lot, cart, session, nurse):
    with pytest.raises(Conflict):
        services.draw_for_session(
            actor=nurse, session=session, lot=ketamine_lot, location=cart, quantity="10"
        )


def test_esketamine_cannot_be_drawn_for_an_iv_ketamine_session(
    receive, esketamine, safe, session, nurse
):
    lot = receive(esketamine, safe, containers=1, lot_number="E1").lot
    with pytest.raises(InvalidInput) as exc:
        services.draw_for_session(actor=nurse, session=session, lot=lot, location=safe, quantity=2)
    assert "ketamine" in exc.value.message


def test_a_discharged_session_cannot_get_new_draws(
    ketamine_lot, safe, make_session, patient, nurse
):
    done = make_session(patient, status="discharged")
    with pytest.raises(Conflict):
        services.draw_for_session(
            actor=nurse, session=done, lot=ketamine_lot, location=safe, quantity="10"
        )


@pytest.fixture
def drawn(ketamine_lot, safe, session, nurse, at):
    """50 mg drawn for the session."""
    return services.draw_for_session(
        actor=nurse, session=session, lot=ketamine_lot, location=safe, quantity="50", now=at()
    )


def test_administration_waste_and_return_balance_the_session(
    drawn, session, nurse, nurse2, safe, witness_of, at
):
    # given 50 mg drawn
    # when 36.5 mg is given, 10 mg wasted with a witness and 3.5 mg returned
    services.administer(actor=nurse, session=session, quantity="36.5", now=at(minutes=5))
    waste = services.record_waste(
        actor=nurse,
        session=session,
        quantity="10",
        method="syringe emptied into drug disposal container",
        witness=witness_of(nurse2),
        now=at(minutes=50),
    )
    services.return_to_stock(
        actor=nurse, session=session, quantity="3.5", location=safe, now=at(minutes=55)
    )
    # then the session balances and the witness is on the waste entry
    record = queries.session_drug_balance(session)
    assert record.balanced
    assert (record.drawn, record.administered, record.wasted, record.returned) == (
        D("50"),
        D("36.5"),
        D("10"),
        D("3.5"),
    )
    assert waste.witness == nurse2
    assert waste.related_entry == drawn
    assert balance(drawn.lot, safe) == D("953.5")


def test_administering_more_than_was_drawn_is_refused(drawn, session, nurse):
    with pytest.raises(Conflict) as exc:
        services.administer(actor=nurse, session=session, quantity="50.5")
    assert "50 mg drawn and not yet accounted for" in exc.value.message


def test_waste_without_a_witness_is_refused_and_the_attempt_is_kept(drawn, session, nurse):
    # when the nurse records waste with nobody witnessing
    with pytest.raises(InvalidInput) as exc:
        services.record_waste(
            actor=nurse, session=session, quantity="10", method="sink", witness=None
        )
    # then it is refused, nothing is wasted, and the refused attempt is on record
    assert "witness" in exc.value.fields
    assert not LedgerEntry.objects.filter(entry_type=EntryType.WASTE).exists()
    refused = RefusedMovement.objects.get()
    assert refused.actor == nurse and refused.entry_type == EntryType.WASTE


def test_the_actor_cannot_witness_their_own_waste(drawn, session, nurse, witness_of):
    with pytest.raises(InvalidInput) as exc:
        services.record_waste(
            actor=nurse, session=session, quantity="10", method="sink", witness=witness_of(nurse)
        )
    assert "cannot be the actor" in exc.value.message
    assert not LedgerEntry.objects.filter(entry_type=EntryType.WASTE).exists()


def test_a_witness_with_a_wrong_password_is_refused(drawn, session, nurse, nurse2, witness_of):
    with pytest.raises(InvalidInput) as exc:
        services.record_waste(
            actor=nurse,
            session=session,
            quantity="10",
            method="sink",
            witness=witness_of(nurse2, password="not-their-password"),
        )
    assert "not correct" in exc.value.message
    assert RefusedMovement.objects.filter(witness_username=nurse2.username).exists()


def test_a_witness_may_sign_with_their_own_api_token(drawn, session, nurse, nurse2):
    from ketaclinic.accounts.services import create_api_token

    _, token = create_api_token(actor=None, user=nurse2, name="badge")
    entry = services.record_waste(
        actor=nurse,
        session=session,
        quantity="10",
        method="sink",
        witness=WitnessCredentials(token=token),
    )
    assert entry.witness == nurse2


@pytest.mark.parametrize("who", ["front_desk", "auditor", "outsider"])
def test_only_licensed_staff_of_the_clinic_can_witness_waste(
    request, who, drawn, session, nurse, witness_of
):
    witness = request.getfixturevalue(who)
    with pytest.raises(InvalidInput):
        services.record_waste(
            actor=nurse, session=session, quantity="10", method="sink", witness=witness_of(witness)
        )


def test_a_closed_session_refuses_further_movements(drawn, session, nurse, at):
    services.administer(actor=nurse, session=session, quantity="50", now=at(minutes=5))
    services.close_session_drug_record(actor=nurse, session=session)
    with pytest.raises(Conflict):
        services.administer(actor=nurse, session=session, quantity="1")


def test_an_open_session_with_nothing_drawn_keeps_its_drug_record_open(
    ketamine_lot, safe, session, nurse, make_session, patient, at
):
    # closing before the draw is refused, so the dose can still be drawn
    with pytest.raises(Conflict) as refused:
        services.close_session_drug_record(actor=nurse, session=session, now=at())
    assert refused.value.code == "nothing_drawn"
    services.draw_for_session(
        actor=nurse, session=session, lot=ketamine_lot, location=safe, quantity="50", now=at()
    )
    # a session that ended before any draw closes with nothing to account for
    aborted = make_session(patient, status="aborted")
    closure = services.close_session_drug_record(actor=nurse, session=aborted, now=at())
    assert closure.drawn == 0


def test_an_unbalanced_session_cannot_be_closed(drawn, session, nurse):
    services.administer(actor=nurse, session=session, quantity="40")
    with pytest.raises(Conflict) as exc:
        services.close_session_drug_record(actor=nurse, session=session)
    assert "10 mg not accounted for" in exc.value.message
    assert not queries.session_drug_balance(session).closed


def test_a_transfer_moves_stock_between_locations(ketamine_lot, safe, cart, nurse):
    services.transfer_stock(
        actor=nurse, lot=ketamine_lot, from_location=safe, to_location=cart, quantity="500"
    )
    assert balance(ketamine_lot, safe) == D("500")
    assert balance(ketamine_lot, cart) == D("500")


def test_a_transfer_of_more_than_the_source_holds_is_refused(ketamine_lot, safe, cart, nurse):
    with pytest.raises(Conflict):
        services.transfer_stock(
            actor=nurse, lot=ketamine_lot, from_location=safe, to_location=cart, quantity="1001"
        )


def test_a_matching_count_opens_no_discrepancy(ketamine_lot, safe, nurse):
    outcome = services.count_stock(actor=nurse, lot=ketamine_lot, location=safe, counted="1000")
    assert outcome.discrepancy is None
    assert outcome.count.data["expected"] == "1000"


def test_a_short_count_opens_a_discrepancy_that_adjusts_the_book(ketamine_lot, safe, nurse):
    # when the safe holds 999.5 mg but the book says 1000
    outcome = services.count_stock(actor=nurse, lot=ketamine_lot, location=safe, counted="999.5")
    # then a discrepancy of -0.5 mg is open and the balance follows the count
    assert outcome.discrepancy.quantity == D("-0.5")
    assert balance(ketamine_lot, safe) == D("999.5")
    assert list(queries.open_discrepancies(nurse)) == [outcome.discrepancy]


def test_a_count_that_claims_a_different_expected_quantity_is_refused(ketamine_lot, safe, nurse):
    # when the counter says 990 were expected and 990 counted (hiding a 10 mg difference)
    with pytest.raises(InvalidInput) as exc:
        services.count_stock(
            actor=nurse, lot=ketamine_lot, location=safe, counted="990", expected="990"
        )
    # then the count is refused and nothing is recorded
    assert "ledger expects 1000" in exc.value.message
    assert not LedgerEntry.objects.filter(entry_type=EntryType.COUNT).exists()


def test_an_empty_shelf_counts_as_zero(ketamine_lot, cart, nurse):
    outcome = services.count_stock(actor=nurse, lot=ketamine_lot, location=cart, counted="0")
    assert outcome.discrepancy is None


def test_a_clinic_admin_resolves_a_discrepancy_with_a_reason(
    ketamine_lot, safe, nurse, clinic_admin
):
    found = services.count_stock(
        actor=nurse, lot=ketamine_lot, location=safe, counted="990"
    ).discrepancy
    # a nurse may not resolve it
    with pytest.raises(Forbidden):
        services.resolve_discrepancy(actor=nurse, discrepancy=found, reason="recount")
    # the clinic admin resolves it; it is no longer open and cannot be resolved twice
    services.resolve_discrepancy(
        actor=clinic_admin, discrepancy=found, reason="Spill documented on incident form 12"
    )
    assert list(queries.open_discrepancies(nurse)) == []
    with pytest.raises(Conflict):
        services.resolve_discrepancy(actor=clinic_admin, discrepancy=found, reason="again")


def test_destruction_needs_two_witnesses_and_records_form_41_data(
    ketamine_lot, safe, prescriber, nurse, nurse2, witness_of
):
    with pytest.raises(InvalidInput):
        services.destroy_stock(
            actor=prescriber,
            lot=ketamine_lot,
            location=safe,
            quantity="500",
            method="reverse distributor",
            reason="expired",
            witnesses=[witness_of(nurse)],
        )
    entry = services.destroy_stock(
        actor=prescriber,
        lot=ketamine_lot,
        location=safe,
        quantity="500",
        method="reverse distributor",
        reason="expired",
        witnesses=[witness_of(nurse), witness_of(nurse2)],
    )
    assert (entry.witness, entry.second_witness) == (nurse, nurse2)
    assert entry.data["form_41"]["ndc"] == "00000-0050-10"
    assert entry.data["form_41"]["containers"] == "1"
    assert balance(ketamine_lot, safe) == D("500")


def test_a_loss_tracks_the_dea_notice_and_form_106_deadlines(ketamine_lot, safe, prescriber, at):
    # given a loss discovered on Friday 2026-03-06
    entry = services.record_loss(
        actor=prescriber,
        lot=ketamine_lot,
        location=safe,
        quantity="500",
        loss_type="theft",
        discovered_on=dt.date(2026, 3, 6),
        circumstances="Safe found open on arrival",
        now=at(days=4),
    )
    # then notice is due Monday and Form 106 within 45 days; stock is reduced
    assert entry.data["notice_due"] == "2026-03-09"
    assert entry.data["form_106_due"] == "2026-04-20"
    assert balance(ketamine_lot, safe) == D("500")
    filing = services.record_loss_filing(
        actor=prescriber, loss=entry, kind="notice", filed_on=dt.date(2026, 3, 9)
    )
    assert filing.loss == entry


def test_a_loss_found_by_a_count_does_not_take_the_stock_off_twice(
    ketamine_lot, safe, nurse, prescriber, at
):
    found = services.count_stock(
        actor=nurse, lot=ketamine_lot, location=safe, counted="900", now=at()
    ).discrepancy
    services.record_loss(
        actor=prescriber,
        lot=ketamine_lot,
        location=safe,
        quantity="100",
        loss_type="significant_loss",
        discovered_on=dt.date(2026, 3, 2),
        circumstances="Vial missing at count",
        discrepancy=found,
        now=at(hours=1),
    )
    assert balance(ketamine_lot, safe) == D("900")


def test_a_discrepancy_is_reported_as_lost_once_and_where_it_was_found(
    ketamine_lot, safe, cart, nurse, prescriber, at
):
    # given a count that found 100 mg missing in the safe
    found = services.count_stock(
        actor=nurse, lot=ketamine_lot, location=safe, counted="900", now=at()
    ).discrepancy
    loss = {
        "actor": prescriber,
        "lot": ketamine_lot,
        "loss_type": "theft",
        "discovered_on": dt.date(2026, 3, 2),
        "circumstances": "Vial missing at count",
        "discrepancy": found,
        "now": at(hours=1),
    }
    # a loss at another location is not the one the count found
    with pytest.raises(InvalidInput) as elsewhere:
        services.record_loss(**loss, location=cart, quantity="100")
    assert "location" in elsewhere.value.fields
    # 60 mg reported, then the other 40 mg; nothing more of the same 100 mg
    services.record_loss(**loss, location=safe, quantity="60")
    services.record_loss(**loss, location=safe, quantity="40")
    with pytest.raises(InvalidInput) as twice:
        services.record_loss(**loss, location=safe, quantity="1")
    assert twice.value.fields == {"quantity": "at most 0.000"}
    assert LedgerEntry.objects.filter(entry_type=EntryType.LOSS).count() == 2
    assert balance(ketamine_lot, safe) == D("900")


def test_esketamine_is_counted_in_whole_devices(
    receive, esketamine, safe, make_session, patient, nurse
):
    lot = receive(esketamine, safe, containers=2, lot_number="E7").lot
    session = make_session(patient, protocol="esketamine_trd")
    assert balance(lot, safe) == D("6")
    with pytest.raises(InvalidInput):
        services.draw_for_session(
            actor=nurse, session=session, lot=lot, location=safe, quantity="1.5"
        )
    services.draw_for_session(actor=nurse, session=session, lot=lot, location=safe, quantity=3)
    services.administer(actor=nurse, session=session, quantity=3)
    assert queries.session_drug_balance(session).balanced
    assert balance(lot, safe) == D("3")


def test_front_desk_cannot_record_any_movement(ketamine_lot, safe, session, front_desk):
    with pytest.raises(Forbidden):
        services.draw_for_session(
            actor=front_desk, session=session, lot=ketamine_lot, location=safe, quantity="1"
        )


def test_another_clinics_lot_is_not_found(ketamine_lot, safe, outsider):
    with pytest.raises((NotFound, InvalidInput)):
        services.count_stock(actor=outsider, lot=ketamine_lot, location=safe, counted="1")


def test_entries_cannot_be_changed_or_deleted_through_the_orm(ketamine_lot):
    from ketaclinic.inventory.models import AppendOnlyError

    entry = LedgerEntry.objects.first()
    entry.quantity = D("1")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(quantity=D("1"))
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()


def test_balances_are_exact_after_a_long_mixed_sequence(
    ketamine_lot, safe, cart, make_session, make_patient, nurse, nurse2, witness_of, at
):
    # given 1000 mg, half moved to the cart, and ten sessions drawing 33.3 mg each
    services.transfer_stock(
        actor=nurse, lot=ketamine_lot, from_location=safe, to_location=cart, quantity="500"
    )
    for i in range(10):
        s = make_session(make_patient(given=f"P{i}"))
        services.draw_for_session(
            actor=nurse, session=s, lot=ketamine_lot, location=cart, quantity="33.3", now=at()
        )
        services.administer(actor=nurse, session=s, quantity="30.1", now=at(minutes=5))
        services.record_waste(
            actor=nurse,
            session=s,
            quantity="3.2",
            method="sink",
            witness=witness_of(nurse2),
            now=at(minutes=40),
        )
    # then the cart holds exactly 500 - 333 mg and the safe 500 mg
    assert balance(ketamine_lot, cart) == D("167")
    assert balance(ketamine_lot, safe) == D("500")
    rows = {(r.location.name, r.quantity) for r in queries.balances(nurse)}
    assert rows == {("Main safe", D("500")), ("Room 2 cart", D("167"))}
