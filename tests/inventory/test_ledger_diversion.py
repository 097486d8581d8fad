"""The diversion report: the seeded outlier nurse is flagged, and nothing else is."""

import datetime as dt

import pytest

from ketaclinic.core.errors import Forbidden, InvalidInput
from ketaclinic.core.permissions import Role
from ketaclinic.inventory import services
from ketaclinic.inventory.diversion import SignalKind, diversion_report
from ketaclinic.inventory.models import EntryType, LedgerEntry
from tests.factories import make_user

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)
# Waste in mg per 50 mg drawn, per session: four nurses waste 8-12 %, one wastes half.
PEER_WASTE = {
    "rn_a": ["4", "5", "6", "5"],
    "rn_b": ["5", "5", "4", "6"],
    "rn_c": ["6", "5", "5", "4"],
}
PEER_WASTE["rn_d"] = ["5", "6", "5", "5"]
OUTLIER_WASTE = ["25", "24", "26", "25"]


@pytest.fixture
def team(clinic):
    names = [*PEER_WASTE, "rn_x"]
    return {name: make_user(clinic, name, Role.NURSE, first_name=name.upper()) for name in names}


@pytest.fixture
def scenario(
    team, ketamine, safe, cart, receive, make_session, make_patient, witness_of, nurse, at
):
    """Four days of sessions by five nurses, every waste witnessed, daily counts that match."""
    lot = receive(ketamine, safe, containers=4).lot
    plan = {**PEER_WASTE, "rn_x": OUTLIER_WASTE}
    names = list(plan)
    for day in range(4):
        for index, name in enumerate(names):
            actor = team[name]
            witness = team[names[(index + 1) % len(names)]]
            wasted = plan[name][day]
            given = str(50 - int(wasted))
            # the order is what was given: the rest of the 1 mL drawn is wasted
            session = make_session(make_patient(given=f"{name}{day}"), ordered_mg=given)
            start = at(days=day, hours=index)
            services.draw_for_session(
                actor=actor, session=session, lot=lot, location=safe, quantity="50", now=start
            )
            services.administer(
                actor=actor, session=session, quantity=given, now=start + dt.timedelta(minutes=5)
            )
            services.record_waste(
                actor=actor,
                session=session,
                quantity=wasted,
                method="syringe into disposal container",
                witness=witness_of(witness),
                now=start + dt.timedelta(minutes=45),
            )
            services.close_session_drug_record(
                actor=actor, session=session, now=start + dt.timedelta(minutes=50)
            )
        services.count_stock(
            actor=nurse,
            lot=lot,
            location=safe,
            counted=str(2000 - 250 * (day + 1)),
            now=at(days=day, hours=8),
        )
    return lot


def report(user, *, days=7, now=None):
    return diversion_report(
        user,
        date_from=DAY,
        date_to=DAY + dt.timedelta(days=days),
        now=now or dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC),
    )


def test_the_seeded_outlier_nurse_is_flagged_and_nothing_else(scenario, auditor, team):
    # when the compliance officer opens the report for the period
    signals = report(auditor).signals
    # then exactly one signal: rn_x wastes more than peers, linked to all four wastes
    assert [(s.kind, s.subject) for s in signals] == [(SignalKind.WASTE_OUTLIER, "RN_X")]
    wastes = LedgerEntry.objects.filter(entry_type=EntryType.WASTE, actor=team["rn_x"])
    assert set(signals[0].entry_ids) == set(wastes.values_list("id", flat=True))
    # half of each 50 mg draw wasted
    assert "wasted 50% of the mg they drew" in signals[0].detail


def test_a_nurse_who_wastes_half_of_each_draw_is_flagged_even_if_others_chart_the_dose(
    clinic, prescriber, ketamine, safe, receive, make_session, make_patient, witness_of, auditor, at
):
    team = {
        n: make_user(clinic, n, Role.NURSE, first_name=n.upper())
        for n in ("rn_a", "rn_b", "rn_c", "rn_d", "rn_x")
    }
    lot = receive(ketamine, safe, containers=4).lot
    names = list(team)
    for day in range(4):
        for index, name in enumerate(names):
            wasted = "25" if name == "rn_x" else "5"
            session = make_session(make_patient(given=f"{name}{day}"))
            start = at(days=day, hours=index)
            services.draw_for_session(
                actor=team[name], session=session, lot=lot, location=safe, quantity="50",
                now=start,
            )  # fmt: skip
            # the prescriber charts rn_x's doses at the bedside
            services.administer(
                actor=prescriber if name == "rn_x" else team[name],
                session=session,
                quantity=str(50 - int(wasted)),
                now=start + dt.timedelta(minutes=5),
            )
            services.record_waste(
                actor=team[name],
                session=session,
                quantity=wasted,
                method="syringe into disposal container",
                witness=witness_of(team[names[(index + 1) % 5]]),
                now=start + dt.timedelta(minutes=45),
            )
    outliers = [s.subject for s in report(auditor).signals if s.kind == SignalKind.WASTE_OUTLIER]
    assert outliers == ["RN_X"]


def test_a_distribution_at_night_is_a_movement_outside_clinic_hours(
    nurse, auditor, ketamine_lot, safe
):
    night = dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC)  # 02:00 in New York
    entry = services.distribute_stock(
        actor=nurse, lot=ketamine_lot, location=safe, quantity="500", kind="supplier_return",
        recipient_name="Acme Pharma", recipient_address="1 Supply Way, Columbus, OH",
        recipient_dea="AP5836727", now=night,
    )  # fmt: skip
    signals = report(auditor).signals
    assert [(s.kind, s.entry_ids) for s in signals] == [(SignalKind.OUTSIDE_HOURS, [entry.pk])]


def test_a_draw_without_an_administration_is_flagged_after_the_grace_period(
    ketamine_lot, safe, make_session, patient, nurse, auditor, at
):
    session = make_session(patient, ordered_mg="50")
    draw = services.draw_for_session(
        actor=nurse, session=session, lot=ketamine_lot, location=safe, quantity="50", now=at()
    )
    # within the grace period it is not yet a signal
    assert report(auditor, now=at(hours=1)).signals == []
    # a day later it is, linked to the draw; and the record was left open overnight
    signals = report(auditor, now=at(days=1)).signals
    assert [(s.kind, s.entry_ids) for s in signals] == [
        (SignalKind.DRAW_WITHOUT_ADMINISTRATION, [draw.pk]),
        (SignalKind.LATE_RECONCILIATION, [draw.pk]),
    ]


def test_refused_waste_attempts_without_a_witness_are_listed(
    ketamine_lot, safe, session, nurse, auditor, at
):
    services.draw_for_session(
        actor=nurse, session=session, lot=ketamine_lot, location=safe, quantity="50", now=at()
    )
    services.administer(actor=nurse, session=session, quantity="50", now=at(minutes=5))
    with pytest.raises(InvalidInput):
        services.record_waste(actor=nurse, session=session, quantity="1", method="x", witness=None)
    signals = report(auditor, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=1), days=400)
    kinds = [s.kind for s in signals.signals if s.kind == SignalKind.UNWITNESSED_WASTE_ATTEMPT]
    assert kinds == [SignalKind.UNWITNESSED_WASTE_ATTEMPT]


def test_repeated_count_discrepancies_by_one_user_are_flagged(
    ketamine_lot, safe, nurse, auditor, at
):
    services.count_stock(actor=nurse, lot=ketamine_lot, location=safe, counted="999", now=at())
    services.count_stock(
        actor=nurse, lot=ketamine_lot, location=safe, counted="998", now=at(days=3)
    )
    signals = report(auditor).signals
    assert [(s.kind, len(s.entry_ids)) for s in signals] == [(SignalKind.REPEATED_DISCREPANCIES, 2)]


def test_a_movement_at_night_is_flagged_as_outside_clinic_hours(
    ketamine_lot, safe, cart, nurse, auditor
):
    # 02:00 in New York
    night = dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC)
    entry = services.transfer_stock(
        actor=nurse,
        lot=ketamine_lot,
        from_location=safe,
        to_location=cart,
        quantity="10",
        now=night,
    )
    signals = report(auditor).signals
    assert [(s.kind, s.entry_ids) for s in signals] == [(SignalKind.OUTSIDE_HOURS, [entry.pk])]


def test_esketamine_devices_not_accounted_for_in_the_session_are_flagged(
    receive, esketamine, safe, make_session, patient, nurse, auditor, at
):
    lot = receive(esketamine, safe, containers=1, lot_number="E1").lot
    session = make_session(patient, protocol="esketamine_trd", ordered_mg="84")
    draw = services.draw_for_session(
        actor=nurse, session=session, lot=lot, location=safe, quantity=3, now=at()
    )
    services.administer(actor=nurse, session=session, quantity=2, now=at(minutes=5))
    signals = report(auditor, now=at(days=1)).signals
    assert [(s.kind, s.entry_ids) for s in signals] == [
        (SignalKind.DEVICE_NOT_MATCHED, [draw.pk]),
        (SignalKind.LATE_RECONCILIATION, [draw.pk, *administered_ids(session)]),
    ]


def administered_ids(session):
    return list(
        LedgerEntry.objects.filter(session=session, entry_type=EntryType.ADMINISTRATION)
        .order_by("sequence")
        .values_list("id", flat=True)
    )


def test_nurses_may_not_see_the_diversion_report(nurse):
    with pytest.raises(Forbidden):
        report(nurse)
