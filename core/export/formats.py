"""Each export format: an :class:`ExportRecord` in, JSON-ready lines out, plus what to count.

Every offset is a code-point index into the ``text`` written on the same line, and every
span carries ``text`` = ``text[start:end]`` so a reader can check it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from core.export.bio import bio_tags, entity_cuts
from core.export.clean import clean_text
from core.export.records import ExportOptions, ExportRecord, ExportSpan
from core.export.tokenize import token_range, tokenize
from core.text import line_ranges

#: The fields of each format, for the dataset card.
SCHEMAS: dict[str, list[tuple[str, str]]] = {
    "spans": [
        ("id", "article id: its external id, or `tandai-` + 16 hex digits of its content hash"),
        ("text", "the article text (boilerplate removed with --clean)"),
        ("title, lang, url, source, date", "article metadata"),
        (
            "spans",
            "`start`, `end` (code points of `text`, end exclusive), `label`, `layer` "
            "(entity/boilerplate/evidence), `text` = text[start:end]; with --tokens also "
            "`token_start`, `token_end` (inclusive, Prodigy style)",
        ),
        ("stance", "{target: label}"),
        ("annotator, status", "whose labels these are, and their status of the article"),
        ("meta", "the article's other fields as imported"),
        ("tokens", "with --tokens: `text`, `start`, `end`, `id`, `ws`"),
    ],
    "ner-bio": [
        ("id", "article id"),
        ("tokens", "token strings (tokenizer of --tokens)"),
        ("ner_tags", "IOB2 tags, one per token; `labels.json` lists them in id order"),
        ("annotator", "whose labels these are"),
    ],
    "stance": [
        ("id", "article id"),
        ("target", "stance target"),
        ("text, title", "article text (without boilerplate with --clean) and title"),
        ("label", "stance label"),
        ("annotator", "whose label this is"),
    ],
    "clean": [
        ("id", "article id"),
        ("title", "article title"),
        ("text", "the text with boilerplate removed"),
        ("spans", "entity spans remapped to the clean text (those cut by boilerplate dropped)"),
        ("annotator", "whose boilerplate marks were removed"),
    ],
    "boilerplate-lines": [
        ("id", "article id"),
        ("lines", "the non-blank lines of the text"),
        ("labels", "1 = boilerplate (boilerplate covers most of the line), 0 = body"),
        ("annotator", "whose labels these are"),
    ],
}


@dataclass(slots=True)
class Tally:
    """What a split's lines hold, for the dataset card."""

    records: int = 0
    lines: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    langs: Counter[str] = field(default_factory=Counter)
    annotators: Counter[str] = field(default_factory=Counter)
    dropped: int = 0


def _span_dict(text: str, span: ExportSpan) -> dict[str, Any]:
    return {
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "layer": span.layer,
        "text": text[span.start : span.end],
    }


def _span_label(span: ExportSpan) -> str:
    return span.label if span.layer == "entity" else f"{span.layer}:{span.label}"


def lines_of(record: ExportRecord, options: ExportOptions, tally: Tally) -> Iterator[dict]:
    """The JSON objects ``record`` becomes in ``options.format`` (counted into ``tally``)."""
    tally.records += 1
    tally.langs[record.lang or "und"] += 1
    tally.annotators[record.annotator or "(none)"] += 1
    text, spans = record.text, record.spans
    if options.clean or options.format == "clean":
        cleaned = clean_text(text, spans)
        text, spans = cleaned.text, cleaned.spans
        tally.dropped += cleaned.dropped
    out = _FORMATTERS[options.format](record, text, spans, options, tally)
    for line in out:
        tally.lines += 1
        yield line


def _spans(record, text, spans, options, tally) -> list[dict]:
    items = [_span_dict(text, s) for s in spans]
    line: dict[str, Any] = {
        "id": record.uid,
        "text": text,
        "title": record.title,
        "lang": record.lang,
        "url": record.url,
        "source": record.source,
        "date": record.published,
        "spans": items,
        "stance": record.stance,
        "annotator": record.annotator,
        "status": record.status,
        "meta": record.meta,
    }
    for span in spans:
        tally.labels[_span_label(span)] += 1
    for target, value in record.stance.items():
        tally.labels[f"stance:{target}={value}"] += 1
    if options.tokens:
        tokens = tokenize(text, entity_cuts(spans))
        starts = [t.start for t in tokens]
        ends = [t.end for t in tokens]
        line["tokens"] = [t.to_dict() for t in tokens]
        for item, span in zip(items, spans, strict=True):
            found = token_range(starts, ends, span.start, span.end)
            item["token_start"], item["token_end"] = found if found else (None, None)
    return [line]


def _ner_bio(record, text, spans, options, tally) -> list[dict]:
    tagged = bio_tags(text, spans)
    tally.dropped += tagged.dropped
    for tag in tagged.tags:
        if tag.startswith("B-"):
            tally.labels[tag[2:]] += 1
    return [
        {
            "id": record.uid,
            "tokens": [t.text for t in tagged.tokens],
            "ner_tags": tagged.tags,
            "annotator": record.annotator,
        }
    ]


def _stance(record, text, spans, options, tally) -> list[dict]:
    out = []
    for target, value in record.stance.items():
        tally.labels[f"{target}={value}"] += 1
        out.append(
            {
                "id": record.uid,
                "target": target,
                "text": text,
                "title": record.title,
                "label": value,
                "annotator": record.annotator,
            }
        )
    return out


def _clean(record, text, spans, options, tally) -> list[dict]:
    kept = [s for s in spans if s.layer == "entity"]
    for span in kept:
        tally.labels[span.label] += 1
    return [
        {
            "id": record.uid,
            "title": record.title,
            "text": text,
            "spans": [_span_dict(text, s) for s in kept],
            "annotator": record.annotator,
        }
    ]


def line_labels(text: str, spans: tuple[ExportSpan, ...]) -> tuple[list[str], list[int]]:
    """Non-blank lines and 1/0 labels: 1 when boilerplate covers most of the line's
    non-space characters."""
    covered = bytearray(len(text))
    for span in spans:
        if span.layer == "boilerplate":
            covered[span.start : span.end] = b"\x01" * (span.end - span.start)
    lines: list[str] = []
    labels: list[int] = []
    for start, end in line_ranges(text):
        line = text[start:end]
        if not line.strip():
            continue
        visible = [i for i in range(start, end) if not text[i].isspace()]
        marked = sum(covered[i] for i in visible)
        lines.append(line)
        labels.append(1 if marked * 2 > len(visible) else 0)
    return lines, labels


def _boilerplate_lines(record, text, spans, options, tally) -> list[dict]:
    lines, labels = line_labels(text, spans)
    tally.labels["boilerplate line"] += sum(labels)
    tally.labels["body line"] += len(labels) - sum(labels)
    return [{"id": record.uid, "lines": lines, "labels": labels, "annotator": record.annotator}]


_FORMATTERS = {
    "spans": _spans,
    "ner-bio": _ner_bio,
    "stance": _stance,
    "clean": _clean,
    "boilerplate-lines": _boilerplate_lines,
}
