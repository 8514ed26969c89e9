"""What a selection means in the stored text: word snapping and the lines it touches.

Pure Python on code-point offsets (no Qt), so the rules are the same for mouse, keyboard and
tests, and can be checked without a widget.
"""

from __future__ import annotations

import bisect
import unicodedata

from core.models import Span
from core.tokens import token_offsets

# Characters that glue onto their neighbour inside one "word": combining marks, emoji skin
# tones and other modifiers, zero-width joiners and variation selectors.
_GLUE_CATEGORIES = {"Mn", "Mc", "Me", "Sk", "Cf"}


def _glues(text: str, i: int) -> bool:
    """True if ``text[i]`` belongs to the same cluster as ``text[i - 1]``."""
    if i <= 0 or i >= len(text):
        return False
    ch = text[i]
    return unicodedata.category(ch) in _GLUE_CATEGORIES or text[i - 1] == "\u200d"


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole tokens, then trim spaces and punctuation at its edges.

    Words are the project's tokens (:mod:`core.tokens`, the same as the suggesters' and
    export's), so a sloppy drag labels "Jakarta" rather than "akart", keeps what belongs to a
    token ("U.S.", "1.500", "18/12/2024", "Jum'at", "Rusia-Ukraina") and drops the comma,
    bracket or full stop caught at either edge (", Rabu (18/" gives "Rabu (18/12/2024").
    A cluster (e + combining accent, an emoji with skin tone and ZWJ parts) is never cut.
    Returns an empty range if only whitespace or punctuation was selected.
    """
    start, end = max(0, min(start, end)), min(len(text), max(start, end))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return start, start
    lo, hi = max(0, start - _REACH), min(len(text), end + _REACH)
    window = text[lo:hi]
    touched = [
        (a + lo, b + lo) for a, b in token_offsets(window) if a + lo < end and b + lo > start
    ]
    while touched and _is_punctuation(text[touched[0][0] : touched[0][1]]):
        touched.pop(0)
    while touched and _is_punctuation(text[touched[-1][0] : touched[-1][1]]):
        touched.pop()
    if not touched:
        return start, start
    return touched[0][0], touched[-1][1]


#: Characters read on either side of a selection to find the tokens at its edges: longer
#: than any token of news text, so the whole text is never tokenized for one drag.
_REACH = 200


def _is_punctuation(token: str) -> bool:
    """A token of punctuation only (an emoji or a currency sign is not)."""
    return all(unicodedata.category(ch)[0] == "P" for ch in token)


def clusters_intact(text: str, start: int, end: int) -> tuple[int, int]:
    """Move ``start`` and ``end`` out of the middle of a character cluster, without snapping
    to words (used when a project turns snapping off)."""
    while start > 0 and _glues(text, start):
        start -= 1
    while end < len(text) and _glues(text, end):
        end += 1
    return start, end


class LineIndex:
    """Line starts of one text, for "which lines does this selection touch"."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self.starts = starts

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def line_range(self, line: int) -> tuple[int, int]:
        start = self.starts[line]
        end = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)
        return start, end

    def touched_lines(self, start: int, end: int) -> list[tuple[int, int]]:
        """Ranges of the non-blank lines touched by ``[start, end)`` (or by the cursor at
        ``start`` when the range is empty). A selection ending at the very start of a line does
        not touch that line."""
        first = self.line_of(start)
        last = self.line_of(end - 1) if end > start else first
        ranges = [self.line_range(n) for n in range(first, last + 1)]
        return [(s, e) for s, e in ranges if self.text[s:e].strip()]


def covering(spans: list[Span], start: int, end: int) -> list[Span]:
    """Spans that overlap ``[start, end)``; with an empty range, those containing ``start``."""
    if end > start:
        return [s for s in spans if s.start < end and s.end > start]
    return [s for s in spans if s.start <= start < s.end]
