"""What the entity learner sees of a text: its tokens, one sequence per line, and the features
of each token. Training and tagging must build exactly the same features (a model knows only
the feature strings it was trained on), so they live here once, apart from the CRF that
learns from them; a change here changes every model trained after it.

Features are the word, its affixes and shape, its neighbours, and the article's language:
a bias per language and the word joined with it, so that one project can hold several
languages without the same string pulling two ways.

The model also reads the strings annotators already labelled (what the ``own-labels``
suggester matches) as a feature: "these tokens were labelled PER elsewhere". The
:class:`Lexicon` holds those strings and tags the tokens they cover.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from typing import Protocol

from core.learn.scores import SpanKey
from core.learn.tokens import word_tokens

# ---- tokens and their features ----------------------------------------------------------


@functools.lru_cache(maxsize=200_000)
def _shape(word: str) -> str:
    out: list[str] = []
    for ch in word:
        c = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:6]


@functools.lru_cache(maxsize=200_000)
def _token(word: str) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Everything a word contributes, built once per distinct word (words repeat: this is
    most of the feature cost): its lower case, its own features, and what it says as the
    left and as the right neighbour of another token."""
    lo = word.lower()
    shape = _shape(word)
    own = ["w=" + lo, "s4=" + lo[-4:], "s3=" + lo[-3:], "s2=" + lo[-2:], "p3=" + lo[:3]]
    own.append("sh=" + shape)
    if word[:1].isupper():
        own.append("title")
    if word.isupper() and len(word) > 1:
        own.append("upper")
    if any(ch.isdigit() for ch in word):
        own.append("digit")
    if len(word) == 1 and not word.isalnum():
        own.append("punct")
    left = ("-1w=" + lo, "-1s=" + shape, "-2w=" + lo)
    right = ("+1w=" + lo, "+1s=" + shape, "+2w=" + lo)
    return lo, tuple(own), left, right


Line = list[tuple[int, int]]


def token_lines(text: str) -> list[Line]:
    """Tokens grouped by line: a line is a sequence (titles and paragraphs stand apart)."""
    lines: list[Line] = []
    current: Line = []
    prev = 0
    for start, end in word_tokens(text):
        if current and "\n" in text[prev:start]:
            lines.append(current)
            current = []
        current.append((start, end))
        prev = end
    if current:
        lines.append(current)
    return lines


def line_features(
    text: str, lang: str, line: Line, lexicon: Lexicon | None = None
) -> list[list[str]]:
    """The features of each token of a line: the word, its affixes and shape, the article's
    language (alone and joined with the word), its neighbours' words and shapes (one and two
    away), the pair of it and the previous word, and the labelled string it is part of."""
    words = [text[s:e] for s, e in line]
    infos = [_token(w) for w in words]
    known = lexicon.tags(words) if lexicon is not None else None
    lang_bias = "lang=" + lang
    word_lang = f"lw={lang}|"
    out: list[list[str]] = []
    last = len(infos) - 1
    for i, (lo, own, _left, _right) in enumerate(infos):
        f = [lang_bias, word_lang + lo, *own]
        if known is not None and (tag := known[i]) is not None:
            f += ("lex=" + tag, "lex")
        if i:
            prev = infos[i - 1]
            f += (prev[2][0], prev[2][1], f"-1w|w={prev[0]}|{lo}")
            if i > 1:
                f.append(infos[i - 2][2][2])
        else:
            f.append("bol")
        if i < last:
            nxt = infos[i + 1][3]
            f += (nxt[0], nxt[1])
            if i + 1 < last:
                f.append(infos[i + 2][3][2])
        else:
            f.append("eol")
        out.append(f)
    return out


# ---- labelled strings as a feature ------------------------------------------------------

#: Longest labelled string, in tokens, the lexicon keeps.
MAX_PHRASE = 6


class LabelledText(Protocol):
    """A text with its entity spans ``(label, start, end)`` (an ``EntityExample``)."""

    @property
    def text(self) -> str: ...
    @property
    def spans(self) -> Sequence[SpanKey]: ...


class Lexicon:
    """Token sequences annotators labelled, with their most frequent label."""

    def __init__(self, phrases: dict[tuple[str, ...], str] | None = None) -> None:
        self.phrases = phrases or {}
        # The longest phrase starting with each word: most words start none, and are passed
        # over with one dict lookup instead of one per phrase length.
        self._longest: dict[str, int] = {}
        for words in self.phrases:
            self._longest[words[0]] = max(self._longest.get(words[0], 0), len(words))

    @classmethod
    def from_examples(cls, examples: Iterable[LabelledText]) -> Lexicon:
        votes: dict[tuple[str, ...], dict[str, int]] = {}
        for ex in examples:
            for label, start, end in ex.spans:
                phrase = ex.text[start:end]
                words = tuple(phrase[s:e] for s, e in word_tokens(phrase))
                if 0 < len(words) <= MAX_PHRASE:
                    count = votes.setdefault(words, {})
                    count[label] = count.get(label, 0) + 1
        return cls({k: max(v, key=lambda lab: v[lab]) for k, v in votes.items()})

    def tags(self, words: Sequence[str]) -> list[str | None] | None:
        """``B-LABEL``/``I-LABEL`` where a labelled string occurs (longest first), else None;
        None alone when no labelled string occurs at all."""
        longest = self._longest
        out: list[str | None] | None = None
        i = 0
        n_words = len(words)
        while i < n_words:
            most = longest.get(words[i])
            if most is None:
                i += 1
                continue
            for n in range(min(most, n_words - i), 0, -1):
                label = self.phrases.get(tuple(words[i : i + n]))
                if label is not None:
                    if out is None:
                        out = [None] * n_words
                    out[i] = "B-" + label
                    for k in range(i + 1, i + n):
                        out[k] = "I-" + label
                    i += n
                    break
            else:
                i += 1
        return out

    def to_json(self) -> bytes:
        return json.dumps([[list(k), v] for k, v in self.phrases.items()]).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Lexicon:
        return cls({tuple(k): v for k, v in json.loads(data.decode("utf-8"))})
