"""Words shown to people: status labels and counted nouns, one function each for every page."""

from __future__ import annotations


def status_label(word: str | None) -> str:
    """A stored status or state word as a label: "at-risk" -> "At risk"."""
    if not word:
        return ""
    return word.replace("-", " ").replace("_", " ").capitalize()


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 day", "2 days", "0 days": the noun agrees with the number."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"
