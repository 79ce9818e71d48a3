"""How many guesses a password costs an attacker who knows the usual tricks (in bits).

First the password is brought to one canonical spelling: compatibility forms folded (NFKC:
full-width ｅ, ligatures, mathematical letters), accents and invisible characters dropped,
and Cyrillic and Greek letters that look like Latin ones mapped to them (Е -> E, ο -> o).
Then it is split, the cheapest way for the attacker, into pieces of these kinds:
- a common password, one of the user's own words (e-mail, its parts, name) or a word every
  attacker tries first here (the app's name, the published demo password, famous example
  passwords, months, days and seasons in English, German, French and Spanish), matched after
  case folding and mapping look-alike characters back (0 -> o, 1/!/| -> l or i, 3 -> e,
  4/@ -> a, 5/$ -> s, 7/+ -> t, ...), forwards or reversed;
- a pattern: a repeated character or block (aaaa, abcabc), a sequence (1234, 97531, abcd,
  zyx), a keyboard run (qwerty, 1qaz, zxcvbn, numpad 7410), a year;
- anything else, one character at a time.
Each piece costs a few bits (a common password: its rank; the user's own words: almost
nothing; a pattern: where it starts and how long it is), so a well-known or personal word
with digits and symbols stuck to either end stays cheap, while a few unrelated words or
random characters do not. Compare zxcvbn (Dropbox), of which this is a small cousin.
"""

from __future__ import annotations

import gzip
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypedDict

from tracker.password_words import canonical, context_words

COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"
MAX_WORD = 40  # longer substrings are never looked up in the common list
MAX_BLOCK = 32  # longest repeated block considered
MAX_AFFIXES = 8  # digits and symbols around a word, both ends together, that hide nothing

# Look-alike characters, mapped to one letter on both sides of every comparison (so that
# i, l, 1, ! and | all match each other, whichever the list or the user wrote).
_LOOKALIKES = str.maketrans("01i!|23€4@5$687+9", "ollllzeeaassbbttg")

# The shifted characters type the same key as their unshifted twin.
_SHIFTED = dict(zip('~!@#$%^&*()_+{}|:"<>?', "`1234567890-=[]\\;',./", strict=True))


class _Keyboard(TypedDict):
    rows: tuple[str, ...]
    offsets: tuple[float, ...]


# (row, x) of every key; each row is offset the way a keyboard's rows are.
_KEYBOARDS: tuple[_Keyboard, ...] = (
    {"rows": ("`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./"),
     "offsets": (0, 1.5, 1.75, 2.25)},
    {"rows": ("789", "456", "123", "0"), "offsets": (0, 0, 0, 0)},
)  # fmt: skip


def _layout(rows: tuple[str, ...], offsets: tuple[float, ...]) -> dict[str, tuple[int, float]]:
    return {ch: (r, x + offsets[r]) for r, row in enumerate(rows) for x, ch in enumerate(row)}


_LAYOUTS = [_layout(k["rows"], k["offsets"]) for k in _KEYBOARDS]


def _adjacent(a: str, b: str, layout: dict[str, tuple[int, float]]) -> tuple[int, int] | None:
    """The direction from key `a` to key `b` when they touch on `layout`, else None."""
    pa, pb = layout.get(_SHIFTED.get(a, a)), layout.get(_SHIFTED.get(b, b))
    if pa is None or pb is None:
        return None
    rows, dx = pb[0] - pa[0], pb[1] - pa[1]
    if abs(rows) > 1 or (rows == 0 and abs(dx) != 1) or (rows and abs(dx) > 1.01):
        return None
    return rows, (dx > 0.01) - (dx < -0.01)


def skeleton(text: str) -> str:
    """`text` canonical and case-folded, with look-alike characters mapped to one letter each."""
    return _fold(canonical(text)).translate(_LOOKALIKES)


@cache
def common_ranks() -> dict[str, int]:
    """Skeleton of every common password -> its rank (1 is the most common)."""
    ranks: dict[str, int] = {}
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as fh:
        for rank, line in enumerate(fh, 1):
            word = skeleton(line.strip())
            if len(word) >= 3:
                ranks.setdefault(word, rank)
    return ranks


def personal_words(email: str, name: str) -> set[str]:
    """The user's own words an attacker would try first: e-mail, its parts, name parts."""
    email, name = email.strip().casefold(), " ".join(name.split()).casefold()
    local, _, domain = email.partition("@")
    words = {email, local, name.replace(" ", ""), *domain.split(".")[:-1]}
    words |= set(re.split(r"[\W_\d]+", local)) | set(re.split(r"[\W_]+", name))
    return {skeleton(w) for w in words if len(w) >= 3}


@dataclass(frozen=True)
class Piece:
    start: int
    end: int
    bits: float
    kind: str  # "personal", "common", "pattern" or "other"


def _char_bits(ch: str) -> float:
    if ch.isdigit():
        return math.log2(10)
    if ch.isascii() and ch.isalpha():
        return math.log2(26)
    return math.log2(33) if ch.isascii() else math.log2(100)


def _variation_bits(original: str) -> float:
    """Extra guesses for capitals and look-alike characters in a matched word."""
    bits = 0.0
    letters = [c for c in original if c.isalpha()]
    uppers = sum(c.isupper() for c in letters)
    if uppers and uppers < len(letters):
        bits += 1 if original[:1].isupper() and uppers == 1 else min(uppers, 4)
    elif uppers:
        bits += 1
    if any(not c.isalpha() for c in original):
        bits += 1
    return bits


def _fold(password: str) -> str:
    """Case-folded, one character for one (so positions match the password's)."""
    return "".join(f if len(f := c.casefold()) == 1 else c for c in password)


class _Estimator:
    """Splits passwords of one user; block costs are remembered for one check only."""

    def __init__(self, personal: set[str]) -> None:
        # Words tried first, as skeletons -> (cost in bits, kind): the user's own cost least.
        self.known = {w: (bits, "context") for w, bits in context_words().items()}
        self.known |= {w: (1.0, "personal") for w in personal}
        self.memo: dict[str, float] = {}

    def bits(self, text: str) -> float:
        if text not in self.memo:
            self.memo[text] = self.cheapest(text)[0]
        return self.memo[text]

    def cheapest(self, password: str) -> tuple[float, list[Piece]]:
        """The attacker's cheapest split of `password`: its cost in bits and its pieces."""
        n = len(password)
        by_end: dict[int, list[Piece]] = {}
        for piece in (*self._words(password), *self._patterns(password)):
            by_end.setdefault(piece.end, []).append(piece)
        best = [0.0] + [math.inf] * n
        back: list[Piece] = [Piece(0, 0, 0.0, "other")] * (n + 1)
        for end in range(1, n + 1):
            bits = _char_bits(password[end - 1])
            best[end], back[end] = best[end - 1] + bits, Piece(end - 1, end, bits, "other")
            for piece in by_end.get(end, ()):
                cost = best[piece.start] + piece.bits + 1  # + 1: which piece comes where
                if cost < best[end]:
                    best[end], back[end] = cost, piece
        pieces, at = [], n
        while at > 0:
            pieces.append(back[at])
            at = back[at].start
        bits, pieces = best[n], pieces[::-1]
        # A word wrapped in affixes: the attacker tries the affixes as one string (2024!word2024!
        # costs the word and one repeated affix), plus a couple of bits for the wrapping.
        words = [p for ps in by_end.values() for p in ps if p.kind not in ("pattern", "other")]
        for word in sorted(words, key=lambda p: p.start - p.end)[:3]:
            rest = password[: word.start] + password[word.end :]
            if word.start > 0 and word.end < n and len(rest) <= 2 * MAX_AFFIXES:
                wrapped = word.bits + self.bits(rest) + 2
                if wrapped < bits:
                    bits, pieces = wrapped, [word]
        return bits, pieces

    def _words(self, password: str) -> list[Piece]:
        folded = _fold(password).translate(_LOOKALIKES)
        reverse, n, ranks = folded[::-1], len(folded), common_ranks()
        pieces = []
        for word, (cost, kind) in self.known.items():
            for text, backwards in ((folded, False), (reverse, True)):
                at = text.find(word)
                while at >= 0:
                    start = n - at - len(word) if backwards else at
                    end = start + len(word)
                    bits = cost + backwards + _variation_bits(password[start:end])
                    pieces.append(Piece(start, end, bits, kind))
                    at = text.find(word, at + 1)
        for start in range(n):
            for end in range(start + 3, min(n, start + MAX_WORD) + 1):
                sub = folded[start:end]
                for key, backwards in ((sub, False), (sub[::-1], True)):
                    rank = ranks.get(key)
                    if rank is not None:
                        variation = _variation_bits(password[start:end])
                        bits = math.log2(rank + 1) + backwards + variation
                        pieces.append(Piece(start, end, bits, "common"))
        return pieces

    def _patterns(self, password: str) -> list[Piece]:
        text = _fold(password)
        n = len(text)
        pieces = []
        for start in range(n):
            # Repetitions of one character or of a block (each whole run, once).
            for size in range(1, min(MAX_BLOCK, (n - start) // 2) + 1):
                block, count = text[start : start + size], 1
                if start >= size and text[start - size : start] == block:
                    continue  # inside a run already counted from its start
                while text.startswith(block, start + count * size):
                    count += 1
                if count >= (3 if size == 1 else 2):
                    bits = self.bits(password[start : start + size]) + math.log2(count)
                    pieces.append(Piece(start, start + count * size, bits, "pattern"))
            # Sequences with a constant step (1234, 2468, dcba), letters or digits.
            step, end = None, start + 1
            while end < n and _same_class(text[end - 1], text[end]):
                delta = ord(text[end]) - ord(text[end - 1])
                if not 0 < abs(delta) <= 5 or (step is not None and delta != step):
                    break
                step, end = delta, end + 1
                if end - start >= 3:
                    bits = _char_bits(text[start]) + math.log2(end - start) + 1 + (abs(step) > 1)
                    pieces.append(Piece(start, end, bits, "pattern"))
            # Keyboard runs: each key touching the previous one.
            for layout in _LAYOUTS:
                turns, direction, end = 0, None, start + 1
                while end < n and (way := _adjacent(text[end - 1], text[end], layout)):
                    turns += direction is not None and way != direction
                    direction, end = way, end + 1
                    if end - start >= 3:
                        bits = math.log2(len(layout)) + math.log2(end - start) + 2 * turns
                        pieces.append(Piece(start, end, bits, "pattern"))
            # Years.
            if re.fullmatch(r"(19|20)\d\d", text[start : start + 4]):
                pieces.append(Piece(start, start + 4, math.log2(200), "pattern"))
        return pieces


def _same_class(a: str, b: str) -> bool:
    return (a.isdigit() and b.isdigit()) or (a.isascii() and a.isalpha() and b.isalpha())


SEPARATORS = re.compile(r"[^\w]|_")


def cheapest(password: str, email: str = "", name: str = "") -> tuple[float, list[Piece], str]:
    """The attacker's cheapest split of `password` for this user: bits, pieces, and the text
    the pieces are of (the password, or the password without its separators).

    Separators cost their first use only: a word with one symbol between every letter
    (p.a.s.s.w.o.r.d) is tried as the word, plus the choice of that symbol. A password that
    differs from its canonical spelling (full-width or Cyrillic letters...) costs one bit
    more: the attacker tries that disguise too."""
    text = canonical(password)
    disguise = 0.0 if text == password else 1.0
    estimator = _Estimator(personal_words(email, name))
    bits, pieces = estimator.cheapest(text)
    if len(set(SEPARATORS.findall(text))) == 1:
        squeezed = SEPARATORS.sub("", text)
        if squeezed and estimator.bits(squeezed) + math.log2(33) < bits:
            squeezed_bits, squeezed_pieces = estimator.cheapest(squeezed)
            return squeezed_bits + math.log2(33) + disguise, squeezed_pieces, squeezed
    return bits + disguise, pieces, text


AFFIXED = re.compile(r"([\W\d_]*)(.*?)([\W\d_]*)", re.DOTALL)


def _affixed_word(password: str, personal: set[str]) -> tuple[float, str] | None:
    """A common, personal or context word (in any case and look-alikes) between a few leading
    and trailing digits and symbols: its cost, counting every affix character as a digit."""
    prefix, core, suffix = AFFIXED.fullmatch(password).groups()  # type: ignore[union-attr]
    affixes = len(prefix) + len(suffix)
    if not core or affixes > MAX_AFFIXES:
        return None
    key, affix_bits = skeleton(core), affixes * math.log2(10)
    if key in personal:
        return 1 + affix_bits, "personal"
    if key in context_words():
        return context_words()[key] + affix_bits, "context"
    rank = common_ranks().get(key)
    return (math.log2(rank + 1) + affix_bits, "common") if rank else None


def weakness(password: str, email: str = "", name: str = "") -> tuple[float, str]:
    """The password's cost in bits, and what makes it cheap: "personal" (any of the user's
    own words), else "common", "context" or "pattern" (whichever saves the attacker more),
    or "other"."""
    affixed = _affixed_word(canonical(password), personal_words(email, name))
    bits, pieces, text = cheapest(password, email, name)
    if affixed is not None and affixed[0] < bits:
        return affixed
    saved = {"personal": 0.0, "common": 0.0, "context": 0.0, "pattern": 0.0}
    for piece in pieces:
        if piece.kind == "other":
            continue
        brute = sum(_char_bits(c) for c in text[piece.start : piece.end])
        kind = piece.kind
        if kind == "common" and _is_pattern(text[piece.start : piece.end]):
            kind = "pattern"  # 123456789 is on the list, but it is a sequence first
        saved[kind] += max(0.0, brute - piece.bits)
    # The user's own words first: they are what the user can most easily avoid.
    kind = "personal" if saved["personal"] else max(saved, key=lambda k: saved[k])
    return bits, kind if saved[kind] > 0 else "other"


def _is_pattern(text: str) -> bool:
    pieces = _Estimator(set())._patterns(text)
    return any(p.start == 0 and p.end == len(text) for p in pieces)
