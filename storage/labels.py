"""Label operations of a project: spans, document labels (stance) and progress.

Each call is one committed transaction, so when it returns the label is durable and the GUI
may show it as saved. Offsets are validated against the stored text here, in one place,
whatever the caller (GUI, CLI, labelled import).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import peewee as pw

from core.edits import MANUAL, EditSet, NewSpan, StatusEdit
from core.models import DocLabel, Progress, Span
from storage.errors import LabelError
from storage.part import ProjectPart

if TYPE_CHECKING:
    from storage.edits import Edits
    from storage.part import ProjectCore

    pass


class Labels(ProjectPart):
    """``project.labels``: reads of labels, and the one-item edits, each a thin caller of
    ``apply_edits`` (storage.edits), the one write path."""

    def __init__(self, project: ProjectCore, *, edits: Edits) -> None:
        super().__init__(project)
        self.edits = edits

    def _span(self, row: Any, annotator: str) -> Span:
        return Span(
            id=row.id,
            article_id=row.article_id,
            annotator=annotator,
            layer=row.layer,
            label=row.label,
            start=row.start,
            end=row.end,
            origin=row.origin,
        )

    def spans(
        self, article_id: int, *, annotator: str | None = None, layer: str | None = None
    ) -> list[Span]:
        """Spans of an article in text order."""
        s = self.m.Span
        query = s.select().where(s.article == article_id)
        if annotator is not None:
            query = query.where(s.annotator == self.project.annotator_id(annotator))
        if layer is not None:
            query = query.where(s.layer == layer)
        names = self.project.annotator_names()
        return [
            self._span(row, names[row.annotator_id]) for row in query.order_by(s.start, s.end, s.id)
        ]

    def add_span(
        self,
        article_id: int,
        *,
        annotator: str,
        layer: str,
        label: str,
        start: int,
        end: int,
        origin: str = MANUAL,
        span_id: int | None = None,
    ) -> Span:
        """Store a span. Entity spans of one annotator may not overlap; boilerplate may cover
        entities. ``span_id`` re-creates a deleted span under its old id (undo)."""
        new = NewSpan(layer, label, start, end, origin, span_id)
        result = self.edits.apply_edits(EditSet(article_id, annotator, add=(new,)))
        return result.added[0]

    def _span_owner(self, span_id: int) -> tuple[int, str]:
        s = self.m.Span
        row = s.select(s.article, s.annotator).where(s.id == span_id).tuples().first()
        if row is None:
            raise LabelError(f"no span with id {span_id}")
        return row[0], self.project.annotator_names()[row[1]]

    def delete_span(self, span_id: int) -> Span:
        """Remove a span; returns it exactly as it was (origin included), so that undo can put
        it back with ``apply_edits(core.edits.restore(span))`` or ``add_span``."""
        article_id, annotator = self._span_owner(span_id)
        result = self.edits.apply_edits(EditSet(article_id, annotator, delete=(span_id,)))
        return result.deleted[0]

    def relabel_span(self, span_id: int, label: str) -> Span:
        """Give a span another label; returns the span as it was before."""
        article_id, annotator = self._span_owner(span_id)
        result = self.edits.apply_edits(EditSet(article_id, annotator, relabel=((span_id, label),)))
        return result.relabelled[0]

    # ---- document labels (stance) --------------------------------------------------------

    def doc_labels(self, article_id: int, *, annotator: str) -> dict[str, str]:
        d = self.m.DocLabel
        rows = d.select(d.key, d.value).where(
            d.article == article_id, d.annotator == self.project.annotator_id(annotator)
        )
        return dict(rows.tuples())

    def doc_label_origins(self, article_id: int, *, annotator: str) -> dict[str, str]:
        """Key -> origin of the annotator's document labels (``manual``,
        ``suggestion:near-duplicate``, ...)."""
        p = self.db.param
        cursor = self.db.execute_sql(
            f"SELECT key, origin FROM doc_label WHERE article_id = {p} AND annotator_id = {p}",
            (article_id, self.project.annotator_id(annotator)),
        )
        return dict(cursor.fetchall())

    def set_doc_label(
        self,
        article_id: int,
        *,
        annotator: str,
        key: str,
        value: str | None,
        origin: str = MANUAL,
    ) -> str | None:
        """Set (or with ``None`` clear) one document label; returns the previous value.
        ``origin`` says where the value came from (``suggestion:<source>`` for an accepted
        proposal)."""
        result = self.edits.apply_edits(
            EditSet(article_id, annotator, doc=((key, value),), doc_origin=origin)
        )
        return result.doc_before[key]

    def all_doc_labels(self, article_id: int) -> list[DocLabel]:
        d = self.m.DocLabel
        names = self.project.annotator_names()
        return [
            DocLabel(
                article_id=article_id, annotator=names[r.annotator_id], key=r.key, value=r.value
            )
            for r in d.select().where(d.article == article_id).order_by(d.key)
        ]

    # ---- progress ------------------------------------------------------------------------

    def done_count(self, annotator: str) -> int:
        """Articles ``annotator`` has marked done (what the status bar's "n of N" counts)."""
        p = self.m.Progress
        return (
            p.select(pw.fn.COUNT(p.id))
            .where(p.annotator == self.project.annotator_id(annotator), p.status == "done")
            .scalar()
        )

    def progress(self, article_id: int, *, annotator: str) -> Progress:
        p = self.m.Progress
        row = p.get_or_none(
            p.article == article_id, p.annotator == self.project.annotator_id(annotator)
        )
        if row is None:
            return Progress(article_id=article_id, annotator=annotator, status="todo")
        return Progress(
            article_id=article_id,
            annotator=annotator,
            status=row.status,
            note=row.note,
            seconds=row.seconds,
        )

    def set_status(
        self,
        article_id: int,
        *,
        annotator: str,
        status: str,
        note: str = "",
        add_seconds: float = 0.0,
    ) -> Progress:
        """Set an annotator's status of an article; returns the previous progress (for undo)."""
        edit = StatusEdit(status, note, add_seconds)
        result = self.edits.apply_edits(EditSet(article_id, annotator, status=edit))
        assert result.status_before is not None
        return result.status_before
