"""Words shown to people: status labels and counted nouns, one function each for every page
and every feature (the `status_label` and `count_of` template filters, registered app-wide)."""

from __future__ import annotations

from flask import Flask


def status_label(word: str | None) -> str:
    """A stored status or state word as a label: "at-risk" -> "At risk"."""
    if not word:
        return ""
    return word.replace("-", " ").replace("_", " ").capitalize()


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 day", "2 days", "0 days": the noun agrees with the number."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def init_app(app: Flask) -> None:
    """Register the status-label and counted-noun filters for every template."""
    app.jinja_env.filters["status_label"] = status_label
    app.jinja_env.filters["count_of"] = count_of
