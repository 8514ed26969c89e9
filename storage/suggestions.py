"""Suggestions of a project: spans proposed by a suggester or a model, apart from labels.

A suggestion is never exported as a label. Accepting one copies it into an annotator's spans
with origin ``suggestion:<source>``; rejecting one records it in the rejection table, and a
rejected (article, layer, label, start, end) is never stored as a suggestion again, whatever
source proposes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import peewee as pw

from core.models import LAYERS, Suggestion
from storage.errors import LabelError

if TYPE_CHECKING:
    from storage.models import Models

#: Rows per INSERT statement: well under SQLite's bound-parameter limit (7 columns each).
_INSERT_CHUNK = 500

SuggestionRow = tuple[str, str, int, int, float]


class SuggestionMixin:
    """Mixed into ``Project``; relies on its ``m``, ``db``, ``_write`` and ``text_length``."""

    db: pw.Database
    m: Models

    # ---- storing -------------------------------------------------------------------------

    def _rejected_keys(self, article_id: int) -> set[tuple[str, str, int, int]]:
        r = self.m.Rejection
        return {
            (row[0], row[1], row[2], row[3])
            for row in r.select(r.layer, r.label, r.start, r.end)
            .where(r.article == article_id)
            .tuples()
        }

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
        length = self.text_length(article_id)
        checked: dict[tuple[str, str, int, int], float] = {}
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
        s = self.m.Suggestion
        with self._write():
            rejected = self._rejected_keys(article_id)
            existing = {
                (row[0], row[1], row[2], row[3])
                for row in s.select(s.layer, s.label, s.start, s.end)
                .where(s.article == article_id, s.source == source)
                .tuples()
            }
            fresh = [
                dict(
                    article=article_id,
                    layer=key[0],
                    label=key[1],
                    start=key[2],
                    end=key[3],
                    source=source,
                    score=score,
                )
                for key, score in checked.items()
                if key not in rejected and key not in existing
            ]
            for i in range(0, len(fresh), _INSERT_CHUNK):
                s.insert_many(fresh[i : i + _INSERT_CHUNK]).on_conflict_ignore().execute()
        return len(fresh)

    # ---- reading -------------------------------------------------------------------------

    def suggestions(
        self,
        article_id: int,
        *,
        layer: str | None = None,
        sources: Iterable[str] | None = None,
    ) -> list[Suggestion]:
        """Suggestions of an article in text order (optionally of some sources only)."""
        s = self.m.Suggestion
        query = s.select().where(s.article == article_id)
        if layer is not None:
            query = query.where(s.layer == layer)
        if sources is not None:
            query = query.where(s.source.in_(list(sources)))
        return [
            Suggestion(
                id=row.id,
                article_id=row.article_id,
                layer=row.layer,
                label=row.label,
                start=row.start,
                end=row.end,
                source=row.source,
                score=row.score,
            )
            for row in query.order_by(s.start, s.end, s.id)
        ]
