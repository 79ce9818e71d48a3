"""Responses every feature shares: safe redirects, downloads and SVG images.

Where a user may be sent back to: one check for every `next` or return target.

A target is followed only when it is a path on this site, however it is written: raw or
percent-encoded (decoded until it stops changing), with or without characters a browser or a
proxy drops or folds (controls, whitespace, backslashes, Unicode lookalikes of `/` and `\\`).
Anything else sends the user to the fallback, never elsewhere and never to an error.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote, urljoin, urlsplit

from flask import Response, has_request_context, request, url_for

MAX_TARGET = 2048
_DECODE_ROUNDS = 8  # more layers of percent-encoding than that is not a real link
# Characters that render as, or are folded by some parser into, a slash or a backslash, but
# that NFKC normalisation keeps as they are (the full-width forms NFKC does fold are refused
# by the NFKC check below).
_SLASH_LOOKALIKES = frozenset(
    "\u2044\u2215\u2216\u2571\u2572\u27cb\u27cd\u29f5\u29f6\u29f8\u29f9"
    "\u3033\u31d3\u31d4\u2cc6\u2f02\u2f03\u4e36\u4e3f\u30ce\u1735\u2041\ufe68\uff0f\uff3c"
)


def _decodings(target: str) -> list[str] | None:
    """`target` and each percent-decoding of it until stable (None: it never settles)."""
    layers = [target]
    for _ in range(_DECODE_ROUNDS):
        decoded = unquote(layers[-1], errors="strict") if "%" in layers[-1] else layers[-1]
        if decoded == layers[-1]:
            return layers
        layers.append(decoded)
    return None


def _layer_is_safe(text: str) -> bool:
    """One spelling of the target is a plain same-site path (no authority, no scheme)."""
    if not text.startswith("/") or text[1:2] in ("/", "\\"):
        return False
    for ch in text:
        if ch.isspace() or ch == "\\" or ch in _SLASH_LOOKALIKES:
            return False
        if unicodedata.category(ch)[0] in ("C", "Z"):  # controls, format, separators, unassigned
            return False
    if unicodedata.normalize("NFKC", text) != text:  # a lookalike that folds into ASCII
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc


def safe_redirect_target(target: str | None, fallback: str) -> str:
    """`target` when it is a path on this site in every spelling of it, else `fallback`."""
    if not target or len(target) > MAX_TARGET or not target.isascii():
        # Our own links are ASCII (url_for percent-encodes); a raw non-ASCII target is typed.
        return fallback
    try:
        layers = _decodings(target)
    except UnicodeDecodeError:  # percent-encoded bytes that are not UTF-8: not one of our links
        return fallback
    if layers is None or not all(_layer_is_safe(layer) for layer in layers):
        return fallback
    if has_request_context():
        joined = urlsplit(urljoin(request.host_url, target))
        if joined.scheme not in ("http", "https") or joined.netloc != request.host:
            return fallback
    return target


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, else home."""
    return safe_redirect_target(target, url_for("team.home"))


def attachment(stem: str, ext: str) -> dict[str, str]:
    """Content-Disposition for `stem.ext`: an ASCII name, plus the exact one (RFC 6266/5987).

    HTTP headers are Latin-1: a team called "数据" must not break the download.
    """
    ascii_stem = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower() or "download"
    exact = quote(f"{stem}.{ext}", safe="")
    return {
        "Content-Disposition": f'attachment; filename="{ascii_stem}.{ext}"; '
        f"filename*=UTF-8''{exact}"
    }


# Charts carry their own inline styles and never run scripts (they are served as images).
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"


NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def svg_response(svg: bytes) -> Response:
    """An SVG chart with the narrow policy it needs (no script, its own styles only).

    Characters XML forbids (C0 controls but tab and newlines, U+FFFE, U+FFFF) are dropped:
    a name holding one would otherwise make the whole chart ill-formed, a broken image."""
    response = Response(NOT_XML.sub(b"", svg), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_CSP
    return response
