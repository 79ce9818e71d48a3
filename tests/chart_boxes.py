"""Where a chart's text lands: each <text> of an SVG as an estimated box in viewBox units.

A box is estimated the way a reader's browser would lay the text out, with a margin: an
average glyph of the sans font is about 0.55 em wide (0.6 taken here), the text rises one
em above its baseline and descends 0.3 em below it. Translations of the enclosing groups
and a rotation of the text itself are applied; the anchor and the size come from the
element, its groups, or pygal's stylesheet (which anchors y-axis labels at their end and
rotated x-axis labels at their start).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

SVG = "{http://www.w3.org/2000/svg}"
CHAR_EM = 0.6
# pygal's own sizes, from tracker.charts.chart_style
PYGAL_SIZES = {"title": 16.0, "legend": 13.0, "axis": 12.0}


@dataclass(frozen=True)
class Box:
    text: str
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        return not (
            self.right <= other.left
            or other.right <= self.left
            or self.bottom <= other.top
            or other.bottom <= self.top
        )

    def union(self, other: Box) -> Box:
        return Box(
            self.text,
            min(self.left, other.left),
            min(self.top, other.top),
            max(self.right, other.right),
            max(self.bottom, other.bottom),
        )


def parse(svg: bytes) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own chart


def view_box(root: ET.Element) -> tuple[float, float, float, float]:
    x, y, w, h = (float(v) for v in root.attrib["viewBox"].replace(",", " ").split())
    return x, y, x + w, y + h


def _translate(el: ET.Element) -> tuple[float, float]:
    m = re.search(r"translate\(\s*([-\d.e]+)[ ,]+([-\d.e]+)\s*\)", el.get("transform", ""))
    return (float(m.group(1)), float(m.group(2))) if m else (0.0, 0.0)


def _classes(chain: list[ET.Element]) -> set[str]:
    return {c for el in chain for c in el.get("class", "").split()}


def _inherited(chain: list[ET.Element], name: str) -> str | None:
    for el in reversed(chain):
        if el.get(name) is not None:
            return el.get(name)
    return None


def _size(chain: list[ET.Element]) -> float:
    given = _inherited(chain, "font-size")
    if given:
        return float(given.removesuffix("px"))
    classes = _classes(chain)
    for key in ("title", "legend", "axis"):
        if key in classes or any(c.startswith(key) for c in classes):
            return PYGAL_SIZES[key]
    return 16.0


def _anchor(chain: list[ET.Element], text: ET.Element) -> str:
    given = _inherited(chain, "text-anchor")
    if given:
        return given
    classes = _classes(chain)
    if "title" in classes:
        return "middle"
    groups = [set(el.get("class", "").split()) for el in chain]
    if any({"axis", "y"} <= g for g in groups):
        return "end"
    if any({"axis", "x"} <= g for g in groups):
        return "start" if text.get("transform") else "middle"
    return "start"


def text_boxes(root: ET.Element) -> list[Box]:
    """Every non-empty <text> as its box, in the root's user units."""
    out: list[Box] = []

    def walk(el: ET.Element, chain: list[ET.Element], dx: float, dy: float) -> None:
        tx, ty = _translate(el) if el.tag != f"{SVG}text" else (0.0, 0.0)
        dx, dy = dx + tx, dy + ty
        chain = [*chain, el]
        if el.tag == f"{SVG}text":
            words = _words(el)
            if words:
                out.append(_box(el, chain, dx, dy, words))
            return
        for child in el:
            if child.tag not in (f"{SVG}title", f"{SVG}desc", f"{SVG}style", f"{SVG}defs"):
                walk(child, chain, dx, dy)

    walk(root, [], 0.0, 0.0)
    return out


def _words(text: ET.Element) -> str:
    """What a <text> shows: its own text and its spans', not its <title> (a tooltip)."""
    parts = [text.text or ""]
    for child in text:
        if child.tag != f"{SVG}title":
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts).strip()


def _box(el: ET.Element, chain: list[ET.Element], dx: float, dy: float, words: str) -> Box:
    size = _size(chain)
    x, y = float(el.get("x", 0)), float(el.get("y", 0))
    width = len(words) * size * CHAR_EM
    left = {"start": x, "middle": x - width / 2, "end": x - width}[_anchor(chain, el)]
    corners = [(left, y - size), (left + width, y - size), (left, y + size * 0.3)]
    corners.append((left + width, y + size * 0.3))
    m = re.search(r"rotate\(\s*([-\d.e]+)[ ,]+([-\d.e]+)[ ,]+([-\d.e]+)", el.get("transform", ""))
    if m:
        angle, cx, cy = (float(v) for v in m.groups())
        a = math.radians(angle)
        corners = [
            (
                cx + (px - cx) * math.cos(a) - (py - cy) * math.sin(a),
                cy + (px - cx) * math.sin(a) + (py - cy) * math.cos(a),
            )
            for px, py in corners
        ]
    xs = [p[0] + dx for p in corners]
    ys = [p[1] + dy for p in corners]
    return Box(words, min(xs), min(ys), max(xs), max(ys))


def outside(root: ET.Element) -> list[str]:
    """The texts whose box reaches past the viewBox (what a browser would clip)."""
    x0, y0, x1, y1 = view_box(root)
    return [
        f"{b.text!r} at ({b.left:.0f}, {b.top:.0f})-({b.right:.0f}, {b.bottom:.0f})"
        for b in text_boxes(root)
        if b.left < x0 or b.top < y0 or b.right > x1 or b.bottom > y1
    ]
