"""Text with the boilerplate cut out, and entity offsets carried over to the new text.

Boilerplate spans are removed. Where a removed stretch is one or more whole lines, its
line break goes too, so "body\\nSaksikan video di bawah ini:\\nmore" becomes "body\\nmore"
rather than leaving blank lines behind; trailing whitespace left at the end is dropped.
An entity span that survives untouched moves left by what was removed before it; one that
touches removed text is dropped and counted, never clipped into a different string.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from core.export.records import ExportSpan


@dataclass(frozen=True, slots=True)
class CleanText:
    text: str
    spans: tuple[ExportSpan, ...]
    dropped: int


def removed_ranges(text: str, cut: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merged, sorted ranges to remove, widened to swallow the break after whole lines."""
    merged: list[list[int]] = []
    for start, end in sorted(cut):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[tuple[int, int]] = []
    for start, end in merged:
        at_line_start = start == 0 or text[start - 1] == "\n"
        if at_line_start and end < len(text) and text[end] == "\n":
            end += 1
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def clean_text(text: str, spans: Iterable[ExportSpan]) -> CleanText:
    """Remove the boilerplate spans; remap the entity (and other non-boilerplate) spans."""
    spans = list(spans)
    cut = removed_ranges(text, [(s[0], s[1]) for s in spans if s[2] == "boilerplate"])
    pieces: list[str] = []
    position = 0
    for start, end in cut:
        pieces.append(text[position:start])
        position = end
    pieces.append(text[position:])
    new_text = "".join(pieces).rstrip()
    starts = [s for s, _ in cut]
    removed_before = [0]
    for start, end in cut:
        removed_before.append(removed_before[-1] + end - start)
    kept: list[ExportSpan] = []
    dropped = 0
    for start, end, layer, label in spans:
        if layer == "boilerplate":
            continue
        i = bisect.bisect_right(starts, start) - 1
        # The span must lie wholly between removed range i and range i + 1.
        if (i >= 0 and cut[i][1] > start) or (i + 1 < len(cut) and cut[i + 1][0] < end):
            dropped += 1
            continue
        shift = removed_before[i + 1]
        if end - shift > len(new_text):
            dropped += 1
            continue
        kept.append(ExportSpan(start - shift, end - shift, layer, label))
    return CleanText(new_text, tuple(kept), dropped)
