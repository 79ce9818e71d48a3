"""The radar chart: a member by category against expectations, as a static SVG."""

from __future__ import annotations

from tracker.charts import RadarSeries
from tracker.charts import radar_svg as draw_radar
from tracker.competencies.assessment import MemberAssessment

RATING, LEVEL, TARGET = "#1565c0", "#757575", "#e65100"


def _figure(value: float | None) -> str:
    return "not rated" if value is None else f"{value:g}"


def radar_svg(assessment: MemberAssessment) -> bytes:
    """Mean lead rating per category, beside the expectations of the level and the target."""
    view = assessment.view
    scale = view.scale_values
    points = assessment.radar()
    series = [RadarSeries("Lead rating (mean)", [p.rating for p in points], RATING)]
    if assessment.level:
        series.append(
            RadarSeries(
                f"Expected at {assessment.level.name}",
                [p.expected for p in points],
                LEVEL,
                dashed=True,
            )
        )
    if assessment.target:
        series.append(
            RadarSeries(
                f"Expected at {assessment.target.name}",
                [p.expected_target for p in points],
                TARGET,
                dashed=True,
            )
        )
    desc = "Mean lead rating per category: " + "; ".join(
        f"{p.category} {_figure(p.rating)}"
        + (f" (expected {_figure(p.expected)})" if assessment.level else "")
        for p in points
    )
    return draw_radar(
        f"{assessment.member.name}: competencies by category",
        [p.category for p in points],
        series,
        (min(scale), max(scale)),
        desc=desc,
    )
