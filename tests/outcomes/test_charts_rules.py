"""The outcome charts are well-formed, self-contained SVG that say what they show."""

import itertools
import xml.etree.ElementTree as ET

from ketaclinic.core import charts
from ketaclinic.outcomes.charts import (
    Bar,
    Curve,
    Row,
    Value,
    bar_chart,
    grouped_percent_chart,
    hbar_percent_chart,
    km_chart,
    scatter_chart,
)
from ketaclinic.outcomes.rules import kaplan_meier
from tests.svg import SVG, axis_labels, font_sizes, of_class, tip


def parse(svg: str):
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    return root


def test_sessions_per_week_draws_one_bar_per_week_with_its_count():
    svg = bar_chart("w", "Sessions per week", [Bar("6 Jan", 12), Bar("13 Jan", 30)])
    root = parse(svg)
    assert [tip(b) for b in of_class(root, "bar")] == ["6 Jan: 12", "13 Jan: 30"]
    assert root.find(f"{SVG}desc").text == "2 bars, 42 in all; highest 30 (13 Jan)."


def test_no_external_resources_are_referenced():
    svg = bar_chart("w", "Sessions per week", [Bar("6 Jan", 12)])
    assert "http://" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert "<script" not in svg and "href" not in svg


def test_an_empty_selection_says_so():
    root = parse(bar_chart("w", "Sessions per week", []))
    assert of_class(root, "empty")[0].text == "No data for this selection"


def test_grouped_rates_mark_missing_values_instead_of_drawing_zero():
    svg = grouped_percent_chart(
        "m",
        "Response after session k",
        ["after 2", "after 4"],
        [
            ("response", [Value(25.0, "after 2: 25% (5/20)"), Value(None, "after 4: no data")]),
            ("remission", [Value(10.0, "after 2: 10% (2/20)"), Value(40.0, "after 4: 40%")]),
        ],
    )
    root = parse(svg)
    assert len(of_class(root, "bar")) == 3
    assert [el.text for el in of_class(root, "na")] == ["n/a"]


def test_a_suppressed_group_is_shown_as_suppressed_not_as_a_bar():
    svg = hbar_percent_chart(
        "e",
        "Response by payer",
        [Row("Medicaid", None, "suppressed", suppressed=True), Row("Commercial", 50.0, "50.0%")],
    )
    root = parse(svg)
    assert [tip(el) for el in of_class(root, "suppressed")] == ["Medicaid: suppressed"]
    assert [tip(el) for el in of_class(root, "bar")] == ["Commercial: 50.0%"]


def test_the_km_curve_steps_up_at_each_response_and_marks_censoring():
    steps = kaplan_meier([(7, True), (7, True), (10, False), (14, True)])
    curve = Curve(
        "All protocols",
        [(s.time, s.responded, 1 - s.upper, 1 - s.lower) for s in steps],
        censored=[(s.time, s.responded) for s in steps if s.censored],
        median=7,
    )
    root = parse(km_chart("km", "Time to response", [curve]))
    assert len(of_class(root, "km-curve")) == 1
    assert len(of_class(root, "km-band")) == 1
    assert len(of_class(root, "censor")) == 1
    assert root.find(f"{SVG}desc").text == (
        "All protocols: 100% responded by the end, median 7 days."
    )


def km_curves():
    def curve(name, events):
        steps = kaplan_meier(events)
        return Curve(
            name,
            [(s.time, s.responded, 1 - s.upper, 1 - s.lower) for s in steps],
            censored=[(s.time, s.responded) for s in steps if s.censored],
        )

    return [
        curve("All protocols", [(7, True), (10, False), (14, True), (28, True)]),
        curve("IV", [(7, True), (21, True)]),
    ]


def test_a_count_axis_is_sized_to_the_data_in_round_steps():
    svg = bar_chart("w", "Sessions per week", [Bar("6 Jan", 12), Bar("13 Jan", 30)])
    ticks = [int(t) for t in axis_labels(parse(svg), "Y-axis")]
    assert ticks[0] == 0 and 30 <= ticks[-1] <= 40
    assert len({b - a for a, b in itertools.pairwise(ticks)}) == 1


def test_rates_run_from_0_to_100_percent_in_quarters():
    svg = grouped_percent_chart("m", "Rates", ["after 2"], [("response", [Value(25.0, "25%")])])
    assert axis_labels(parse(svg), "Y-axis") == ["0%", "25%", "50%", "75%", "100%"]


def test_every_chart_writes_text_at_least_12_px():
    svgs = [
        bar_chart("w", "Sessions per week", [Bar("6 Jan", 12), Bar("13 Jan", 30)], y_label="n"),
        grouped_percent_chart(
            "m", "Rates", ["after 2"], [("response", [Value(None, "after 2: no data")])]
        ),
        hbar_percent_chart("e", "By payer", [Row("Commercial", 50.0, "50.0%")]),
        km_chart("km", "Time to response", km_curves()),
        scatter_chart("s", "Exposure", [(100.0, 30.0)], x_label="Cmax", y_label="minutes"),
    ]
    for svg in svgs:
        assert font_sizes(svg) and min(font_sizes(svg)) >= 12


def test_bars_and_km_steps_give_their_values_on_hover_and_focus():
    root = parse(bar_chart("w", "Sessions per week", [Bar("6 Jan", 12)]))
    (bar,) = of_class(root, "bar")
    assert bar.get("tabindex") == "0" and tip(bar) == "6 Jan: 12"
    root = parse(km_chart("km", "Time to response", km_curves()))
    tips = [tip(p) for p in of_class(root, "km-point")]
    assert "All protocols: 25% responded by day 7" in tips
    assert "IV: 100% responded by day 21" in tips


def test_km_curves_differ_in_colour_and_dash_and_a_legend_names_them():
    root = parse(km_chart("km", "Time to response", km_curves()))
    first, second = of_class(root, "km-curve")
    assert first.get("stroke") != second.get("stroke")
    assert first.get("stroke-dasharray") != second.get("stroke-dasharray")
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "All protocols" in texts and "IV" in texts


def test_the_scatter_draws_points_line_and_band_on_axes_from_zero():
    svg = scatter_chart(
        "s",
        "Exposure",
        [(100.0, 30.0), (250.0, 80.0)],
        x_label="Cmax (ng/mL)",
        y_label="minutes",
        line=[(100.0, 30.0), (250.0, 75.0)],
        band=[(100.0, 20.0, 40.0), (250.0, 60.0, 90.0)],
    )
    root = parse(svg)
    assert [tip(p) for p in of_class(root, "point")] == ["100, 30", "250, 80"]
    assert len(of_class(root, "fit")) == 1 and len(of_class(root, "band")) == 1
    assert axis_labels(root, "X-axis")[0] == "0" and axis_labels(root, "Y-axis")[0] == "0"


def test_the_specs_are_valid_vega_lite(monkeypatch):
    monkeypatch.setattr(charts, "VALIDATE", True)
    charts._render.cache_clear()
    bar_chart("w", "Sessions per week", [Bar("6 Jan", 12)])
    bar_chart("w", "Sessions per week", [])
    grouped_percent_chart("m", "Rates", ["a"], [("response", [Value(None, "a: no data")])])
    hbar_percent_chart("e", "By payer", [Row("Medicaid", None, "suppressed", suppressed=True)])
    km_chart("km", "Time to response", km_curves())
    scatter_chart("s", "E", [(1.0, 2.0)], x_label="x", y_label="y", line=[(1.0, 2.0), (2.0, 3.0)])
