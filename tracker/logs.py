"""Log lines without secrets: one-time link and calendar-feed tokens and query strings (note
searches, `next=` targets) are redacted before gunicorn's access and error logs, the development
server's request log or the app's own log write anything.

gunicorn.conf.py names `GunicornLogger`; `init_app` filters the app's and werkzeug's loggers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, cast
from urllib.parse import quote, unquote

from gunicorn.glogging import Logger

if TYPE_CHECKING:
    from gunicorn.glogging import _AtomsDict  # exists in the type stubs only

REDACTED = "[redacted]"
# Path segments after these carry a secret (the one-time link, the calendar feed's token)...
SECRET_PARENTS = {"welcome", "calendar"}
# ...except these route words.
NOT_SECRET = {"reset"}
# A URL in a log line: a path, or scheme://host/path, where a word starts.
_URL = re.compile(r"""(?<![^\s"'(<=,\[])(?:[A-Za-z][A-Za-z0-9+.\-]*://[^\s"'<>/]*)?/[^\s"'<>]*""")
_RUN = re.compile(r"[A-Za-z0-9_\-%.~+]{16,}")
_OPAQUE = re.compile(r"[A-Za-z0-9_\-]{16,}")
_SLUG = re.compile(r"[a-z]+(?:[-_.][a-z]+)*")
# Keys of gunicorn's log atoms whose whole value is secret whenever present.
_SECRET_ATOMS = ("q", "{query_string}e", "{cookie}i", "{authorization}i", "{set-cookie}o")
_SECRET_KEY_PARTS = ("query_string", "cookie", "authorization")
# Printable in a log line once everything has been decoded (the rest is percent-encoded again,
# so a decoded newline can never forge a line).
_SAFE = "/[]:@!$&'()*+,;=-._~"


def _decoded(text: str) -> str:
    # Percent-decode until stable: a double-encoded token or "?" must not slip through.
    for _ in range(5):
        plain = unquote(text, errors="replace")
        if plain == text:
            break
        text = plain
    return text


def _opaque(text: str) -> bool:
    """True when `text` holds something shaped like a token (a long run of token characters
    that is not a plain lower-case word)."""
    return any(not _SLUG.fullmatch(run) for run in _OPAQUE.findall(_decoded(text)))


def scrub_url(url: str) -> str:
    """`url` without its query string, fragment, credentials or any token-like path segment."""
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*://)([^/]*)(.*)", url, re.S)
    prefix, rest = "", url
    if match:
        host = match.group(2).rsplit("@", 1)[-1]  # never user:password@
        prefix, rest = match.group(1) + quote(_decoded(host), safe=_SAFE), match.group(3)
    path, query = _decoded(rest), ""
    cut = min((i for i in (path.find("?"), path.find("#")) if i >= 0), default=-1)
    if cut >= 0:
        path, query = path[:cut], "?" + REDACTED
    segments, secret = [], False
    for segment in path.split("/"):
        if secret and segment and segment not in NOT_SECRET:
            segments.append(REDACTED + (".ics" if segment.endswith(".ics") else ""))
            continue
        segments.append(REDACTED if _opaque(segment) else segment)
        secret = secret or segment.lower() in SECRET_PARENTS
    return prefix + quote("/".join(segments), safe=_SAFE) + query


def scrub(text: str) -> str:
    """A log line with every URL scrubbed and any other token-shaped run redacted."""
    text = _URL.sub(lambda m: scrub_url(m.group(0)), text)
    return _RUN.sub(lambda m: REDACTED if _opaque(m.group(0)) else m.group(0), text)


def scrub_atoms(atoms: Mapping) -> dict:
    """gunicorn's access-log atoms with secrets removed (same keys)."""
    clean = {}
    for key, value in atoms.items():
        lowered = str(key).lower()
        secret = lowered in _SECRET_ATOMS or any(p in lowered for p in _SECRET_KEY_PARTS)
        if secret and value not in (None, "", "-"):
            clean[key] = REDACTED
        else:
            clean[key] = scrub(value) if isinstance(value, str) else value
    return clean


class ScrubFilter(logging.Filter):
    """Rewrites each record as its scrubbed, fully formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: still never write its arguments raw
            message = f"{record.msg} {record.args}"
        record.msg, record.args = scrub(message), None
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


def _add_filter(logger: logging.Logger) -> None:
    if not any(isinstance(f, ScrubFilter) for f in logger.filters):
        logger.addFilter(ScrubFilter())


class GunicornLogger(Logger):
    """gunicorn's logger, whose access and error lines carry no token and no query string."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        _add_filter(self.error_log)
        _add_filter(self.access_log)

    def atoms(self, resp, req, environ, request_time) -> _AtomsDict:
        # The same keys with scrubbed values: a copy made key by key cannot carry the TypedDict.
        return cast("_AtomsDict", scrub_atoms(super().atoms(resp, req, environ, request_time)))


def init_app(app) -> None:
    """Filter the development server's request log and the app's own log."""
    for logger in (logging.getLogger("werkzeug"), app.logger):
        _add_filter(logger)
