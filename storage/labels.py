"""Label operations of a project: spans, document labels (stance) and progress.

Each call is one committed transaction, so when it returns the label is durable and the GUI
may show it as saved. Offsets are validated against the stored text here, in one place,
whatever the caller (GUI, CLI, labelled import).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.edits import MANUAL, EditResult, EditSet, NewSpan, StatusEdit
from core.models import DocLabel, Progress, Span
from storage.errors import LabelError
from storage.part import ProjectPart

if TYPE_CHECKING:
    from storage.models import Models


class LabelMixin(ProjectPart):
    """Mixed into ``Project``: reads of labels, and the one-item edits, each a thin caller of
    ``apply_edits`` (storage.edits), the one write path."""

    m: Models

    if TYPE_CHECKING:  # provided by Project and storage.edits.EditMixin

        def annotator_id(self, name: str) -> int: ...
        def apply_edits(self, edits: EditSet, *, strict: bool = True) -> EditResult: ...

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

    def _annotator_names(self) -> dict[int, str]:
        a = self.m.Annotator
        return dict(a.select(a.id, a.name).tuples())

    def spans(
        self, article_id: int, *, annotator: str | None = None, layer: str | None = None
    ) -> list[Span]:
        """Spans of an article in text order."""
        s = self.m.Span
        query = s.select().where(s.article == article_id)
        if annotator is not None:
            query = query.where(s.annotator == self.annotator_id(annotator))
        if layer is not None:
            query = query.where(s.layer == layer)
        names = self._annotator_names()
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
        result = self.apply_edits(EditSet(article_id, annotator, add=(new,)))
        return result.added[0]

    def _span_owner(self, span_id: int) -> tuple[int, str]:
        s = self.m.Span
        row = s.select(s.article, s.annotator).where(s.id == span_id).tuples().first()
        if row is None:
            raise LabelError(f"no span with id {span_id}")
        return row[0], self._annotator_names()[row[1]]

    def delete_span(self, span_id: int) -> Span:
        """Remove a span; returns it exactly as it was (origin included), so that undo can put
        it back with ``apply_edits(core.edits.restore(span))`` or ``add_span``."""
        article_id, annotator = self._span_owner(span_id)
        result = self.apply_edits(EditSet(article_id, annotator, delete=(span_id,)))
        return result.deleted[0]

    def relabel_span(self, span_id: int, label: str) -> Span:
        """Give a span another label; returns the span as it was before."""
        article_id, annotator = self._span_owner(span_id)
        result = self.apply_edits(EditSet(article_id, annotator, relabel=((span_id, label),)))
        return result.relabelled[0]

    # ---- document labels (stance) --------------------------------------------------------

    def doc_labels(self, article_id: int, *, annotator: str) -> dict[str, str]:
        d = self.m.DocLabel
        rows = d.select(d.key, d.value).where(
            d.article == article_id, d.annotator == self.annotator_id(annotator)
        )
        return dict(rows.tuples())

    def set_doc_label(
        self, article_id: int, *, annotator: str, key: str, value: str | None
    ) -> str | None:
        """Set (or with ``None`` clear) one document label; returns the previous value."""
        result = self.apply_edits(EditSet(article_id, annotator, doc=((key, value),)))
        return result.doc_before[key]

    def all_doc_labels(self, article_id: int) -> list[DocLabel]:
        d = self.m.DocLabel
        names = self._annotator_names()
        return [
            DocLabel(
                article_id=article_id, annotator=names[r.annotator_id], key=r.key, value=r.value
            )
            for r in d.select().where(d.article == article_id).order_by(d.key)
        ]

    # ---- progress ------------------------------------------------------------------------

    def progress(self, article_id: int, *, annotator: str) -> Progress:
        p = self.m.Progress
        row = p.get_or_none(p.article == article_id, p.annotator == self.annotator_id(annotator))
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
        result = self.apply_edits(EditSet(article_id, annotator, status=edit))
        assert result.status_before is not None
        return result.status_before
