"""The equity breakdown: course outcomes per group of each dimension, small cells suppressed.

Pure: takes the grouped rows of sql.equity_query and the category labels, returns what the page
shows. Suppression (rules.suppress_rates / suppress_breakdown) runs per dimension and per
measure, because each dimension's groups add up to the totals printed on the dashboard.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ketaclinic.outcomes.definitions import AGE_BANDS, EQUITY_DIMENSIONS, SMALL_CELL_MIN
from ketaclinic.outcomes.disclosure import Sum, part_seeds, protect, protect_rates
from ketaclinic.outcomes.rules import (
    DENOMINATOR,
    Cell,
    RateCell,
    parts_to_hide,
    suppress_breakdown,
    suppress_rates,
)
from ketaclinic.outcomes.sql import EQUITY_COLUMNS

ROW_COLUMNS = (
    *EQUITY_COLUMNS,
    "age_band",
    "courses",
    "evaluable",
    "responders",
    "remitters",
    "active",
    "completed",
    "stopped",
)
MEASURES = ("response", "remission", "completion", "dropout")


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    courses: Cell
    response: RateCell
    remission: RateCell
    completion: RateCell
    dropout: RateCell


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str
    groups: list[Group]

    @property
    def suppressed_cells(self) -> int:
        count = 0
        for g in self.groups:
            count += g.courses.suppressed
            for m in MEASURES:
                count += getattr(g, m).suppressed
        return count


def _sum_groups(rows: Iterable[Sequence]) -> dict[str, dict[str, dict[str, int]]]:
    totals: dict[str, dict[str, dict[str, int]]] = {key: {} for key, _ in EQUITY_DIMENSIONS}
    for raw in rows:
        row = dict(zip(ROW_COLUMNS, raw, strict=True))
        for key, _ in EQUITY_DIMENSIONS:
            group = totals[key].setdefault(str(row[key]), {})
            for measure in ROW_COLUMNS[len(EQUITY_COLUMNS) + 1 :]:
                group[measure] = group.get(measure, 0) + int(row[measure] or 0)
    return totals


def _order(key: str, groups: Iterable[str], labels: Mapping[str, str]) -> list[str]:
    known = [b.label for b in AGE_BANDS] + ["unknown"] if key == "age_band" else list(labels)
    present = set(groups)
    return [g for g in known if g in present] + sorted(present - set(known))


def breakdown(
    rows: Iterable[Sequence],
    labels: Mapping[str, Mapping[str, str]],
    minimum: int = SMALL_CELL_MIN,
) -> list[Dimension]:
    """Per dimension, every group with its suppressed counts and rates."""
    totals = _sum_groups(rows)
    dimensions = []
    for key, title in EQUITY_DIMENSIONS:
        groups = totals[key]
        names = labels.get(key, {})
        order = _order(key, groups, names)
        all_courses = {g: groups[g]["courses"] for g in order}
        courses = suppress_breakdown(all_courses, minimum)
        evaluable = {g: groups[g]["evaluable"] for g in order}
        ended = {g: _ended(groups[g]) for g in order}
        # Evaluable and ended courses are parts of the courses shown beside them.
        hide_evaluable = parts_to_hide(evaluable, all_courses, courses, minimum)
        hide_ended = parts_to_hide(ended, all_courses, courses, minimum)

        def rate(measure: str, denominators: dict, hidden: list, groups=groups) -> dict:
            return suppress_rates(
                {g: (groups[g][measure], d) for g, d in denominators.items()},
                minimum,
                denominators_hidden=hidden,
            )

        completion, dropout = _partition_protected(
            groups,
            order,
            rate("completed", ended, hide_ended),
            rate("stopped", ended, hide_ended),
            minimum,
        )
        rates = {
            "response": rate("responders", evaluable, hide_evaluable),
            "remission": rate("remitters", evaluable, hide_evaluable),
            "completion": completion,
            "dropout": dropout,
        }
        dimensions.append(
            Dimension(
                key=key,
                title=title,
                groups=[
                    Group(
                        key=g,
                        label=names.get(g, g),
                        courses=courses[g],
                        **{m: rates[m][g] for m in MEASURES},
                    )
                    for g in order
                ],
            )
        )
    return dimensions


TOTAL = "all groups"


def _partition_protected(groups, order, completion, dropout, minimum):
    """Completion and dropout rates suppressed together.

    In every group completed + stopped = ended, and each column adds up to a total published
    elsewhere (the dashboard, a dimension with one group). Suppressed one rate at a time, the
    cell hidden beside a small completed count could be another group than the one hidden
    beside its stopped count, and the small count then follows by subtraction. So the cells
    the two rates hide are checked as one system (`disclosure.protect`, the totals known)."""
    counts, hidden = {}, {}
    for g in order:
        counts[("completed", g)] = groups[g]["completed"]
        counts[("stopped", g)] = groups[g]["stopped"]
        counts[("ended", g)] = _ended(groups[g])
        for measure, cells in (("completed", completion), ("stopped", dropout)):
            if cells[g].numerator.suppressed:
                hidden[(measure, g)] = cells[g].numerator.reason
        if completion[g].denominator.suppressed:
            hidden[("ended", g)] = completion[g].denominator.reason
    measures = ("completed", "stopped", "ended")
    for measure in measures:
        counts[(measure, TOTAL)] = sum(counts[(measure, g)] for g in order)
    sums = [Sum(("ended", g), (("completed", g), ("stopped", g))) for g in order]
    sums += [Sum((m, TOTAL), tuple((m, g) for g in order)) for m in measures]
    cells = protect(counts, sums, minimum, hidden=hidden, known={(m, TOTAL) for m in measures})

    def rate_cells(measure):
        return {
            g: RateCell(
                cells[(measure, g)]
                if not cells[("ended", g)].suppressed or cells[(measure, g)].suppressed
                else Cell(None, DENOMINATOR),
                cells[("ended", g)],
            )
            for g in order
        }

    return rate_cells("completed"), rate_cells("stopped")


NETWORK = "network"


@dataclass(frozen=True)
class LocationFigures:
    """A location's (or the network's) course figures as the network report shows them."""

    courses: Cell
    dosed_sessions: Cell
    response: RateCell
    remission: RateCell


@dataclass(frozen=True)
class LocationGroup:
    """One group of a dimension across the locations: a cell per location, then the network."""

    key: str
    label: str
    courses: list[Cell]
    response: list[RateCell]
    remission: list[RateCell]

    @property
    def columns(self) -> list[tuple[Cell, RateCell, RateCell]]:
        """(courses, response, remission) of each location, then of the network."""
        return list(zip(self.courses, self.response, self.remission, strict=True))


@dataclass(frozen=True)
class NetworkDimension:
    key: str
    title: str
    groups: list[LocationGroup]

    @property
    def suppressed_cells(self) -> int:
        return sum(
            c.suppressed for g in self.groups for c in (*g.courses, *g.response, *g.remission)
        )


@dataclass(frozen=True)
class NetworkTables:
    """Both network reports from one suppression: each location's figures and the network's
    (`figures`, keyed by location and NETWORK), and the equity tables by location."""

    figures: dict
    dimensions: list[NetworkDimension]


TOTAL = "total"
TOTAL_MEASURES = ("courses", "dosed_sessions", "evaluable", "responders", "remitters")


def network_tables(
    totals: Mapping[Hashable, Mapping[str, int]],
    rows_by_location: Mapping[Hashable, Iterable[Sequence]],
    labels: Mapping[str, Mapping[str, str]],
    minimum: int = SMALL_CELL_MIN,
    *,
    known_locations: Iterable[Hashable] = (),
) -> NetworkTables:
    """The outcomes by location and the equity by location, suppressed together.

    `totals` holds each location's courses, dosed sessions, evaluable courses, responders and
    remitters (the outcome facts); `rows_by_location` its equity rows. Every published sum ties
    the figures: locations add up to the network, each group's locations to its network figure,
    each location's groups to its total. `disclosure.protect` hides what those sums would give
    away, for each measure over both pages at once, so neither page undoes the other.
    `known_locations`: locations whose records the reader may open, whose figures they know
    whatever the pages show."""
    locations = list(totals)
    columns = [*locations, NETWORK]
    grouped = {loc: _sum_groups(rows_by_location.get(loc, ())) for loc in locations}

    def total(column, measure: str) -> int:
        places = locations if column == NETWORK else [column]
        return sum(int(totals[p][measure]) for p in places)

    dimension_groups = []
    for key, _title in EQUITY_DIMENSIONS:
        present = {g for loc in locations for g in grouped[loc][key]}
        dimension_groups.append((key, _order(key, present, labels.get(key, {}))))

    def cell(key: str, group: str, column, measure: str) -> int:
        places = locations if column == NETWORK else [column]
        return sum(grouped[p][key].get(group, {}).get(measure, 0) for p in places)

    sums = [Sum((TOTAL, NETWORK), tuple((TOTAL, loc) for loc in locations))]
    for key, order in dimension_groups:
        for g in order:
            sums.append(Sum((key, g, NETWORK), tuple((key, g, loc) for loc in locations)))
        for column in columns:
            sums.append(Sum((TOTAL, column), tuple((key, g, column) for g in order)))

    def figures(measure: str, group_measure: str) -> dict:
        values = {(TOTAL, c): total(c, measure) for c in columns}
        for key, order in dimension_groups:
            for g in order:
                for c in columns:
                    values[(key, g, c)] = cell(key, g, c, group_measure)
        return values

    known = {k for k in _keys(dimension_groups, columns) if k[-1] in set(known_locations)}
    all_courses = figures("courses", "courses")
    courses = protect(all_courses, sums, minimum, known=known)
    evaluable = figures("evaluable", "evaluable")
    # Evaluable courses are part of the courses shown beside them: hidden with them, and where
    # the courses without a later score would be a small count.
    evaluable_seeds = part_seeds(evaluable, all_courses, courses, minimum)
    rates = {}
    for measure in ("responders", "remitters"):
        numerators = figures(measure, measure)
        rates[measure] = protect_rates(
            {k: (numerators[k], evaluable[k]) for k in numerators},
            sums,
            minimum,
            denominators_hidden=evaluable_seeds,
            known=known,
        )
    dosed = protect(
        {(TOTAL, c): total(c, "dosed_sessions") for c in columns}, sums[:1], minimum, known=known
    )
    location_figures = {
        c: LocationFigures(
            courses[(TOTAL, c)],
            dosed[(TOTAL, c)],
            rates["responders"][(TOTAL, c)],
            rates["remitters"][(TOTAL, c)],
        )
        for c in columns
    }
    titles = dict(EQUITY_DIMENSIONS)
    dimensions = [
        NetworkDimension(
            key,
            titles[key],
            [
                LocationGroup(
                    g,
                    labels.get(key, {}).get(g, g),
                    [courses[(key, g, c)] for c in columns],
                    [rates["responders"][(key, g, c)] for c in columns],
                    [rates["remitters"][(key, g, c)] for c in columns],
                )
                for g in order
            ],
        )
        for key, order in dimension_groups
    ]
    return NetworkTables(location_figures, dimensions)


def _keys(dimension_groups, columns) -> list[tuple]:
    keys = [(TOTAL, c) for c in columns]
    for key, order in dimension_groups:
        keys += [(key, g, c) for g in order for c in columns]
    return keys


def _ended(group: Mapping[str, int]) -> int:
    return group["completed"] + group["stopped"]


def as_dict(dimensions: Sequence[Dimension]) -> dict:
    """JSON shape: suppressed values are null with "suppressed": true."""

    def cell(c: Cell):
        return {"value": c.value, "suppressed": c.suppressed}

    def rate_cell(r: RateCell):
        return {
            "numerator": r.numerator.value,
            "denominator": r.denominator.value,
            "rate": None if r.percent is None else float(r.percent) / 100,
            "suppressed": r.suppressed,
        }

    return {
        d.key: {
            "title": d.title,
            "groups": [
                {"group": g.key, "label": g.label, "courses": cell(g.courses)}
                | {m: rate_cell(getattr(g, m)) for m in MEASURES}
                for g in d.groups
            ],
        }
        for d in dimensions
    }
