"""Long articles cut into chunks a model can take (``--chunk sentences|tokens:N``).

A transformer sees at most 512 subword tokens; plain truncation of a long article loses
every entity past that point. A chunk is a run of whole sentences (a sentence longer than the
limit is cut between tokens), never cut inside a span, written as a record of its own whose
spans are moved into the chunk's text and which says where it sits in the article
(``article``, ``offset``), so every label can be traced back.

Sentences end at a line break or after ``.``, ``!``, ``?`` (and their CJK forms) followed by
whitespace; ``tokens:N`` counts the words of the one tokenizer (core.tokens), which are fewer than a
transformer's subword pieces (about 1.3 to 2 pieces a word in news text): choose N below the
model's limit accordingly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.export.records import ChunkMode, ExportSpan
from core.tokens import token_offsets

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|\n\s*")


def _inside_span(offset: int, spans: Sequence[ExportSpan]) -> bool:
    return any(start < offset < end for start, end, _, _ in spans)


def sentence_ranges(text: str, spans: Sequence[ExportSpan] = ()) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence, whitespace between them left out; no sentence
    boundary falls inside a span."""
    out: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        at = match.start()
        if _inside_span(at, spans) or _inside_span(match.end(), spans):
            continue
        # Nor right after an entity that ends in its own full stop ("A.S."): an abbreviation.
        if text[at - 1 : at] == "." and any(
            end == at and layer == "entity" for _, end, layer, _ in spans
        ):
            continue
        if text[start : match.start()].strip():
            out.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        out.append((start, len(text.rstrip())))
    return out


def chunk_ranges(text: str, spans: Sequence[ExportSpan], mode: ChunkMode) -> list[tuple[int, int]]:
    sentences = sentence_ranges(text, spans)
    if mode.kind == "sentences":
        return sentences
    out: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    count = 0
    for start, end in sentences:
        tokens = token_offsets(text[start:end])
        if len(tokens) > mode.limit:
            if current:
                out.append(current)
                current, count = None, 0
            out += _cut_long(text, start, tokens, spans, mode.limit)
            continue
        if current and count + len(tokens) > mode.limit:
            out.append(current)
            current, count = None, 0
        current = (current[0] if current else start, end)
        count += len(tokens)
    if current:
        out.append(current)
    return out


def _cut_long(
    text: str,
    base: int,
    tokens: list[tuple[int, int]],
    spans: Sequence[ExportSpan],
    limit: int,
) -> list[tuple[int, int]]:
    """A sentence longer than ``limit`` tokens, cut between tokens outside every span (a
    span longer than the limit stays whole: a chunk never cuts a label)."""
    out: list[tuple[int, int]] = []
    first = 0
    while first < len(tokens):
        last = min(first + limit, len(tokens))
        while (
            last < len(tokens) and last > first + 1 and _inside_span(base + tokens[last][0], spans)
        ):
            last -= 1
        while last < len(tokens) and _inside_span(base + tokens[last][0], spans):
            last += 1
        out.append((base + tokens[first][0], base + tokens[last - 1][1]))
        first = last
    return out


def chunks_of(
    text: str, spans: Sequence[ExportSpan], mode: ChunkMode
) -> list[tuple[int, int, tuple[ExportSpan, ...]]]:
    """``(start, end, spans)`` of each chunk of ``text``: the spans inside it, moved to the
    chunk's own offsets (a chunk boundary never falls inside a span)."""
    out = []
    for start, end in chunk_ranges(text, spans, mode):
        inside = tuple(
            ExportSpan(a - start, b - start, layer, label)
            for a, b, layer, label in spans
            if start <= a and b <= end
        )
        out.append((start, end, inside))
    return out
