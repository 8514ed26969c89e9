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


def _undecorated(text: str, norm: str | None = None) -> str:
    """A line without the emoji, arrows and bullets sites put before a prompt ("🔥 Baca
    Juga : ..."), and with "word :" written "word:" as the phrase lists spell it.
    ``norm``: ``normalise_line(text)`` if the caller has it already."""
    norm = normalise_line(text) if norm is None else norm
    if ":" in norm or "：" in norm:  # most lines have none; the regex costs more than the test
        norm = _SPACE_BEFORE_COLON.sub(r"\1", norm)
    start = 0
    while start < len(norm) and not (norm[start].isalnum() or norm[start] in "(["):
        start += 1
    return norm[start:]


def _clean(text: str) -> str:
    return _undecorated(text).strip(_TRAILING)


def _anchored(pattern: re.Pattern[str]) -> bool:
    """True if ``pattern`` can match only at the start of a line, so that ``search`` and
    ``match`` agree and it may join the others in one alternation: it starts with ``^``,
    has no ``|`` outside brackets (``^a|b`` is not anchored), no groups (an alternation
    would renumber back-references) and no flags of its own (such as MULTILINE)."""
    text = pattern.pattern
    if not text.startswith("^") or pattern.groups or pattern.flags != re.IGNORECASE | re.UNICODE:
        return False
    if "(?#" in text:  # a comment may hold anything
        return False
    depth, escaped = 0, False
    in_class = ""  # the characters of the bracket expression read so far, or ""
    for ch in text:
        if escaped:
            escaped = False
            in_class = in_class and in_class + "x"
        elif ch == "\\":
            escaped = True
        elif in_class:
            # "]" right after "[" or "[^" is a literal; any other ends the expression.
            in_class = "" if ch == "]" and in_class not in ("[", "[^") else in_class + ch
        elif ch == "[":
            in_class = "["
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return False
    return True


_PLAIN_PHRASE = re.compile(r"(?:\\b)?([A-Za-z0-9 ]+)(?:\\b)?")
#: A pattern searched line by line, and the phrase (lower case) every match of it holds in
#: an ASCII line, if it is a plain phrase.
_Searched = tuple[re.Pattern[str], str | None]


def _ascii_needle(pattern: re.Pattern[str]) -> str | None:
    """For a pattern that is a plain phrase of ASCII letters, digits and spaces (with
    ``\\b`` at its ends, as "\\ball rights reserved\\b"), that phrase in lower case: in an
    ASCII line the case-insensitive search can match only where ``line.lower()`` holds it
    (the characters that fold to ASCII letters besides their own cases, such as "ſ" or
    the Kelvin sign, are not ASCII). A case-insensitive search is slow; ``in`` is not."""
    if pattern.flags != re.IGNORECASE | re.UNICODE:
        return None
    plain = _PLAIN_PHRASE.fullmatch(pattern.pattern)
    return plain.group(1).lower() if plain else None


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
    _split_patterns: tuple[re.Pattern[str] | None, list[_Searched]] | None = None

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
        self._split_patterns = None

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

    def _pattern_matchers(self) -> tuple[re.Pattern[str] | None, list[_Searched]]:
        # Patterns anchored at the start are tried as one alternation with match(), which
        # looks at the start only; searching each of them (and each of the others) in turn
        # cost most of a line's time. The others are still searched one by one: in one
        # alternation they would be tried at every position of the line.
        if self._split_patterns is None:
            anchored = [p for p in self.patterns if _anchored(p)]
            others = [(p, _ascii_needle(p)) for p in self.patterns if not _anchored(p)]
            joined = None
            if anchored:
                joined = re.compile("|".join(f"(?:{p.pattern})" for p in anchored), re.IGNORECASE)
            self._split_patterns = (joined, others)
        return self._split_patterns

    def matches(self, text: str) -> bool:
        """True if the (stripped) line is boilerplate by some entry."""
        if not text:
            return False
        norm = normalise_line(text)
        undecorated = _undecorated(text, norm)
        cleaned = undecorated.strip(_TRAILING)
        if cleaned in self.lines or cleaned in self.markers:
            return True
        if word_count(text) <= self.max_words:
            prefix = self._prefix_matcher()
            if prefix.match(norm) or prefix.match(undecorated):
                return True
        anchored, others = self._pattern_matchers()
        if anchored is not None and anchored.match(text):
            return True
        lowered = text.lower() if text.isascii() else None
        for pattern, needle in others:
            if needle is not None and lowered is not None and needle not in lowered:
                continue  # an ASCII line without the phrase: the search cannot match
            if pattern.search(text):
                return True
        return False

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
