"""Read a server-rendered SVG chart the way a person reads it: marks by their layer name, the
value each shows on hover, an axis's tick labels, the text sizes."""

import re

SVG = "{http://www.w3.org/2000/svg}"


def of_class(root, css: str) -> list:
    """The marks of one layer (the layer's name is a CSS class on each mark)."""
    return [el for el in root.iter() if css in (el.get("class") or "").split()]


def tip(el) -> str:
    """The value a mark shows on hover (its SVG <title>)."""
    return el.find(f"{SVG}title").text


def axis_labels(root, role: str) -> list[str]:
    """The tick labels of one axis ("X-axis" or "Y-axis"), as a reader sees them."""
    for group in root.iter(f"{SVG}g"):
        if group.get("aria-roledescription") == "axis" and role in group.get("aria-label", ""):
            return [
                t.text
                for g in group.iter(f"{SVG}g")
                if "role-axis-label" in (g.get("class") or "")
                for t in g.iter(f"{SVG}text")
            ]
    return []


def font_sizes(svg: str) -> list[float]:
    return [float(s) for s in re.findall(r'font-size="([\d.]+)px"', svg)]
