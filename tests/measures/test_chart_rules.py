"""The trajectory chart shows bands, thresholds, alerts and markers, readable and on scale."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from ketaclinic.core import charts
from ketaclinic.measures.chart import Marker, Point, trajectory_svg
from ketaclinic.measures.instruments import INSTRUMENTS
from tests.svg import SVG, axis_labels

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def weekly(*values, alert_at=()):
    return [Point(START + timedelta(weeks=i), v, alert=i in alert_at) for i, v in enumerate(values)]


def titles(root, css_class):
    return [
        el.find(f"{SVG}title").text
        for el in root.iter()
        if css_class in (el.get("class") or "").split() and el.find(f"{SVG}title") is not None
    ]


def test_the_chart_shades_every_phq9_band_with_its_label():
    # given a PHQ-9 history
    svg = trajectory_svg(INSTRUMENTS["phq9"], weekly(22, 15, 9), baseline=22)
    # when parsed as XML (it must be well-formed to render inline)
    root = ET.fromstring(svg)
    # then each reference band is drawn and named
    bands = ["minimal 0-4", "mild 5-9", "moderate 10-14", "moderately severe 15-19", "severe 20-27"]
    assert titles(root, "band") == bands
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert all(b in texts for b in bands)


def test_the_y_axis_is_the_instruments_range_in_round_steps():
    # given six weekly PHQ-9 scores (the instrument runs 0-27)
    svg = trajectory_svg(INSTRUMENTS["phq9"], weekly(22, 15, 12, 9, 7, 6), baseline=22)
    # then the score axis reads 0 to 25 in fives, never stretched to 100
    root = ET.fromstring(svg)
    assert axis_labels(root, "Y-axis") == ["0", "5", "10", "15", "20", "25"]
    # and the date axis names dates, not times
    dates = axis_labels(root, "X-axis")
    assert dates and all(re.fullmatch(r"\d\d \w{3} \d{4}", d) for d in dates), dates


def test_gad7_runs_to_its_own_maximum():
    svg = trajectory_svg(INSTRUMENTS["gad7"], weekly(18, 12, 6))
    labels = axis_labels(ET.fromstring(svg), "Y-axis")
    assert labels[0] == "0" and int(labels[-1]) <= 21


def test_all_text_is_at_least_12_px():
    svg = trajectory_svg(
        INSTRUMENTS["phq9"],
        weekly(22, 15, 9, alert_at={1}),
        baseline=22,
        markers=[Marker(START + timedelta(days=2), "IV ketamine", "session")],
    )
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)px"', svg)]
    assert sizes and min(sizes) >= 12
    assert "font-size" not in re.sub(r'font-size="[\d.]+px"', "", svg)


def test_every_score_shows_its_value_on_hover_and_takes_keyboard_focus():
    svg = trajectory_svg(INSTRUMENTS["phq9"], weekly(22, 15, 9), baseline=22)
    root = ET.fromstring(svg)
    points = [el for el in root.iter() if "point" in (el.get("class") or "").split()]
    assert [p.find(f"{SVG}title").text for p in points] == [
        "06 Jan 2025: 22",
        "13 Jan 2025: 15",
        "20 Jan 2025: 9",
    ]
    assert all(p.get("tabindex") == "0" for p in points)
    assert points[0].get("aria-label") == "06 Jan 2025: 22"


def test_the_chart_draws_remission_and_response_thresholds_with_distinct_dashes():
    svg = trajectory_svg(INSTRUMENTS["phq9"], weekly(22, 15, 9), baseline=22)
    root = ET.fromstring(svg)
    assert titles(root, "remission") == ["remission: below 5"]
    assert titles(root, "response") == ["response: 50% below baseline 22 (11)"]
    (remission,) = [el for el in root.iter() if "remission" in (el.get("class") or "").split()]
    (response,) = [el for el in root.iter() if "response" in (el.get("class") or "").split()]
    assert remission.get("stroke-dasharray") != response.get("stroke-dasharray")
    assert remission.get("stroke") != response.get("stroke")
    # and the legend names them
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "remission" in texts and "response" in texts


def test_safety_alerts_are_marked_on_their_scores():
    svg = trajectory_svg(INSTRUMENTS["phq9"], weekly(22, 15, 9, alert_at={1}), baseline=22)
    root = ET.fromstring(svg)
    tips = titles(root, "point")
    assert [t for t in tips if t.endswith("safety alert")] == ["13 Jan 2025: 15: safety alert"]
    assert len(tips) == 3
    assert "safety alert" in [t.text for t in root.iter(f"{SVG}text")]


def test_a_referral_score_is_a_hollow_point_named_with_its_source():
    points = [
        Point(START - timedelta(days=10), 20, referral="Valley Psychiatry"),
        *weekly(22, 15),
    ]
    root = ET.fromstring(trajectory_svg(INSTRUMENTS["phq9"], points))
    referral = [
        el
        for el in root.iter()
        if "point" in (el.get("class") or "").split()
        and "from referral" in el.find(f"{SVG}title").text
    ]
    assert [el.find(f"{SVG}title").text for el in referral] == [
        "27 Dec 2024: 20: from referral, Valley Psychiatry"
    ]
    assert referral[0].get("fill") == "#ffffff"


def test_markers_from_other_apps_are_drawn_with_their_label():
    marker = Marker(START + timedelta(days=2), "IV ketamine <session 1>", "session")
    svg = trajectory_svg(INSTRUMENTS["phq9"], weekly(22, 15), markers=[marker])
    root = ET.fromstring(svg)
    assert titles(root, "marker") == ["08 Jan 2025: IV ketamine <session 1>"]


def test_an_empty_history_says_so():
    svg = trajectory_svg(INSTRUMENTS["gad7"], [])
    assert "No scores yet" in svg
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}desc").text == "No GAD-7 scores yet."


def test_the_chart_has_no_script_or_external_resource_and_a_text_alternative():
    svg = trajectory_svg(INSTRUMENTS["qids_sr16"], weekly(20, 12, 5), baseline=20)
    assert "<script" not in svg
    assert "href" not in svg
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}desc").text.startswith("3 scores from 06 Jan 2025 to 20 Jan 2025")


def test_the_spec_is_valid_vega_lite(monkeypatch):
    monkeypatch.setattr(charts, "VALIDATE", True)
    charts._render.cache_clear()
    marker = Marker(START + timedelta(days=2), "IV ketamine", "session")
    points = [Point(START - timedelta(days=3), 20, referral="Valley"), *weekly(22, 15)]
    trajectory_svg(INSTRUMENTS["phq9"], points, baseline=22, markers=[marker])
    trajectory_svg(INSTRUMENTS["gad7"], [])
