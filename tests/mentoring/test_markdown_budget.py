"""The renderer's work is bounded: the costliest Markdown found
(tests/mentoring/markdown_inputs.py), at the length cap, stays within the step budget or falls
back to plain text; the output grows linearly;
a profiler's count of every function call confirms the bound; real notes at the cap still render
as Markdown. Work is counted, never timed (bench/markdown.py has the timings)."""

from __future__ import annotations

import sys

import pytest
from markdown_it import MarkdownIt
from markupsafe import escape

from tests.mentoring.markdown_inputs import HOSTILE_NOTES, REAL_NOTES
from tests.mentoring.test_markdown_safety import assert_safe
from tracker.mentoring.markdown import MAX_STEPS, plain, rendered, sanitise


def _stock(text: str) -> str:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
    return sanitise(md.enable(["table", "strikethrough"]).render(text))


@pytest.mark.parametrize("name", HOSTILE_NOTES)
def test_the_costliest_notes_stay_within_the_budget(name):
    text = HOSTILE_NOTES[name]
    r = rendered(text)
    assert 0 < r.steps <= MAX_STEPS
    # Linear output: no table padded into hundreds of kilobytes (the stock renderer makes
    # 740 KB of 20 KB), whether rendered or shown as plain text.
    assert len(r.html) <= 4 * len(text) + 1000, len(r.html)
    assert_safe(str(r.html), name)
    if r.plain:
        assert r.html == plain(text)
    else:  # counting changes the cost, never the HTML
        assert str(r.html) == _stock(text)


# Profiler events (every call and return, Python and C) while rendering, a fixed bound.
# The stock renderer takes 8-10 million for the first three notes here (bench/markdown.py);
# the next four cost us the most events per step.
WORK_LIMIT = 7_000_000  # 70 a step of the 100,000-step budget
PROFILED = [
    "image openers ![",
    "images in links [![",
    "table padded over short rows",
    "![http:// ...",
    "](![",
    "![](_",
    "unclosed destination",
    "nested brackets",
    "table rows without pipes",
    "emphasis runs *_",
    "wide table",
    "backtick runs",
    "reference definitions and uses",
    "deep blockquote",
    "deep list",
    "long line",
]


def _events(text: str) -> int:
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        count += 1

    sys.setprofile(profile)
    try:
        rendered(text)
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("name", PROFILED)
def test_the_budget_bounds_all_the_work(name):
    """Work the step count does not see (a table's cells, a pass over a paragraph) is bounded
    too: counted independently, by the interpreter."""
    assert _events(HOSTILE_NOTES[name]) <= WORK_LIMIT


MARKUP = {
    "bullets with links, bold and code": "<li><strong>",
    "numbered checklist": "<ol>",
    "a long table": "<td>Ship <strong>v2</strong></td>",
    "weekly sections": "<h2>",
    "links in prose": '<a href="https://e.com/a"',
    "marked-up paragraphs": "<s>",
    "prose": "<p>",
}


@pytest.mark.parametrize("name", REAL_NOTES)
def test_real_notes_at_the_cap_render_as_markdown(name):
    r = rendered(REAL_NOTES[name])
    assert not r.plain and r.steps <= MAX_STEPS
    assert MARKUP[name] in r.html
    assert_safe(str(r.html), name)


SAMPLES = {
    "emphasis": "**bold** and *em* and ***both*** and ~~gone~~ and `code` and **unclosed",
    "intraword": "_a_b_ *a*b* __a__ **a** a**b**c ***a** b* *a **b***",
    "lists and quotes": "- one\n- **two**\n  - nested *three*\n\n1. a\n2. b\n\n> *with* `code`",
    "blocks": "# H1\n\nText  \nbreak\nsoft\n\n---\n\n| a | *b* |\n|---|--:|\n| `c` | **d** |",
    "links": "[link](https://example.com) ![img](x.png) <https://a.b> <a@b.c> [ref]\n\n[ref]: /r",
    "code": "```\ncode **not bold**\n```\n\n    indented\n\n&amp; &copy; &#35; \\*escaped\\*",
    "precedence": "*a `*` b* **a [b** c](d) *a <https://x*y> z*",
    **REAL_NOTES,
}


@pytest.mark.parametrize("name", SAMPLES)
def test_the_counted_renderer_renders_as_markdown_it_does(name):
    """Counting steps and joining text in linear time change the cost, never the HTML."""
    r = rendered(SAMPLES[name])
    assert not r.plain and str(r.html) == _stock(SAMPLES[name])


@pytest.mark.parametrize(
    "text", ["a\nb\r\nc", "<script>alert(1)</script>\n**x**", "tab\there\0nul", "  indent"]
)
def test_plain_text_keeps_the_words_and_line_breaks_and_nothing_runs(text):
    html = str(plain(text))
    assert_safe(html, text)
    assert html.count("<br>") == len(text.splitlines()) - 1
    for line in text.replace("\0", "\ufffd").splitlines():
        assert str(escape(line)) in html
