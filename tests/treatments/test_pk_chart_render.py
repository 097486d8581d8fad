"""The concentration chart: round axes sized to the curves, readable text, values on hover."""

import itertools
import re
import xml.etree.ElementTree as ET

from ketaclinic.core import charts
from ketaclinic.pharmacokinetics import rules as pk
from ketaclinic.treatments.pk_chart import Curve, Event, render_svg
from tests.svg import SVG, axis_labels, of_class

PATIENT = pk.Patient(weight_kg=70.0, age_years=40, sex="female")


def infusion(mg: float, until: float = 240.0):
    dose = pk.Dose("iv", mg, start_min=0.0, duration_min=40.0)
    return pk.predict("clements_1981", PATIENT, [dose], until_min=until, step_min=1.0)


def test_the_concentration_axis_is_a_round_range_just_above_the_peak():
    # given a 35 mg infusion and a 50 mg one to compare
    low, high = infusion(35.0), infusion(50.0)
    svg = render_svg([Curve("35 mg", low), Curve("50 mg (compared)", high)], 240.0)
    root = ET.fromstring(svg)
    # then the y axis runs from 0 in round steps to the first round number above the peak
    ticks = [float(t) for t in axis_labels(root, "Y-axis")]
    assert ticks[0] == 0
    step = ticks[1] - ticks[0]
    assert step in (10, 20, 25, 50, 100)
    assert all(abs(b - a - step) < 1e-9 for a, b in itertools.pairwise(ticks))
    assert float(high.cmax) <= ticks[-1] + step
    assert ticks[-1] < 2 * float(high.cmax)
    # and the minute axis is ticked every 30 minutes
    assert axis_labels(root, "X-axis") == [str(m) for m in range(0, 241, 30)]


def test_two_curves_differ_in_colour_and_dash_and_are_named_in_a_legend():
    svg = render_svg([Curve("35 mg", infusion(35.0)), Curve("50 mg", infusion(50.0))], 240.0)
    root = ET.fromstring(svg)
    first, second = of_class(root, "pk-curve")
    assert first.get("stroke") != second.get("stroke")
    assert first.get("stroke-dasharray") != second.get("stroke-dasharray")
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "35 mg" in texts and "50 mg" in texts


def test_points_along_each_curve_give_the_value_on_hover_and_focus():
    prediction = infusion(35.0)
    root = ET.fromstring(render_svg([Curve("35 mg", prediction)], 240.0))
    points = of_class(root, "pk-point-a")
    tips = [p.find(f"{SVG}title").text for p in points]
    assert tips[0] == "35 mg: 0 ng/mL at 0 min"
    assert any(t.endswith("(predicted peak)") for t in tips)
    assert all(p.get("tabindex") == "0" for p in points)
    # one every ten minutes and the peak
    assert len(points) in (25, 26)


def test_text_is_at_least_12_px_and_nothing_is_fetched():
    svg = render_svg(
        [Curve("35 mg", infusion(35.0))],
        240.0,
        threshold=50.0,
        events=[Event(10, "Vitals", "Vitals BP 120/80"), Event(45, "Alerts", "SpO2 low")],
        marks=[(120, "Now"), (118, "Below 50 ng/mL")],
    )
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)px"', svg)]
    assert sizes and min(sizes) >= 12
    assert "<script" not in svg and "href" not in svg
    root = ET.fromstring(svg)
    assert [e.find(f"{SVG}title").text for e in of_class(root, "pk-event")] == [
        "Vitals BP 120/80",
        "Alerts: SpO2 low",
    ]
    assert [t.find(f"{SVG}title").text for t in of_class(root, "pk-threshold")] == [
        "threshold 50 ng/mL"
    ]
    # the labels of two close marks sit on different rows
    labels = {t.text: t for t in of_class(root, "pk-mark-label")}
    assert labels["Now"].get("transform") != labels["Below 50 ng/mL"].get("transform")


def test_the_spec_is_valid_vega_lite(monkeypatch):
    monkeypatch.setattr(charts, "VALIDATE", True)
    charts._render.cache_clear()
    render_svg(
        [Curve("35 mg", infusion(35.0))],
        240.0,
        threshold=50.0,
        events=[Event(10, "Vitals", "Vitals BP 120/80")],
        marks=[(120, "Now")],
    )
    render_svg([Curve("35 mg", infusion(35.0))], 240.0, events=[])
