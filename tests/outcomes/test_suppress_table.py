"""Two-way small-cell suppression: a table whose rows and columns add up to published totals
(each group across the locations and the network; each location's groups) never shows a count
of 1 to 10, and never leaves a hidden cell alone in a row or a column, where its total would
give it away."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketaclinic.outcomes.rules import (
    COMPLEMENT,
    DENOMINATOR,
    SMALL,
    SMALL_COMPLEMENT,
    suppress_rate_table,
    suppress_table,
)

NETWORK = "network"


def _with_network(table: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    rows = {r for r, _ in table}
    return table | {(r, NETWORK): sum(v for (g, _), v in table.items() if g == r) for r in rows}


def _lines(keys):
    rows, columns = {}, {}
    for key in keys:
        rows.setdefault(key[0], []).append(key)
        columns.setdefault(key[1], []).append(key)
    return [*rows.values(), *columns.values()]


def _assert_protected(counts, cells):
    for key, count in counts.items():
        if 0 < count < 11:
            assert cells[key].suppressed, key
        if not cells[key].suppressed:
            assert cells[key].value == count
    for line in _lines(counts):
        hidden = [k for k in line if cells[k].suppressed]
        if len(hidden) == 1:
            # alone only where every other cell of the line is a shown zero: then the hidden
            # cell equals the line's total, which is itself small and never published
            assert all(counts[k] == 0 for k in line if k not in hidden), line


def test_a_small_cell_hides_its_partners_in_its_row_and_its_column():
    counts = _with_network(
        {
            ("white", "Lakeside"): 30,
            ("white", "Riverside"): 20,
            ("black", "Lakeside"): 25,
            ("black", "Riverside"): 14,
            ("asian", "Lakeside"): 12,
            ("asian", "Riverside"): 3,
        }
    )
    cells = suppress_table(counts)
    assert cells[("asian", "Riverside")].reason == SMALL
    # the Asian row's total (15) is published: the smallest other non-zero cell goes too
    assert cells[("asian", "Lakeside")].reason == COMPLEMENT
    # Riverside's column adds up to its 37 courses: Black (14) at Riverside is hidden,
    # then Lakeside's column and the Black row are each left with one hidden cell
    assert cells[("black", "Riverside")].reason == COMPLEMENT
    assert cells[("black", "Lakeside")].reason == COMPLEMENT
    assert cells[("asian", NETWORK)].value == 15
    assert cells[("white", "Lakeside")].value == 30
    _assert_protected(counts, cells)


def test_a_rate_hides_its_numerator_with_its_denominator_and_when_the_rest_is_small():
    rates = {
        ("white", "Lakeside"): (15, 30),
        ("white", "Riverside"): (10, 20),
        ("white", NETWORK): (25, 50),
        ("asian", "Lakeside"): (12, 14),
        ("asian", "Riverside"): (0, 0),
        ("asian", NETWORK): (12, 14),
    }
    cells = suppress_rate_table(rates)
    # 10 responders at Riverside: a small numerator, so the White row hides a partner
    assert cells[("white", "Riverside")].numerator.reason == SMALL
    assert cells[("white", "Lakeside")].numerator.reason == COMPLEMENT
    assert cells[("white", "Lakeside")].denominator.value == 30
    # 12 of 14: the 2 non-responders would be shown by subtraction
    assert cells[("asian", "Lakeside")].suppressed
    assert cells[("asian", "Lakeside")].denominator.value == 14
    assert cells[("asian", NETWORK)].numerator.reason == SMALL_COMPLEMENT
    # the network column then has one hidden numerator: White's goes too
    assert cells[("white", NETWORK)].numerator.reason == COMPLEMENT
    _assert_protected(
        {k: n for k, (n, _) in rates.items()}, {k: c.numerator for k, c in cells.items()}
    )


def test_a_numerator_above_its_denominator_is_refused():
    with pytest.raises(ValueError, match="numerator 3 above denominator 2"):
        suppress_rate_table({("a", "b"): (3, 2)})


def test_a_hidden_denominator_hides_its_numerator():
    rates = {("a", "x"): (0, 4), ("a", "y"): (20, 40), ("a", NETWORK): (20, 44)}
    cells = suppress_rate_table(rates)
    assert cells[("a", "x")].numerator.reason == DENOMINATOR


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=4),
        min_size=1,
        max_size=6,
    ).filter(lambda rows: len({len(r) for r in rows}) == 1)
)
def test_any_table_is_protected(rows):
    counts = _with_network(
        {(f"g{i}", f"loc{j}"): v for i, row in enumerate(rows) for j, v in enumerate(row)}
    )
    _assert_protected(counts, suppress_table(counts))
