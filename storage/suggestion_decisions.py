"""Deciding suggestions: accept or reject one, or all of an article, layer or source.

Accepting copies a suggestion into an annotator's spans (origin ``suggestion:<source>``);
rejecting records it so that it never comes back. Decisions across the project run a few
hundred articles per transaction and return what undo needs (:class:`BulkResult`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import peewee as pw

from core.models import Span, Suggestion

if TYPE_CHECKING:
    from storage.models import Models

#: Articles per transaction when accepting or rejecting across the project.
_BULK_ARTICLES = 200
#: Ids per DELETE statement: well under SQLite's bound-parameter limit.
_INSERT_CHUNK = 500


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass
class BulkResult:
    """What a bulk accept or reject did, with what undo needs to take it back."""

    done: int = 0
    skipped: int = 0
    span_ids: list[int] = field(default_factory=list)
    rejection_ids: list[int] = field(default_factory=list)
    #: Articles whose spans or pending suggestions changed (the GUI refreshes their rows).
    article_ids: set[int] = field(default_factory=set)


class SuggestionDecisionMixin:
    """Mixed into ``Project`` through ``SuggestionMixin``; relies on its suggestion reads
    (``suggestion``, ``_suggestion``, ``_pending``), ``annotator_id`` and ``_write``."""

    db: pw.Database
    m: Models

    def _pending_batches(
        self, annotator: str, article_id: int | None, layer: str | None, source: str | None
    ) -> Iterable[list[Suggestion]]:
        """Pending suggestions, a few hundred articles at a time, in article order."""
        ann = self.annotator_id(annotator)
        s = self.m.Suggestion
        base = s.select(s.article).distinct()
        if article_id is not None:
            base = base.where(s.article == article_id)
        if layer is not None:
            base = base.where(s.layer == layer)
        if source is not None:
            base = base.where(s.source == source)
        after = 0
        while True:
            ids = [
                r[0]
                for r in base.where(s.article > after)
                .order_by(s.article)
                .limit(_BULK_ARTICLES)
                .tuples()
            ]
            if not ids:
                return
            query = s.select().where(s.article.in_(ids))
            if layer is not None:
                query = query.where(s.layer == layer)
            if source is not None:
                query = query.where(s.source == source)
            rows = [self._suggestion(r) for r in query.order_by(s.article, s.start, s.end, s.id)]
            yield self._pending(rows, ann)
            after = ids[-1]

    # ---- accepting and rejecting ---------------------------------------------------------

    def accept_suggestion(self, suggestion_id: int, *, annotator: str) -> Span:
        """Turn a suggestion into the annotator's span (origin ``suggestion:<source>``).

        Undo is ``delete_span`` of the returned span; the suggestion itself stays, and is
        pending again once the span is gone.
        """
        sg = self.suggestion(suggestion_id)
        return self.add_span(
            sg.article_id,
            annotator=annotator,
            layer=sg.layer,
            label=sg.label,
            start=sg.start,
            end=sg.end,
            origin=f"suggestion:{sg.source}"[:200],
        )

    def reject_suggestion(self, suggestion_id: int, *, annotator: str) -> int:
        """Remember that the annotator turned this suggestion down; returns the rejection id
        (for undo with :meth:`remove_rejections`)."""
        sg = self.suggestion(suggestion_id)
        ann = self.annotator_id(annotator)
        r = self.m.Rejection
        with self._write():
            r.insert(
                article=sg.article_id,
                annotator=ann,
                layer=sg.layer,
                label=sg.label,
                start=sg.start,
                end=sg.end,
            ).on_conflict_ignore().execute()
            row = r.get(
                r.article == sg.article_id,
                r.annotator == ann,
                r.layer == sg.layer,
                r.label == sg.label,
                r.start == sg.start,
                r.end == sg.end,
            )
        return row.id

    def remove_rejections(self, rejection_ids: Iterable[int]) -> int:
        """Forget rejections (undo of a reject): the suggestions are pending again."""
        ids = list(rejection_ids)
        r = self.m.Rejection
        removed = 0
        with self._write():
            for i in range(0, len(ids), _INSERT_CHUNK):
                removed += r.delete().where(r.id.in_(ids[i : i + _INSERT_CHUNK])).execute()
        return removed

    def remove_spans(self, span_ids: Iterable[int]) -> int:
        """Delete spans made by a bulk accept (its undo), in one transaction."""
        ids = list(span_ids)
        sp = self.m.Span
        removed = 0
        with self._write():
            for i in range(0, len(ids), _INSERT_CHUNK):
                removed += sp.delete().where(sp.id.in_(ids[i : i + _INSERT_CHUNK])).execute()
        return removed

    def accept_all(
        self,
        *,
        annotator: str,
        article_id: int | None = None,
        layer: str | None = None,
        source: str | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> BulkResult:
        """Accept every pending suggestion of an article, a layer or a source (or all).

        Longest suggestions go first; an entity suggestion that would overlap one of the
        annotator's entity spans is skipped (counted in ``skipped``), as is a boilerplate
        suggestion inside a boilerplate span the annotator already has.
        """
        result = BulkResult()
        ann = self.annotator_id(annotator)
        sp = self.m.Span
        known = {e.name for e in self.schema().entity_labels}
        for batch in self._pending_batches(annotator, article_id, layer, source):
            ids = list({sg.article_id for sg in batch})
            with self._write():
                held: dict[tuple[int, str], list[tuple[int, int]]] = {}
                for aid, lay, start, end in (
                    sp.select(sp.article, sp.layer, sp.start, sp.end)
                    .where(sp.article.in_(ids), sp.annotator == ann)
                    .tuples()
                ):
                    held.setdefault((aid, lay), []).append((start, end))
                rows = []
                now = _now()
                for sg in sorted(batch, key=lambda g: (g.article_id, g.start - g.end, g.start)):
                    taken = held.setdefault((sg.article_id, sg.layer), [])
                    if _blocked(sg, taken) or (sg.layer == "entity" and sg.label not in known):
                        result.skipped += 1
                        continue
                    taken.append((sg.start, sg.end))
                    origin = f"suggestion:{sg.source}"[:200]
                    rows.append(
                        (sg.article_id, ann, sg.layer, sg.label, sg.start, sg.end, origin, now, now)
                    )
                result.span_ids.extend(self._insert_spans(rows, ids, ann))
                result.done += len(rows)
                result.article_ids.update(row[0] for row in rows)
            if on_progress:
                on_progress(result.done + result.skipped)
        return result

    def _insert_spans(
        self, rows: list[tuple], article_ids: list[int], annotator_id: int
    ) -> list[int]:
        """Insert span rows in one executemany (ORM inserts row by row took 16 s for 100k);
        returns their ids: those above the highest id before, of this annotator and these
        articles (the write transaction keeps other writers out meanwhile)."""
        if not rows:
            return []
        sp = self.m.Span
        before = sp.select(pw.fn.MAX(sp.id)).scalar() or 0
        p = self.db.param
        self.db.cursor().executemany(
            'INSERT INTO "span" ("article_id", "annotator_id", "layer", "label", "start", "end", '
            f'"origin", "created", "updated") VALUES ({", ".join([p] * 9)})',
            rows,
        )
        return [
            r[0]
            for r in sp.select(sp.id)
            .where(sp.id > before, sp.annotator == annotator_id, sp.article.in_(article_ids))
            .order_by(sp.id)
            .tuples()
        ]

    def reject_all(
        self,
        *,
        annotator: str,
        article_id: int | None = None,
        layer: str | None = None,
        source: str | None = None,
    ) -> BulkResult:
        """Reject every pending suggestion of an article, a layer or a source."""
        result = BulkResult()
        ann = self.annotator_id(annotator)
        r = self.m.Rejection
        for batch in self._pending_batches(annotator, article_id, layer, source):
            keys = {(sg.article_id, sg.layer, sg.label, sg.start, sg.end) for sg in batch}
            with self._write():
                for aid, lay, label, start, end in keys:
                    new_id = (
                        r.insert(
                            article=aid,
                            annotator=ann,
                            layer=lay,
                            label=label,
                            start=start,
                            end=end,
                        )
                        .on_conflict_ignore()
                        .execute()
                    )
                    if new_id:
                        result.rejection_ids.append(new_id)
                        result.article_ids.add(aid)
            result.done += len(batch)
        return result


def covered_by_spans(sg: Suggestion, spans: Iterable[tuple[str, str, int, int]]) -> bool:
    """Already labelled: the same span, or (boilerplate) inside a boilerplate span."""
    for layer, label, start, end in spans:
        if layer != sg.layer:
            continue
        if start == sg.start and end == sg.end and label == sg.label:
            return True
        if layer == "boilerplate" and start <= sg.start and sg.end <= end:
            return True
    return False


def _blocked(sg: Suggestion, taken: list[tuple[int, int]]) -> bool:
    if sg.layer == "boilerplate":
        return any(s <= sg.start and sg.end <= e for s, e in taken)
    return any(s < sg.end and e > sg.start for s, e in taken)
