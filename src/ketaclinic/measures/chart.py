"""Server-side SVG trajectory chart: scores over time on shaded severity bands, with thresholds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from ketaclinic.measures.instruments import RESPONSE_REDUCTION_PERCENT, Instrument

# Lowest to highest severity; a band's colour is picked by its rank among the instrument's bands.
BAND_FILLS = ("#e6f4ea", "#f3f8e3", "#fff6dc", "#ffe9d6", "#fde2e1")
MARKER_COLOURS = {"session": "#5b6bbf"}
DEFAULT_MARKER_COLOUR = "#777777"
LINE_COLOUR = "#1f4e79"
ALERT_COLOUR = "#c62828"
# Scores that came with a referral: hollow diamonds off the line, so they never read as the
# clinic's own measurements.
REFERRAL_COLOUR = "#8a5300"


@dataclass(frozen=True)
class Point:
    at: datetime
    value: int
    alert: bool = False
    severity: str | None = None
    # The referring organisation, for a score that came with a referral.
    referral: str | None = None


@dataclass(frozen=True)
class Marker:
    at: datetime
    label: str
    kind: str


@dataclass(frozen=True)
class Layout:
    width: int = 680
    height: int = 260
    left: int = 34
    right: int = 158
    top: int = 12
    bottom: int = 46

    @property
    def plot_w(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> int:
        return self.height - self.top - self.bottom


def _fmt(n: float) -> str:
    return f"{n:.1f}".rstrip("0").rstrip(".")


def _band_fill(rank: int, count: int) -> str:
    if count <= 1:
        return BAND_FILLS[-1]
    return BAND_FILLS[round(rank * (len(BAND_FILLS) - 1) / (count - 1))]


def trajectory_svg(
    instrument: Instrument,
    points: Sequence[Point],
    *,
    baseline: int | None = None,
    markers: Sequence[Marker] = (),
    layout: Layout | None = None,
) -> str:
    """An accessible, self-contained SVG; no script, no external resources."""
    lay = layout or Layout()
    y_min = instrument.min_total or 0
    y_max = instrument.max_total or max([p.value for p in points] + [1])
    times = [p.at for p in points] + [m.at for m in markers]
    t0, t1 = (min(times), max(times)) if times else (None, None)

    def x(at: datetime) -> float:
        if t0 is None or t1 == t0:
            return lay.left + lay.plot_w / 2
        return lay.left + (at - t0).total_seconds() / (t1 - t0).total_seconds() * lay.plot_w

    def y(value: float) -> float:
        return lay.top + (1 - (value - y_min) / (y_max - y_min)) * lay.plot_h

    title = f"{instrument.name} over time"
    summary = _summary(instrument, points)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {lay.width} {lay.height}" '
        f'class="trajectory" role="img" aria-labelledby="t-{instrument.code} d-{instrument.code}" '
        f'font-family="system-ui, sans-serif" font-size="11">',
        f'<title id="t-{instrument.code}">{escape(title)}</title>',
        f'<desc id="d-{instrument.code}">{escape(summary)}</desc>',
    ]
    out += _bands(instrument, lay, y)
    out += _axes(instrument, lay, y, t0, t1, x)
    out += _thresholds(instrument, lay, y, baseline)
    out += _markers(markers, lay, x)
    out += _series([p for p in points if p.referral is None], lay, x, y, empty=not points)
    out += _referrals([p for p in points if p.referral is not None], x, y)
    out += _legend(
        lay, has_markers=bool(markers), has_referrals=any(p.referral is not None for p in points)
    )
    out.append("</svg>")
    return "\n".join(out)


def _summary(instrument: Instrument, points: Sequence[Point]) -> str:
    if not points:
        return f"No {instrument.name} scores yet."
    last = points[-1]
    alerts = sum(p.alert for p in points)
    text = (
        f"{len(points)} scores from {points[0].at:%d %b %Y} to {last.at:%d %b %Y}; "
        f"latest {last.value}"
    )
    if last.severity:
        text += f" ({last.severity})"
    if alerts:
        text += f"; {alerts} with a safety alert"
    referrals = sum(p.referral is not None for p in points)
    if referrals:
        text += f"; {referrals} from a referral"
    return text + "."


def _bands(instrument, lay, y) -> list[str]:
    out = []
    bands = sorted(instrument.bands, key=lambda b: b.low)
    for rank, band in enumerate(bands):
        top = y(band.high + 0.5 if band.high < (instrument.max_total or band.high) else band.high)
        bottom = y(band.low - 0.5 if band.low > (instrument.min_total or 0) else band.low)
        out.append(
            f'<rect class="band" x="{lay.left}" y="{_fmt(top)}" width="{lay.plot_w}" '
            f'height="{_fmt(bottom - top)}" fill="{_band_fill(rank, len(bands))}">'
            f"<title>{escape(band.label)} {band.low}-{band.high}</title></rect>"
        )
        out.append(
            f'<text x="{lay.left + lay.plot_w + 6}" y="{_fmt((top + bottom) / 2 + 4)}" '
            f'fill="#555">{escape(band.label)} {band.low}-{band.high}</text>'
        )
    return out


def _axes(instrument, lay, y, t0, t1, x) -> list[str]:
    bottom = lay.top + lay.plot_h
    out = [
        f'<line x1="{lay.left}" y1="{lay.top}" x2="{lay.left}" y2="{bottom}" stroke="#999"/>',
        f'<line x1="{lay.left}" y1="{bottom}" x2="{lay.left + lay.plot_w}" y2="{bottom}" '
        'stroke="#999"/>',
    ]
    ticks = {instrument.min_total or 0, instrument.max_total or 0}
    ticks |= {b.low for b in instrument.bands}
    for tick in sorted(ticks):
        out.append(
            f'<text x="{lay.left - 4}" y="{_fmt(y(tick) + 4)}" text-anchor="end" '
            f'fill="#555">{tick}</text>'
        )
    if t0 is None:
        return out
    if t1 == t0:
        stops = [(t0, "middle")]
    else:
        stops = [(t0 + (t1 - t0) * i / 4, "middle") for i in range(5)]
        stops[0], stops[-1] = (t0, "start"), (t1, "end")
    for at, anchor in stops:
        out.append(
            f'<text x="{_fmt(x(at))}" y="{bottom + 14}" text-anchor="{anchor}" '
            f'fill="#555">{at:%d %b %Y}</text>'
        )
    return out


def _thresholds(instrument, lay, y, baseline) -> list[str]:
    out = []
    right = lay.left + lay.plot_w

    def line(value: float, label: str, css: str, colour: str, at_right: bool) -> None:
        out.append(
            f'<line class="{css}" x1="{lay.left}" y1="{_fmt(y(value))}" x2="{right}" '
            f'y2="{_fmt(y(value))}" stroke="{colour}" stroke-width="1.5" stroke-dasharray="6 4">'
            f"<title>{escape(label)}</title></line>"
        )
        # Remission labels sit at the right end, response labels at the left, so that the two
        # never overlap when the thresholds are close.
        x_text, anchor = (right - 4, "end") if at_right else (lay.left + 4, "start")
        out.append(
            f'<text x="{x_text}" y="{_fmt(y(value) - 3)}" text-anchor="{anchor}" '
            f'fill="{colour}">{escape(label)}</text>'
        )

    if instrument.remission is not None:
        line(
            instrument.remission.value,
            f"remission: {instrument.remission.describe()}",
            "remission",
            "#2e7d32",
            True,
        )
    if instrument.tracks_outcome and baseline:
        target = baseline * (100 - RESPONSE_REDUCTION_PERCENT) / 100
        line(
            target,
            f"response: {RESPONSE_REDUCTION_PERCENT}% below baseline {baseline} ({_fmt(target)})",
            "response",
            "#6a1b9a",
            False,
        )
    return out


def _markers(markers, lay, x) -> list[str]:
    out = []
    for m in markers:
        colour = MARKER_COLOURS.get(m.kind, DEFAULT_MARKER_COLOUR)
        out.append(
            f'<line class="marker marker-{escape(m.kind)}" x1="{_fmt(x(m.at))}" y1="{lay.top}" '
            f'x2="{_fmt(x(m.at))}" y2="{lay.top + lay.plot_h}" stroke="{colour}" '
            f'stroke-opacity="0.5" stroke-dasharray="2 3"><title>{m.at:%d %b %Y}: '
            f"{escape(m.label)}</title></line>"
        )
    return out


def _series(points, lay, x, y, *, empty: bool = False) -> list[str]:
    if not points:
        if not empty:
            return []
        return [
            f'<text x="{lay.left + lay.plot_w / 2}" y="{lay.top + lay.plot_h / 2}" '
            'text-anchor="middle" fill="#555">No scores yet</text>'
        ]
    coords = " ".join(f"{_fmt(x(p.at))},{_fmt(y(p.value))}" for p in points)
    out = [
        f'<polyline class="score-line" points="{coords}" fill="none" stroke="{LINE_COLOUR}" '
        'stroke-width="2"/>'
    ]
    for p in points:
        label = f"{p.at:%d %b %Y}: {p.value}"
        if p.severity:
            label += f" ({p.severity})"
        cx, cy = _fmt(x(p.at)), _fmt(y(p.value))
        if p.alert:
            out.append(
                f'<g class="alert-point"><circle cx="{cx}" cy="{cy}" r="6" fill="{ALERT_COLOUR}" '
                f'stroke="#fff" stroke-width="1.5"/><text x="{cx}" y="{_fmt(y(p.value) + 4)}" '
                f'text-anchor="middle" fill="#fff" font-weight="bold">!</text>'
                f"<title>{escape(label)}: safety alert</title></g>"
            )
        else:
            out.append(
                f'<circle class="point" cx="{cx}" cy="{cy}" r="4" fill="{LINE_COLOUR}">'
                f"<title>{escape(label)}</title></circle>"
            )
    return out


def _referrals(points, x, y) -> list[str]:
    out = []
    for p in points:
        cx, cy = x(p.at), y(p.value)
        label = f"{p.at:%d %b %Y}: {p.value}"
        if p.severity:
            label += f" ({p.severity})"
        diamond = " ".join(
            f"{_fmt(cx + dx)},{_fmt(cy + dy)}" for dx, dy in ((0, -6), (6, 0), (0, 6), (-6, 0))
        )
        out.append(
            f'<polygon class="referral-point" points="{diamond}" fill="#fff" '
            f'stroke="{REFERRAL_COLOUR}" stroke-width="2">'
            f"<title>{escape(label)}: from referral, {escape(p.referral)}</title></polygon>"
        )
    return out


def _legend(lay, *, has_markers: bool, has_referrals: bool = False) -> list[str]:
    y0 = lay.height - 10
    out = [
        f'<circle cx="{lay.left + 6}" cy="{y0 - 4}" r="4" fill="{LINE_COLOUR}"/>',
        f'<text x="{lay.left + 14}" y="{y0}" fill="#333">score</text>',
        f'<circle cx="{lay.left + 66}" cy="{y0 - 4}" r="5" fill="{ALERT_COLOUR}"/>',
        f'<text x="{lay.left + 75}" y="{y0}" fill="#333">safety alert</text>',
    ]
    if has_markers:
        out += [
            f'<line x1="{lay.left + 150}" y1="{y0 - 9}" x2="{lay.left + 150}" y2="{y0 + 1}" '
            f'stroke="{MARKER_COLOURS["session"]}" stroke-dasharray="2 3"/>',
            f'<text x="{lay.left + 156}" y="{y0}" fill="#333">treatment / event</text>',
        ]
    if has_referrals:
        cx, cy = lay.left + 268, y0 - 4
        out += [
            f'<polygon points="{cx},{cy - 5} {cx + 5},{cy} {cx},{cy + 5} {cx - 5},{cy}" '
            f'fill="#fff" stroke="{REFERRAL_COLOUR}" stroke-width="2"/>',
            f'<text x="{cx + 9}" y="{y0}" fill="#333">from referral</text>',
        ]
    return out
