"""Reading labelled records: spans and document labels that come with an article's text.

Understood shapes (one JSON object per record, any file type the importer reads):

- Tandai's own ``spans`` export: ``text``, ``spans`` (``start``, ``end``, ``label``,
  ``layer``, ``text``), ``stance`` ``{target: label}``, ``status``, ``meta``;
- Prodigy style: ``text`` + ``spans`` with ``start``/``end``/``label`` (``answer`` "reject"
  or "ignore" leaves the record out);
- doccano: ``label: [[start, end, label], ...]``, or ``entities`` as such triples or as
  objects with ``start_offset``/``end_offset``/``label``;
- ``tokens`` + ``ner_tags`` (BIO/IOB2, BIOES or BILOU; tag strings, or integer ids with a
  ``labels.json`` beside the file); with no ``text`` the text is the tokens joined by spaces;
- Label Studio JSON tasks and JSON-MIN, doccano's older ``labels`` key and Tandai's own
  ``stance`` export, rewritten into the shapes above by :mod:`core.label_formats` (with a
  note for what cannot be carried, such as relations).

Offsets are code points of the record's ``text``. The text is normalised as every import
normalises it (BOM, newlines, NUL), and offsets are moved with it. A span that cannot be
trusted (outside the text, its ``text`` field differs from the text at its offsets, a label
the project's schema does not know, an entity overlapping another) is left out and named in
``problems``; it is never stored shifted or relabelled.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.edits import LAYER, entity_clash, label_refusal, stance_key
from core.export.bio import spans_from_tags
from core.fields import DEFAULT_MAX_CHARS, TEXT_KEYS, to_article
from core.label_formats import canonical_fields
from core.models import STATUSES, NewArticle
from core.readers import Problem, RawRecord
from core.report import MAX_KEPT_PROBLEMS, ImportReport, problem_kind
from core.schema import Schema
from core.text import normalise_text

#: Keys holding labels (or what the export adds), not article fields or metadata.
LABEL_KEYS = frozenset(
    {"spans", "stance", "annotator", "status", "meta", "tokens", "ner_tags", "label",
     "entities", "lang", "answer", "relations", "labels", "target", "annotations",
     "predictions", "split"}
)  # fmt: skip
_NOT_A_SPAN = object()  # marks an item of a span list that has no span's shape
_TAG = re.compile(r"^(?:O|[BIESLU]-.+)$")
#: An ISO 639 code, optionally with a region or script ("es", "pt-BR", "zh-Hant").
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,4})?$")


@dataclass(frozen=True, slots=True)
class LabelSpan:
    layer: str
    label: str
    start: int
    end: int


@dataclass(slots=True)
class LabelledRecord:
    article: NewArticle
    spans: list[LabelSpan] = field(default_factory=list)
    doc_labels: dict[str, str] = field(default_factory=dict)
    status: str | None = None
    problems: list[str] = field(default_factory=list)
    #: Whose labels these are, from the record's own field (``--annotator-field``).
    annotator: str | None = None


@dataclass(slots=True)
class LabelledReport(ImportReport):
    """An import report with what happened to the labels; they add up as the records do:
    ``labels_read`` = ``spans`` + ``doc_labels`` + ``suggestions`` + ``labels_present`` +
    ``labels_skipped``."""

    labels_read: int = 0
    spans: int = 0
    doc_labels: int = 0
    label_reasons: Counter[str] = field(default_factory=Counter)
    suggestions: int = 0
    #: Entity labels added to the schema (``--add-labels``).
    labels_added: list[str] = field(default_factory=list)
    labels_present: int = 0
    labels_skipped: int = 0
    flagged: int = 0
    #: Records whose text is an article stored under another id: their labels were added to it.
    matched: int = 0

    def summary(self) -> str:
        text = ImportReport.summary(self)
        stored = (
            f"{self.suggestions:,} suggestions"
            if self.suggestions
            else f"{self.spans:,} spans and {self.doc_labels:,} document labels"
        )
        text += (
            f". Labels: {self.labels_read:,} read: {stored} stored,"
            f" {self.labels_present:,} already stored, {self.labels_skipped:,} skipped"
        )
        if self.label_reasons:
            text += (
                " (" + ", ".join(f"{k} {n:,}" for k, n in self.label_reasons.most_common()) + ")"
            )
        if self.matched:
            text += (
                f". {self.matched:,} record{'s' if self.matched != 1 else ''} matched existing"
                " articles by text; their labels were added"
            )
        if self.flagged:
            text += f" ({self.flagged:,} articles with skipped labels set to flagged for review)"
        if self.labels_added:
            text += f". Labels added to the schema: {', '.join(self.labels_added)}"
        return text

    def add_label_problem(self, text: str, reason: str, *, labels: int = 1) -> None:
        """``labels`` labels left out (the record itself is still imported), kept apart from
        skipped records."""
        self.labels_skipped += labels
        self.label_reasons[problem_kind(reason)] += labels
        if len(self.problems) < MAX_KEPT_PROBLEMS:
            self.problems.append(text)


class _Refused(Exception):
    """The whole record is unusable; the message is the reason."""


def parse_labelled(
    record: RawRecord,
    schema: Schema,
    *,
    field_map: dict[str, str] | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    tag_names: Sequence[str] | None = None,
    label_map: Mapping[str, str] | None = None,
    predictions: bool = False,
    annotator_field: str | None = None,
    new_labels: set[str] | None = None,
    new_stances: set[tuple[str, str]] | None = None,
    stance_target_field: str | None = None,
) -> LabelledRecord | Problem:
    """The article and labels of ``record``, or the problem that refuses it entirely.

    ``label_map`` renames span labels before they are checked against the schema;
    ``predictions`` reads a Label Studio task's predictions instead of its annotations;
    ``annotator_field`` names the field that says whose labels a record holds. With
    ``new_labels`` (``--add-labels``), an entity label the schema lacks is kept and its name
    added to that set, for the caller to add to the schema before storing; likewise
    ``new_stances`` collects ``(target, option)`` pairs the schema lacks.
    ``stance_target_field`` names the field holding a record's stance target; its
    ``stance`` (or ``label``) field then holds the value."""
    try:
        parsed = _parse(
            record,
            schema,
            field_map or {},
            max_chars,
            tag_names,
            label_map or {},
            predictions,
            new_labels,
            new_stances,
            stance_target_field,
        )
    except _Refused as exc:
        return Problem(record.origin, str(exc))
    if annotator_field:
        owner = record.fields.get(annotator_field)
        if isinstance(owner, str | int) and not isinstance(owner, bool) and str(owner).strip():
            parsed.annotator = str(owner).strip()
    return parsed


def _parse(
    record: RawRecord,
    schema: Schema,
    field_map: dict[str, str],
    max_chars: int,
    tag_names: Sequence[str] | None,
    label_map: Mapping[str, str],
    predictions: bool,
    new_labels: set[str] | None = None,
    new_stances: set[tuple[str, str]] | None = None,
    stance_target_field: str | None = None,
) -> LabelledRecord:
    canonical = canonical_fields(
        record.fields, predictions=predictions, stance_target_field=stance_target_field
    )
    fields = canonical.fields
    answer = fields.get("answer")
    if answer in {"reject", "ignore"}:
        raise _Refused(f"answer is {answer!r}: not imported")
    text_key = _text_key(fields, field_map)
    raw_spans: list[tuple[Any, Any, Any, Any, Any]] = []  # start, end, label, layer, text
    if "ner_tags" in fields:
        text_key = _from_tokens(fields, text_key, tag_names, raw_spans)
    if text_key is None:
        raise _Refused(f"no text (looked for {', '.join(TEXT_KEYS)})")
    raw = fields[text_key]
    if not isinstance(raw, str):
        raise _Refused(f"field '{text_key}' is not a string: labels need one text to point into")
    raw_spans += _span_items(fields)
    if label_map:
        raw_spans = [(a, b, label_map.get(c, c), d, e) for a, b, c, d, e in raw_spans]
    meta = fields.get("meta")
    if isinstance(meta, str) and meta.startswith("{"):
        # Our exports write meta as a JSON string (one type in every record for loaders).
        try:
            meta = json.loads(meta)
        except ValueError:
            pass
    # Empty fields (our export writes "url": "" for an article without one) carry nothing
    # and would otherwise land in meta, so a re-export would differ from the export.
    article_fields = {
        k: v
        for k, v in fields.items()
        if (k not in LABEL_KEYS or k == text_key) and v not in ("", None)
    }
    built = to_article(
        RawRecord(record.origin, article_fields), field_map=field_map, max_chars=max_chars
    )
    if isinstance(built, Problem):
        raise _Refused(built.reason)
    if isinstance(meta, dict):
        built = dataclasses.replace(built, meta={**built.meta, **meta})
    elif meta is not None:
        built = dataclasses.replace(built, meta={**built.meta, "meta": meta})
    text, shift = _normalised(raw)
    if text != built.text:
        raise _Refused("the text changes when read as an article; its offsets cannot be trusted")
    lang = fields.get("lang")
    if isinstance(lang, str) and _LANG.match(lang.strip()) and lang.strip().lower() != "und":
        # The source says which language it is in (a tweet set, a labelled corpus): kept,
        # not guessed again by langdetect (which took 24 Spanish tweets for Portuguese).
        built = dataclasses.replace(built, lang=lang.strip().lower())
    out = LabelledRecord(article=built, problems=list(canonical.notes))
    status = fields.get("status")
    if isinstance(status, str) and status in STATUSES:
        out.status = status
    for n, item in enumerate(raw_spans, 1):
        span = _check_span(n, item, raw, schema, out.problems, new_labels)
        if span is not None:
            out.spans.append(LabelSpan(span.layer, span.label, shift(span.start), shift(span.end)))
    out.spans = _without_overlaps(out.spans, out.problems)
    _stance(fields.get("stance"), schema, out, new_stances)
    return out


def _text_key(fields: dict[str, Any], field_map: dict[str, str]) -> str | None:
    if "text" in field_map:
        return field_map["text"] if field_map["text"] in fields else None
    lower = {k.lower(): k for k in fields}
    for name in TEXT_KEYS:
        key = name if name in fields else lower.get(name)
        if key is not None and isinstance(fields[key], str) and fields[key].strip():
            return key
    return None


def _from_tokens(
    fields: dict[str, Any],
    text_key: str | None,
    tag_names: Sequence[str] | None,
    spans: list,
) -> str:
    """Turn ``tokens`` + ``ner_tags`` into spans over the text (made if missing)."""
    tokens, tags = fields.get("tokens"), fields.get("ner_tags")
    if not isinstance(tokens, list) or not isinstance(tags, list) or len(tokens) != len(tags):
        raise _Refused("tokens and ner_tags must be lists of the same length")
    found = [t.get("text") if isinstance(t, dict) else t for t in tokens]
    words = [w for w in found if isinstance(w, str) and w]
    if len(words) != len(found):
        raise _Refused("every token must be a non-empty string")
    names: list[str] = []
    for tag in tags:
        if isinstance(tag, int) and not isinstance(tag, bool):
            if not tag_names:
                raise _Refused("ner_tags are numbers but no labels.json beside the file names them")
            if not 0 <= tag < len(tag_names):
                raise _Refused(f"tag id {tag} is not in labels.json ({len(tag_names)} tags)")
            tag = tag_names[tag]
        if not isinstance(tag, str) or not _TAG.match(tag):
            raise _Refused(f"tag {tag!r} is not O, B-X, I-X (or E-/S-/L-/U-)")
        names.append(tag)
    if text_key is None:
        fields["text"] = " ".join(words)
        text_key = "text"
    text = fields[text_key]
    if not isinstance(text, str):
        raise _Refused(f"field '{text_key}' is not a string")
    offsets: list[tuple[int, int]] = []
    position = 0
    for n, word in enumerate(words):
        at = text.find(word, position)
        if at < 0:
            raise _Refused(f"token {n} {word!r} is not in the text after offset {position}")
        offsets.append((at, at + len(word)))
        position = at + len(word)
    for first, last, label in spans_from_tags(names):
        start, end = offsets[first][0], offsets[last - 1][1]
        spans.append((start, end, label, "entity", None))
    return text_key


def _span_items(fields: dict[str, Any]) -> list[tuple[Any, Any, Any, Any, Any]]:
    """``(start, end, label, layer, text)`` of every span in the record's known shapes."""
    items: list[tuple[Any, Any, Any, Any, Any]] = []
    for key in ("spans", "entities", "label"):
        value = fields.get(key)
        if not isinstance(value, list):
            continue
        for item in value:
            if isinstance(item, dict):
                start = item.get("start", item.get("start_offset"))
                end = item.get("end", item.get("end_offset"))
                items.append((start, end, item.get("label"), item.get("layer"), item.get("text")))
            elif isinstance(item, list | tuple) and len(item) == 3:
                items.append((item[0], item[1], item[2], None, None))
            else:
                items.append((None, None, None, _NOT_A_SPAN, item))
    return items


def _normalised(raw: str):
    """The stored form of ``raw`` and a function moving a raw offset into it."""
    text = normalise_text(raw)
    if text == raw:
        return text, lambda x: x
    removed = [0] if raw.startswith("\ufeff") else []
    removed += [m.start() for m in re.finditer(r"\r(?=\n)|\x00", raw)]
    removed.sort()
    return text, lambda x: x - bisect.bisect_left(removed, x)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_span(
    n: int,
    item: tuple,
    raw: str,
    schema: Schema,
    problems: list[str],
    new_labels: set[str] | None = None,
) -> LabelSpan | None:
    start, end, label, layer, given = item
    if layer is _NOT_A_SPAN:
        problems.append(
            f"not a span: item {n} is {given!r} (expected [start, end, label] or an object "
            "with start, end and label)"
        )
        return None
    if not isinstance(label, str) or not label:
        problems.append(f"span without a label: span {n} has label {label!r}")
        return None
    where = f"span {n} ({label} {start!r}–{end!r})"
    if not (_is_int(start) and _is_int(end)):
        problems.append(f"span offsets are not whole numbers: {where}")
        return None
    if not 0 <= start < end <= len(raw):
        problems.append(f"span outside the text: {where}, the text has {len(raw)} characters")
        return None
    if isinstance(given, str) and raw[start:end] != given:
        hint = ""
        units = raw.encode("utf-16-le", "surrogatepass")
        if units[2 * start : 2 * end].decode("utf-16-le", "replace") == given:
            hint = " (the offsets look like UTF-16 units, as JavaScript counts; use code points)"
        problems.append(
            f"span text differs from the text at its offsets: {where} says {given!r}, "
            f"the text has {raw[start:end]!r}{hint}"
        )
        return None
    if layer is None:
        layer = (
            "boilerplate"
            if label in schema.boilerplate_kinds and not schema.entity(label)
            else "entity"
        )
    refused = label_refusal(schema, layer, label)
    if refused is None:
        return LabelSpan(layer, label, start, end)
    if new_labels is not None and layer == "entity" and refused[0] != LAYER and label.strip():
        new_labels.add(label)
        return LabelSpan(layer, label, start, end)
    if refused[0] == LAYER:
        problems.append(f"unknown layer: {where} has layer {layer!r}")
    elif layer == "entity":
        problems.append(
            f"unknown label: {where} (the schema has "
            f"{', '.join(e.name for e in schema.entity_labels)})"
        )
    else:
        problems.append(
            f"unknown label: {where} is no boilerplate kind of the schema "
            f"({', '.join(schema.boilerplate_kinds)})"
        )
    return None


def _without_overlaps(spans: list[LabelSpan], problems: list[str]) -> list[LabelSpan]:
    """Exact repeats collapse; an entity overlapping an earlier kept entity is refused (the
    rule is ``core.edits.entity_clash``, the one every stored span passes)."""
    kept: list[LabelSpan] = []
    for span in sorted(set(spans), key=lambda s: (s.layer != "entity", s.start, s.end, s.label)):
        if span.layer == "entity":
            clash = entity_clash(kept, span.start, span.end)
            if clash is not None:
                problems.append(
                    f"overlapping entities: {span.label} {span.start}–{span.end} overlaps "
                    f"{clash.label} {clash.start}–{clash.end}"
                )
                continue
        kept.append(span)
    return sorted(kept, key=lambda s: (s.start, s.end, s.layer, s.label))


def _stance(
    value: object,
    schema: Schema,
    out: LabelledRecord,
    new_stances: set[tuple[str, str]] | None = None,
) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        out.problems.append(f"stance is not an object: expected {{target: label}}, got {value!r}")
        return
    for target, label in value.items():
        found = schema.stance_target(str(target))
        known = found is not None and label in {o.value for o in found.options}
        if not known and new_stances is not None and isinstance(label, str) and label.strip():
            new_stances.add((str(target), label))  # --add-labels: the caller adds it
            out.doc_labels[stance_key(str(target))] = label
        elif found is None:
            out.problems.append(f"unknown stance target: {target!r}")
        elif label not in {o.value for o in found.options}:
            out.problems.append(
                f"unknown label: stance {label!r} is not an option of target {target!r}"
            )
        else:
            out.doc_labels[stance_key(str(target))] = label
