"""The one rule for changing labels: which spans and document labels may be stored.

Every change to an annotator's labels (a key press, an accepted suggestion, a labelled
import, an undo, a merged work package, an adjudication) is described as an
:class:`EditSet` for one article and one annotator and decided by :func:`decide`, here and
nowhere else; ``storage`` then writes what was accepted in one transaction. So a rule fixed
here (bounds, overlaps, known labels, layers, stance keys, whose labels they are) holds for
every caller, and a caller that wants to report rather than raise gets a reason per item.

Pure Python: no storage, no Qt. The caller passes in what the rule needs to know from the
database (the text's length, the annotator's stored spans, the project's roles).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from core.held_spans import HeldSpans
from core.held_spans import entity_clash as entity_clash  # part of the rule: callers ask it here
from core.models import LAYERS, STATUSES, Progress, Span
from core.schema import Schema

# ---- roles ------------------------------------------------------------------------------

#: An annotator changes only their own labels.
ANNOTATOR = "annotator"
#: A lead may also change (adjudicate, review, correct) every other annotator's labels.
LEAD = "lead"
ROLES = (ANNOTATOR, LEAD)

# ---- origins ----------------------------------------------------------------------------

MANUAL = "manual"
IMPORTED = "imported"
SUGGESTION = "suggestion"
ADJUDICATED = "adjudicated"
#: The ``span.origin`` column's width.
MAX_ORIGIN = 200


def make_origin(kind: str, *, source: str = "", annotators: Iterable[str] = ()) -> str:
    """The ``origin`` of a stored span: ``manual``, ``imported``, ``suggestion:<source>``
    or ``adjudicated:ana+budi`` (the annotators whose labels were compared, sorted)."""
    if kind in (MANUAL, IMPORTED):
        return kind
    if kind == SUGGESTION:
        if not source:
            raise ValueError("a suggestion origin needs its source")
        return f"{SUGGESTION}:{source}"[:MAX_ORIGIN]
    if kind == ADJUDICATED:
        names = sorted({a for a in annotators if a})
        if not names:
            raise ValueError("an adjudicated origin needs the annotators it was decided from")
        return f"{ADJUDICATED}:{'+'.join(names)}"[:MAX_ORIGIN]
    raise ValueError(f"unknown origin kind {kind!r}")


def origin_kind(origin: str) -> str:
    """``suggestion:gazetteer`` -> ``suggestion``."""
    return origin.split(":", 1)[0]


# ---- document label keys ---------------------------------------------------------------

_STANCE = "stance:"


def stance_key(target: str) -> str:
    """The document-label key holding the stance toward ``target``."""
    return _STANCE + target


def stance_target(key: str) -> str | None:
    """The target of a ``stance:<target>`` key; ``None`` for any other key."""
    return key[len(_STANCE) :] if key.startswith(_STANCE) else None


def stances(doc_labels: Mapping[str, str]) -> dict[str, str]:
    """Target -> chosen option, from an annotator's document labels."""
    out: dict[str, str] = {}
    for key, value in doc_labels.items():
        target = stance_target(key)
        if target is not None:
            out[target] = value
    return out


# ---- what an edit set holds -------------------------------------------------------------


class SpanLike(Protocol):
    """Anything with a layer, a label and code-point offsets (Span, NewSpan, LabelSpan)."""

    @property
    def layer(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


@dataclass(frozen=True, slots=True)
class NewSpan:
    """A span to store. ``id`` re-creates a deleted span under its old id (undo)."""

    layer: str
    label: str
    start: int
    end: int
    origin: str = MANUAL
    id: int | None = None


@dataclass(frozen=True, slots=True)
class StatusEdit:
    """The annotator's status of the article; ``add_seconds`` is added to the time spent."""

    status: str
    note: str = ""
    add_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class EditSet:
    """Changes to one annotator's labels of one article, decided and stored together.

    Deletions are applied first, then relabels, then additions in the order given (so a set
    can replace a span, and an earlier addition wins over a later overlapping one).
    ``skip_covered`` also refuses a span already covered by the annotator's labels (the same
    span, or boilerplate inside their boilerplate): what a bulk accept wants.
    """

    article_id: int
    annotator: str
    add: tuple[NewSpan, ...] = ()
    delete: tuple[int, ...] = ()
    relabel: tuple[tuple[int, str], ...] = ()
    doc: tuple[tuple[str, str | None], ...] = ()
    status: StatusEdit | None = None
    skip_covered: bool = False
    #: The origin of the document labels ``doc`` sets (``make_origin``): a stance accepted
    #: from a suggestion keeps where it came from, as an accepted span does.
    doc_origin: str = MANUAL


#: Why an item was refused; callers choose by code what to report and what to skip quietly.
OWNER = "owner"  # another annotator's labels, and the caller is no lead
MISSING = "missing"  # no such article, or no such span among the annotator's
LAYER = "layer"
LABEL = "label"  # empty, or unknown to the schema
BOUNDS = "bounds"
OVERLAP = "overlap"  # an entity overlapping one of the annotator's entities
DUPLICATE = "duplicate"  # exactly a span the annotator has (or one earlier in the set)
COVERED = "covered"  # boilerplate inside the annotator's boilerplate (with skip_covered)
KEY = "key"  # an unknown stance target, an option it does not have, an empty key
STATUS = "status"


@dataclass(frozen=True, slots=True)
class Refusal:
    """One refused item (a NewSpan, a span id, a relabel pair, a doc pair or a StatusEdit),
    its ``code`` and a sentence for the user. ``other`` is the span it clashed with."""

    item: object
    code: str
    reason: str
    other: SpanLike | None = None


@dataclass
class Decision:
    """What :func:`decide` accepted (to be written) and what it refused, with reasons."""

    article_id: int
    annotator: str
    add: list[NewSpan] = field(default_factory=list)
    delete: list[Span] = field(default_factory=list)
    relabel: list[tuple[Span, str]] = field(default_factory=list)
    doc: list[tuple[str, str | None]] = field(default_factory=list)
    status: StatusEdit | None = None
    refused: list[Refusal] = field(default_factory=list)
    doc_origin: str = MANUAL

    @property
    def empty(self) -> bool:
        return not (self.add or self.delete or self.relabel or self.doc or self.status)


@dataclass
class EditResult:
    """What storing an edit set did, with what undo needs to take it back: the stored spans
    (with their ids), the deleted and relabelled spans exactly as they were (origin
    included), each changed document label's previous value, and the previous progress."""

    article_id: int
    annotator: str
    added: list[Span] = field(default_factory=list)
    deleted: list[Span] = field(default_factory=list)
    relabelled: list[Span] = field(default_factory=list)
    doc_before: dict[str, str | None] = field(default_factory=dict)
    status_before: Progress | None = None
    refused: list[Refusal] = field(default_factory=list)
    #: How many spans were stored: ``len(added)``, also when the caller asked for no spans
    #: back (a bulk write that will never be undone span by span).
    stored: int = 0


# ---- who may change whose labels --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Access:
    """Who is asking (``actor``, ``None`` when unknown) and the project's roles.

    A project without a lead is open: every edit is allowed (one person's desktop file, or a
    team that has not named a lead yet). Once it has a lead, a caller changes only their own
    labels, unless the caller is a lead.
    """

    actor: str | None = None
    roles: Mapping[str, str] = field(default_factory=dict)

    @property
    def guarded(self) -> bool:
        return LEAD in self.roles.values()

    def is_lead(self) -> bool:
        return self.actor is not None and self.roles.get(self.actor) == LEAD

    def refusal(self, owner: str) -> str | None:
        """Why the caller may not change ``owner``'s labels, or ``None`` if they may."""
        if not self.guarded or self.actor == owner or self.is_lead():
            return None
        if self.actor is None:
            return (
                f"not saved: {owner}'s labels may be changed only by {owner} or a lead, "
                "and who is editing is unknown (open the project as a named user)"
            )
        return (
            f"not saved: {self.actor} may not change {owner}'s labels; "
            "only a lead may change another annotator's labels"
        )

    def may_set_roles(self) -> str | None:
        """Why the caller may not change roles, or ``None``: anyone until there is a lead."""
        if not self.guarded or self.is_lead():
            return None
        who = self.actor or "an unknown user"
        return f"not saved: {who} may not change roles; only a lead may"


# ---- the rule ---------------------------------------------------------------------------


def covered(span: SpanLike, held: Iterable[SpanLike]) -> bool:
    """Already labelled: the same span, or boilerplate inside a boilerplate span."""
    for h in held:
        if h.layer != span.layer:
            continue
        if (h.start, h.end, h.label) == (span.start, span.end, span.label):
            return True
        if span.layer == "boilerplate" and h.start <= span.start and span.end <= h.end:
            return True
    return False


def label_refusal(schema: Schema, layer: str, label: str) -> tuple[str, str] | None:
    """``(code, reason)`` if ``label`` cannot be stored on ``layer`` under ``schema``."""
    if layer not in LAYERS:
        return LAYER, f"unknown layer {layer!r}; use one of {', '.join(LAYERS)}"
    if not label:
        return LABEL, "a span needs a label"
    if layer == "entity" and schema.entity(label) is None:
        return LABEL, f"unknown entity label {label!r}; add it to the schema first"
    if layer == "boilerplate" and label not in schema.boilerplate_kinds:
        kinds = ", ".join(schema.boilerplate_kinds)
        return LABEL, f"unknown boilerplate kind {label!r}; the schema has {kinds}"
    return None


def doc_refusal(schema: Schema, key: str, value: str | None) -> str | None:
    """Why ``key = value`` cannot be stored, or ``None``. ``None`` clears the label."""
    if not key:
        return "a document label needs a key"
    target_name = stance_target(key)
    if target_name is None:
        return None
    target = schema.stance_target(target_name)
    if target is None:
        return f"unknown stance target in {key!r}"
    if value is not None and value not in {o.value for o in target.options}:
        return f"{value!r} is not an option of stance target {target.name!r}"
    return None


def overlap_reason(other: SpanLike) -> str:
    return (
        f"overlaps the {other.label} span {other.start}–{other.end}; "
        "remove or shrink that one first"
    )


def decide(
    edits: EditSet,
    *,
    schema: Schema,
    length: int | None,
    stored: Sequence[Span],
    access: Access,
) -> Decision:
    """Decide ``edits`` against ``stored`` (the annotator's spans of the article) and the
    text's ``length`` (``None``: no such article). Nothing is refused silently: every item
    not accepted is in ``refused`` with its code and reason."""
    out = Decision(edits.article_id, edits.annotator, doc_origin=edits.doc_origin)
    items: list[object] = [*edits.delete, *edits.relabel, *edits.add, *edits.doc]
    if edits.status is not None:
        items.append(edits.status)
    owner = access.refusal(edits.annotator)
    if owner is not None or length is None:
        code, why = (
            (OWNER, owner) if owner is not None else (MISSING, _no_article(edits.article_id))
        )
        out.refused = [Refusal(item, code, why) for item in items]
        return out

    by_id = {s.id: s for s in stored}
    held = HeldSpans(stored)
    for span_id in edits.delete:
        gone = by_id.pop(span_id, None)
        if gone is None:
            out.refused.append(Refusal(span_id, MISSING, f"no span with id {span_id}"))
            continue
        out.delete.append(gone)
        held.remove(gone)
    for span_id, label in edits.relabel:
        was = by_id.get(span_id)
        if was is None:
            out.refused.append(Refusal((span_id, label), MISSING, f"no span with id {span_id}"))
            continue
        bad = label_refusal(schema, was.layer, label)
        if bad is not None:
            out.refused.append(Refusal((span_id, label), *bad))
            continue
        same = held.by_key.get((was.layer, label, was.start, was.end))
        if same is not None and same is not was:
            duplicate = f"already labelled: {label} {was.start}–{was.end}"
            out.refused.append(Refusal((span_id, label), DUPLICATE, duplicate, same))
            continue
        out.relabel.append((was, label))
        held.remove(was)
        held.add(NewSpan(was.layer, label, was.start, was.end, was.origin, was.id))
    # A set of thousands of spans names a few labels: each is looked up in the schema once.
    label_checks: dict[tuple[str, str], tuple[str, str] | None] = {}
    if len(edits.add) > 1 and _all_accepted(edits, schema, length, held, label_checks):
        out.add = list(edits.add)  # what the checks one by one would accept: every span
    for new in () if out.add else edits.add:
        refusal = _span_refusal(new, schema, length, held, edits, label_checks)
        if refusal is not None:
            out.refused.append(refusal)
            continue
        out.add.append(new)
        held.add(new, clash_checked=True)
    seen_keys: set[str] = set()
    for key, value in edits.doc:
        reason = doc_refusal(schema, key, value)
        if reason is None and key in seen_keys:
            reason = f"{key!r} is set twice in one edit"
        if reason is not None:
            out.refused.append(Refusal((key, value), KEY, reason))
            continue
        seen_keys.add(key)
        out.doc.append((key, value))
    if edits.status is not None:
        if edits.status.status not in STATUSES:
            reason = f"unknown status {edits.status.status!r}; use one of {', '.join(STATUSES)}"
            out.refused.append(Refusal(edits.status, STATUS, reason))
        else:
            out.status = edits.status
    return out


def _no_article(article_id: int) -> str:
    return f"no article with id {article_id}"


def _all_accepted(
    edits: EditSet,
    schema: Schema,
    length: int,
    held: HeldSpans,
    label_checks: dict[tuple[str, str], tuple[str, str] | None],
) -> bool:
    """Whether :func:`_span_refusal` would accept every span of ``edits.add`` one by one,
    found for the whole set at once (an adjudication adds 35 spans an article, 3.5 million
    in all): known labels, within the text (so none is empty), no copies, and no two
    entities, held or new, overlapping. Entities need no copy check of their own: a copy
    of a (non-empty) entity overlaps it. And n non-empty spans are pairwise disjoint
    exactly when, their starts and their ends each sorted, every end but the last comes at
    or before the next start (no point is then inside two spans). When anything would be
    refused the caller checks span by span, to refuse exactly what the one-by-one rule
    refuses, with its reasons."""
    adds = edits.add
    if edits.skip_covered or not held.disjoint:
        return False
    for layer, label in {(n.layer, n.label) for n in adds}:
        if (layer, label) not in label_checks:
            label_checks[layer, label] = label_refusal(schema, layer, label)
        if label_checks[layer, label] is not None:
            return False
    starts = [n.start for n in adds]
    ends = [n.end for n in adds]
    if min(starts) < 0 or max(ends) > length or any(map(operator.ge, starts, ends)):
        return False
    others = [(n.layer, n.label, n.start, n.end) for n in adds if n.layer != "entity"]
    if others:
        keys = set(others)
        if len(keys) < len(others) or not keys.isdisjoint(held.by_key):
            return False
        starts = [n.start for n in adds if n.layer == "entity"]
        ends = [n.end for n in adds if n.layer == "entity"]
    starts += [h.start for h in held.entities]
    ends += [h.end for h in held.entities]
    starts.sort()
    ends.sort()
    return all(map(operator.le, ends, itertools.islice(starts, 1, None)))


def _span_refusal(
    new: NewSpan,
    schema: Schema,
    length: int,
    held: HeldSpans,
    edits: EditSet,
    label_checks: dict[tuple[str, str], tuple[str, str] | None],
) -> Refusal | None:
    layer_label = (new.layer, new.label)
    if layer_label in label_checks:
        bad = label_checks[layer_label]
    else:
        bad = label_checks[layer_label] = label_refusal(schema, new.layer, new.label)
    if bad is not None:
        return Refusal(new, *bad)
    if not (0 <= new.start < new.end <= length):
        return Refusal(
            new,
            BOUNDS,
            f"article {edits.article_id}: span {new.start}–{new.end} is outside its text "
            f"(0–{length})",
        )
    same = held.by_key.get((new.layer, new.label, new.start, new.end))
    if same is not None:
        return Refusal(new, DUPLICATE, f"already labelled: {new.label} {new.start}–{new.end}", same)
    if new.layer == "entity":
        clash = held.entity_clash(new.start, new.end)
        if clash is not None:
            return Refusal(new, OVERLAP, overlap_reason(clash), clash)
    elif edits.skip_covered and covered(new, held.boilerplate):
        return Refusal(new, COVERED, f"already covered: {new.label} {new.start}–{new.end}")
    return None


def restore(span: Span) -> EditSet:
    """The edit set that puts a deleted span back exactly as it was: same id, label,
    offsets and origin (the undo of a delete)."""
    return EditSet(
        span.article_id,
        span.annotator,
        add=(NewSpan(span.layer, span.label, span.start, span.end, span.origin, span.id),),
    )
