"""What a password is compared with before it is judged (tracker/password_strength.py): its
canonical spelling, and the words an attacker tries first against this app."""

from __future__ import annotations

import unicodedata
from functools import cache

# Cyrillic and Greek letters drawn like a Latin one (Unicode's confusables, the common ones).
_CONFUSABLES = str.maketrans(
    "АВЕЅІЈКМНОРСТХУЬаеорсухіјѕԁԛԝһӏкмнтвпгьѵΑΒΕΖΗΙΚΜΝΟΡΤΥΧοαικνρτυχϲωγ",
    "ABESIJKMHOPCTXYbaeopcyxijsdqwhlkmhtbnrbvABEZHIKMNOPTYXoaikvptuxcwy",
)
# Cost in bits of a word every attacker tries first against this app (the app's name and its
# published demo password) and of one from a short list everybody tries (famous examples of
# passwords, months, days and seasons in the languages of most of our users).
APP_WORD_BITS = 2.0
CONTEXT_WORD_BITS = 7.0
APP_WORDS = ("teamtracker", "team tracker", "tracker")
FAMOUS = (
    "correcthorsebatterystaple correcthorse horsebatterystaple batterystaple troubadour "
    "troubador tr0ub4dor&3 hunter2 trustno1 opensesame thequickbrownfox quickbrownfox "
    "loremipsum helloworld letmein"
)
MONTHS = (
    "january february march april may june july august september october november december "
    "januar februar marz maerz mai juni juli oktober dezember "
    "janvier fevrier mars avril juin juillet aout septembre octobre novembre decembre "
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre "
    "noviembre diciembre"
)
DAYS = (
    "monday tuesday wednesday thursday friday saturday sunday "
    "montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag "
    "lundi mardi mercredi jeudi vendredi samedi dimanche "
    "lunes martes miercoles jueves viernes sabado domingo"
)
SEASONS = (
    "spring summer autumn fall winter fruhling fruehling sommer herbst "
    "printemps automne hiver primavera verano otono invierno"
)


def canonical(text: str) -> str:
    """`text` as an attacker would first spell it: compatibility forms folded (NFKC), accents
    on Latin letters and invisible (format) characters dropped, Cyrillic and Greek look-alike
    letters mapped to Latin ones. Case is kept."""
    if text.isascii():
        return text
    kept: list[str] = []
    # Look-alikes mapped before folding too: NFKC turns some (lunate sigma ϲ) into others.
    for ch in unicodedata.normalize("NFKD", text.translate(_CONFUSABLES)):
        category = unicodedata.category(ch)
        if category == "Cf" or (category == "Mn" and kept and kept[-1].isascii()):
            continue
        kept.append(ch)
    return unicodedata.normalize("NFKC", "".join(kept)).translate(_CONFUSABLES)


@cache
def context_words() -> dict[str, float]:
    """Skeleton of every word an attacker tries first against this app -> its cost in bits
    (each also without its spaces and hyphens)."""
    from tracker.password_strength import SEPARATORS, skeleton
    from tracker.security import DEMO_PASSWORD  # the published one (README, `make run`)

    words = dict.fromkeys(" ".join((FAMOUS, MONTHS, DAYS, SEASONS)).split(), CONTEXT_WORD_BITS)
    words |= dict.fromkeys((*APP_WORDS, DEMO_PASSWORD), APP_WORD_BITS)
    found: dict[str, float] = {}
    for word, bits in words.items():
        for form in (word, SEPARATORS.sub("", word)):
            key = skeleton(form)
            if len(key) >= 3:
                found[key] = min(bits, found.get(key, bits))
    return found
