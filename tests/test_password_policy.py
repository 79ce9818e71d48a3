"""The password policy: weak passwords are refused in every place a password is set (own
password change, set-password link, create-user command), whatever their disguise."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import PASSWORD, login
from tracker.auth.models import User
from tracker.security import password_problem

PERSONAL = "name or email address"
COMMON = "well-known password"
PATTERN = "a sequence, a keyboard pattern or a repetition"
TOO_EASY = "too common or too easy to guess"

# The review's examples, and their siblings: other case, digits, symbols, look-alikes.
COMMON_FAMILY = [
    "Password123!",
    "password1234",
    "PASSWORD2024?",
    "P@ssw0rd2024!",
    "Passw0rd#1234",
    "pa55word_12345",
    "!!Password99!!",
    "PASSWORD!!!!1234",
    "p.a.s.s.w.o.r.d.2.0.2.4",
    "iloveyou1234",
    "ILoveYou4321",
    "1l0v3y0u2024",
    "ILOVEYOU!!!!",
    "iloveyou#2025",
    "Sunshine2024!",
    "monkeydragon12",
    "Welcome@123456",
    "1qaz2wsx3edc4rfv",
]
PATTERN_FAMILY = [
    "123456789012",
    "098765432109",
    "987654321098",
    "111111111111",
    "121212121212",
    "abcdefghijkl",
    "zyxwvutsrqpo",
    "abcabcabcabc",
    "aaaaaaaaaaa1",
    "13579135791357",
    "qwertyuiop123",
    "qwertyqwerty",
    "asdfghjkl;'1",
    "!@#$%^&*()_+",
    "mnbvcxzlkjhgfdsa",
    "Trustno1trustno1",
]


def leet(text: str) -> str:
    return text.translate(str.maketrans("aeiost", "4310$7"))


def personal_family(email: str, name: str) -> list[str]:
    """A user's own e-mail and name, disguised the usual ways, with short suffixes."""
    local = email.split("@")[0]
    domain = email.split("@")[1].split(".")[0]
    joined = name.replace(" ", "")
    family = [
        email + "1",
        email.upper() + "!",
        email.title() + "2024",
        leet(email),
        f"{joined}2024!",
        f"{joined.lower()}123",
        f"{leet(joined)}!!99",
        "-".join(name.lower().split()) + "-1234",
        f"{joined[::-1]}99!!",
        (local + "123456789012")[:12] + "!",
        f"{domain.title()}12345!",
    ]
    return [p + "1234567890"[: max(0, 12 - len(p))] for p in family]  # the length rule, met


def _refused(text: str, expected: str, password: str) -> None:
    assert TOO_EASY in text or PERSONAL in text
    assert expected in text, text
    assert password not in text  # never echoed


# --- through the account page ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "expected"),
    [(p, COMMON) for p in COMMON_FAMILY] + [(p, PATTERN) for p in PATTERN_FAMILY],
)
def test_account_page_refuses_common_and_patterned_passwords(client, org, password, expected):
    login(client, "eve@example.com")
    r = client.form(
        "/account", {"current_password": PASSWORD, "password": password, "confirm": password}
    )
    assert r.status_code == 200
    _refused(r.get_data(as_text=True), expected, password)
    client.form("/logout")
    assert login(client, "eve@example.com").status_code == 302  # unchanged


@pytest.mark.parametrize("index", range(len(personal_family("e@x.io", "A B"))))
def test_account_page_refuses_the_users_own_email_and_name(client, org, index):
    password = personal_family("eve@example.com", "Eve Engineer")[index]
    login(client, "eve@example.com")
    r = client.form(
        "/account", {"current_password": PASSWORD, "password": password, "confirm": password}
    )
    assert r.status_code == 200
    _refused(r.get_data(as_text=True), PERSONAL, password)


# --- through a set-password link ---------------------------------------------------------------


def _invitation_form(client, org) -> str:
    """The URL of the set-password form of an invitation for org.plain (Pat Plain)."""
    login(client, "lead@example.com")
    r = client.form(f"/members/{org.plain.id}/invite")
    html = r.get_data(as_text=True)
    start = html.index("http://tracker.test/welcome/")
    link = html[start : html.index('"', start)].replace("http://tracker.test", "")
    client.form("/logout")
    return client.get(link, follow_redirects=True).request.path


@pytest.mark.parametrize(
    ("kind", "index"),
    [("common", i) for i in range(0, len(COMMON_FAMILY), 3)]
    + [("pattern", i) for i in range(0, len(PATTERN_FAMILY), 3)]
    + [("personal", i) for i in range(len(personal_family("e@x.io", "A B")))],
)
def test_set_password_link_refuses_weak_passwords(client, org, db, kind, index):
    form = _invitation_form(client, org)
    if kind == "common":
        password, expected = COMMON_FAMILY[index], COMMON
    elif kind == "pattern":
        password, expected = PATTERN_FAMILY[index], PATTERN
    else:
        password, expected = personal_family(org.plain.email, org.plain.name)[index], PERSONAL
    r = client.form(form, {"password": password, "confirm": password})
    assert r.status_code == 400  # a form with errors
    _refused(r.get_data(as_text=True), expected, password)
    assert db.scalar(select(User).where(User.email == org.plain.email)) is None


# --- through the create-user command -------------------------------------------------------------


def _create(runner, password: str, email: str = "ada.lovelace@example.com"):
    args = ["tracker", "create-user", email, "--name", "Ada Lovelace", "--role", "lead"]
    return runner.invoke(args=[*args, "--password-stdin"], input=password + "\n")


@pytest.mark.parametrize(
    ("password", "expected"),
    [(p, COMMON) for p in COMMON_FAMILY[::2]]
    + [(p, PATTERN) for p in PATTERN_FAMILY[::2]]
    + [(p, PERSONAL) for p in personal_family("ada.lovelace@example.com", "Ada Lovelace")],
)
def test_create_user_command_refuses_weak_passwords(runner, db, password, expected):
    r = _create(runner, password)
    assert r.exit_code == 1
    _refused(r.output, expected, password)
    assert db.scalar(select(User)) is None


# --- strong passphrases pass everywhere -----------------------------------------------------------

STRONG = [
    "correct-horse-battery-staple",
    "teamtracker-demo",
    "violet-otter-lantern-94",
    "gravel orbit tulip kayak",
    "Sunday-Morning-Coffee",
    "kitchen table lamp",
    "ocean-piano-47-crane",
    "Mango!Tiger7Cloud",
    "k9Xq2mP7vL4w",
    "a-brand-new-long-passphrase",
    "eve's cat sleeps on the piano",  # the user's name inside a long passphrase is fine
]


@pytest.mark.parametrize("password", STRONG)
def test_strong_passphrases_are_accepted_everywhere(app, client, runner, org, db, password):
    if password != PASSWORD:
        login(client, "eve@example.com")
        r = client.form(
            "/account", {"current_password": PASSWORD, "password": password, "confirm": password}
        )
        assert r.status_code == 302, r.get_data(as_text=True)
        client.form("/logout")
    r = client.form(_invitation_form(client, org), {"password": password, "confirm": password})
    assert r.status_code == 302
    assert _create(runner, password).exit_code == 0


@pytest.mark.parametrize(
    "password",
    [
        "correct-horse-battery-staple",  # tests/conftest.py PASSWORD
        "teamtracker-demo",  # the demo's default (tracker/demo.py, README.md)
        "browser-tests-demo-password",
        "demo-passphrase-1",
        "benchmark-passphrase-1",  # bench/
        "load-test-passphrase-1",  # load/
    ],
)
def test_the_projects_own_passphrases_stay_valid_for_the_demo_people(password):
    from tracker.demo import ACCOUNTS, DATA_PLATFORM, ML_PLATFORM

    people = [(e, n) for _, e, n in ACCOUNTS] + [(m[1], m[0]) for m in ML_PLATFORM + DATA_PLATFORM]
    for email, name in [*people, ("", "")]:
        assert password_problem(password, email=email, name=name) is None, (email, password)


# --- generated disguises of weak words -----------------------------------------------------------

BASES = ["password", "iloveyou", "sunshine", "princess", "football", "qwerty", "dragon", "letmein"]
LOOKALIKE = {"a": "4@", "e": "3", "i": "1!", "o": "0", "s": "5$", "t": "7+", "l": "1|"}
AFFIXES = st.one_of(
    st.sampled_from(["", "!", "!!", "?", "#", "1", "12", "123", "1234", "12345", "123456"]),
    st.integers(1950, 2030).map(str),
    st.text("0123456789!@#$%&*?.", min_size=1, max_size=2),  # a couple of random characters
)


@st.composite
def disguised(draw, base: str) -> str:
    chars = []
    for ch in base:
        ch = draw(st.sampled_from([ch, ch.upper(), *LOOKALIKE.get(ch, "")]))
        chars.append(ch)
    word = "".join(chars)
    prefix, suffix = draw(AFFIXES), draw(AFFIXES)
    pad = "1234567890"[: max(0, 12 - len(prefix + word + suffix))]  # the length rule, met
    return prefix + word + suffix + pad


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
@given(data=st.data())
def test_disguised_common_and_personal_words_are_refused(data):
    users = [("eve@example.com", "Eve Engineer"), ("ada.lovelace@example.com", "Ada Lovelace")]
    email, name = data.draw(st.sampled_from(users))
    base = data.draw(st.sampled_from([*BASES, email, name.replace(" ", "").lower()]))
    password = data.draw(disguised(base))
    problem = password_problem(password, email=email, name=name)
    assert problem is not None, password
    assert (PERSONAL if base in (email, name.replace(" ", "").lower()) else TOO_EASY) in problem


@pytest.mark.parametrize(
    "password",
    [
        "a" * 256,
        "ab" * 128,
        ("password" * 40)[:256],
        ("0123456789" * 30)[:256],
        ("1q2w3e4r5t" * 30)[:256],
        "日本" * 128,
        ("eve@example.com" * 20)[:256],
    ],
    ids=["char", "pair", "word", "digits", "keyboard", "unicode", "email"],
)
def test_the_longest_repetitive_passwords_are_judged_and_refused(password):
    problem = password_problem(password, email="eve@example.com", name="Eve Engineer")
    assert problem is not None and (TOO_EASY in problem or PERSONAL in problem)
