"""Charts and display rows for the outcome pages, built from a Summary or equity breakdown."""

from __future__ import annotations

from collections.abc import Sequence

from ketaclinic.outcomes.charts import (
    Bar,
    Curve,
    Row,
    Value,
    bar_chart,
    grouped_percent_chart,
    hbar_percent_chart,
    km_chart,
)
from ketaclinic.outcomes.equity import Dimension
from ketaclinic.outcomes.rules import Rate, RateCell
from ketaclinic.outcomes.summary import Outcomes, Summary


def rate_text(r: Rate) -> str:
    if r.denominator == 0:
        return "no data"
    return f"{r.percent}% ({r.numerator}/{r.denominator})"


def _value(label: str, r: Rate) -> Value:
    if r.denominator == 0:
        return Value(None, f"{label}: no evaluable courses")
    return Value(float(r.percent), f"{label}: {rate_text(r)}")


def weekly_chart(summary: Summary) -> str:
    bars = [
        Bar(week.strftime("%d %b %y"), n, f"week of {week:%d %b %Y}: {n} sessions")
        for week, n in summary.weekly
    ]
    return bar_chart("weekly", "Dosed sessions per week", bars, y_label="sessions")


def milestone_chart(o: Outcomes) -> str:
    categories = [f"after session {k}" for k in o.by_session] + ["at last score"]
    responses = [_value(c, r) for c, (r, _) in zip(categories, o.by_session.values(), strict=False)]
    remissions = [
        _value(c, m) for c, (_, m) in zip(categories, o.by_session.values(), strict=False)
    ]
    responses.append(_value("at last score", o.response))
    remissions.append(_value("at last score", o.remission))
    return grouped_percent_chart(
        "milestones",
        f"Response and remission by session number ({o.name})",
        categories,
        [("response", responses), ("remission", remissions)],
    )


def protocol_chart(summary: Summary) -> str:
    protocols = list(summary.by_protocol.values())
    return grouped_percent_chart(
        "protocols",
        "Response, remission and completion by protocol",
        [o.code for o in protocols],
        [
            ("response", [_value(o.name, o.response) for o in protocols]),
            ("remission", [_value(o.name, o.remission) for o in protocols]),
            ("completion", [_value(o.name, o.completion) for o in protocols]),
        ],
    )


def _curve(o: Outcomes, name: str | None = None) -> Curve:
    return Curve(
        name=name or o.name,
        steps=[(s.time, s.responded, 1 - s.upper, 1 - s.lower) for s in o.km],
        censored=[(s.time, s.responded) for s in o.km if s.censored],
        median=o.km_median,
    )


def km_figure(summary: Summary, *, per_protocol: bool) -> str:
    curves = [_curve(summary.overall)]
    if per_protocol:
        curves += [_curve(o, o.code) for o in summary.by_protocol.values()]
    return km_chart("km", "Time to response (Kaplan-Meier)", curves)


def cell_text(r: RateCell) -> str:
    if r.suppressed:
        return "suppressed"
    if r.denominator.value == 0:
        return "no data"
    return f"{r.percent}% ({r.numerator.value}/{r.denominator.value})"


def equity_chart(dimension: Dimension, measure: str = "response") -> str:
    rows = []
    for g in dimension.groups:
        cell: RateCell = getattr(g, measure)
        percent = None if cell.percent is None else float(cell.percent)
        rows.append(Row(g.label, percent, cell_text(cell), suppressed=cell.suppressed))
    return hbar_percent_chart(
        f"equity-{dimension.key}", f"{measure.capitalize()} rate by {dimension.title.lower()}", rows
    )


def equity_tables(dimensions: Sequence[Dimension]) -> list[dict]:
    return [
        {
            "dimension": d,
            "svg": equity_chart(d),
            "rows": [
                {
                    "label": g.label,
                    "courses": str(g.courses),
                    "courses_suppressed": g.courses.suppressed,
                    "cells": [
                        (cell_text(getattr(g, m)), getattr(g, m).suppressed)
                        for m in ("response", "remission", "completion", "dropout")
                    ],
                }
                for g in d.groups
            ],
        }
        for d in dimensions
    ]
