"""What the sanitiser guarantees for notes, asserted on the HTML itself (not on the renderer's
escaping of raw HTML, which hides a missing or weakened sanitiser): no images, every link with
rel="noopener noreferrer nofollow", only http(s)/mailto (or relative) hrefs, and no tag or
attribute outside the allow-list below, which is written out here on purpose: widening the
app's list must fail these tests."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tracker.mentoring.markdown import render, sanitise

ALLOWED = {
    "p": set(),
    "br": set(),
    "strong": set(),
    "em": set(),
    "del": set(),
    "s": set(),
    "code": set(),
    "pre": set(),
    "blockquote": set(),
    "ul": set(),
    "ol": {"start"},
    "li": set(),
    "a": {"href", "title", "rel"},
    **{f"h{n}": set() for n in range(1, 7)},
    "hr": set(),
    "table": set(),
    "thead": set(),
    "tbody": set(),
    "tr": set(),
    "th": {"align"},
    "td": {"align"},
}
REL = {"noopener", "noreferrer", "nofollow"}
SCHEMES = {"", "http", "https", "mailto"}  # "": a relative link, on this site


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_safe(html: str, where: str = "") -> list[tuple[str, dict]]:
    """Every guarantee at once; returns the tags, for more specific checks."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in ALLOWED, f"{where}: <{tag}> in {html[:300]!r}"
        assert set(attrs) <= ALLOWED[tag], f"{where}: <{tag} {sorted(attrs)}>"
        if tag == "a":
            assert set((attrs.get("rel") or "").split()) == REL, f"{where}: {attrs}"
            href = attrs.get("href")
            if href is not None:
                # What a browser would make of it: controls and blanks dropped, any case.
                plain = re.sub(r"[\x00-\x20\x7f]", "", href).lower()
                assert urlsplit(plain).scheme in SCHEMES, f"{where}: href {href!r}"
    return parser.tags


# Markdown that makes markdown-it emit what only the sanitiser removes.
IMAGES = [
    "![x](http://evil.example/x.png)",
    '![x](https://evil.example/x.png "title")',
    "![x](//evil.example/x.png)",
    "![x][pic]\n\n[pic]: https://evil.example/ref.png",
    "[![x](https://evil.example/in-link.png)](https://example.com)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "- ![x](https://evil.example/in-list.png)",
    "| a |\n|---|\n| ![x](https://evil.example/in-table.png) |",
]
LINKS = [
    "[a](http://example.com)",
    "[a](https://example.com/path?q=1#f)",
    '[a](https://example.com "a title")',
    "<https://example.com>",
    "[a](mailto:eve@example.com)",
    "<eve@example.com>",
    "[a][ref]\n\n[ref]: https://example.com/ref",
    "[a](/members/1)",
    "**[bold link](https://example.com)**",
    "> [quoted](https://example.com)",
]
HOSTILE_HREFS = [
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](&#x6A;avascript:alert(1))",
    "[a](&#x6a;&#x61;&#x76;&#x61;script:alert(1))",
    "[a](javascript&#58;alert(1))",
    "[a](<javascript:alert(1)>)",
    "<javascript:alert(1)>",
    "[a][bad]\n\n[bad]: javascript:alert(1)",
    "[a](vbscript:msgbox(1))",
    "[a](VBScript:msgbox(1))",
    "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[a](DATA:text/html,<script>alert(1)</script>)",
    "[a](data:image/png;base64,iVBORw0KGgo=)",
    "<data:image/png;base64,iVBORw0KGgo=>",
    "[a](file:///etc/passwd)",
    "[a](ftp://example.com/x)",
    "<ftp://example.com/x>",
    "[a](tel:+15550100)",
    "[a](sms:+15550100)",
    "[a](ssh://example.com)",
    "[a](intent://x#Intent;end)",
    "<irc://example.com>",
]
ATTRIBUTES = [
    "| left | centre | right |\n|:--|:-:|--:|\n| a | b | c |",  # markdown-it: style=
    "```js\nalert(1)\n```",  # class="language-js"
    "```js onclick=alert(1)\nx\n```",
    '[a](https://example.com "t\\" onclick=\\"alert(1))',
    "3. three\n4. four",
]


@pytest.mark.parametrize("source", IMAGES)
def test_images_never_become_img(source):
    html = str(render(source))
    tags = assert_safe(html, source)
    assert "img" not in {t for t, _ in tags}
    assert "src=" not in html  # not even on another tag


@pytest.mark.parametrize("source", LINKS)
def test_every_link_has_rel_noopener_noreferrer_nofollow(source):
    tags = assert_safe(str(render(source)), source)
    links = [attrs for tag, attrs in tags if tag == "a"]
    assert links, "the link is kept"
    assert all(attrs.get("href") for attrs in links)


@pytest.mark.parametrize("source", HOSTILE_HREFS)
def test_only_http_https_and_mailto_hrefs_survive(source):
    tags = assert_safe(str(render(source)), source)
    assert not [a for t, a in tags if t == "a" and a.get("href")], f"{source}: a link survived"


@pytest.mark.parametrize("source", ATTRIBUTES)
def test_no_attribute_outside_the_allow_list(source):
    tags = assert_safe(str(render(source)), source)
    names = {name for _, attrs in tags for name in attrs}
    assert not {n for n in names if n in ("style", "class", "id") or n.startswith("on")}


# Raw HTML straight at the sanitiser: the second wall holds on its own, should the renderer
# ever pass HTML through (it is told not to).
RAW = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle/></svg>",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    "<style>body{display:none}</style>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    '<form action="https://evil.example"><input name="password"><button>Go</button></form>',
    "<details open ontoggle=alert(1)>x</details>",
    "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
    '<p style="position:fixed;top:0" class="x" id="y" onclick="alert(1)">x</p>',
    "<div>block</div><span>inline</span><u>u</u><font color=red>f</font>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JAVASCRIPT:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">x</a>',
    '<a href="&#x6A;avascript&#x3A;alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="ftp://example.com">x</a>',
    '<a href="https://example.com" target="_blank" onmouseover="alert(1)">x</a>',
    '<a href="https://example.com" rel="opener">x</a>',
    '<table><tr><td style="color:red" onclick="x" align="left">c</td></tr></table>',
    '<ol start="3" type="a" reversed><li value="9">x</li></ol>',
    "<h1 id=x>t</h1><code class=language-js>c</code><pre data-x=1>p</pre>",
]


@pytest.mark.parametrize("raw", RAW)
def test_the_sanitiser_alone_keeps_only_the_allow_list(raw):
    assert_safe(sanitise(raw), raw)


def test_pages_show_notes_within_the_guarantees(app, client_as, org, framework):
    """Through the form and the pages, every note field of every page keeps to the rules."""
    hostile = "\n\n".join(IMAGES + LINKS + HOSTILE_HREFS + ATTRIBUTES)
    client = client_as("lead")
    r = client.form(
        f"/members/{org.eng.id}/sessions/new",
        {
            "kind": "one_on_one",
            "held_at": "2026-11-20T10:00",
            "duration_minutes": "30",
            "agenda": hostile[:5000],
            "shared_notes": hostile,
            "private_notes": hostile,
        },
    )
    assert r.status_code == 302, r.data.decode()[:2000]
    session_url = r.headers["Location"]
    pages = [(client, session_url, 3), (client, f"/members/{org.eng.id}/sessions", 1)]
    eve = client_as("engineer")
    pages += [(eve, session_url, 2), (eve, "/me", 1)]
    for who, url, fields in pages:
        body = who.get(url).data.decode()
        notes = re.findall(r'<div class="notes">(.*?)</div>', body, re.S)
        assert len(notes) == fields, url
        for html in notes:
            tags = assert_safe(html, url)
            assert any(t == "a" for t, _ in tags), "links are kept"
