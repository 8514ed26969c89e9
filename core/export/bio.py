"""BIO tags (IOB2, the Hugging Face token-classification convention) from entity spans.

Tokens come from :mod:`core.tokens` cut at every entity edge, so a span always
covers whole tokens: its first token is ``B-<label>``, the rest ``I-<label>``. A span that
covers no token (only spaces) is dropped and counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.export.records import ExportSpan
from core.tokens import Token, spacy_tokens, token_range, tokenize


@dataclass(frozen=True, slots=True)
class Tagged:
    tokens: list[Token]
    tags: list[str]
    dropped: int


def entity_cuts(spans: Iterable[ExportSpan]) -> list[int]:
    """The offsets no token may straddle: every edge of an entity span."""
    return [edge for start, end, layer, _ in spans if layer == "entity" for edge in (start, end)]


def bio_tags(text: str, spans: Sequence[ExportSpan], *, spacy_style: bool = False) -> Tagged:
    """Tags per token; ``spacy_style`` tokenizes as spaCy does (whitespace tokens)."""
    entities = [s for s in spans if s[2] == "entity"]
    cut = entity_cuts(entities)
    tokens = spacy_tokens(text, cut) if spacy_style else tokenize(text, cut)
    starts = [t.start for t in tokens]
    ends = [t.end for t in tokens]
    tags = ["O"] * len(tokens)
    dropped = 0
    for start, end, _, label in sorted(entities):
        found = token_range(starts, ends, start, end)
        if found is None or any(tags[i] != "O" for i in range(found[0], found[1] + 1)):
            dropped += 1
            continue
        first, last = found
        tags[first] = f"B-{label}"
        for i in range(first + 1, last + 1):
            tags[i] = f"I-{label}"
    return Tagged(tokens, tags, dropped)


def tag_names(entity_labels: Iterable[str]) -> list[str]:
    """``["O", "B-PER", "I-PER", ...]`` in schema order: index = integer id of the tag."""
    names = ["O"]
    for label in entity_labels:
        names += [f"B-{label}", f"I-{label}"]
    return names


def spans_from_tags(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Token ranges ``(first, last_exclusive, label)`` from BIO/IOB1/BIOES/BILOU tags.

    Lenient as seqeval is: an ``I-X`` that does not continue an ``X`` starts a new entity.
    """
    out: list[tuple[int, int, str]] = []
    current: list = []  # [first, label]
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, label = tag.partition("-")
        prefix = prefix.upper()
        if tag == "O" or not label or prefix not in {"B", "I", "E", "S", "L", "U"}:
            if current:
                out.append((current[0], i, current[1]))
                current = []
            continue
        continues = current and current[1] == label and prefix in {"I", "E", "L"}
        if not continues:
            if current:
                out.append((current[0], i, current[1]))
            current = [i, label]
        if prefix in {"E", "S", "L", "U"}:
            out.append((current[0], i + 1, current[1]))
            current = []
    return out
