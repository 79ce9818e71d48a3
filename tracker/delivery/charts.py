"""Delivery charts as static SVG (pygal): the team's trend and a project's burn-up.

Both count milestones, so their value axis starts at 0 and shows whole numbers only."""

from __future__ import annotations

import pygal

from tracker.charts import chart_style, count_axis
from tracker.delivery.reports import Burnup, Report

STYLE = chart_style(("#757575", "#2e7d32", "#e65100"))
OPTIONS = {
    "js": [],  # no JavaScript: readable in print and with scripts off
    "width": 720,
    "height": 380,
    "style": STYLE,
    "legend_at_bottom": True,
    "x_label_rotation": 20,
    "truncate_label": 18,  # a longer sprint name is cut, its full name in a <title>
    "truncate_legend": 30,
    "margin_right": 40,  # room for the last rotated sprint name
    "print_values": False,
}


def trend_svg(report: Report) -> bytes:
    """Planned vs delivered (and delivered late) per sprint over the report's sprints."""
    top = max((max(row.planned, row.delivered, row.late) for row in report.rows), default=0)
    chart = pygal.Bar(
        title=f"{report.team.name}: planned vs delivered per sprint", **OPTIONS, **count_axis(top)
    )
    chart.x_labels = [row.sprint.name for row in report.rows]
    chart.add("Planned", [row.planned for row in report.rows])
    chart.add("Delivered", [row.delivered for row in report.rows])
    chart.add("Delivered late", [row.late for row in report.rows])
    return chart.render()


def burnup_svg(burnup: Burnup) -> bytes:
    """A project's scope and delivered milestones, cumulative, at the end of each sprint."""
    top = max((max(scope, done) for _name, scope, done in burnup.points), default=0)
    chart = pygal.Line(
        title=f"{burnup.project.name}: burn-up", fill=False, **OPTIONS, **count_axis(top)
    )
    chart.x_labels = [name for name, _scope, _done in burnup.points]
    chart.add("Scope", [scope for _name, scope, _done in burnup.points])
    chart.add("Delivered", [done for _name, _scope, done in burnup.points])
    return chart.render()
