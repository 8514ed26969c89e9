"""The one tokenizer of the project: what a word is for selection snapping
(``core.selection``), for the entity suggesters (``core.suggest.gazetteer``) and for export
(``--tokens``, ``ner-bio``, spaCy). Offsets in code points, no loss.

Words are runs of letters and digits with their combining marks (e + U+0301 stays one
token, as do Devanagari vowel signs), joined by an inner apostrophe or hyphen ("anak-anak",
"Kim's", "Jum'at"); numbers keep their separators ("18/12/2024", "1.500", "5,6"); an
abbreviation of single letters with dots is one token ("U.S.", "A.S."). Scripts written
without spaces (Han, kana, Thai, Lao, Myanmar, Khmer: ``core.text.UNSPACED_CHARS``) have no
word boundaries to see, so each character is its own token. Any other visible
character is a token with what clings to it: a ZWJ emoji sequence such as 👨🏻‍🚒, a flag,
a keycap. Whitespace is never part of a token; ``ws`` says whether some follows.
:func:`spacy_tokens` gives the same words in spaCy's convention instead, where whitespace
other than one trailing space is a token of its own, so that words and ``ws`` give back the
text exactly (``Doc(vocab, words, spaces)``).

``cuts`` are offsets a token may not straddle (the edges of entity spans), so that BIO
tags always agree with the spans: a span boundary inside "Jakarta-based" splits the token.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from core.text import UNSPACED_CHARS
from core.unicode_marks import MARK_RANGES

_IDEOGRAPHS = (
    "\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3038-\u303c\u3040-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
) + UNSPACED_CHARS


@functools.cache
def _marks_class() -> str:
    """Combining marks (categories M*), variation selectors, emoji skin tones, tags."""
    parts = [re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in MARK_RANGES]
    return "".join(parts) + "\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"


@functools.cache
def _pattern() -> re.Pattern[str]:
    mark = f"[{_marks_class()}]"
    ideograph = f"[{_IDEOGRAPHS}]"
    letter = rf"(?:(?!{ideograph})\w)"
    word = rf"{letter}(?:{letter}|{mark}|[\u200c\u200d])*"
    number = r"\d+(?:[.,:/]\d+)+"
    flag = "[\U0001f1e6-\U0001f1ff]{2}"
    other = rf"[^\s]{mark}*(?:\u200d[^\s]{mark}*)*"
    abbreviation = rf"(?:{letter}\.){{2,}}(?!\w)"
    # A web address, an e-mail address and a currency written with a country prefix
    # ("US$", "S$", "HK$") are one token, as spaCy keeps them: a name suggested inside them
    # ("com" in detik.com, "US" in US$) would not line up with a model's tokens.
    url = r"(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]"
    email = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    domain = r"[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|id|co|io|info|gov|edu)(?:\.[a-z]{2})?(?![\w.])"
    currency = r"[A-Z]{1,3}[$€£¥₹]"
    return re.compile(
        rf"{url}|{email}|{domain}|{currency}|{abbreviation}|{number}(?!\w)"
        rf"|{word}(?:['’\-]{word})*|{ideograph}{mark}*|{flag}|{other}"
    )


@dataclass(frozen=True, slots=True)
class Token:
    """Prodigy's token shape: ``ws`` is True when whitespace follows the token."""

    text: str
    start: int
    end: int
    id: int
    ws: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "id": self.id,
            "ws": self.ws,
        }


def token_offsets(text: str, cuts: Iterable[int] = ()) -> list[tuple[int, int]]:
    """``(start, end)`` of every token, split further at each offset in ``cuts``."""
    pieces = [m.span() for m in _pattern().finditer(text)]
    inner = sorted({c for c in cuts if 0 < c < len(text)})
    if not inner:
        return pieces
    out: list[tuple[int, int]] = []
    i = 0
    for start, end in pieces:
        while i < len(inner) and inner[i] <= start:
            i += 1
        j = i
        while j < len(inner) and inner[j] < end:
            out.append((start, inner[j]))
            start = inner[j]
            j += 1
        out.append((start, end))
    return out


_HYPHEN = re.compile(r"-")


def match_offsets(text: str) -> list[tuple[int, int]]:
    """Tokens for matching phrases (the entity suggesters): as :func:`token_offsets`, with a
    hyphenated word split into its parts and hyphens, so that "Rusia" labelled once is found
    in the Indonesian compound "Rusia-Ukraina" (and "Rusia-Ukraina" only as that sequence)."""
    out: list[tuple[int, int]] = []
    for start, end in token_offsets(text):
        piece = text[start:end]
        if "-" not in piece or end - start < 3:
            out.append((start, end))
            continue
        at = start
        for m in _HYPHEN.finditer(piece):
            if start + m.start() > at:
                out.append((at, start + m.start()))
            out.append((start + m.start(), start + m.end()))
            at = start + m.end()
        if at < end:
            out.append((at, end))
    return out


def tokenize(text: str, cuts: Iterable[int] = ()) -> list[Token]:
    offsets = token_offsets(text, cuts)
    return [
        Token(text[s:e], s, e, n, e < len(text) and text[e].isspace())
        for n, (s, e) in enumerate(offsets)
    ]


_SPACE_RUN = re.compile(r"\s+")


def spacy_tokens(text: str, cuts: Iterable[int] = ()) -> list[Token]:
    """Tokens in spaCy's convention: ``ws`` is True when exactly one space (U+0020) follows
    and belongs to the token; any other whitespace (a newline, a second space, a tab) is a
    token of its own with ``ws`` False. Joining ``text + (" " if ws else "")`` over the
    tokens gives back ``text`` exactly, which ``Doc(words, spaces)`` relies on."""
    out: list[Token] = []

    def whitespace(start: int, end: int) -> None:
        if start < end:
            out.append(Token(text[start:end], start, end, len(out), False))

    position = 0
    for start, end in token_offsets(text, cuts):
        whitespace(position, start)
        follows = text[end : end + 1] == " "
        out.append(Token(text[start:end], start, end, len(out), follows))
        position = end + 1 if follows else end
    whitespace(position, len(text))
    return out


def token_range(starts: list[int], ends: list[int], start: int, end: int) -> tuple[int, int] | None:
    """Indices of the first and last token inside ``[start, end)`` (Prodigy's inclusive
    ``token_start``/``token_end``), or None when the span covers no whole token."""
    first = bisect.bisect_left(starts, start)
    last = bisect.bisect_right(ends, end, lo=first)
    if last <= first:
        return None
    return first, last - 1
