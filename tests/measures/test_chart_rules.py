"""The server-side trajectory chart shows bands, thresholds, alerts and markers."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from ketaclinic.measures.chart import Marker, Point, trajectory_svg
from ketaclinic.measures.instruments import INSTRUMENTS

SVG = "{http://www.w3.org/2000/svg}"
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def weekly(*values, alert_at=()):
    return [Point(START + timedelta(weeks=i), v, alert=i in alert_at) for i, v in enumerate(values)]


def titles(root, css_class):
    return [
        el.find(f"{SVG}title").text
        for el in root.iter()
        if css_class in (el.get("class") or "").split()
    ]


def test_the_chart_shades_every_phq9_band_with_its_label():
    # given a PHQ-9 history
    svg = trajectory_svg(INSTRUMENTS["phq9"], weekly(22, 15, 9), baseline=22)
    # when parsed as XML (it must be well-formed to render inline)
    root = ET.fromstring(svg)
    # then each reference band is drawn
    assert titles(root, "band") == [
        "minimal 0-4",
        "mild 5-9",
        "moderate 10-14",
        "moderately severe 15-19",
        "severe 20-27",
    ]


def test_the_chart_draws_remission_and_response_thresholds():
    svg = trajectory_svg(INSTRUMENTS["phq9"], weekly(22, 15, 9), baseline=22)
    root = ET.fromstring(svg)
    assert titles(root, "remission") == ["remission: below 5"]
    assert titles(root, "response") == ["response: 50% below baseline 22 (11)"]


def test_safety_alerts_are_marked_on_their_scores():
    svg = trajectory_svg(INSTRUMENTS["phq9"], weekly(22, 15, 9, alert_at={1}), baseline=22)
    root = ET.fromstring(svg)
    assert titles(root, "alert-point") == ["13 Jan 2025: 15: safety alert"]
    assert len(titles(root, "point")) == 2


def test_markers_from_other_apps_are_drawn_with_their_label():
    marker = Marker(START + timedelta(days=2), "IV ketamine <session 1>", "session")
    svg = trajectory_svg(INSTRUMENTS["phq9"], weekly(22, 15), markers=[marker])
    root = ET.fromstring(svg)
    assert titles(root, "marker") == ["08 Jan 2025: IV ketamine <session 1>"]


def test_an_empty_history_says_so():
    svg = trajectory_svg(INSTRUMENTS["gad7"], [])
    assert "No scores yet" in svg
    ET.fromstring(svg)


def test_the_chart_has_no_script_or_external_resource():
    svg = trajectory_svg(INSTRUMENTS["qids_sr16"], weekly(20, 12, 5), baseline=20)
    assert "<script" not in svg
    assert "href" not in svg
