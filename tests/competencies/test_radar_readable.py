"""The radar chart reads at any size: every label inside the picture, none over another,
each axis's full name in a tooltip; beyond a dozen axes, numbered spokes and a key."""

from __future__ import annotations

from itertools import combinations

from sqlalchemy import select

from tests.chart_boxes import SVG, outside, parse, text_boxes, view_box
from tracker.charts import RadarSeries, radar_svg
from tracker.competencies.models import Category


def _label_boxes(root):
    """One box per axis label: the union of its lines' boxes, with the label's full name."""
    boxes = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "axis-label":
            lines = text_boxes(group)
            box = lines[0]
            for line in lines[1:]:
                box = box.union(line)
            boxes.append((group.find(f"{SVG}title").text, box))
    return boxes


def _overlapping(boxes):
    return [(a, b) for (a, ba), (b, bb) in combinations(boxes, 2) if ba.overlaps(bb)]


def test_radar_labels_are_whole_inside_and_apart(client_as, org, framework, rate):
    rate(org.eng, "python-programming", 3, rater=org.lead)
    r = client_as("lead").get(f"/members/{org.eng.id}/radar.svg?target=Senior")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    root = parse(r.data)
    assert "width" not in root.attrib and "viewBox" in root.attrib  # scales to its container
    assert root.find(f"{SVG}title").text == "Eve Engineer: competencies by category"
    assert "Technical expertise" in root.find(f"{SVG}desc").text
    assert outside(root) == []
    labels = _label_boxes(root)
    names = [c.name for c in framework.categories]
    assert sorted(name for name, _ in labels) == sorted(names)  # every name whole, in a title
    assert _overlapping(labels) == []
    legend = [b.text for b in text_boxes(root.find(f"{SVG}g[@class='legend']"))]
    assert legend == ["Lead rating (mean)", "Expected at Mid", "Expected at Senior"]


def test_long_category_names_wrap_and_stay_inside(client_as, org, framework, rate, db):
    rate(org.eng, "python-programming", 2, rater=org.lead)
    for i, category in enumerate(db.scalars(select(Category)), start=1):
        category.name = f"A deliberately long category name, number {i} of the framework"
    db.commit()
    root = parse(client_as("lead").get(f"/members/{org.eng.id}/radar.svg").data)
    assert outside(root) == []
    labels = _label_boxes(root)
    assert all(name.startswith("A deliberately long") for name, _ in labels)
    assert _overlapping(labels) == []
    shown = [b.text for b in text_boxes(root) if "…" in b.text]
    assert shown  # wrapped on three lines, the rest cut, the whole name in the <title>


def test_many_axes_are_numbered_with_a_key():
    axes = [f"Competency with a long name, number {i}" for i in range(1, 40)]
    series = [
        RadarSeries("Lead rating (mean)", [i % 6 for i in range(39)], "#1565c0"),
        RadarSeries("Expected at Senior", [None if i % 4 else 3 for i in range(39)], "#777", True),
    ]
    root = parse(radar_svg("Thirty-nine axes", axes, series, (0, 5)))
    assert outside(root) == []
    labels = _label_boxes(root)
    assert [box.text for _, box in labels] == [str(i) for i in range(1, 40)]
    assert [name for name, _ in labels] == axes
    assert _overlapping(labels) == []
    key = [b.text for b in text_boxes(root.find(f"{SVG}g[@class='key']"))]
    assert key[0] == "1. Competency with a long name, number 1" and len(key) == 39
    x0, _, x1, _ = view_box(root)
    assert x1 - x0 >= 600  # room for the key's two columns


def test_a_radar_of_few_axes_or_unknown_values_still_draws():
    for n in (1, 2, 3):
        axes = [f"Axis {i}" for i in range(n)]
        root = parse(radar_svg("Few", axes, [RadarSeries("R", [None] * n, "#000")], (0, 5)))
        assert outside(root) == [] and _overlapping(_label_boxes(root)) == []
