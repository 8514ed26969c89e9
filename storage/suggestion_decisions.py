"""Deciding suggestions: accept or reject one, or all of an article, layer or source.

Accepting copies a suggestion into an annotator's spans (origin ``suggestion:<source>``);
rejecting records it so that it never comes back. Decisions across the project run a few
hundred articles per transaction and return what undo needs (:class:`BulkResult`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import peewee as pw

from core.edits import SUGGESTION, EditResult, EditSet, NewSpan, make_origin
from core.models import Span, Suggestion
from storage.part import ProjectPart

if TYPE_CHECKING:
    import contextlib

    from storage.models import Models

#: Articles per transaction when accepting or rejecting across the project.
_BULK_ARTICLES = 200
#: Ids per DELETE statement: well under SQLite's bound-parameter limit.
_INSERT_CHUNK = 500


def suggestion_origin(sg: Suggestion) -> str:
    """The origin of a span accepted from ``sg``: ``suggestion:<source>``."""
    return make_origin(SUGGESTION, source=sg.source)


@dataclass
class BulkResult:
    """What a bulk accept or reject did, with what undo needs to take it back."""

    done: int = 0
    skipped: int = 0
    span_ids: list[int] = field(default_factory=list)
    rejection_ids: list[int] = field(default_factory=list)
    #: Articles whose spans or pending suggestions changed (the GUI refreshes their rows).
    article_ids: set[int] = field(default_factory=set)


class SuggestionDecisionMixin(ProjectPart):
    """Mixed into ``Project`` through ``SuggestionMixin``; relies on its suggestion reads
    (``suggestion``, ``_suggestion``, ``_pending``), ``annotator_id`` and ``_write``."""

    db: pw.Database
    m: Models

    if TYPE_CHECKING:  # provided by Project, LabelMixin, EditMixin and SuggestionMixin

        def _write(self) -> contextlib.AbstractContextManager[None]: ...
        def annotator_id(self, name: str) -> int: ...
        def _annotator_names(self) -> dict[int, str]: ...
        def apply_edits(self, edits: EditSet, *, strict: bool = True) -> EditResult: ...
        def apply_edit_sets(
            self, sets: Iterable[EditSet], *, strict: bool = False
        ) -> list[EditResult]: ...
        def suggestion(self, suggestion_id: int) -> Suggestion: ...
        @staticmethod
        def _suggestion(row: Any) -> Suggestion: ...
        def _pending(self, found: list[Suggestion], annotator_id: int) -> list[Suggestion]: ...
        def _reject_phrases(self, places: Iterable[tuple[int, int, int, str]]) -> None: ...
        def _unreject_phrases(
            self, places: Iterable[tuple[int, int, int, str]]
        ) -> dict[tuple[str, str], str]: ...
        def _suggest_again(self, forgotten: dict[tuple[str, str], str]) -> None: ...

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
        new = NewSpan(sg.layer, sg.label, sg.start, sg.end, suggestion_origin(sg))
        return self.apply_edits(EditSet(sg.article_id, annotator, add=(new,))).added[0]

    def reject_suggestion(self, suggestion_id: int, *, annotator: str) -> int:
        """Remember that the annotator turned this suggestion down; returns the rejection id
        (for undo with :meth:`remove_rejections`). An own-labels suggestion turns its string
        down for that label across the project (:mod:`storage.own_labels`)."""
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
            if _learned(sg):
                self._reject_phrases([(sg.article_id, sg.start, sg.end, sg.label)])
        return row.id

    def remove_rejections(self, rejection_ids: Iterable[int]) -> int:
        """Forget rejections (undo of a reject): the suggestions are pending again, and a
        string turned down for the own-labels suggester is suggested again where a label
        still teaches it."""
        ids = list(rejection_ids)
        r = self.m.Rejection
        removed = 0
        with self._write():
            places: list[tuple[int, int, int, str]] = []
            for i in range(0, len(ids), _INSERT_CHUNK):
                part = ids[i : i + _INSERT_CHUNK]
                query = r.select(r.article, r.start, r.end, r.label).where(
                    r.id.in_(part), r.layer == "entity"
                )
                places.extend(query.tuples())
                removed += r.delete().where(r.id.in_(part)).execute()
            forgotten = self._unreject_phrases(places)
        self._suggest_again(forgotten)
        return removed

    def remove_spans(self, span_ids: Iterable[int]) -> int:
        """Delete spans made by a bulk accept (its undo), in one transaction; spans already
        gone are left out of the count."""
        ids = list(span_ids)
        sp = self.m.Span
        owners: dict[tuple[int, int], list[int]] = {}
        with self._write():
            for i in range(0, len(ids), _INSERT_CHUNK):
                query = sp.select(sp.id, sp.article, sp.annotator).where(
                    sp.id.in_(ids[i : i + _INSERT_CHUNK])
                )
                for sid, aid, ann in query.tuples():
                    owners.setdefault((aid, ann), []).append(sid)
            names = self._annotator_names()
            sets = [
                EditSet(aid, names[ann], delete=tuple(sids))
                for (aid, ann), sids in sorted(owners.items())
            ]
            return sum(len(r.deleted) for r in self.apply_edit_sets(sets))

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

        Longest suggestions go first; one the edit rule refuses (an entity overlapping one of
        the annotator's entities, boilerplate inside their boilerplate, a label the schema no
        longer has) is skipped and counted in ``skipped``.
        """
        result = BulkResult()
        for batch in self._pending_batches(annotator, article_id, layer, source):
            by_article: dict[int, list[NewSpan]] = {}
            for sg in sorted(batch, key=lambda g: (g.article_id, g.start - g.end, g.start)):
                by_article.setdefault(sg.article_id, []).append(
                    NewSpan(sg.layer, sg.label, sg.start, sg.end, suggestion_origin(sg))
                )
            sets = [
                EditSet(aid, annotator, add=tuple(news), skip_covered=True)
                for aid, news in by_article.items()
            ]
            for done in self.apply_edit_sets(sets):
                result.span_ids.extend(s.id for s in done.added)
                result.done += len(done.added)
                result.skipped += len(done.refused)
                if done.added:
                    result.article_ids.add(done.article_id)
            if on_progress:
                on_progress(result.done + result.skipped)
        return result

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
                learned = [(g.article_id, g.start, g.end, g.label) for g in batch if _learned(g)]
                if learned:
                    self._reject_phrases(learned)
            result.done += len(batch)
        return result


def _learned(sg: Suggestion) -> bool:
    """A suggestion the annotators' own labels taught (:mod:`storage.own_labels`)."""
    return sg.source == "own-labels" and sg.layer == "entity"
