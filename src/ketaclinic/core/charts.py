"""Charts drawn with Vega-Lite (built with altair) and rendered to inline SVG on the server.

Every chart of the product goes through `render`: one theme (text at least 12 px, greyscale
distinct series), one renderer (vl-convert, which embeds the Vega engine and needs no network,
no browser and no script on the page) and one post-processing step that makes the picture
accessible in the page:

- the root `<svg>` gets `role="img"`, a `<title>` and a `<desc>` (the text alternative);
- every data mark that carries a description gets a `<title>` child (the browser shows it on
  hover) and, for the marks a reader steps through, `tabindex="0"` so it is reachable by
  keyboard (screen readers read its `aria-label`);
- each layer's marks get the layer's name as a class, so pages and tests can find them.

Rendering costs a few tens of milliseconds once the Vega engine has started in the process
(the first chart of a process pays the start-up); identical specs are rendered once per
process.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from functools import lru_cache

import altair as alt
import vl_convert

# Altair checks every object against the Vega-Lite schema as it is built, which costs more than
# the render itself; the specs here are fixed in code and checked by the tests (VALIDATE).
alt.utils.schemapi.disable_debug_mode()
VALIDATE = False
SVG_NS = "http://www.w3.org/2000/svg"

MIN_FONT_PX = 12
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
INK = "#333333"
MUTED = "#555555"
GRID = "#e3e7ec"
# Distinct in hue and in greyscale print; each series also gets its own dash and marker shape.
SERIES_COLOURS = ("#1f4e79", "#b26a00", "#2e7d32", "#6a1b9a", "#00838f", "#b00020")
SERIES_DASHES = ((1, 0), (6, 4), (2, 3), (8, 3, 2, 3), (4, 2), (1, 3))
SERIES_SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down")

THEME = {
    "font": FONT,
    "background": None,
    "view": {"stroke": None},
    "axis": {
        "labelFontSize": MIN_FONT_PX,
        "titleFontSize": MIN_FONT_PX + 1,
        "labelColor": MUTED,
        "titleColor": INK,
        "titleFontWeight": "normal",
        "gridColor": GRID,
        "domainColor": "#999999",
        "tickColor": "#999999",
        "labelOverlap": True,
    },
    "legend": {
        "labelFontSize": MIN_FONT_PX,
        "titleFontSize": MIN_FONT_PX + 1,
        "labelColor": INK,
        "titleColor": INK,
        "titleFontWeight": "normal",
        "symbolStrokeWidth": 2,
        "orient": "bottom",
        "direction": "horizontal",
        "columns": 3,
        "labelLimit": 320,
    },
    "header": {"labelFontSize": MIN_FONT_PX, "titleFontSize": MIN_FONT_PX + 1},
    "title": {"fontSize": MIN_FONT_PX + 2, "subtitleFontSize": MIN_FONT_PX},
    "text": {"fontSize": MIN_FONT_PX, "color": INK},
    "line": {"strokeWidth": 2},
}


def _classes(el: ET.Element) -> list[str]:
    return (el.get("class") or "").split()


def _tidy(svg: str, *, ident: str, css: str, title: str, desc: str, focus: set[str]) -> str:
    root = ET.fromstring(svg)  # noqa: S314 (our own renderer's output, not user input)
    width, height = root.get("width"), root.get("height")
    root.attrib.pop("version", None)
    root.set("class", f"chart {css}".strip())
    root.set("role", "img")
    root.set("aria-labelledby", f"{ident}-t {ident}-d")
    root.set("id", f"{ident}-svg")
    root.set("font-family", FONT)
    # Sized by the page's stylesheet (no inline style under the site's CSP); the natural size
    # stays for a reader that ignores CSS.
    root.set("width", width or "")
    root.set("height", height or "")
    t = ET.Element(f"{{{SVG_NS}}}title", {"id": f"{ident}-t"})
    t.text = title
    d = ET.Element(f"{{{SVG_NS}}}desc", {"id": f"{ident}-d"})
    d.text = desc
    root.insert(0, d)
    root.insert(0, t)
    for group in root.iter(f"{{{SVG_NS}}}g"):
        # Vega names a layer's marks "<name>_marks" (nested layers add "_<n>"; "-" becomes "_").
        names = [
            re.sub(r"(_\d+)?_marks$", "", c).replace("_", "-")
            for c in _classes(group)
            if c.endswith("_marks")
        ]
        if "role-mark" not in _classes(group) or not names:
            continue
        name = names[0]
        for item in list(group):
            label = item.get("aria-label")
            item.set("class", " ".join([*_classes(item), name]))
            if not label:
                continue
            tip = ET.SubElement(item, f"{{{SVG_NS}}}title")
            tip.text = label
            if name in focus:
                item.set("tabindex", "0")
                item.set("focusable", "true")
    # Plain names and an explicit xmlns: the output must not depend on the namespace prefixes
    # other libraries register with ElementTree.
    for el in root.iter():
        el.tag = el.tag.rpartition("}")[2]
    root.set("xmlns", SVG_NS)
    return ET.tostring(root, encoding="unicode")


@lru_cache(maxsize=128)
def _render(spec_json: str, ident: str, css: str, title: str, desc: str, focus: str) -> str:
    svg = vl_convert.vegalite_to_svg(json.loads(spec_json))
    return _tidy(svg, ident=ident, css=css, title=title, desc=desc, focus=set(focus.split()))


def spec(chart) -> dict:
    """A unit chart (altair) as a Vega-Lite dict to compose with `layer` and `vconcat`."""
    if isinstance(chart, dict):
        return chart
    out = chart.to_dict(validate=VALIDATE)
    out.pop("$schema", None)
    out.pop("config", None)
    return out


def layer(*charts, resolve: dict | None = None, **props) -> dict:
    """Charts drawn on top of each other, composed as plain Vega-Lite (altair's own composition
    copies every layer several times, which costs more than the render)."""
    out = {"layer": [spec(c) for c in charts], **props}
    if resolve:
        out["resolve"] = {"scale": resolve}
    return out


def vconcat(*charts, resolve: dict | None = None, **props) -> dict:
    """Charts stacked vertically (sharing nothing unless the scales say so)."""
    out = {"vconcat": [spec(c) for c in charts], **props}
    if resolve:
        out["resolve"] = {"scale": resolve}
    return out


class Datasets(dict):
    """A chart's rows by name, kept out of the altair objects (which copy them at every step)
    and put into the Vega-Lite spec's top-level `datasets` at render time."""

    def __call__(self, name: str, rows: list[dict]) -> alt.Data:
        name = f"{name}-{len(self)}"
        self[name] = rows
        return alt.Data(name=name)


def render(
    chart,
    *,
    ident: str,
    title: str,
    desc: str,
    css: str = "",
    focus: tuple[str, ...] = (),
    datasets: Datasets | None = None,
) -> str:
    """The chart (an altair chart or a Vega-Lite dict) as accessible inline SVG markup.

    `focus` names the layers whose marks a keyboard reader can step through (data points).
    Layer names must not end in digits (Vega appends its own numbers to nested layers).
    """
    top = spec(chart)
    top = {**top, "config": THEME}
    if datasets:
        top["datasets"] = {**top.get("datasets", {}), **datasets}
    ident = re.sub(r"[^A-Za-z0-9_-]", "-", ident)
    return _render(
        json.dumps(top, sort_keys=True, default=str), ident, css, title, desc, " ".join(focus)
    )
