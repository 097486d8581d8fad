"""Fifty nurses drawing from one lot at the same moment, on real threads and connections."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.core.permissions import Role
from ketaclinic.inventory import queries, services
from ketaclinic.inventory.models import EntryType, LedgerEntry
from tests.factories import make_user

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite's test database is not shared between threads, and "
        "the row lock (SELECT ... FOR UPDATE) under test only exists on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]

DRAWS = 50


def test_fifty_concurrent_draws_leave_the_exact_balance_and_a_valid_chain(
    receive, ketamine, safe, make_session, make_patient, nurse
):
    # given one 500 mg vial and five sessions
    lot = receive(ketamine, safe, containers=1).lot
    sessions = [make_session(make_patient(given=f"P{i}")) for i in range(5)]
    barrier = threading.Barrier(DRAWS)
    outcomes: list[str] = []
    guard = threading.Lock()

    def draw(i: int) -> None:
        try:
            barrier.wait()
            services.draw_for_session(
                actor=nurse,
                session=sessions[i % 5],
                lot=lot.pk,
                location=safe.pk,
                quantity="12.5",
            )
            result = "drawn"
        except Conflict:
            result = "refused"
        except Exception as exc:  # any other failure must show up in the assertion
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with guard:
            outcomes.append(result)

    # when 50 threads draw 12.5 mg each at once
    threads = [threading.Thread(target=draw, args=(i,)) for i in range(DRAWS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then exactly 40 draws were recorded, 10 refused, and nothing is left
    assert sorted(set(outcomes)) == ["drawn", "refused"], outcomes
    assert outcomes.count("drawn") == 40
    assert outcomes.count("refused") == 10
    assert queries.stock_balance(lot.pk, safe.pk) == Decimal("0")
    assert LedgerEntry.objects.filter(entry_type=EntryType.DRAW).count() == 40
    # and the chain is one unbroken sequence 1..41
    verdict = queries.verify_clinic_chain(nurse.clinic_id)
    assert verdict.valid, verdict.first_bad
    assert verdict.entries == 41
    assert list(LedgerEntry.objects.values_list("sequence", flat=True)) == list(range(1, 42))


def test_concurrent_distributions_and_draws_never_take_more_than_is_on_hand(
    receive, ketamine, safe, make_session, make_patient, nurse, prescriber
):
    # given one 500 mg vial, and 10 draws of 25 mg racing 10 distributions of 50 mg
    lot = receive(ketamine, safe, containers=1).lot
    sessions = [make_session(make_patient(given=f"D{i}")) for i in range(2)]
    workers = 20
    barrier = threading.Barrier(workers)
    outcomes: list[tuple[str, str]] = []
    guard = threading.Lock()

    def move(i: int) -> None:
        kind = "distribution" if i % 2 else "draw"
        try:
            barrier.wait()
            if kind == "draw":
                services.draw_for_session(
                    actor=nurse,
                    session=sessions[i % 2],
                    lot=lot.pk,
                    location=safe.pk,
                    quantity="25",
                )
            else:
                services.distribute_stock(
                    actor=prescriber,
                    lot=lot.pk,
                    location=safe.pk,
                    quantity="50",
                    kind="supplier_return",
                    recipient_name="Acme Pharma Distribution",
                    recipient_address="1 Supply Way, Columbus, OH 43004",
                    recipient_dea="RA0000000",
                )
            result = "done"
        except (Conflict, InvalidInput):
            result = "refused"
        except Exception as exc:  # any other failure must show up in the assertion
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with guard:
            outcomes.append((kind, result))

    # when all twenty run at once (the lot's row lock serializes them)
    threads = [threading.Thread(target=move, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then nothing failed for another reason, and what was recorded adds up to the stock
    assert {result for _kind, result in outcomes} <= {"done", "refused"}, outcomes
    drawn = 25 * sum(1 for k, r in outcomes if k == "draw" and r == "done")
    distributed = 50 * sum(1 for k, r in outcomes if k == "distribution" and r == "done")
    assert drawn + distributed <= 500
    assert queries.stock_balance(lot.pk, safe.pk) == Decimal(500 - drawn - distributed)
    # 750 mg was asked for 500 mg on hand: some movement was refused
    assert any(result == "refused" for _kind, result in outcomes)
    # and the chain is one unbroken, valid sequence
    verdict = queries.verify_clinic_chain(nurse.clinic_id)
    assert verdict.valid, verdict.first_bad
    assert verdict.entries == 1 + sum(1 for _kind, result in outcomes if result == "done")


def _race(calls) -> list[str]:
    """Run the calls on their own threads and connections at the same moment."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    guard = threading.Lock()

    def run(call) -> None:
        try:
            barrier.wait()
            call()
            result = "drawn"
        except Conflict:
            result = "refused: stock"
        except InvalidInput as exc:
            result = f"refused: {sorted(exc.fields)}"
        except Exception as exc:  # any other failure must show up in the assertion
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with guard:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_nurses_drawing_for_their_orders_from_one_lot_keep_an_exact_balance(
    receive, ketamine, safe, make_session, make_patient, clinic
):
    # given one 500 mg vial, two nurses, and twenty sessions each ordered 45 mg (one mL drawn)
    lot = receive(ketamine, safe, containers=1).lot
    nurses = [make_user(clinic, f"rn{i}", Role.NURSE) for i in (1, 2)]
    sessions = [make_session(make_patient(given=f"P{i}"), ordered_mg="45") for i in range(20)]

    # when each nurse draws 50 mg for her ten sessions, all at once
    outcomes = _race(
        [
            lambda s=s, n=nurses[i % 2]: services.draw_for_session(
                actor=n, session=s, lot=lot.pk, location=safe.pk, quantity="50"
            )
            for i, s in enumerate(sessions)
        ]
    )

    # then exactly ten draws fit the vial, the rest are refused, and nothing is left over
    assert sorted(set(outcomes)) == ["drawn", "refused: stock"], outcomes
    assert outcomes.count("drawn") == 10
    assert queries.stock_balance(lot.pk, safe.pk) == Decimal("0")
    drawn = LedgerEntry.objects.filter(entry_type=EntryType.DRAW)
    assert sum(e.quantity for e in drawn) == Decimal("500")
    assert queries.verify_clinic_chain(clinic.pk).valid


def test_two_nurses_drawing_for_one_order_at_once_cannot_both_take_the_full_dose(
    receive, ketamine, safe, make_session, patient, nurse, nurse2
):
    # given a 45 mg order (one mL, 50 mg, without a reason)
    lot = receive(ketamine, safe, containers=1).lot
    session = make_session(patient, ordered_mg="45")

    # when both nurses draw 50 mg for it at the same moment, neither giving a reason
    outcomes = _race(
        [
            lambda n=n: services.draw_for_session(
                actor=n, session=session, lot=lot.pk, location=safe.pk, quantity="50"
            )
            for n in (nurse, nurse2)
        ]
    )

    # then one draw is recorded and the other needs a reason (the over-draw check sees it)
    assert sorted(outcomes) == ["drawn", "refused: ['reason']"]
    assert queries.stock_balance(lot.pk, safe.pk) == Decimal("450")
