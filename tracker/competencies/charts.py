"""The radar chart: a member by category against expectations, as a static SVG (pygal)."""

from __future__ import annotations

import pygal

from tracker.charts import chart_style
from tracker.competencies.assessment import MemberAssessment

STYLE = chart_style(("#1565c0", "#9e9e9e", "#ef6c00"))


def radar_svg(assessment: MemberAssessment) -> bytes:
    """Mean lead rating per category, beside the expectations of the level and the target."""
    view = assessment.view
    scale = view.scale_values
    chart = pygal.Radar(
        js=[],  # no JavaScript: readable in print, exports and with scripts off
        fill=False,
        range=(min(scale), max(scale)),
        width=640,
        height=520,
        style=STYLE,
        legend_at_bottom=True,
        show_legend=True,
        dots_size=3,
        title=f"{assessment.member.name}: competencies by category",
    )
    points = assessment.radar()
    chart.x_labels = [p.category for p in points]
    chart.add("Lead rating (mean)", [p.rating for p in points])
    if assessment.level:
        chart.add(f"Expected at {assessment.level.name}", [p.expected for p in points])
    if assessment.target:
        chart.add(f"Expected at {assessment.target.name}", [p.expected_target for p in points])
    return chart.render()
