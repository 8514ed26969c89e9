"""Each export format: an :class:`ExportRecord` in, JSON-ready lines out, plus what to count.

Every offset is a code-point index into the ``text`` written on the same line, and every
span carries ``text`` = ``text[start:end]`` so a reader can check it.
"""

from __future__ import annotations

import json
import operator
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from core.edits import stance_key
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
    spans: Counter[tuple[str, str]] = field(default_factory=Counter)

    def label_counts(self) -> Counter[str]:
        """Labels by name: entity labels bare, other layers as ``layer:label``."""
        counts = Counter(self.labels)
        for (layer, label), n in self.spans.items():
            counts[label if layer == "entity" else f"{layer}:{label}"] += n
        return counts


def _span_dict(text: str, span: ExportSpan) -> dict[str, Any]:
    start, end, layer, label = span
    return {"start": start, "end": end, "label": label, "layer": layer, "text": text[start:end]}


_LAYER_LABEL = operator.itemgetter(2, 3)
_encode = encode_basestring
#: How every line is encoded: UTF-8 as is, json's default separators.
_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def lines_of(record: ExportRecord, options: ExportOptions, tally: Tally) -> Iterator[dict | str]:
    """The JSON objects ``record`` becomes in ``options.format`` (counted into ``tally``):
    dicts, or for ``spans`` the line already encoded."""
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


#: What JSON escapes (ensure_ascii off) apart from the newline.
_ESCAPED_BUT_NEWLINE = re.compile(r'[\x00-\x09\x0b-\x1f\\"]')


def encode_text(value: str) -> str:
    """``encode_basestring(value)``, faster for an article text: when the newline is its only
    character JSON escapes (the usual case), one scan and a replace beat the encoder's two
    passes by a third on long texts (0.4 s of a 100,000 article spans export)."""
    if _ESCAPED_BUT_NEWLINE.search(value) is None:
        body = value.replace("\n", "\\n")
        return f'"{body}"'
    return _encode(value)


def _str(value: str | None) -> str:
    return "null" if value is None else _encode(value)


class _Encoded(dict):
    """Label and layer names JSON-encoded once: the same few strings recur millions of times."""

    def __missing__(self, key: str) -> str:
        value = self[key] = _encode(key)
        return value


_NAMES = _Encoded()


def _str_dict(values: dict[str, str]) -> str:
    return "{" + ", ".join(f"{_encode(k)}: {_encode(v)}" for k, v in values.items()) + "}"


def _spans(record, text, spans, options, tally) -> list[str]:
    """The ``spans`` line, encoded by hand: the hot path of a large export, and byte for byte
    what ``json.dumps(..., ensure_ascii=False)`` writes (a test holds it to that)."""
    tally.spans.update(map(_LAYER_LABEL, spans))
    stance = record.stance
    for target, value in stance.items():
        tally.labels[f"{stance_key(target)}={value}"] += 1
    encode = _encode
    if options.tokens:
        tokens = tokenize(text, entity_cuts(spans))
        starts = [t.start for t in tokens]
        ends = [t.end for t in tokens]
        items = []
        for a, b, layer, label in spans:
            found = token_range(starts, ends, a, b)
            first, last = ("null", "null") if found is None else found
            items.append(
                f'{{"start": {a}, "end": {b}, "label": {encode(label)}, "layer": '
                f'{encode(layer)}, "text": {encode(text[a:b])}, "token_start": {first}, '
                f'"token_end": {last}}}'
            )
        tail = ', "tokens": ' + _dumps([t.to_dict() for t in tokens])
    else:
        names = _NAMES
        items = [
            f'{{"start": {a}, "end": {b}, "label": {names[label]}, "layer": {names[layer]}, '
            f'"text": {encode(text[a:b])}}}'
            for a, b, layer, label in spans
        ]
        tail = ""
    return [
        f'{{"id": {encode(record.uid)}, "text": {encode_text(text)}, "title": '
        f'{encode(record.title)}, "lang": {_str(record.lang)}, "url": {encode(record.url)}, '
        f'"source": {encode(record.source)}, "date": {encode(record.published)}, '
        f'"spans": [{", ".join(items)}], "stance": {_str_dict(stance)}, '
        f'"annotator": {_str(record.annotator)}, "status": {encode(record.status)}, '
        f'"meta": {_dumps(record.meta) if record.meta else "{}"}{tail}}}'
    ]


def _ner_bio(record, text, spans, options, tally) -> list[dict]:
    tagged = bio_tags(text, spans)
    tally.dropped += tagged.dropped
    for tag in tagged.tags:
        if tag.startswith("B-"):
            tally.spans[("entity", tag[2:])] += 1
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
    kept = [s for s in spans if s[2] == "entity"]
    tally.spans.update(map(_LAYER_LABEL, kept))
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
    for start, end, layer, _ in spans:
        if layer == "boilerplate":
            covered[start:end] = b"\x01" * (end - start)
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
