"""Suggestions of a project: spans proposed by a suggester or a model, apart from labels.

A suggestion is never exported as a label. Accepting one copies it into an annotator's spans
with origin ``suggestion:<source>``; rejecting one records it in the rejection table. A
rejected (article, layer, label, start, end) is hidden from the annotator who rejected it and
is never stored as a suggestion again, whatever source proposes it.

Suggestions are shared by all annotators; what one annotator still has to decide (pending)
leaves out what they rejected, what they already labelled, and switched-off sources.
Running the suggesters lives in :mod:`storage.suggestion_runs`, accepting and rejecting
in :mod:`storage.suggestion_decisions`, proposed document labels (a stance) in
:mod:`storage.doc_suggestions`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import peewee as pw

from core.edits import covered
from core.models import LAYERS, Suggestion
from storage.doc_suggestions import DocSuggestions
from storage.errors import LabelError
from storage.suggestion_decisions import BulkResult, SuggestionDecisions
from storage.suggestion_runs import SuggestionRuns

if TYPE_CHECKING:
    from storage.edits import Edits
    from storage.part import ProjectCore

    pass

#: Rows per INSERT statement: well under SQLite's bound-parameter limit (7 columns each).
_INSERT_CHUNK = 500

SuggestionRow = tuple[str, str, int, int, float]


Key = tuple[str, str, int, int]
__all__ = ["BulkResult", "SuggestionRow", "Suggestions"]


class Suggestions(SuggestionDecisions, SuggestionRuns, DocSuggestions):
    """``project.suggestions``: stored suggestions, running the suggesters, accepting and
    rejecting (through ``project.edits``), their settings, and proposed document labels
    (:mod:`storage.doc_suggestions`)."""

    def __init__(self, project: ProjectCore, *, edits: Edits) -> None:
        super().__init__(project)
        self.edits = edits

    # ---- storing -------------------------------------------------------------------------

    def _rejected_keys(self, article_ids: list[int]) -> dict[int, set[Key]]:
        """(layer, label, start, end) rejected by anyone, per article."""
        out: dict[int, set[Key]] = {}
        if not article_ids:
            return out
        p = self.db.param
        cursor = self.db.execute_sql(  # raw SQL: peewee builds a long IN list slowly
            'SELECT article_id, layer, label, start, "end" FROM rejection'
            f" WHERE article_id IN ({', '.join([p] * len(article_ids))})",
            article_ids,
        )
        for aid, *key in cursor.fetchall():
            out.setdefault(aid, set()).add(tuple(key))
        return out

    def add_suggestions(
        self, article_id: int, rows: Iterable[SuggestionRow], *, source: str
    ) -> int:
        """Store ``(layer, label, start, end, score)`` rows from ``source`` for one article.

        Every row is checked before anything is written (offsets inside the text, a known
        layer, a label), so a bad row stores nothing. Exact duplicates of stored suggestions
        and suggestions someone rejected are skipped. Returns how many rows were stored.
        """
        if not source:
            raise LabelError("a suggestion needs a source")
        length = self.project.text_length(article_id)
        checked: dict[Key, float] = {}
        for layer, label, start, end, score in rows:
            if layer not in LAYERS:
                raise LabelError(f"unknown layer {layer!r}; use one of {', '.join(LAYERS)}")
            if not label:
                raise LabelError("a suggestion needs a label")
            if not (0 <= start < end <= length):
                raise LabelError(
                    f"article {article_id}: suggestion {start}–{end} is outside its text "
                    f"(0–{length})"
                )
            checked.setdefault((layer, label, int(start), int(end)), float(score))
        if not checked:
            return 0
        with self._write():
            return self._insert_suggestions({article_id: checked}, source)

    def _insert_suggestions(
        self,
        rows: dict[int, dict[Key, float]],
        source: str,
        *,
        existing: Mapping[int, Collection[Key]] | None = None,
        rejected: Mapping[int, Collection[Key]] | None = None,
    ) -> int:
        """Insert new rows (inside the caller's transaction); skips stored and rejected ones.
        ``existing`` (this source's stored keys) and ``rejected``: for callers that read them
        already in this transaction, for all of ``rows``' articles."""
        ids = list(rows)
        if rejected is None:
            rejected = self._rejected_keys(ids)
        if existing is None:
            s = self.m.Suggestion
            found: dict[int, set[Key]] = {}
            query = s.select(s.article, s.layer, s.label, s.start, s.end).where(
                s.article.in_(ids), s.source == source
            )
            for aid, *key in self.db.execute(query):  # the driver's rows: no conversion
                found.setdefault(aid, set()).add(tuple(key))
            existing = found
        fresh = [
            (aid, key[0], key[1], key[2], key[3], source, score)
            for aid, keys in rows.items()
            for key, score in keys.items()
            if key not in rejected.get(aid, ()) and key not in existing.get(aid, ())
        ]
        if fresh:
            # Raw executemany: building ORM inserts cost more than the whole suggester run.
            p = self.db.param
            sql = (
                'INSERT INTO "suggestion" ("article_id", "layer", "label", "start", "end", '
                f'"source", "score") VALUES ({", ".join([p] * 7)}) ON CONFLICT DO NOTHING'
            )
            cursor = self.db.cursor()
            for i in range(0, len(fresh), _INSERT_CHUNK):
                cursor.executemany(sql, fresh[i : i + _INSERT_CHUNK])
        return len(fresh)

    # ---- reading -------------------------------------------------------------------------

    @staticmethod
    def _suggestion(row: Any) -> Suggestion:
        return Suggestion(
            id=row.id,
            article_id=row.article_id,
            layer=row.layer,
            label=row.label,
            start=row.start,
            end=row.end,
            source=row.source,
            score=row.score,
        )

    def suggestion(self, suggestion_id: int) -> Suggestion:
        s = self.m.Suggestion
        row = s.get_or_none(s.id == suggestion_id)
        if row is None:
            raise LabelError(f"no suggestion with id {suggestion_id}")
        return self._suggestion(row)

    def suggestions(
        self,
        article_id: int,
        *,
        layer: str | None = None,
        sources: Iterable[str] | None = None,
        annotator: str | None = None,
    ) -> list[Suggestion]:
        """Suggestions of an article in text order.

        With ``annotator``: only those still pending for them (not rejected by them, not
        already among their spans) from sources that are switched on.
        """
        # A plain cursor, not model rows: peewee's per-value conversion cost ~15 µs a row,
        # and an article can hold thousands of suggestions when a common string was labelled.
        p = self.db.param
        sql = (
            'SELECT id, article_id, layer, label, start, "end", source, score FROM suggestion'
            f" WHERE article_id = {p}"
        )
        args: list[Any] = [article_id]
        if layer is not None:
            sql += f" AND layer = {p}"
            args.append(layer)
        if sources is not None:
            wanted = list(sources)
            if not wanted:
                return []
            sql += f" AND source IN ({', '.join([p] * len(wanted))})"
            args.extend(wanted)
        cursor = self.db.cursor()
        cursor.execute(sql + ' ORDER BY start, "end", id', args)
        found = [Suggestion(*row) for row in cursor.fetchall()]
        if annotator is None:
            return found
        return self._pending(found, self.project.annotator_id(annotator))

    def _pending(self, found: list[Suggestion], annotator_id: int) -> list[Suggestion]:
        if not found:
            return []
        disabled = set(self.disabled_sources())
        ids = {sg.article_id for sg in found}
        r, sp = self.m.Rejection, self.m.Span
        rejected = set(
            r.select(r.article, r.layer, r.label, r.start, r.end)
            .where(r.article.in_(list(ids)), r.annotator == annotator_id)
            .tuples()
        )
        spans: dict[int, list[Suggestion]] = {}
        for aid, layer, label, start, end in (
            sp.select(sp.article, sp.layer, sp.label, sp.start, sp.end)
            .where(sp.article.in_(list(ids)), sp.annotator == annotator_id)
            .tuples()
        ):
            spans.setdefault(aid, []).append(Suggestion(0, aid, layer, label, start, end, ""))
        return [
            sg
            for sg in found
            if sg.source not in disabled
            and (sg.article_id, sg.layer, sg.label, sg.start, sg.end) not in rejected
            and not covered(sg, spans.get(sg.article_id, ()))
        ]

    def count_pending(
        self,
        *,
        annotator: str,
        article_id: int | None = None,
        layer: str | None = None,
        source: str | None = None,
    ) -> int:
        """How many suggestions a bulk accept or reject with the same arguments would touch."""
        return sum(
            len(batch) for batch in self._pending_batches(annotator, article_id, layer, source)
        )

    def suggestion_counts(self, *, annotator: str | None = None) -> dict[str, int]:
        """Suggestions per source: all stored, or those still pending for ``annotator``."""
        if annotator is None:
            s = self.m.Suggestion
            query = s.select(s.source, pw.fn.COUNT(s.id)).group_by(s.source).order_by(s.source)
            return dict(query.tuples())
        counts: dict[str, int] = {}
        for batch in self._pending_batches(annotator, None, None, None):
            for sg in batch:
                counts[sg.source] = counts.get(sg.source, 0) + 1
        return dict(sorted(counts.items()))
