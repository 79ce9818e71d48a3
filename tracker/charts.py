"""The one look of every chart (pygal): white, system font, the feature's own colours."""

from __future__ import annotations

from pygal.style import Style


def chart_style(colors: tuple[str, ...]) -> Style:
    """A chart style with the app's background, text and fonts, in `colors`."""
    return Style(
        background="white",
        plot_background="white",
        foreground="#333",
        foreground_strong="#111",
        foreground_subtle="#999",
        colors=colors,
        font_family="system-ui, sans-serif",
        label_font_size=11,
        legend_font_size=12,
    )
