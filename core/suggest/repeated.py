"""Boilerplate by repetition: a line printed in K or more articles of one source.

Templates repeat ("Ikuti berita terkini Lintaskabar di Google News", a footer, a share bar);
reporting does not. Lines are compared by a short hash of their case-folded, single-spaced
text, so the index stores 16 hex characters per distinct line and never the line itself.

:class:`RepeatedLineIndex` is the in-memory form (tests, benchmarks, one-off runs); storage
keeps the same counts in a table and updates them as articles arrive.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable

from core.suggest.base import Line, Proposal, boilerplate, normalise_line, split_lines

SOURCE = "repeated"
DEFAULT_MIN_ARTICLES = 3
#: Lines shorter than this (after normalising) are too common by chance ("-", "1.").
MIN_CHARS = 3


def line_key(text: str) -> str | None:
    """Hash of a line for counting, or None for a line too short or without letters."""
    norm = normalise_line(text)
    if len(norm) < MIN_CHARS or not any(ch.isalpha() for ch in norm):
        return None
    return hashlib.blake2b(norm.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def line_keys(lines: Iterable[Line]) -> list[tuple[str, list[Line]]]:
    """Each distinct line key among ``lines``, with the lines that have it, in the order
    of their first line."""
    keys: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        if line.empty:
            continue
        key = line_key(line.text)
        if key is not None:
            keys[key].append(line)
    return list(keys.items())


def article_keys(text: str) -> dict[str, list[Line]]:
    """Each distinct line key of an article, with the lines that have it."""
    return dict(line_keys(split_lines(text)))


def suggest_lines(
    text: str,
    is_frequent: Callable[[Iterable[str]], set[str]],
    keys: dict[str, list[Line]] | None = None,
) -> list[Line]:
    """Lines of ``text`` whose key ``is_frequent`` reports (it answers for a batch of keys).
    ``keys``: ``article_keys(text)`` if the caller has it already."""
    keys = article_keys(text) if keys is None else keys
    frequent = is_frequent(keys) if keys else set()
    return sorted((ln for key in frequent for ln in keys[key]), key=lambda ln: ln.index)


class RepeatedLineIndex:
    """Counts, per source, how many articles contain each line."""

    def __init__(self, *, min_articles: int = DEFAULT_MIN_ARTICLES) -> None:
        self.min_articles = min_articles
        self._counts: dict[tuple[str, str], int] = defaultdict(int)

    def add(self, source: str, text: str) -> None:
        for key in article_keys(text):
            self._counts[(source, key)] += 1

    def count(self, source: str, text: str) -> int:
        key = line_key(text)
        return 0 if key is None else self._counts.get((source, key), 0)

    def suggest(self, source: str, text: str) -> list[Proposal]:
        def frequent(keys: Iterable[str]) -> set[str]:
            return {k for k in keys if self._counts.get((source, k), 0) >= self.min_articles}

        return [boilerplate(line, SOURCE) for line in suggest_lines(text, frequent)]
