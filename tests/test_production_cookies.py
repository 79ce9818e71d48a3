"""Production: the session and remember cookies carry the `__Host-` prefix (Secure, Path=/, no
Domain), and the app refuses to start with a SECRET_KEY that is short or plainly not random:
only 32+ random bytes written as hex or base64 that hold no word, sequence or repetition."""

from __future__ import annotations

import base64
import re
import secrets

import pytest

from config import ProductionConfig, secret_key_problem
from tests.conftest import PASSWORD
from tracker import create_app


def _production(database_url: str, key: str | None, **extra):
    class Production(ProductionConfig):
        SECRET_KEY = key
        DATABASE_URL = database_url
        SERVER_NAME = "tracker.test"

    for name, value in extra.items():
        setattr(Production, name, value)
    return create_app(Production)


WEAK_KEYS = [
    None,
    "",
    "changeme",
    "9f86d081884c7d659a2feaa0c55ad0",  # 30 random hex characters: too short
    "x" * 31,
    "a" * 64,  # one character
    "ab" * 32,
    "0123456789abcdef" * 4,  # 16 distinct characters, but a repeated pattern
    "password-password-password-passw",  # periodic, not a whole number of repeats
    "aaaaaaaabbbbbbbbccccccccdddddddd",  # four distinct characters
    "Tr0ub4dor&3-Tr0ub4dor&3-Tr0ub4dor&3",  # a password, repeated
    "12345678901234567890123456789012",
    # Made by hand: long enough, varied enough, and still cheap to guess.
    "abcdefghijklmnopqrstuvwxyz012345",  # a sequence
    "my-super-secret-production-key!!",  # words
    "a" * 31 + "bcdefghijklmn",  # a run, then a sequence
    "The quick brown fox jumps over the lazy dog!",  # a sentence
    "correct-horse-battery-staple-correct-horse",
    "qwertyuiopasdfghjklzxcvbnm1234567890QWERTYUIOP",  # keyboard rows (base64 letters only)
    "ThisIsMyVerySecretProductionKeyForTeamTracker2025",  # words in base64's alphabet
    "deadbeef" * 8,  # "hex", a word repeated
    "0123456789abcdef0123456789abcdef0123456789abcdeg",  # a hex sequence, not hex at the end
    "0123456789abcdeffedcba98765432100123456789abcdef",  # hex, sequences up and down
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaZ",  # one character, hex
    "passwordpasswordpasswordpasswordpasswordpassword1",
    "Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFy",  # base64 of a repeated word
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p1qaz2wsx3edc",  # keyboard columns
    "secret key " * 4,
    "ｓｅｃｒｅｔｋｅｙ" * 4,  # full-width, 96 bytes
]


@pytest.mark.parametrize("key", WEAK_KEYS)
def test_production_refuses_a_weak_secret_key(tmp_path, key):
    url = f"sqlite:///{tmp_path / 'prod.db'}"
    with pytest.raises(RuntimeError, match="SECRET_KEY") as refused:
        _production(url, key)
    assert "secrets.token_hex(32)" in str(refused.value)  # says how to make a good one


def _encodings(data: bytes) -> list[str]:
    return [
        data.hex(),
        data.hex().upper(),
        base64.b64encode(data).decode(),
        base64.urlsafe_b64encode(data).decode().rstrip("="),
    ]


# Keys whose text looks random but whose bytes are not: text, counts, repetitions, runs.
ENCODED_WEAK = {
    "phrase": b"our team tracker production signing key 2025",
    "sentence with newline": b"Team Tracker\nproduction key for the people team, 2026\n",
    "alphabet": b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP",
    "hex digits as text": secrets.token_hex(24).encode(),
    "counting up": bytes(range(32)),
    "counting up from 200": bytes((200 + i) % 256 for i in range(40)),
    "counting down": bytes(range(255, 215, -1)),
    "stepping by 7": bytes((7 * i) % 256 for i in range(36)),
    "random then zeros": secrets.token_bytes(26) + bytes(8),
    "random then a count": secrets.token_bytes(26) + bytes(range(6)),
    "random block repeated": secrets.token_bytes(8) * 5,
    "few values": bytes(secrets.choice(b"\x00\x01\x02\x03") for _ in range(64)),
}


@pytest.mark.parametrize("name", ENCODED_WEAK)
def test_the_bytes_a_key_encodes_are_checked_too(name):
    for key in _encodings(ENCODED_WEAK[name]):
        problem = secret_key_problem(key)
        assert problem and "secrets.token_hex(32)" in problem, (name, key)


def test_a_key_padded_by_hand_is_refused():
    assert secret_key_problem(secrets.token_urlsafe(24) + "A" * 11)


@pytest.mark.parametrize(
    "make",
    [
        lambda: secrets.token_hex(32),
        lambda: secrets.token_hex(32).upper(),
        lambda: secrets.token_urlsafe(32),
        lambda: secrets.token_urlsafe(64),
        lambda: base64.b64encode(secrets.token_bytes(32)).decode(),  # openssl rand -base64 32
    ],
    ids=["hex", "HEX", "urlsafe32", "urlsafe64", "base64"],
)
def test_production_accepts_random_keys(database_url, make):
    app = _production(database_url, make())  # a production app checks a migrated database
    assert app.config["SECRET_KEY"]
    app.extensions["tracker.engine"].dispose()
    # The kinds of key the message recommends pass every time (no false refusals).
    assert not [k for k in (make() for _ in range(2000)) if secret_key_problem(k)]


def _set_cookies(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def test_production_cookies_use_the_host_prefix(database_url, org):
    app = _production(database_url, secrets.token_hex(32))
    client = app.test_client()
    https = {"base_url": "https://tracker.test", "headers": {"Referer": "https://tracker.test/"}}

    def post(url, data=None):  # as a browser would: the token from the page, over HTTPS
        page = client.get("/login" if url == "/login" else "/account", **https)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
        return client.post(url, data={"csrf_token": token.group(1), **(data or {})}, **https)

    r = post("/login", {"email": "lead@example.com", "password": PASSWORD, "remember": "y"})
    assert r.status_code == 302
    cookies = _set_cookies(r)
    assert set(cookies) == {"__Host-tracker_session", "__Host-tracker_remember"}
    for header in cookies.values():
        parts = [p.strip().lower() for p in header.split(";")]
        assert "secure" in parts and "path=/" in parts and "httponly" in parts
        assert not [p for p in parts if p.startswith("domain=")]
    assert client.get("/account", **https).status_code == 200  # and they work
    with client.session_transaction(**https) as sess:
        sess.clear()  # the browser closed: the remember cookie alone logs back in
    assert client.get("/account", **https).status_code == 200
    # Logging out clears both.
    r = post("/logout")
    cleared = _set_cookies(r)
    assert {"__Host-tracker_session", "__Host-tracker_remember"} <= set(cleared)
    assert client.get("/account", **https).status_code == 302
    app.extensions["tracker.engine"].dispose()
