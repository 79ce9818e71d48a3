"""Markdown for notes: CommonMark rendered by markdown-it-py within a work budget, sanitised by nh3.

Notes are rendered once, when saved (the session keeps the HTML beside each note), never per view.
Raw HTML in the source is not rendered at all (html=False); nh3 is the second wall, so no
script, event handler, style, image or javascript: link survives even if the renderer had a bug.

The budget: every parser rule call (block, inline, the link-label look-ahead), every token an
inline rule makes, every token a post-processing pass walks, and five per table cell (counted
before the table is built) cost a step. A hostile note at the length cap needs up to 1.2 million
(`![` openers) or 5.5 million (a wide header over thousands of one-character rows); past
MAX_STEPS it is shown as plain text instead (escaped, line breaks kept). bench/markdown.py
measures it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.ruler import Ruler
from markdown_it.token import Token
from markupsafe import Markup, escape

# Dense real notes at the 20,000-character cap (a link, bold and code on every line; a table of
# 250 rows; tests/mentoring/markdown_inputs.py) take 26,000-55,000 steps: room for those,
# not for more.
MAX_STEPS = 100_000

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "del",
    "s",  # markdown-it's strikethrough
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"


class _OverBudget(Exception):
    """The note needs more parser work than MAX_STEPS."""


@dataclass(frozen=True)
class Rendered:
    """A note's HTML and what making it cost."""

    html: Markup
    steps: int  # parser work spent (rule calls and table cells)
    plain: bool  # over budget: shown as escaped plain text


def _charge(env: dict, steps: int) -> None:
    if env["steps"] + steps > MAX_STEPS:
        raise _OverBudget
    env["steps"] += steps


def _counted(fn):
    def rule(state, *args):
        _charge(state.env, 1)
        return fn(state, *args)

    return rule


def _counted_inline(fn):
    def rule(state, silent):
        made = len(state.tokens)
        _charge(state.env, 1)
        found = fn(state, silent)
        _charge(state.env, len(state.tokens) - made)  # a run of `*` makes a token per `*`
        return found

    return rule


def _counted_pass(fn):
    def rule(state):
        _charge(state.env, 1 + len(state.tokens))  # each pass walks the paragraph's tokens
        return fn(state)

    return rule


def _join_text(state) -> None:
    """markdown-it's `fragments_join` (same tokens, same levels) in linear time."""
    # The original concatenates each run of text tokens pairwise, into the run's last token:
    # quadratic in a paragraph of thousands of unmatched emphasis markers.
    level = 0
    kept: list[Token] = []
    run: list[Token] = []
    for token in state.tokens:
        if token.nesting < 0:
            level -= 1
        token.level = level
        if token.nesting > 0:
            level += 1
        if token.type == "text":
            run.append(token)
            continue
        _flush(run, kept)
        kept.append(token)
    _flush(run, kept)
    state.tokens[:] = kept


def _flush(run: list, kept: list) -> None:
    if run:
        if len(run) > 1:
            run[-1].content = "".join(t.content for t in run)
        kept.append(run[-1])
        run.clear()


def _table_cells(state, start: int, end: int) -> int:
    """At most how many cells the table at `start` makes: its columns times its lines."""
    # Short rows are padded to the header's width: 20 KB can make 65,536 empty cells.
    line = start + 1
    columns = state.src.count("|", state.bMarks[line], state.eMarks[line]) + 1
    cells = 0
    while line < end and not state.isEmpty(line) and cells <= MAX_STEPS:
        cells += columns
        line += 1
    return cells + columns


def _counted_table(fn):
    def rule(state, start, end, silent):
        _charge(state.env, 1)
        if not silent and fn(state, start, end, True):
            _charge(state.env, 5 * _table_cells(state, start, end))  # before a single cell is made
        return fn(state, start, end, silent)

    return rule


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
    md.enable(["table", "strikethrough"])
    md.inline.ruler2.at("fragments_join", _join_text)
    # Four rulers of four rule signatures: one wrapper each, so the pairs share no narrower type.
    wrappers: tuple[tuple[Ruler[Any], Callable[[Any], Any]], ...] = (
        (md.core.ruler, _counted),
        (md.block.ruler, _counted),
        (md.inline.ruler, _counted_inline),
        (md.inline.ruler2, _counted_pass),
    )
    for ruler, wrap in wrappers:
        for rule in list(ruler.__rules__):
            counted = _counted_table if rule.name == "table" else wrap
            ruler.at(rule.name, counted(rule.fn), {"alt": rule.alt})
    skip = md.inline.skipToken  # the look-ahead of link labels: its calls are work too

    def skip_token(state) -> None:
        _charge(state.env, 1)
        skip(state)

    md.inline.skipToken = skip_token  # type: ignore[method-assign]
    return md


_md = _build()


def plain(text: str) -> Markup:
    """The note as escaped text in one paragraph, its line breaks kept."""
    lines = text.replace("\0", "\ufffd").splitlines()
    return Markup("<p>") + Markup("<br>\n").join(escape(line) for line in lines) + Markup("</p>")


def sanitise(html: str) -> str:
    """Only the allowed tags and attributes, http(s)/mailto links with rel set; no images."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )


def rendered(text: str | None) -> Rendered:
    """Markdown to safe HTML, with the work it took; plain text past the budget."""
    if not text:
        return Rendered(Markup(""), 0, False)
    env = {"steps": 0}
    try:
        html = _md.render(text, env)
    except _OverBudget:
        return Rendered(plain(text), env["steps"], True)
    return Rendered(Markup(sanitise(html)), env["steps"], False)  # noqa: S704 - sanitised


def render(text: str | None) -> Markup:
    """Markdown to safe HTML (plain text when the note is too costly to parse)."""
    return rendered(text).html


def stored(html: str | None) -> Markup:
    """A note's HTML as `rendered` made it when the note was saved (the `stored_html` filter)."""
    return Markup(html or "")  # noqa: S704 - written only by `render`, at save time
