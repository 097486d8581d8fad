"""The outcome charts are well-formed, self-contained SVG that say what they show."""

import xml.etree.ElementTree as ET

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
from ketaclinic.outcomes.rules import kaplan_meier

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str):
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    return root


def of_class(root, css):
    return [el for el in root.iter() if css in (el.get("class") or "").split()]


def tip(el):
    return el.find(f"{SVG}title").text


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
