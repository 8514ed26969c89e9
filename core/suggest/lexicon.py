"""Boilerplate from phrase and pattern lists: "Baca juga:", "Read more", "(luc/luc)", ...

A lexicon is plain data (``resources/lexicons/*.json``, or the user's own entries kept in the
project), so adding a site's phrase never needs code. Each list holds case-insensitive
entries of one kind:

- ``lines``: the whole line is the phrase ("Tinggalkan komentar", "WhatsApp"); trailing
  punctuation such as ":" or "»" is ignored.
- ``prefixes``: the line starts with the phrase ("Baca juga:", "Sumber:"); a phrase ending in
  a letter must end a word there, and a line longer than ``max_words`` is never taken (a body
  paragraph may start with the same words).
- ``patterns``: a regular expression searched in the stripped line (anchor it yourself).
- ``markers``: whole-line phrases that announce a linked title ("Saksikan video di bawah
  ini:", "Next Article"); the marker and the title-like line(s) after it are boilerplate.

Every lexicon is applied to every article whatever its language: Indonesian sites print
"Next Article" and "Read more" too, and the entries are specific enough not to need the
language to be known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.suggest.base import (
    Line,
    Proposal,
    boilerplate,
    looks_like_title,
    normalise_line,
    split_lines,
    word_count,
)

SOURCE = "lexicon"
DEFAULT_MAX_WORDS = 25
_TRAILING = " :：-–—»›>|.…•·*"
_KINDS = ("lines", "prefixes", "patterns", "markers")


class LexiconError(ValueError):
    """A lexicon entry that cannot be used (bad regular expression, unknown list)."""


_SPACE_BEFORE_COLON = re.compile(r"\s+([:：])")


def _undecorated(text: str) -> str:
    """A line without the emoji, arrows and bullets sites put before a prompt ("🔥 Baca
    Juga : ..."), and with "word :" written "word:" as the phrase lists spell it."""
    norm = _SPACE_BEFORE_COLON.sub(r"\1", normalise_line(text))
    start = 0
    while start < len(norm) and not (norm[start].isalnum() or norm[start] in "(["):
        start += 1
    return norm[start:]


def _clean(text: str) -> str:
    return _undecorated(text).strip(_TRAILING)


def _plain(phrase: str) -> str:
    """A phrase list entry as lines are compared with it (entries may start with "©")."""
    return normalise_line(phrase).strip(_TRAILING)


@dataclass
class Lexicon:
    """All entries of the lexicons in use, compiled for matching lines."""

    lines: set[str] = field(default_factory=set)
    prefixes: list[str] = field(default_factory=list)
    patterns: list[re.Pattern[str]] = field(default_factory=list)
    markers: set[str] = field(default_factory=set)
    max_words: int = DEFAULT_MAX_WORDS
    _prefix_re: re.Pattern[str] | None = None

    @classmethod
    def from_data(cls, items: Iterable[Mapping[str, Any]]) -> Lexicon:
        """Merge lexicon dicts (``{"lang": ..., "lines": [...], "prefixes": [...], ...}``)."""
        lexicon = cls()
        for item in items:
            lexicon.add(item)
        return lexicon

    def add(self, item: Mapping[str, Any]) -> None:
        unknown = set(item) - {*_KINDS, "lang", "name", "note", "max_words"}
        if unknown:
            raise LexiconError(f"unknown lexicon keys {sorted(unknown)}; use {', '.join(_KINDS)}")
        self.lines.update(_plain(s) for s in item.get("lines", ()) if _plain(s))
        self.markers.update(_plain(s) for s in item.get("markers", ()) if _plain(s))
        for phrase in item.get("prefixes", ()):
            phrase = normalise_line(phrase)
            if phrase and phrase not in self.prefixes:
                self.prefixes.append(phrase)
        for pattern in item.get("patterns", ()):
            try:
                self.patterns.append(re.compile(pattern, re.IGNORECASE))
            except re.error as exc:
                raise LexiconError(f"bad pattern {pattern!r}: {exc}") from exc
        self._prefix_re = None

    def _prefix_matcher(self) -> re.Pattern[str]:
        # One alternation, longest phrase first: one regex call per line instead of hundreds
        # of startswith calls. A phrase ending in a word character must end a word.
        if self._prefix_re is None:
            parts = [
                re.escape(p) + (r"(?!\w)" if p[-1].isalnum() else "")
                for p in sorted(self.prefixes, key=len, reverse=True)
            ]
            self._prefix_re = re.compile("|".join(parts) if parts else r"(?!x)x")
        return self._prefix_re

    def is_marker(self, text: str) -> bool:
        return _clean(text) in self.markers

    def matches(self, text: str) -> bool:
        """True if the (stripped) line is boilerplate by some entry."""
        if not text:
            return False
        cleaned = _clean(text)
        if cleaned in self.lines or cleaned in self.markers:
            return True
        if word_count(text) <= self.max_words:
            prefix = self._prefix_matcher()
            if prefix.match(normalise_line(text)) or prefix.match(_undecorated(text)):
                return True
        return any(p.search(text) for p in self.patterns)

    def suggest_lines(self, lines: list[Line]) -> list[Line]:
        """The boilerplate lines: entry matches, and the titles that follow a marker."""
        found: list[Line] = []
        following = False  # inside the title-like lines right after a marker
        seen_text = False  # a non-empty line since the marker
        for line in lines:
            if line.empty:
                if seen_text:
                    following = False
                continue
            if self.matches(line.text):
                found.append(line)
                following, seen_text = self.is_marker(line.text), False
                continue
            if following and looks_like_title(line.text):
                found.append(line)
                seen_text = True
                continue
            following = False
        return found

    def suggest(self, text: str) -> list[Proposal]:
        return [boilerplate(line, SOURCE) for line in self.suggest_lines(split_lines(text))]
