"""Delivery charts as static SVG (pygal): the team's trend and a project's burn-up."""

from __future__ import annotations

import pygal

from tracker.charts import chart_style
from tracker.delivery.reports import Burnup, Report

STYLE = chart_style(("#9e9e9e", "#2e7d32", "#ef6c00"))
OPTIONS = {
    "js": [],  # no JavaScript: readable in print and with scripts off
    "width": 720,
    "height": 360,
    "style": STYLE,
    "legend_at_bottom": True,
    "x_label_rotation": 20,
    "print_values": False,
}


def trend_svg(report: Report) -> bytes:
    """Planned vs delivered (and delivered late) per sprint over the report's sprints."""
    chart = pygal.Bar(title=f"{report.team.name}: planned vs delivered per sprint", **OPTIONS)
    chart.x_labels = [row.sprint.name for row in report.rows]
    chart.add("Planned", [row.planned for row in report.rows])
    chart.add("Delivered", [row.delivered for row in report.rows])
    chart.add("Delivered late", [row.late for row in report.rows])
    return chart.render()


def burnup_svg(burnup: Burnup) -> bytes:
    """A project's scope and delivered milestones, cumulative, at the end of each sprint."""
    chart = pygal.Line(title=f"{burnup.project.name}: burn-up", fill=False, **OPTIONS)
    chart.x_labels = [name for name, _scope, _done in burnup.points]
    chart.add("Scope", [scope for _name, scope, _done in burnup.points])
    chart.add("Delivered", [done for _name, _scope, done in burnup.points])
    return chart.render()
