"""Each export format: an :class:`ExportRecord` in, JSON-ready lines out, plus what to count.

Every offset is a code-point index into the ``text`` written on the same line, and every
span carries ``text`` = ``text[start:end]`` so a reader can check it.
"""

from __future__ import annotations

import dataclasses
import json
import operator
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any

from core.edits import stance_key
from core.export.bio import bio_tags, entity_cuts
from core.export.chunks import chunks_of
from core.export.clean import clean_text
from core.export.docbin import DocLine
from core.export.records import ChunkMode, ExportOptions, ExportRecord, ExportSpan
from core.text import line_ranges
from core.tokens import spacy_tokens, token_range

#: The fields of each format, for the dataset card.
SCHEMAS: dict[str, list[tuple[str, str]]] = {
    "spans": [
        ("id", "article id: its external id, or `tandai-` + 16 hex digits of its content hash"),
        ("text", "the article text (boilerplate removed with --clean)"),
        (
            "title, url, source, date",
            "article metadata; null where the article has none",
        ),
        ("lang", "ISO 639-1 code of the detected language, null where unknown"),
        (
            "spans",
            "`start`, `end` (code points of `text`, end exclusive), `label`, `layer` "
            "(entity/boilerplate/evidence), `text` = text[start:end]; with --tokens also "
            "`token_start`, `token_end` (inclusive, Prodigy style)",
        ),
        ("stance", "{target: label}"),
        ("annotator, status", "whose labels these are, and their status of the article"),
        (
            "meta",
            "the article's other fields as imported, as a JSON string (one type in every "
            "record, so every loader reads it; `json.loads` it)",
        ),
        ("split", "the split this record is in (train, dev, test, ...), null without --split"),
        (
            "tokens",
            "with --tokens: `text`, `start`, `end`, `id`, `ws` in spaCy's convention: `ws` "
            "is true when one space follows, other whitespace is a token of its own, so "
            "`Doc(vocab, words, spaces)` gives back `text` exactly",
        ),
    ],
    "ner-bio": [
        ("id", "article id"),
        ("text", "the article text the tokens come from (each token is found in it in order)"),
        ("tokens", "token strings (whitespace is never a token; edges of entities split words)"),
        (
            "ner_tags",
            "IOB2 tags, one per token: integer ids of the ClassLabel in this card's "
            "`features` (`labels.json` in `meta/` lists the same names), or strings with "
            "--tag-strings",
        ),
        ("lang, url, source", "where the article comes from (null where unknown)"),
        ("annotator, split", "whose labels these are; the split the record is in"),
    ],
    "stance": [
        ("id", "article id"),
        ("target", "stance target"),
        ("text, title", "article text (without boilerplate with --clean) and title"),
        ("label", "stance label"),
        ("lang, url, source", "where the article comes from (null where unknown)"),
        ("annotator, split", "whose label this is; the split the record is in"),
    ],
    "clean": [
        ("id", "article id"),
        ("title", "article title"),
        ("text", "the text with boilerplate removed"),
        ("spans", "entity spans remapped to the clean text (those cut by boilerplate dropped)"),
        ("lang, url, source", "where the article comes from (null where unknown)"),
        ("annotator, split", "whose boilerplate marks were removed; the split"),
    ],
    "boilerplate-lines": [
        ("id", "article id"),
        ("lines", "the non-blank lines of the text"),
        ("labels", "1 = boilerplate (boilerplate covers most of the line), 0 = body"),
        ("starts, ends", "each line's code-point offsets in the article text"),
        ("lang, url, source", "where the article comes from (null where unknown)"),
        ("annotator, split", "whose labels these are; the split the record is in"),
    ],
    "spacy": [
        (
            "DocBin",
            "one spaCy `.spacy` file per split (`spacy train` reads it): a Doc per record whose "
            "text is the article text exactly, with `ORTH`, `ENT_IOB` and `ENT_TYPE` per token",
        ),
    ],
    "conll": [
        (
            "-DOCSTART- -X- O O",
            "starts each record (one article and annotator), as spacy convert expects",
        ),
        ("TOKEN -X- _ TAG", "one token a line: the token, two empty columns, its IOB2 tag"),
        ("blank line", "ends a sentence (a line of the article text)"),
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
    #: ner-bio records left out: not done and without any entity.
    unlabelled: int = 0
    sources: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)

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


def lines_of(
    record: ExportRecord, options: ExportOptions, tally: Tally, split: str | None = None
) -> Iterator[dict | str | DocLine]:
    """The JSON objects ``record`` becomes in ``options.format`` (counted into ``tally``):
    dicts, or for ``spans`` the line already encoded (a CoNLL block, a DocLine for the
    ``spacy`` format). ``split`` is written in every line."""
    if (
        options.format == "ner-bio"
        and not options.keep_unlabelled
        and record.status != "done"
        and not any(s[2] == "entity" for s in record.spans)
    ):
        tally.unlabelled += 1
        return
    tally.records += 1
    tally.langs[iso_language(record.lang) or "unknown"] += 1
    tally.annotators[record.annotator or "(none)"] += 1
    tally.sources[record.source or "(none)"] += 1
    tally.statuses[record.status] += 1
    text, spans = record.text, record.spans
    if options.clean or options.format == "clean":
        cleaned = clean_text(text, spans)
        text, spans = cleaned.text, cleaned.spans
        tally.dropped += cleaned.dropped
    formatter = _FORMATTERS[options.format]
    if not options.chunk:
        for line in formatter(record, text, spans, options, tally, split):
            tally.lines += 1
            yield line
        return
    for n, (start, end, inside) in enumerate(
        chunks_of(text, spans, ChunkMode.parse(options.chunk))
    ):
        chunk = dataclasses.replace(record, uid=f"{record.uid}#{n}")
        where = {"article": record.uid, "offset": start}
        for line in formatter(chunk, text[start:end], inside, options, tally, split):
            tally.lines += 1
            if isinstance(line, dict):
                yield {**line, **where}
            elif options.format == "spans":  # an encoded object: the fields go before "}"
                yield f'{line[:-1]}, "article": {_encode(record.uid)}, "offset": {start}}}'
            else:
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
    """A JSON string, or null for a missing value (None or empty): one type per key."""
    return _encode(value) if value else "null"


#: Codes langdetect gives that are not what loaders accept as ISO 639-1: Norwegian is
#: ``nb`` in spaCy (which refuses ``no``), Chinese variants are ``zh``; ``und`` is unknown.
_ISO_FIXES = {"no": "nb", "zh-cn": "zh", "zh-tw": "zh", "und": None, "": None}


def iso_language(code: str | None) -> str | None:
    """The ISO 639-1 code written for an article's language, None where unknown."""
    if code is None:
        return None
    return _ISO_FIXES.get(code, code.split("-")[0])


def _origin(record: ExportRecord, split: str | None) -> dict[str, Any]:
    """The fields that trace a line back to its article, the same in every format."""
    return {
        "lang": iso_language(record.lang),
        "url": record.url or None,
        "source": record.source or None,
        "annotator": record.annotator,
        "split": split,
    }


class _Encoded(dict):
    """Label and layer names JSON-encoded once: the same few strings recur millions of times."""

    def __missing__(self, key: str) -> str:
        value = self[key] = _encode(key)
        return value


_NAMES = _Encoded()


def _str_dict(values: dict[str, str]) -> str:
    return "{" + ", ".join(f"{_encode(k)}: {_encode(v)}" for k, v in values.items()) + "}"


def _spans(record, text, spans, options, tally, split) -> list[str]:
    """The ``spans`` line, encoded by hand: the hot path of a large export, and byte for byte
    what ``json.dumps(..., ensure_ascii=False)`` writes (a test holds it to that)."""
    tally.spans.update(map(_LAYER_LABEL, spans))
    stance = record.stance
    for target, value in stance.items():
        tally.labels[f"{stance_key(target)}={value}"] += 1
    encode = _encode
    if options.tokens:
        tokens = spacy_tokens(text, entity_cuts(spans))
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
    meta = encode(_dumps(record.meta)) if record.meta else '"{}"'
    return [
        f'{{"id": {encode(record.uid)}, "text": {encode_text(text)}, "title": '
        f'{_str(record.title)}, "lang": {_str(iso_language(record.lang))}, "url": '
        f'{_str(record.url)}, "source": {_str(record.source)}, "date": '
        f'{_str(record.published)}, "spans": [{", ".join(items)}], "stance": '
        f'{_str_dict(stance)}, "annotator": {_str(record.annotator)}, "status": '
        f'{encode(record.status)}, "meta": {meta}, "split": {_str(split)}{tail}}}'
    ]


def _ner_bio(record, text, spans, options, tally, split) -> list[dict]:
    ids = {name: n for n, name in enumerate(options.tag_names)}
    as_strings = options.tag_strings or not ids  # ids need the names the pipeline sets
    if not as_strings:
        # An integer tag needs a name in the card's ClassLabel; a label the schema lacks
        # has none, so such a span is dropped and counted rather than given a made-up id.
        unnamed = [s for s in spans if s[2] == "entity" and f"B-{s[3]}" not in ids]
        if unnamed:
            tally.dropped += len(unnamed)
            spans = tuple(s for s in spans if s not in unnamed)
    spacy_style = options.token_style == "spacy"
    tagged = bio_tags(text, spans, spacy_style=spacy_style)
    tally.dropped += tagged.dropped
    for tag in tagged.tags:
        if tag.startswith("B-"):
            tally.spans[("entity", tag[2:])] += 1
    tags: list[str] | list[int] = tagged.tags if as_strings else [ids[tag] for tag in tagged.tags]
    return [
        {
            "id": record.uid,
            "text": text,
            "tokens": [t.text for t in tagged.tokens],
            "ner_tags": tags,
            **({"spaces": [t.ws for t in tagged.tokens]} if spacy_style else {}),
            **_origin(record, split),
        }
    ]


def _stance(record, text, spans, options, tally, split) -> list[dict]:
    out = []
    for target, value in record.stance.items():
        tally.labels[f"{target}={value}"] += 1
        out.append(
            {
                "id": record.uid,
                "target": target,
                "text": text,
                "title": record.title or None,
                "label": value,
                **_origin(record, split),
            }
        )
    return out


def _clean(record, text, spans, options, tally, split) -> list[dict]:
    kept = [s for s in spans if s[2] == "entity"]
    tally.spans.update(map(_LAYER_LABEL, kept))
    return [
        {
            "id": record.uid,
            "title": record.title or None,
            "text": text,
            "spans": [_span_dict(text, s) for s in kept],
            **_origin(record, split),
        }
    ]


@dataclass(slots=True)
class LineLabels:
    """The non-blank lines of a text, their 1/0 labels and their code-point offsets."""

    lines: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)


def line_labels(text: str, spans: tuple[ExportSpan, ...]) -> LineLabels:
    """Non-blank lines and 1/0 labels: 1 when boilerplate covers most of the line's
    non-space characters."""
    covered = bytearray(len(text))
    for start, end, layer, _ in spans:
        if layer == "boilerplate":
            covered[start:end] = b"\x01" * (end - start)
    out = LineLabels()
    for start, end in line_ranges(text):
        line = text[start:end]
        if not line.strip():
            continue
        visible = [i for i in range(start, end) if not text[i].isspace()]
        marked = sum(covered[i] for i in visible)
        out.lines.append(line)
        out.labels.append(1 if marked * 2 > len(visible) else 0)
        out.starts.append(start)
        out.ends.append(end)
    return out


def _boilerplate_lines(record, text, spans, options, tally, split) -> list[dict]:
    found = line_labels(text, spans)
    tally.labels["boilerplate line"] += sum(found.labels)
    tally.labels["body line"] += len(found.labels) - sum(found.labels)
    return [
        {
            "id": record.uid,
            "lines": found.lines,
            "labels": found.labels,
            "starts": found.starts,
            "ends": found.ends,
            **_origin(record, split),
        }
    ]


def _conll(record, text, spans, options, tally, split) -> list[str]:
    """One CoNLL-2003 block: ``-DOCSTART-``, then the article's lines as sentences, one
    token a line with its IOB2 tag in the last column (tokens never hold whitespace)."""
    tagged = bio_tags(text, spans)
    tally.dropped += tagged.dropped
    sentences: list[list[str]] = []
    line_end = -1
    for token, tag in zip(tagged.tokens, tagged.tags, strict=True):
        if tag.startswith("B-"):
            tally.spans[("entity", tag[2:])] += 1
        if token.start > line_end:
            sentences.append([])
            newline = text.find("\n", token.start)
            line_end = len(text) if newline < 0 else newline
        sentences[-1].append(f"{token.text} -X- _ {tag}")
    block = "\n\n".join("\n".join(s) for s in sentences)
    return ["-DOCSTART- -X- O O\n\n" + block + "\n"]


def _spacy(record, text, spans, options, tally, split) -> list[DocLine]:
    """A document for the split's DocBin (written by :class:`core.export.docbin.DocBinFile`)."""
    tally.spans.update(map(_LAYER_LABEL, (s for s in spans if s[2] == "entity")))
    return [DocLine(text, tuple(spans))]


_Formatter = Callable[..., list[Any]]
_FORMATTERS: dict[str, _Formatter] = {
    "spans": _spans,
    "ner-bio": _ner_bio,
    "stance": _stance,
    "clean": _clean,
    "boilerplate-lines": _boilerplate_lines,
    "conll": _conll,
    "spacy": _spacy,
}
