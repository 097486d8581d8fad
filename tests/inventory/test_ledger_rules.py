"""Pure tests of ledger balances, units, witnesses, counts, diversion statistics and DEA dates."""

import datetime as dt
from decimal import Decimal

import pytest

from ketaclinic.inventory.definitions import (
    DISPENSING_LOG_FIELDS,
    BaseUnit,
    EntryType,
    ProductForm,
)
from ketaclinic.inventory.rules import (
    QuantityError,
    add_business_days,
    base_unit_for,
    check_session_disposition,
    check_stock_movement,
    check_witnesses,
    deadline_state,
    describe_quantity,
    evaluate_count,
    flag_high_outliers,
    fold_balances,
    loss_deadlines,
    mg_from_devices,
    mg_from_ml,
    ml_from_mg,
    outside_hours,
    parse_quantity,
    quantity_per_container,
    repeated_discrepancies,
    robust_z_scores,
    session_balance,
    stock_deltas,
    us_federal_holidays,
)

D = Decimal
SAFE, CART = "safe", "cart"

# --- quantities and units --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("37.5", BaseUnit.MG, D("37.5")),
        ("0.001", BaseUnit.MG, D("0.001")),
        ("12.500", BaseUnit.MG, D("12.5")),
        ("2", BaseUnit.DEVICE, D("2")),
        (3, BaseUnit.DEVICE, D("3")),
    ],
)
def test_quantities_are_read_exactly(text, unit, expected):
    assert parse_quantity(text, unit) == expected


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [
        ("0", BaseUnit.MG, "greater than zero"),
        ("-5", BaseUnit.MG, "greater than zero"),
        ("0.0001", BaseUnit.MG, "3 decimal places"),
        ("1.5", BaseUnit.DEVICE, "whole number of devices"),
        (0.5, BaseUnit.MG, "not floats"),
        ("abc", BaseUnit.MG, "not a number"),
        ("NaN", BaseUnit.MG, "not a number"),
    ],
)
def test_quantities_that_cannot_be_recorded_exactly_are_refused(value, unit, message):
    # given a zero, negative, too precise, fractional-device, float or non-numeric quantity
    # when it is parsed
    # then it is refused with a reason
    with pytest.raises(QuantityError, match=message):
        parse_quantity(value, unit)


def test_solutions_are_kept_in_mg_and_nasal_devices_in_devices():
    assert base_unit_for(ProductForm.INJECTION_SOLUTION) == BaseUnit.MG
    assert base_unit_for(ProductForm.NASAL_SPRAY_DEVICE) == BaseUnit.DEVICE


def test_volume_is_derived_from_the_concentration():
    # given ketamine 100 mg/mL
    # when 35 mg is drawn, then that is 0.35 mL; and 0.35 mL is 35 mg
    assert ml_from_mg(D("35"), D("100")) == D("0.350")
    assert mg_from_ml(D("0.35"), D("100")) == D("35")
    # and 10 mg/mL: 5 mL is 50 mg
    assert mg_from_ml(D("5"), D("10")) == D("50")


def test_a_volume_that_is_not_a_whole_microgram_is_refused():
    with pytest.raises(QuantityError):
        mg_from_ml(D("0.00001"), D("50"))


def test_esketamine_devices_convert_to_mg_at_28_mg_each():
    assert mg_from_devices(D("3"), D("28")) == D("84")


def test_one_container_holds_a_vials_mg_or_a_packs_devices():
    # a 10 mL vial at 50 mg/mL holds 500 mg; a pack of 3 nasal devices holds 3 devices
    assert quantity_per_container(ProductForm.INJECTION_SOLUTION, D("50"), D("10")) == D("500")
    assert quantity_per_container(ProductForm.NASAL_SPRAY_DEVICE, D("28"), D("3")) == D("3")


def test_quantities_are_described_with_their_volume_or_device_count():
    assert describe_quantity(D("50"), BaseUnit.MG, D("100")) == "50 mg (0.500 mL)"
    assert describe_quantity(D("1"), BaseUnit.DEVICE) == "1 device"
    assert describe_quantity(D("2"), BaseUnit.DEVICE) == "2 devices"


# --- stock balances -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry_type", "expected"),
    [
        (EntryType.RECEIPT, [(SAFE, D("10"))]),
        (EntryType.DRAW, [(SAFE, D("-10"))]),
        (EntryType.RETURN, [(SAFE, D("10"))]),
        (EntryType.DESTRUCTION, [(SAFE, D("-10"))]),
        (EntryType.LOSS, [(SAFE, D("-10"))]),
        (EntryType.ADMINISTRATION, []),
        (EntryType.WASTE, []),
        (EntryType.COUNT, []),
    ],
)
def test_each_movement_changes_stock_with_its_own_sign(entry_type, expected):
    assert stock_deltas(entry_type, D("10"), SAFE) == expected


def test_a_transfer_moves_stock_from_one_location_to_another():
    assert stock_deltas(EntryType.TRANSFER, D("100"), SAFE, CART) == [
        (SAFE, D("-100")),
        (CART, D("100")),
    ]


def test_a_transfer_to_the_same_location_is_refused():
    with pytest.raises(QuantityError, match="different destination"):
        stock_deltas(EntryType.TRANSFER, D("1"), SAFE, SAFE)


def test_a_discrepancy_adjusts_stock_by_counted_minus_expected():
    assert stock_deltas(EntryType.DISCREPANCY, D("-0.5"), SAFE) == [(SAFE, D("-0.5"))]


def test_balances_are_exact_after_a_mixed_sequence_of_movements():
    # given a 500 mg receipt, a transfer to the cart, draws, a return, a destruction,
    # a loss and a discrepancy
    entries = [
        ("lot1", EntryType.RECEIPT, D("500"), SAFE, None),
        ("lot1", EntryType.TRANSFER, D("200"), SAFE, CART),
        ("lot1", EntryType.DRAW, D("37.5"), CART, None),
        ("lot1", EntryType.DRAW, D("36.4"), CART, None),
        ("lot1", EntryType.RETURN, D("2.5"), CART, None),
        ("lot1", EntryType.DESTRUCTION, D("50"), SAFE, None),
        ("lot1", EntryType.LOSS, D("10"), SAFE, None),
        ("lot1", EntryType.DISCREPANCY, D("-0.1"), CART, None),
    ]
    # when the balances are folded
    balances = fold_balances(entries)
    # then each location holds exactly what is left
    assert balances[("lot1", SAFE)] == D("240")
    assert balances[("lot1", CART)] == D("128.5")


def test_many_small_draws_add_up_exactly():
    # given 30 draws of 0.1 mg (which drift in floating point)
    entries = [("lot", EntryType.RECEIPT, D("3"), SAFE, None)]
    entries += [("lot", EntryType.DRAW, D("0.1"), SAFE, None)] * 30
    # then the balance is exactly zero
    assert fold_balances(entries)[("lot", SAFE)] == D("0")


def test_a_sequence_that_would_go_negative_is_refused():
    entries = [
        ("lot", EntryType.RECEIPT, D("50"), SAFE, None),
        ("lot", EntryType.DRAW, D("50.001"), SAFE, None),
    ]
    with pytest.raises(QuantityError, match=r"would become -0\.001"):
        fold_balances(entries)


def test_a_draw_larger_than_the_balance_is_refused_with_what_is_on_hand():
    # given 20 mg on hand
    # when 25 mg is drawn
    check = check_stock_movement(D("20"), D("-25"), BaseUnit.MG)
    # then it is refused and the reason says what is on hand and what was asked
    assert not check.allowed
    assert "20 mg on hand" in check.reason
    assert "25 mg" in check.reason


def test_a_draw_of_exactly_the_balance_is_allowed_and_leaves_zero():
    check = check_stock_movement(D("20"), D("-20"), BaseUnit.MG)
    assert check.allowed
    assert check.new_balance == D("0")


# --- session reconciliation ------------------------------------------------------------


def test_a_session_balances_when_drawn_equals_administered_plus_wasted_plus_returned():
    balance = session_balance(
        [
            (EntryType.DRAW, D("50")),
            (EntryType.ADMINISTRATION, D("36.5")),
            (EntryType.WASTE, D("10")),
            (EntryType.RETURN, D("3.5")),
        ]
    )
    assert balance.balanced
    assert balance.in_hand == D("0")


def test_a_session_with_drug_unaccounted_for_does_not_balance():
    balance = session_balance([(EntryType.DRAW, D("50")), (EntryType.ADMINISTRATION, D("40"))])
    assert not balance.balanced
    assert balance.in_hand == D("10")


def test_waste_beyond_what_the_session_has_in_hand_is_refused():
    # given 50 mg drawn and 40 mg administered
    balance = session_balance([(EntryType.DRAW, D("50")), (EntryType.ADMINISTRATION, D("40"))])
    # when 12 mg is wasted
    check = check_session_disposition(balance, EntryType.WASTE, D("12"), BaseUnit.MG)
    # then it is refused, naming the 10 mg in hand
    assert not check.allowed
    assert "10 mg drawn and not yet accounted for" in check.reason
    assert check_session_disposition(balance, EntryType.WASTE, D("10"), BaseUnit.MG).allowed


# --- witnesses ---------------------------------------------------------------------------


def test_waste_without_a_witness_is_refused():
    check = check_witnesses(EntryType.WASTE, "nurse", [])
    assert not check.allowed
    assert "needs 1 witness" in check.reason


def test_a_witness_cannot_be_the_actor():
    check = check_witnesses(EntryType.WASTE, "nurse", ["nurse"])
    assert not check.allowed
    assert "cannot be the actor" in check.reason


def test_waste_with_a_second_user_as_witness_is_allowed():
    assert check_witnesses(EntryType.WASTE, "nurse", ["prescriber"]).allowed


def test_destruction_needs_two_different_witnesses():
    assert not check_witnesses(EntryType.DESTRUCTION, "admin", ["nurse"]).allowed
    assert not check_witnesses(EntryType.DESTRUCTION, "admin", ["nurse", "nurse"]).allowed
    assert check_witnesses(EntryType.DESTRUCTION, "admin", ["nurse", "prescriber"]).allowed


def test_a_draw_needs_no_witness():
    assert check_witnesses(EntryType.DRAW, "nurse", []).allowed


# --- counts ------------------------------------------------------------------------------


def test_a_count_short_of_the_book_needs_a_discrepancy_of_the_difference():
    result = evaluate_count(D("480"), D("479.5"))
    assert result.needs_discrepancy
    assert result.difference == D("-0.5")


def test_a_count_matching_the_book_needs_no_discrepancy():
    assert not evaluate_count(D("480"), D("480.000")).needs_discrepancy


def test_a_count_that_states_a_different_expected_quantity_is_refused():
    # given a book balance of 480 mg
    # when the counter claims 470 were expected and counts 470 (hiding a 10 mg difference)
    # then the count is refused
    with pytest.raises(QuantityError, match="ledger expects 480"):
        evaluate_count(D("480"), D("470"), claimed_expected=D("470"))


def test_a_negative_count_is_refused():
    with pytest.raises(QuantityError):
        evaluate_count(D("1"), D("-1"))


# --- diversion statistics ----------------------------------------------------------------

PEERS = {"ana": D("0.10"), "ben": D("0.12"), "cy": D("0.11"), "dee": D("0.09"), "eve": D("0.10")}


def test_the_nurse_who_wastes_far_more_than_peers_is_flagged_and_nobody_else():
    # given five nurses wasting ~10% of what they draw and one wasting 45%
    values = {**PEERS, "fay": D("0.45")}
    # when outliers are flagged
    flagged = flag_high_outliers(values)
    # then only that nurse is flagged
    assert [o.key for o in flagged] == ["fay"]
    assert flagged[0].z > D("3.5")


def test_nurses_with_ordinary_variation_are_not_flagged():
    assert flag_high_outliers(PEERS) == []


def test_wasting_less_than_peers_is_not_a_diversion_signal():
    assert flag_high_outliers({**PEERS, "gus": D("0.0")}) == []


def test_with_too_few_peers_nobody_is_flagged():
    assert flag_high_outliers({"ana": D("0.1"), "ben": D("0.1"), "fay": D("0.9")}) == []


def test_the_threshold_is_configurable():
    values = {**PEERS, "fay": D("0.14")}
    assert flag_high_outliers(values) == []
    assert [o.key for o in flag_high_outliers(values, threshold=D("2"))] == ["fay"]


def test_a_single_outlier_among_identical_peers_is_still_scored():
    # given four nurses with no waste at all and one with some (MAD is zero)
    scores = robust_z_scores({"a": D(0), "b": D(0), "c": D(0), "d": D(0), "e": D(5)})
    # then the one who wastes is scored high and the others zero
    assert scores["e"] > D("3.5")
    assert scores["a"] == 0


def test_identical_values_score_zero():
    assert set(robust_z_scores({"a": D(1), "b": D(1), "c": D(1)}).values()) == {D(0)}


def test_movements_outside_clinic_hours_are_recognised():
    opens, closes, weekdays = dt.time(7), dt.time(19), range(5)
    monday = dt.datetime(2025, 3, 3)
    assert outside_hours(monday.replace(hour=6, minute=59), opens, closes, weekdays)
    assert not outside_hours(monday.replace(hour=7), opens, closes, weekdays)
    assert outside_hours(monday.replace(hour=19), opens, closes, weekdays)
    assert outside_hours(dt.datetime(2025, 3, 8, 10), opens, closes, weekdays)  # Saturday


def test_discrepancies_close_together_count_as_repeated():
    days = [dt.date(2025, 1, 1), dt.date(2025, 1, 20)]
    assert repeated_discrepancies(days)
    assert not repeated_discrepancies([dt.date(2025, 1, 1), dt.date(2025, 3, 1)])
    assert not repeated_discrepancies([dt.date(2025, 1, 1)])


# --- DEA deadlines -------------------------------------------------------------------------


def test_a_loss_discovered_on_friday_must_be_notified_by_monday():
    deadlines = loss_deadlines(dt.date(2025, 3, 7))
    assert deadlines.notice_due == dt.date(2025, 3, 10)
    assert deadlines.form_106_due == dt.date(2025, 4, 21)


def test_holidays_push_the_notice_deadline_to_the_next_business_day():
    # given a loss found the Friday before Memorial Day 2025
    holidays = us_federal_holidays(2025)
    deadlines = loss_deadlines(dt.date(2025, 5, 23), holidays)
    # then notice is due Tuesday; Form 106 is 45 calendar days
    assert deadlines.notice_due == dt.date(2025, 5, 27)
    assert deadlines.form_106_due == dt.date(2025, 7, 7)


def test_business_days_skip_weekends():
    assert add_business_days(dt.date(2025, 3, 6), 2) == dt.date(2025, 3, 10)


def test_us_federal_holidays_of_2025_are_the_observed_dates():
    assert us_federal_holidays(2025) == {
        dt.date(2025, 1, 1),
        dt.date(2025, 1, 20),
        dt.date(2025, 2, 17),
        dt.date(2025, 5, 26),
        dt.date(2025, 6, 19),
        dt.date(2025, 7, 4),
        dt.date(2025, 9, 1),
        dt.date(2025, 10, 13),
        dt.date(2025, 11, 11),
        dt.date(2025, 11, 27),
        dt.date(2025, 12, 25),
    }


def test_a_holiday_on_a_sunday_is_observed_on_monday():
    assert dt.date(2021, 7, 5) in us_federal_holidays(2021)
    assert dt.date(2020, 6, 19) not in us_federal_holidays(2020)


@pytest.mark.parametrize(
    ("done_on", "today", "state"),
    [
        (None, dt.date(2025, 3, 10), "open"),
        (None, dt.date(2025, 3, 11), "overdue"),
        (dt.date(2025, 3, 10), dt.date(2025, 3, 20), "met"),
        (dt.date(2025, 3, 11), dt.date(2025, 3, 20), "late"),
    ],
)
def test_deadlines_are_open_overdue_met_or_late(done_on, today, state):
    assert deadline_state(dt.date(2025, 3, 10), today, done_on) == state


def test_the_dispensing_log_carries_the_1304_22_c_fields():
    fields = {name for name, _label in DISPENSING_LOG_FIELDS}
    assert {
        "substance",
        "finished_form",
        "date",
        "quantity",
        "patient_name",
        "patient_address",
        "administered_by",
        "manner",
    } <= fields
