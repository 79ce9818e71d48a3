"""Notes at the length cap: the costliest Markdown found for markdown-it-py (after cmark's
pathological tests, then a random search of repeated and nested patterns), and dense real
notes. Shared by tests/mentoring/test_markdown_budget.py and bench/markdown.py."""

from __future__ import annotations

from collections.abc import Callable

from tracker.mentoring.services import MAX_NOTES


def _fit(make: Callable[[int], str], limit: int) -> str:
    """The longest `make(k)` that fits in `limit` characters."""
    lo, hi = 1, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(make(mid)) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return make(lo)[:limit]


def _runs(unit: str) -> Callable[[int], str]:
    return lambda k: unit * k


def _nest(before: str, middle: str, after: str) -> Callable[[int], str]:
    return lambda k: before * k + middle + after * k


HOSTILE: dict[str, Callable[[int], str]] = {
    # link and image openers, brackets
    "image openers ![": _runs("!["),
    "link openers [": _runs("["),
    "link openers [a": _runs("[a"),
    "link closers a]": _runs("a]"),
    "nested brackets": _nest("[", "a", "]"),
    "images in links [![": _runs("[!["),
    "image brackets ![[]()": _runs("![[]()"),
    "![http:// ...": _runs("![http://](1#|-\\a"),
    "![](_": _runs("![](_"),
    "](![": _runs("](!["),
    "[ (](": _runs("[ (]("),
    "link in label": lambda k: "[a " * k + "](b)",
    "unclosed destination <": _runs("[a](<b"),
    "unclosed destination": _runs("[a](b"),
    "unclosed title": _runs('[a](b "'),
    "link openers, emphasis closers": _runs("[ a_"),
    "emphasis in links *[": _runs("*["),
    # emphasis
    "emphasis runs *_": _runs("*_"),
    "underscores _a": _runs("_a"),
    "closers without openers": _runs("a_ "),
    "openers without closers": _runs("_a "),
    "mismatched *a_": _runs("*a_ "),
    "rule of three": lambda k: "a**b" + "c* " * k,
    "nested strong and emphasis": _nest("*a **a ", "b", " a** a*"),
    "nested stars": _nest("*", "a", "*"),
    "**a": _runs("**a"),
    " *a": _runs(" *a"),
    "strikethrough openers": _runs("~~a"),
    # code spans, entities, autolinks, HTML (escaped)
    "backtick runs": lambda k: "".join("e" + "`" * i for i in range(1, k)),
    "autolink openers": _runs("<http://"),
    "entity openers": _runs("&#"),
    "comment openers": lambda k: "</" + "<!--" * k,
    # link reference definitions
    "reference definitions and uses": lambda k: (
        "".join(f"[{i}]: u\n" for i in range(k)) + "".join(f"[{i}]" for i in range(k))
    ),
    "long reference label": lambda k: "[" + "a" * k + "]: b\n[" + "a" * k + "]",
    # tables
    "table padded over short rows": lambda k: "|a" * 100 + "|\n" + "|-" * 100 + "|\n" + "x\n" * k,
    "table of empty cells": lambda k: "|a" * 50 + "|\n" + "|-" * 50 + "|\n" + ("|" * 50 + "\n") * k,
    "table rows without pipes": lambda k: "| a | b |\n|---|---|\n" + "x\n" * k,
    "wide table": lambda k: "a|" * k + "\n" + "-|" * k + "\n" + "b|" * k,
    # blocks: deep nesting, lazy lines, many small blocks
    "deep blockquote": lambda k: "> " * k + "a",
    "deep blockquote escapes": _runs(">\\"),
    "deep list": lambda k: "".join("  " * i + "* a\n" for i in range(k)),
    "deep ordered list": lambda k: "".join("   " * i + "1. a\n" for i in range(k)),
    "blockquotes in lists": lambda k: "- > " * k + "a",
    "lists in blockquotes": lambda k: "> - " * k + "a",
    "list items with lazy lines": _runs("- a\nb\n"),
    "list items of code": _runs("`\n- "),
    "blockquote lazy lines": _runs("> a\nb\n"),
    "setext headings": _runs("a\n=\n"),
    "hard breaks": _runs("a  \n"),
    "paragraphs of one marker": _runs("\n\n_"),
    "unclosed fence": lambda k: "```\n" + "a\n" * k,
    "long line": lambda k: "word " * k,
    "quotes": _runs('"'),
}
HOSTILE_NOTES = {name: _fit(make, MAX_NOTES) for name, make in HOSTILE.items()}


def _repeat(unit: str, limit: int = MAX_NOTES) -> str:
    return (unit * (limit // len(unit) + 1))[:limit]


_TABLE_HEAD = "| Goal | Owner | Due | Status | Notes |\n|---|---|---|---|---|\n"
# Dense real notes at the cap: the budget must leave them rendered as Markdown.
REAL_NOTES = {
    "bullets with links, bold and code": _repeat(
        "- **Done:** shipped [the importer](https://example.com/pr/123) with `retry()` and "
        "_tests_\n"
    ),
    "numbered checklist": _repeat(
        "1. Review PR #123\n2. Write the *design doc* for ingestion\n3. Book `1:1` with Sam\n"
    ),
    "a long table": _TABLE_HEAD
    + _repeat(
        "| Ship **v2** | Eve | 2026-12-01 | in progress | see [doc](https://x.y/z) |\n",
        MAX_NOTES - len(_TABLE_HEAD),
    ),
    "weekly sections": _repeat(
        "## Week 12\n\n- item one with **bold**\n- item two with `code`\n\n> from the retro\n\n"
    ),
    "links in prose": _repeat("[a](https://e.com/a) and [b](https://e.com/b), "),
    "marked-up paragraphs": _repeat("**bold** _it_ ~~old~~ `code` and more words here.\n\n"),
    "prose": _repeat("We talked about the migration plan and how to split the work. "),
}
