"""Other tools' labelled shapes, turned into the one shape :mod:`core.labelled` reads.

Each tool nests its labels differently; rather than teach the parser every shape, a record
is first rewritten here into ``text`` + ``spans`` (``start``/``end``/``label``/``text``) +
``stance`` ``{target: label}``, and what cannot be carried over is returned as a note, so
that nothing in the file is dropped without a word:

- Label Studio JSON tasks: ``data`` holds the text and the task's fields; ``annotations``
  (the latest one that was not cancelled) or, for suggestions, ``predictions`` hold
  ``result`` items whose ``value`` has ``start``, ``end``, ``text`` and ``labels``. Choices
  (``value.choices``) become stance when their ``from_name`` is a stance target.
- Label Studio JSON-MIN: ``text`` + ``label: [{start, end, text, labels: [...]}]``.
- doccano's older ``labels`` key (``[[start, end, label], ...]``), and its ``relations``,
  which Tandai does not store: each is counted as a skipped label.
- Tandai's own ``stance`` export (``target`` + ``label`` + ``text``): the label goes back
  in as that target's stance.

A label map (``--map-label PERSON=PER``, :func:`parse_label_map`) renames span labels once
every shape has become spans, so it works the same on every format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Canonical:
    """A record's fields in the common shape, and notes on labels that were not carried."""

    fields: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def canonical_fields(
    fields: Mapping[str, Any],
    *,
    predictions: bool = False,
    stance_target_field: str | None = None,
) -> Canonical:
    """``fields`` rewritten into the common shape. ``predictions`` prefers a Label Studio
    task's predictions (an import as suggestions); otherwise its annotations are read."""
    out = Canonical(dict(fields))
    if _is_label_studio_task(out.fields):
        _label_studio_task(out, predictions=predictions)
    elif _is_json_min(out.fields):
        _json_min(out)
    if isinstance(out.fields.get("labels"), list) and "spans" not in out.fields:
        # doccano before 1.6 called the span list "labels".
        out.fields.setdefault("label", out.fields.pop("labels"))
    if stance_target_field:
        _stance_from_field(out, stance_target_field)
    _stance_line(out)
    _relations(out)
    return out


def parse_label_map(items: list[str] | None) -> dict[str, str]:
    """``["PERSON=PER", "GPE=LOC"]`` as a mapping; raises ValueError for a malformed item."""
    mapping: dict[str, str] = {}
    for item in items or []:
        source, sep, target = item.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise ValueError(f"--map-label takes FROM=TO, got {item!r}")
        mapping[source.strip()] = target.strip()
    return mapping


# ---- Label Studio ---------------------------------------------------------------------


def _is_label_studio_task(fields: Mapping[str, Any]) -> bool:
    return isinstance(fields.get("data"), dict) and (
        isinstance(fields.get("annotations"), list)
        or isinstance(fields.get("predictions"), list)
        or "text" in fields["data"]
    )


def _label_studio_task(out: Canonical, *, predictions: bool) -> None:
    fields = out.fields
    data = fields.pop("data")
    annotations = [a for a in fields.pop("annotations", None) or [] if isinstance(a, dict)]
    predicted = [p for p in fields.pop("predictions", None) or [] if isinstance(p, dict)]
    for key, item in data.items():
        fields.setdefault(key, item)
    live = [a for a in annotations if not a.get("was_cancelled")]
    cancelled = len(annotations) - len(live)
    if cancelled:
        out.notes.append(
            f"cancelled annotation: {cancelled} cancelled Label Studio annotation(s) not imported"
        )
    chosen: dict[str, Any] | None
    if predictions and predicted:
        chosen = predicted[-1]
        skipped = len(predicted) - 1
        what = "prediction"
    elif live:
        # The latest annotation is the one Label Studio shows; older ones are other passes
        # or other annotators, which one import under one name must not merge.
        chosen = max(live, key=lambda a: (str(a.get("updated_at") or ""), a.get("id") or 0))
        skipped = len(live) - 1
        what = "annotation"
    else:
        chosen, skipped, what = None, 0, "annotation"
    if skipped:
        out.notes.append(
            f"other {what}: {skipped} more Label Studio {what}(s) of this task not imported "
            "(only the latest is; import each annotator's export separately)"
        )
    spans: list[dict[str, Any]] = []
    stance: dict[str, str] = {}
    for item in (chosen or {}).get("result") or []:
        if not isinstance(item, dict):
            continue
        raw = item.get("value")
        value: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if "start" in value and "end" in value:
            spans.extend(_ls_spans(value, out.notes))
        elif isinstance(value.get("choices"), list) and value["choices"]:
            stance[str(item.get("from_name") or "main")] = str(value["choices"][0])
        elif item.get("type") == "relation":
            out.notes.append("relation: Tandai stores no relations between spans")
        else:
            out.notes.append(
                f"unsupported result: a Label Studio {item.get('type') or 'result'!s} item"
            )
    fields["spans"] = spans
    if stance:
        fields["stance"] = stance


def _ls_spans(value: Mapping[str, Any], notes: list[str]) -> list[dict[str, Any]]:
    labels = value.get("labels") or value.get("hypertextlabels") or []
    if not isinstance(labels, list) or not labels:
        return [{"start": value.get("start"), "end": value.get("end"), "label": None}]
    if len(labels) > 1:
        notes.append(f"extra labels: a span labelled {labels!r} is stored with {labels[0]!r}")
    return [
        {
            "start": value.get("start"),
            "end": value.get("end"),
            "label": labels[0],
            "text": value.get("text"),
        }
    ]


def _is_json_min(fields: Mapping[str, Any]) -> bool:
    items = fields.get("label")
    return (
        isinstance(items, list)
        and bool(items)
        and all(isinstance(i, dict) and isinstance(i.get("labels"), list) for i in items)
    )


def _json_min(out: Canonical) -> None:
    spans: list[dict[str, Any]] = []
    for item in out.fields.pop("label"):
        spans.extend(_ls_spans(item, out.notes))
    out.fields["spans"] = spans


# ---- Tandai's stance export, doccano relations ----------------------------------------


def _stance_line(out: Canonical) -> None:
    fields = out.fields
    target, label = fields.get("target"), fields.get("label")
    if isinstance(target, str) and isinstance(label, str) and target and label:
        fields.pop("target")
        fields.pop("label")
        held = fields.get("stance")
        stance: dict[str, Any] = held if isinstance(held, dict) else {}
        fields["stance"] = {**stance, target: label}


def _stance_from_field(out: Canonical, name: str) -> None:
    """``--stance-target FIELD``: the record's FIELD names its target, its ``stance`` (or
    ``label``) field the value, as stance datasets write them ({"target", "stance"})."""
    fields = out.fields
    target = fields.get(name)
    value = fields.get("stance") if isinstance(fields.get("stance"), str) else fields.get("label")
    if isinstance(target, str) and target.strip() and isinstance(value, str) and value.strip():
        fields.pop(name, None)
        fields.pop("label" if fields.get("label") is value else "stance", None)
        fields["stance"] = {target.strip(): value.strip()}
    elif name in fields:
        out.notes.append(f"no stance: field {name!r} or the stance value is missing or empty")


def _relations(out: Canonical) -> None:
    relations = out.fields.get("relations")
    if isinstance(relations, list) and relations:
        out.notes.append(
            f"relation: {len(relations)} relation(s) not imported (Tandai stores no relations "
            "between spans; they are kept in the article's meta)"
        )
        held = out.fields.get("meta")
        meta: dict[str, Any] = held if isinstance(held, dict) else {}
        out.fields["meta"] = {**meta, "relations": relations}
        out.fields.pop("relations")
