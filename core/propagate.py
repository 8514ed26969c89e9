"""Carry labelled spans from an article to a near-duplicate of it (a rewrite of one report).

A rewrite keeps most names and many phrases but moves sentences, swaps words and adds its
own intro, so offsets do not carry over. Each span is placed on its own:

- its text must occur in the other article exactly;
- around each occurrence, the characters just before and just after are compared with
  the span's own surroundings (up to :data:`CONTEXT` on each side); the occurrence is taken
  only if at least :data:`MIN_CONTEXT` of them agree exactly (or the whole surroundings do,
  for a span at the edge of a short text), and no other occurrence agrees as much.

This is a local aligner: unlike one global alignment (``difflib.SequenceMatcher``) it still
finds a sentence the rewrite moved elsewhere. A span whose text was rewritten, or whose
surroundings were, is not placed; it is counted and left to the annotator. Placed spans
become suggestions, never labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

#: Characters of surroundings compared on each side of a span.
CONTEXT = 30
#: Characters of exact surroundings (both sides together) a placement needs.
MIN_CONTEXT = 8

#: (start, end, layer, label), code points.
SpanTuple = tuple[int, int, str, str]


@dataclass(slots=True)
class Carried:
    """Spans placed in the other article (its offsets) and spans that could not be."""

    placed: list[SpanTuple] = field(default_factory=list)
    unplaced: list[SpanTuple] = field(default_factory=list)


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def place(source: str, target: str, start: int, end: int) -> int | None:
    """Where ``source[start:end]`` sits in ``target`` with its surroundings, or None."""
    piece = source[start:end]
    if not piece.strip():
        return None
    left = source[max(0, start - CONTEXT) : start]
    right = source[end : end + CONTEXT]
    scores: list[tuple[int, bool, int]] = []
    at = target.find(piece)
    while at >= 0:
        tail = at + len(piece)
        agree_left = _common_suffix(left, target[max(0, at - CONTEXT) : at])
        agree_right = _common_prefix(right, target[tail : tail + CONTEXT])
        whole = agree_left == len(left) and agree_right == len(right)
        scores.append((agree_left + agree_right, whole, at))
        at = target.find(piece, at + 1)
    if not scores:
        return None
    scores.sort(reverse=True)
    best, whole, where = scores[0]
    if best < MIN_CONTEXT and not whole:
        return None
    if len(scores) > 1 and scores[1][0] == best:
        return None  # two places fit equally well: placing either would be a guess
    return where


def carry(source: str, target: str, spans: Sequence[SpanTuple]) -> Carried:
    """Place each of ``spans`` (offsets into ``source``) in ``target``. Two spans that land
    on one place (the rewrite kept one of two similar sentences) are placed once."""
    out = Carried()
    seen: set[SpanTuple] = set()
    for span in spans:
        start, end, layer, label = span
        where = place(source, target, start, end)
        if where is None:
            out.unplaced.append(span)
            continue
        placed = (where, where + end - start, layer, label)
        if placed not in seen:
            seen.add(placed)
            out.placed.append(placed)
    return out
