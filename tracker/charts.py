"""The one look of every chart: white, system font, the feature's own colours.

Bar and line charts are pygal's, in `chart_style`, with whole-number axes for counts
(`count_axis`). The radar is drawn here (`radar_svg`): pygal's radar rotates and cuts its
axis labels and lets them overlap; this one writes them level, wrapped on up to three lines,
each with the full name in a <title>, pushes neighbours apart, and sizes its viewBox to
everything it drew, so nothing is clipped at any width.

Every chart is an SVG with a viewBox and no fixed size: the page scales it to its container.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from pygal.style import Style

FONT = "system-ui, sans-serif"
TEXT = "#222"
GRID = "#bbb"
# Text is measured by estimate: an average glyph of the system sans font is about 0.55 em
# wide; 0.6 keeps a margin, so a label is never wider than the room made for it.
CHAR_EM = 0.6
NAMED_AXES = 12  # a radar with more axes numbers them and names them in a key


def chart_style(colors: tuple[str, ...]) -> Style:
    """A chart style with the app's background, text and fonts, in `colors`."""
    return Style(
        background="white",
        plot_background="white",
        foreground="#333",
        foreground_strong="#111",
        foreground_subtle="#999",
        colors=colors,
        font_family=FONT,
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=13,
        title_font_size=16,
    )


def count_axis(top: float) -> dict:
    """pygal options for an axis of counts from 0: whole-number ticks only (about six), so a
    chart of 0 to 3 milestones never shows 0.5."""
    top = max(1, math.ceil(top))
    step = next(s for s in _nice_steps() if top / s <= 6)
    ticks = list(range(0, top + step, step))
    return {"range": (0, ticks[-1]), "y_labels": ticks, "value_formatter": lambda v: f"{v:g}"}


def _nice_steps():
    """1, 2, 5, 10, 20, 50, ...: tick steps a reader counts in."""
    power = 1
    while True:
        for base in (1, 2, 5):
            yield base * power
        power *= 10


# ---------------------------------------------------------------------------------- radar --


@dataclass(frozen=True, slots=True)
class RadarSeries:
    """One polygon: its name in the legend, a value per axis (None: not known), its colour,
    and dashed for an expectation rather than a measurement."""

    name: str
    values: list[float | None]
    color: str
    dashed: bool = False


@dataclass(slots=True)
class Box:
    """An axis-aligned box, in the chart's own units."""

    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box, gap: float = 0) -> bool:
        return not (
            self.right + gap <= other.left
            or other.right + gap <= self.left
            or self.bottom + gap <= other.top
            or other.bottom + gap <= self.top
        )

    def shift(self, dy: float) -> None:
        self.top += dy
        self.bottom += dy


def text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_EM


def wrap(label: str, width: int, lines: int = 3) -> list[str]:
    """`label` in lines of at most `width` characters (words kept whole where they fit), at
    most `lines` of them; what is cut ends in an ellipsis."""
    out: list[str] = []
    for word in label.split():
        while len(word) > width:  # a word longer than a line is split
            out.append(word[: width - 1] + "-")
            word = word[width - 1 :]
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return out or [""]


def clip(text: str, width: int) -> str:
    """`text` cut to `width` characters, ending in an ellipsis when cut."""
    return text if len(text) <= width else text[: max(width - 1, 1)].rstrip() + "…"


@dataclass(slots=True)
class _Label:
    full: str
    lines: list[str]
    x: float  # the anchor
    y: float  # the first line's baseline
    anchor: str  # start | middle | end
    size: float

    @property
    def box(self) -> Box:
        width = max(text_width(line, self.size) for line in self.lines)
        left = {"start": self.x, "middle": self.x - width / 2, "end": self.x - width}[self.anchor]
        top = self.y - self.size  # ascenders sit within one em above the baseline
        bottom = self.y + (len(self.lines) - 1) * self.size * 1.25 + self.size * 0.3
        return Box(left, top, left + width, bottom)


def _separate(labels: list[_Label], gap: float = 3) -> None:
    """Move labels apart until no two boxes overlap, only ever outward: from the equator,
    a label in the upper half moves up past those placed before it, one in the lower half
    down, so a label never slides into the web and the order around it is kept."""
    upper = sorted((lab for lab in labels if lab.y <= 0), key=lambda lab: -lab.y)
    lower = sorted((lab for lab in labels if lab.y > 0), key=lambda lab: lab.y)
    placed: list[_Label] = []
    for group, sign in ((upper, -1), (lower, 1)):
        for label in group:
            moved = True
            while moved:
                moved = False
                box = label.box
                for other in placed:
                    ob = other.box
                    if box.overlaps(ob, gap):
                        up, down = box.bottom + gap - ob.top, ob.bottom + gap - box.top
                        need = up if sign < 0 else down
                        label.y += sign * need
                        moved = True
                        break
            placed.append(label)


def radar_svg(
    title: str,
    axes: list[str],
    series: list[RadarSeries],
    scale: tuple[int, int],
    *,
    desc: str = "",
) -> bytes:
    """A radar of `series` over `axes` (categories), with rings at each whole value of
    `scale`, as a standalone SVG with a title and a description for screen readers."""
    n = max(len(axes), 1)
    lo, hi = scale
    size, small = 13.0, 11.0
    radius = 170.0
    gap = 10.0
    chars = 18  # per label line: at 13px, a line is at most ~140 units wide
    # Beyond a dozen axes, names cannot sit around the web legibly: each spoke is numbered
    # and a key under the chart names them.
    numbered = len(axes) > NAMED_AXES

    def point(i: int, r: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return r * math.cos(angle), r * math.sin(angle)

    def scaled(value: float) -> float:
        return radius * (value - lo) / (hi - lo) if hi > lo else 0

    labels = []
    for i, name in enumerate(axes):
        dx, dy = point(i, radius + gap)
        cos = dx / (radius + gap)
        lines = [str(i + 1)] if numbered else wrap(name, chars)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        block = (len(lines) - 1) * size * 1.25
        if dy < -(radius + gap) * 0.7:  # near the top: the block sits above the point
            y = dy - block - size * 0.3
        elif dy > (radius + gap) * 0.7:  # near the bottom: below it
            y = dy + size
        else:  # at the sides: centred on it
            y = dy - block / 2 + size * 0.35
        labels.append(_Label(name, lines, dx, y, anchor, size))
    _separate(labels)

    parts: list[str] = []
    # The web: a ring per whole scale value, a spoke per axis, the values up the first spoke.
    for value in range(lo, hi + 1):
        r = scaled(value)
        if r <= 0:
            continue
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, r) for i in range(n)))
        parts.append(f'<polygon points="{ring}" fill="none" stroke="{GRID}" stroke-width="1"/>')
    for i in range(n):
        x, y = point(i, radius)
        parts.append(f'<line x1="0" y1="0" x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
    for value in range(lo, hi + 1):
        parts.append(
            f'<text x="-4" y="{-scaled(value) + 4:.1f}" font-size="{small:g}" '
            f'text-anchor="end" fill="#555">{value}</text>'
        )
    # The series: a closed outline where every value is known, else the known stretches.
    for s in series:
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        pts = [None if v is None else point(i, scaled(v)) for i, v in enumerate(s.values)]
        known = [p for p in pts if p is not None]
        body = [f"<g><title>{escape(s.name)}</title>"]
        if known and len(known) == len(pts) and n > 2:
            ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in known)
            body.append(
                f'<polygon points="{ring}" fill="none" stroke="{s.color}" stroke-width="2"{dash}/>'
            )
        else:
            for i, a in enumerate(pts):
                b = pts[(i + 1) % len(pts)]
                if a and b and len(pts) > 1:
                    body.append(
                        f'<line x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{b[0]:.1f}" '
                        f'y2="{b[1]:.1f}" stroke="{s.color}" stroke-width="2"{dash}/>'
                    )
        for (x, y), axis, v in (
            (p, a, v) for p, a, v in zip(pts, axes, s.values, strict=False) if p
        ):
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{2.5 if s.dashed else 3.5}" '
                f'fill="{s.color}"><title>{escape(axis)}: {v:g}</title></circle>'
            )
        body.append("</g>")
        parts.append("".join(body))
    # The axis labels, level, each with its full name.
    for label in labels:
        texts = "".join(
            f'<text x="{label.x:.1f}" y="{label.y + k * size * 1.25:.1f}" '
            f'text-anchor="{label.anchor}">{escape(line)}</text>'
            for k, line in enumerate(label.lines)
        )
        parts.append(
            f'<g class="axis-label" font-size="{size:g}"><title>{escape(label.full)}</title>'
            f"{texts}</g>"
        )

    # The extent of the web and its labels; the title above it, the legend below.
    boxes = [lab.box for lab in labels] + [Box(-radius - 30, -radius, radius, radius)]
    left = min(b.left for b in boxes) - 12
    right = max(b.right for b in boxes) + 12
    top = min(b.top for b in boxes) - 12
    bottom = max(b.bottom for b in boxes) + 16
    if numbered:  # room for a key in two columns
        left, right = min(left, -300.0), max(right, 300.0)
    width = right - left
    title_size = 16.0
    title_lines = wrap(title, max(12, int(width / (title_size * CHAR_EM))), 2)
    top -= len(title_lines) * title_size * 1.3 + 4
    heads = "".join(
        f'<text x="{(left + right) / 2:.1f}" y="{top + title_size * (1.1 + 1.3 * k):.1f}" '
        f'text-anchor="middle" font-size="{title_size:g}" fill="#111">{escape(line)}</text>'
        for k, line in enumerate(title_lines)
    )
    key: list[str] = []
    if numbered:  # the key: "n. name" in as many columns as fit
        columns = 2 if width >= 560 else 1
        column = (width - 24) / columns
        fit = int(column / (small * CHAR_EM)) - 1
        rows = math.ceil(len(axes) / columns)
        for i, name in enumerate(axes):
            line = clip(f"{i + 1}. {name}", fit)
            kx = left + 12 + (i // rows) * column
            ky = bottom + (i % rows) * small * 1.35
            key.append(
                f'<text x="{kx:.1f}" y="{ky:.1f}" font-size="{small:g}">'
                f"<title>{escape(name)}</title>{escape(line)}</text>"
            )
        bottom += rows * small * 1.35 + 8
    legend, x, y = [], left + 12, bottom
    legend_size = 13.0
    for s in series:
        name = clip(s.name, int((width - 48) / (legend_size * CHAR_EM)))
        item = 28 + text_width(name, legend_size)
        if x + item > right - 12 and x > left + 12:
            x, y = left + 12, y + legend_size * 1.6
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        legend.append(
            f'<line x1="{x:.1f}" y1="{y - 4:.1f}" x2="{x + 20:.1f}" y2="{y - 4:.1f}" '
            f'stroke="{s.color}" stroke-width="3"{dash}/>'
            f'<text x="{x + 26:.1f}" y="{y:.1f}" font-size="{legend_size:g}">{escape(name)}</text>'
        )
        x += item + 20
    bottom = y + legend_size
    height = bottom - top
    head = (
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart radar" '
        'aria-labelledby="chart-title chart-desc" '
        f'viewBox="{left:.1f} {top:.1f} {width:.1f} {height:.1f}" '
        f'font-family={quoteattr(FONT)} fill="{TEXT}">'
        f'<title id="chart-title">{escape(title)}</title>'
        f'<desc id="chart-desc">{escape(desc)}</desc>'
        f'<rect x="{left:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" '
        'fill="white"/>'
    )
    content = heads + "".join(parts) + '<g class="key">' + "".join(key) + "</g>"
    content += '<g class="legend">' + "".join(legend) + "</g>"
    return ("<?xml version='1.0' encoding='utf-8'?>\n" + head + content + "</svg>").encode()
