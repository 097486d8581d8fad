"""The equity breakdown: course outcomes per group of each dimension, small cells suppressed.

Pure: takes the grouped rows of sql.equity_query and the category labels, returns what the page
shows. Suppression (rules.suppress_rates / suppress_breakdown) runs per dimension and per
measure, because each dimension's groups add up to the totals printed on the dashboard.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ketaclinic.outcomes.definitions import AGE_BANDS, EQUITY_DIMENSIONS, SMALL_CELL_MIN
from ketaclinic.outcomes.rules import (
    Cell,
    RateCell,
    suppress_breakdown,
    suppress_rate_table,
    suppress_rates,
    suppress_table,
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
        courses = suppress_breakdown({g: groups[g]["courses"] for g in order}, minimum)
        rates = {
            "response": suppress_rates(
                {g: (groups[g]["responders"], groups[g]["evaluable"]) for g in order}, minimum
            ),
            "remission": suppress_rates(
                {g: (groups[g]["remitters"], groups[g]["evaluable"]) for g in order}, minimum
            ),
            "completion": suppress_rates(
                {g: (groups[g]["completed"], _ended(groups[g])) for g in order}, minimum
            ),
            "dropout": suppress_rates(
                {g: (groups[g]["stopped"], _ended(groups[g])) for g in order}, minimum
            ),
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


NETWORK = "network"


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


def by_location(
    rows_by_location: Mapping[str, Iterable[Sequence]],
    labels: Mapping[str, Mapping[str, str]],
    minimum: int = SMALL_CELL_MIN,
) -> list[NetworkDimension]:
    """Per dimension, each group's courses, response and remission at every location and for
    the network (the last cell). A group's row adds up to its network cell and a location's
    column to that location's courses, both published, so each measure is suppressed as a
    two-way table (rules.suppress_table): no hidden cell is alone in a row or a column."""
    locations = list(rows_by_location)
    totals = {loc: _sum_groups(rows) for loc, rows in rows_by_location.items()}
    columns = [*locations, NETWORK]
    dimensions = []
    for key, title in EQUITY_DIMENSIONS:
        present = {g for loc in locations for g in totals[loc][key]}
        names = labels.get(key, {})
        order = _order(key, present, names)

        def value(group: str, column: str, measure: str, key=key) -> int:
            places = locations if column == NETWORK else [column]
            return sum(totals[p][key].get(group, {}).get(measure, 0) for p in places)

        cells = [(g, c) for g in order for c in columns]
        courses = suppress_table({(g, c): value(g, c, "courses") for g, c in cells}, minimum)
        response = suppress_rate_table(
            {(g, c): (value(g, c, "responders"), value(g, c, "evaluable")) for g, c in cells},
            minimum,
        )
        remission = suppress_rate_table(
            {(g, c): (value(g, c, "remitters"), value(g, c, "evaluable")) for g, c in cells},
            minimum,
        )
        dimensions.append(
            NetworkDimension(
                key,
                title,
                [
                    LocationGroup(
                        g,
                        names.get(g, g),
                        [courses[(g, c)] for c in columns],
                        [response[(g, c)] for c in columns],
                        [remission[(g, c)] for c in columns],
                    )
                    for g in order
                ],
            )
        )
    return dimensions


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
