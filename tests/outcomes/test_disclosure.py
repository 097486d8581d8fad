"""Suppression over published sums: no count of 1 to 10 is shown, and no hidden figure can be
worked out exactly from the figures shown and the sums that tie them (rows of a table, its
columns, and the totals another page publishes).

The check here is written apart from the code under test: exact rational elimination (the
code uses a floating-point null space)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketaclinic.outcomes import equity
from ketaclinic.outcomes.disclosure import Sum, protect, protect_rates
from ketaclinic.outcomes.rules import DENOMINATOR, SMALL, SMALL_COMPLEMENT, Cell
from tests.disclosure_check import worked_out

NETWORK = "network"
TOTAL = "total"


def table(groups: dict[str, list[int]]):
    """A table of groups by locations with its network column and its total row, as
    {cell: count} and the sums the pages publish."""
    width = len(next(iter(groups.values())))
    locations = [f"L{j}" for j in range(width)]
    columns = [*locations, NETWORK]
    counts = {}
    for g, values in groups.items():
        for loc, v in zip(locations, values, strict=True):
            counts[(g, loc)] = v
        counts[(g, NETWORK)] = sum(values)
    for c in columns:
        counts[(TOTAL, c)] = sum(counts[(g, c)] for g in groups)
    sums = [Sum((TOTAL, NETWORK), tuple((TOTAL, loc) for loc in locations))]
    sums += [Sum((g, NETWORK), tuple((g, loc) for loc in locations)) for g in groups]
    sums += [Sum((TOTAL, c), tuple((g, c) for g in groups)) for c in columns]
    return counts, sums


def _assert_safe(counts, cells, sums, known=()):
    for key, count in counts.items():
        if 0 < count < 11:
            assert cells[key].suppressed, key
        if not cells[key].suppressed:
            assert cells[key].value == count
    unknown = {k: c for k, c in cells.items() if k not in known or not c.suppressed}
    unknown |= {k: Cell(counts[k]) for k in known}
    assert worked_out(unknown, sums) == []


def test_a_hidden_cell_is_not_given_away_by_a_column_of_zeros():
    # L1's total (38) is known to the reader (another page shows it, they work there): with
    # complements line by line only, the zeros of L1's column give its 38 of g2, and then
    # g2's network 45 gives its 7 at L2.
    counts, sums = table({"g0": [10, 0, 0], "g1": [0, 0, 6], "g2": [0, 38, 7]})
    known = {(TOTAL, "L1")}
    cells = protect(counts, sums, known=known)
    assert cells[("g2", "L2")].reason == SMALL
    _assert_safe(counts, cells, sums, known)


def test_a_hidden_cell_linking_two_hidden_groups_is_not_given_away():
    # Every line has two hidden cells after line-by-line suppression, yet g1 at L0 (4) could
    # be solved from the published totals.
    counts, sums = table(
        {"g0": [2, 8, 22, 35], "g1": [4, 39, 20, 7], "g2": [17, 23, 13, 3], "g3": [2, 8, 21, 40]}
    )
    cells = protect(counts, sums)
    _assert_safe(counts, cells, sums)
    assert cells[("g1", "L0")].suppressed


def test_what_another_page_hides_stays_hidden():
    # the outcomes page hides L1's total: the equity table must not give it back
    counts, sums = table({"g0": [30, 15], "g1": [20, 0]})
    cells = protect(counts, sums, hidden={(TOTAL, "L1"): "hidden on the outcomes page"})
    assert cells[(TOTAL, "L1")].suppressed
    _assert_safe(counts, cells, sums)


def test_rates_hide_a_numerator_with_its_denominator_and_when_the_rest_is_small():
    counts, sums = table({"g0": [30, 20], "g1": [14, 3]})
    responders = {("g0", "L0"): 15, ("g0", "L1"): 10, ("g1", "L0"): 12, ("g1", "L1"): 0}
    rates = {}
    for key, den in counts.items():
        g, c = key
        if c == NETWORK:
            num = sum(v for (h, _), v in responders.items() if h == g) if g != TOTAL else 0
        else:
            num = responders.get(key, 0) if g != TOTAL else 0
        rates[key] = (num, den)
    for c in ("L0", "L1", NETWORK):
        rates[(TOTAL, c)] = (
            sum(rates[(g, c)][0] for g in ("g0", "g1")),
            counts[(TOTAL, c)],
        )
    cells = protect_rates(rates, sums)
    assert cells[("g1", "L1")].numerator.reason == DENOMINATOR  # 3 courses
    assert cells[("g1", "L0")].suppressed  # 12 of 14, and its row holds the 3
    nums = {k: c.numerator for k, c in cells.items()}
    _assert_safe({k: n for k, (n, _) in rates.items()}, nums, sums)


def test_a_numerator_above_its_denominator_is_refused():
    with pytest.raises(ValueError, match="3 is more than its whole 2"):
        protect_rates({"a": (3, 2)}, [])


@settings(max_examples=600, deadline=None)
@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda width: st.lists(
            st.lists(st.integers(min_value=0, max_value=40), min_size=width, max_size=width),
            min_size=1,
            max_size=5,
        )
    )
)
def test_no_hidden_figure_of_any_table_can_be_worked_out(rows):
    counts, sums = table({f"g{i}": row for i, row in enumerate(rows)})
    _assert_safe(counts, protect(counts, sums), sums)


def test_a_numerator_is_hidden_when_the_rest_of_its_group_is_small():
    counts, sums = table({"g0": [14, 30]})
    rates = {k: (0, v) for k, v in counts.items()}
    rates |= {("g0", "L0"): (12, 14), ("g0", "L1"): (15, 30), ("g0", NETWORK): (27, 44)}
    rates |= {(TOTAL, "L0"): (12, 14), (TOTAL, "L1"): (15, 30), (TOTAL, NETWORK): (27, 44)}
    cells = protect_rates(rates, sums)
    assert cells[("g0", "L0")].numerator.reason == SMALL_COMPLEMENT
    assert cells[("g0", "L0")].denominator.value == 14


def _row(race: str, courses: int, evaluable: int, responders: int) -> tuple:
    """An equity row: (race, ethnicity, sex, payer, income, age band, courses, evaluable,
    responders, remitters, active, completed, stopped)."""
    return (race, None, None, None, None, "35-44", courses, evaluable, responders, 0, 0, courses, 0)


def _totals(rows) -> dict:
    return {
        "courses": sum(r[6] for r in rows),
        "evaluable": sum(r[7] for r in rows),
        "responders": sum(r[8] for r in rows),
        "remitters": 0,
        "dosed_sessions": 6 * sum(r[6] for r in rows),
    }


def test_courses_without_a_later_score_are_not_shown_as_a_small_count():
    # 50 courses, 41 with a score after baseline: showing both would show the 9 without
    rows = {"L0": [_row("white", 50, 41, 20)], "L1": [_row("white", 60, 60, 30)]}
    tables = equity.network_tables({k: _totals(v) for k, v in rows.items()}, rows, {})
    l0 = tables.figures["L0"]
    assert l0.courses.value == 50
    assert l0.response.denominator.suppressed and l0.response.numerator.suppressed
    race = next(d for d in tables.dimensions if d.key == "race")
    assert race.groups[0].response[0].denominator.suppressed


def test_a_location_the_reader_works_at_counts_as_known():
    # the reader knows Lakeside's 30; the network's 35 would give away Riverside's 5
    rows = {
        "L0": [_row("white", 30, 30, 15), _row("black", 40, 40, 20)],
        "L1": [_row("white", 5, 5, 2), _row("black", 45, 45, 20)],
    }
    totals = {k: _totals(v) for k, v in rows.items()}
    blind = equity.network_tables(totals, rows, {})
    insider = equity.network_tables(totals, rows, {}, known_locations=["L0"])
    white = {
        name: next(d for d in t.dimensions if d.key == "race").groups[1]
        for name, t in (("blind", blind), ("insider", insider))
    }
    assert white["insider"].key == "white"
    assert white["insider"].courses[2].suppressed  # the network's 35
    # whereas for a reader who knows neither location, hiding Lakeside's 30 was enough
    assert white["blind"].courses[0].suppressed and not white["blind"].courses[2].suppressed


def test_the_clinic_equity_view_hides_evaluable_courses_when_the_rest_is_small():
    rows = [_row("white", 50, 41, 20), _row("black", 60, 60, 30)]
    race = next(d for d in equity.breakdown(rows, {}) if d.key == "race")
    white = next(g for g in race.groups if g.key == "white")
    assert white.courses.value == 50
    assert white.response.denominator.suppressed


def _ended_row(race: str, completed: int, stopped: int) -> tuple:
    courses = completed + stopped
    return (race, None, None, None, None, "35-44", courses, courses, courses // 2, 0, 0,
            completed, stopped)  # fmt: skip


def _partition(rows):
    """The completed, stopped and ended cells of the race dimension as the equity view shows
    them, with their counts and the sums a reader knows (each group's completed + stopped =
    ended; each column's total is published with the dashboard)."""
    race = next(d for d in equity.breakdown(rows, {}) if d.key == "race")
    cells, counts, sums = {}, {}, []
    totals = {"completed": 0, "stopped": 0, "ended": 0}
    for group, row in zip(
        race.groups, sorted(rows, key=lambda r: race_order(race, r)), strict=True
    ):
        g = group.key
        cells[("completed", g)] = group.completion.numerator
        cells[("stopped", g)] = group.dropout.numerator
        cells[("ended", g)] = group.completion.denominator
        counts[("completed", g)], counts[("stopped", g)] = row[11], row[12]
        counts[("ended", g)] = row[11] + row[12]
        sums.append(Sum(("ended", g), (("completed", g), ("stopped", g))))
        for m in totals:
            totals[m] += counts[(m, g)]
    groups = [g.key for g in race.groups]
    for m, total in totals.items():
        cells[(m, TOTAL)] = Cell(total)
        sums.append(Sum((m, TOTAL), tuple((m, g) for g in groups)))
    return cells, counts, sums


def race_order(race, row):
    return [g.key for g in race.groups].index(row[0])


def test_a_small_completed_count_cannot_be_worked_out_from_the_dropout_column():
    # white completed 5 (hidden); suppressed one rate at a time, black's completed (hidden
    # beside it) followed from black's shown stopped 40 of 52 ended, and white's from the total
    rows = [_ended_row("white", 5, 20), _ended_row("black", 12, 40), _ended_row("asian", 50, 15)]
    cells, _counts, sums = _partition(rows)
    assert cells[("completed", "white")].suppressed
    assert worked_out(cells, sums) == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=40)),
        min_size=1,
        max_size=4,
    )
)
def test_no_hidden_completed_or_stopped_count_can_be_worked_out(pairs):
    races = ["white", "black", "asian", "other"]
    rows = [_ended_row(races[i], c, s) for i, (c, s) in enumerate(pairs)]
    cells, counts, sums = _partition(rows)
    for key, cell in cells.items():
        if not cell.suppressed and key in counts:
            assert cell.value == counts[key]
        if key in counts and 0 < counts[key] < 11:
            assert cell.suppressed, key
    # the view gives away nothing the dashboard's totals do not give on their own (with one
    # group, the total is that group's count)
    nothing_shown = {k: (Cell(None) if k in counts else c) for k, c in cells.items()}
    assert set(worked_out(cells, sums)) <= set(worked_out(nothing_shown, sums))
