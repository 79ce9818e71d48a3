"""Delivery charts count milestones: whole-number axes from 0, every label inside the picture,
a long sprint name cut with its full name in a tooltip."""

from __future__ import annotations

from datetime import date, timedelta

from tests.chart_boxes import SVG, outside, parse, text_boxes


def _y_ticks(root) -> list[str]:
    ticks = []
    for group in root.iter(f"{SVG}g"):
        if {"axis", "y"} <= set(group.get("class", "").split()):
            ticks += [b.text for b in text_boxes(group)]
    return ticks


def test_burnup_and_trend_have_integer_ticks_and_labels_inside(client_as, delivery):
    client = client_as("lead")
    for url in (
        f"/projects/{delivery.project.id}/burnup.svg",
        f"/teams/{delivery.team.id}/delivery-trend.svg",
    ):
        r = client.get(url)
        assert r.status_code == 200
        root = parse(r.data)
        assert "width" not in root.attrib and "viewBox" in root.attrib
        ticks = _y_ticks(root)
        assert ticks and all(t.isdigit() for t in ticks), (url, ticks)  # one milestone: 0, 1
        assert ticks[0] == "0"
        assert outside(root) == [], url


def test_bigger_counts_step_in_round_numbers(client_as, delivery, make_milestone, db):
    for i in range(13):
        make_milestone(delivery.project, f"M{i}", sprint=delivery.sprint, owner=delivery.eng)
    root = parse(client_as("lead").get(f"/projects/{delivery.project.id}/burnup.svg").data)
    ticks = [int(t) for t in _y_ticks(root)]
    assert ticks == list(range(0, ticks[-1] + 1, 5)) and ticks[-1] >= 14
    assert outside(root) == []


def test_long_sprint_names_are_cut_inside_the_chart(client_as, delivery, make_sprint):
    long = "Sprint of the great migration to the new platform, part two"
    make_sprint(delivery.team, date.today() - timedelta(days=17), state="closed", name=long)
    root = parse(client_as("lead").get(f"/teams/{delivery.team.id}/delivery-trend.svg").data)
    assert outside(root) == []
    assert long not in [b.text for b in text_boxes(root)]
    assert long in [t.text for t in root.iter(f"{SVG}title")]  # the whole name as a tooltip
