"""The equity breakdown: course outcomes per group of each dimension, small cells suppressed.

Pure: takes the grouped rows of sql.equity_query and the category labels, returns what the page
shows. Suppression (rules.suppress_rates / suppress_breakdown) runs per dimension and per
measure, because each dimension's groups add up to the totals printed on the dashboard.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ketaclinic.outcomes.definitions import AGE_BANDS, EQUITY_DIMENSIONS, SMALL_CELL_MIN
from ketaclinic.outcomes.rules import Cell, RateCell, suppress_breakdown, suppress_rates
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
