"""The password policy: weak passwords are refused in every place a password is set (own
password change, set-password link, create-user command), whatever their disguise."""

from __future__ import annotations

import html

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


# Words every attacker tries first against this app: its name, the published demo password,
# famous example passwords, months, days and seasons (English, German, French, Spanish).
CONTEXT_FAMILY = [
    "TeamTracker!2025",
    "teamtracker2024!",
    "Team Tracker 2025",
    "team-tracker-123",
    "MyTracker12345",
    "teamtracker-demo",
    "TeamTracker-Demo1",
    "teamtracker_demo!",
    "omed-rekcartmaet",
    "TEAMTRACKERDEMO!",
    "correcthorse1!",
    "CorrectHorseBatteryStaple",
    "correct horse battery staple",
    "c0rr3ct-h0rs3-b4tt3ry-st4pl3",
    "BatteryStaple99",
    "Tr0ub4dor&3xyz",
    "Januar2024!!",
    "January2025!",
    "Dezember2023!",
    "Septembre2024",
    "Février-2024!",
    "Octubre2025!!",
    "Diciembre2024",
    "Mittwoch1234!",
    "Sonntag#2025",
    "Vendredi2024!",
    "Miércoles2024",
    "Domingo2024!!",
    "Sommer2025!!",
    "Herbst-2025-!",
    "Printemps2024",
    "Invierno2025!",
    "Spring2025!!",
    "Autumn2024!!",
    "Winter2025!!",
]
CONTEXT = "a word tried first against this app"
# The user's own e-mail and name, and common passwords, in other scripts' look-alike letters,
# full-width or mathematical forms, with accents or invisible characters.
UNICODE_PERSONAL = [
    "ｅｖｅ@example.com1",
    "ＥＶＥ＠ＥＸＡＭＰＬＥ．ＣＯＭ",
    "Еve@example.com1",  # Cyrillic Е
    "еvе@ехамрlе.соm1",  # Cyrillic е, х, а, м, р, о, с
    "Εve@example.com1",  # Greek Ε
    "eve@exаmple.com1",  # Cyrillic а
    "e\u200bve@example.com1",  # a zero-width space
    "eve\u00ad@example.com1",  # a soft hyphen
    "évé@example.com1",
    "e\u0301ve@example.com1",  # a combining accent
    "𝐞𝐯𝐞@example.com1",  # mathematical bold
    "ＥｖｅＥｎｇｉｎｅｅｒ１２",
    "Еvе Еngineer 2024",
]
UNICODE_COMMON = [
    "Ｐａｓｓｗｏｒｄ１２３４",
    "Рassword1234",
    "pаssword1234",
    "ρassword1234!",
    "Pass\u200bword1234",
    "Pässwörd1234",
    "𝐏𝐚𝐬𝐬𝐰𝐨𝐫𝐝𝟏𝟐𝟑𝟒",
    "ＴｅａｍＴｒａｃｋｅｒ２０２５",
    "ТеамТrackеr2025",
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
def test_account_page_refuses_common_and_patterned_passwords(client_as, org, password, expected):
    client = client_as("engineer")
    r = client.form(
        "/account", {"current_password": PASSWORD, "password": password, "confirm": password}
    )
    assert r.status_code == 200
    _refused(r.get_data(as_text=True), expected, password)
    client.form("/logout")
    assert login(client, "eve@example.com").status_code == 302  # unchanged


@pytest.mark.parametrize(
    ("password", "expected"),
    [(p, CONTEXT) for p in CONTEXT_FAMILY]
    + [(p, PERSONAL) for p in UNICODE_PERSONAL]
    + [(p, TOO_EASY) for p in UNICODE_COMMON],
)
def test_account_page_refuses_context_words_and_unicode_disguises(
    client_as, org, password, expected
):
    client = client_as("engineer")
    r = client.form(
        "/account", {"current_password": PASSWORD, "password": password, "confirm": password}
    )
    assert r.status_code == 200
    _refused(html.unescape(r.get_data(as_text=True)), expected, password)
    client.form("/logout")
    assert login(client, "eve@example.com").status_code == 302  # unchanged


@pytest.mark.parametrize("index", range(len(personal_family("e@x.io", "A B"))))
def test_account_page_refuses_the_users_own_email_and_name(client_as, org, index):
    password = personal_family("eve@example.com", "Eve Engineer")[index]
    client = client_as("engineer")
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
    "quiet-ferry-lichen-orbit",
    "violet-otter-lantern-94",
    "gravel orbit tulip kayak",
    "Sunday-Morning-Coffee",
    "kitchen table lamp",
    "ocean-piano-47-crane",
    "Mango!Tiger7Cloud",
    "k9Xq2mP7vL4w",
    "a-brand-new-long-passphrase",
    "eve's cat sleeps on the piano",  # the user's name inside a long passphrase is fine
    "зелёный-чайник-маяк-17",  # other scripts and accents keep their strength
    "Größe-Kuchen-Straße-42",
    "café-crème-brûlée-noir",
    "日本語のパスフレーズです",
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
        PASSWORD,  # tests/conftest.py
        "browser-tests-demo-password",
        "demo-passphrase-1",
        "benchmark-passphrase-1",  # bench/
        "load-test-passphrase-1",  # load/
    ],
)
def test_the_projects_own_passphrases_stay_valid_for_the_demo_people(password):
    from tracker.seed.demo import ACCOUNTS, DATA_PLATFORM, ML_PLATFORM

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


# Each character of a weak word may be written in a look-alike form: full-width, a Cyrillic or
# Greek twin, a mathematical letter, with an accent or an invisible character after it.
TWINS = {
    "a": "аα",
    "c": "сϲ",
    "e": "еé",
    "i": "іι",
    "o": "оοö",
    "p": "рρ",
    "s": "ѕ",
    "x": "х",
    "y": "у",
    "k": "κ",
}


def _unicode_twins(ch: str) -> list[str]:
    twins = [ch, ch.upper(), *TWINS.get(ch, "")]
    if ch.isascii() and ch.isprintable() and ch != " ":
        twins.append(chr(ord(ch) + 0xFEE0))  # full-width
    if ch.isascii() and ch.isalpha():
        twins.append(chr(0x1D41A + ord(ch) - ord("a")))  # mathematical bold
        twins.append(ch + "\u0301")  # a combining accent
    twins.append(ch + "\u200b")  # an invisible character
    return twins


@st.composite
def unicode_disguised(draw, base: str) -> str:
    word = "".join(draw(st.sampled_from(_unicode_twins(ch))) for ch in base)
    suffix = draw(AFFIXES)
    return word + suffix + "1234567890"[: max(0, 12 - len(word + suffix))]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
@given(data=st.data())
def test_unicode_disguised_weak_words_are_refused(data):
    email, name = "eve@example.com", "Eve Engineer"
    words = [*BASES, email, "eveengineer", "teamtracker", "teamtracker-demo", "correcthorse"]
    words += ["january", "dezember", "septembre", "miercoles", "sonntag", "printemps"]
    base = data.draw(st.sampled_from(words))
    password = data.draw(unicode_disguised(base))
    problem = password_problem(password, email=email, name=name)
    assert problem is not None, ascii(password)
