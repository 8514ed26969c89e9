"""Label operations of a project: spans, document labels (stance) and progress.

Each call is one committed transaction, so when it returns the label is durable and the GUI
may show it as saved. Offsets are validated against the stored text here, in one place,
whatever the caller (GUI, CLI, labelled import).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import peewee as pw

from core.models import LAYERS, STATUSES, DocLabel, Progress, Span
from storage.errors import LabelError

if TYPE_CHECKING:
    from storage.models import Models


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class LabelMixin:
    """Mixed into ``Project``; relies on its ``m``, ``db``, ``_write`` and ``annotator_id``."""

    m: Models

    def _span(self, row: pw.Model, annotator: str) -> Span:
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

    def _check_span(self, article_id: int, layer: str, label: str, start: int, end: int) -> None:
        if layer not in LAYERS:
            raise LabelError(f"unknown layer {layer!r}; use one of {', '.join(LAYERS)}")
        if not label:
            raise LabelError("a span needs a label")
        length = self.text_length(article_id)
        if not (0 <= start < end <= length):
            raise LabelError(
                f"article {article_id}: span {start}–{end} is outside its text (0–{length})"
            )
        if layer == "entity" and self.schema().entity(label) is None:
            raise LabelError(f"unknown entity label {label!r}; add it to the schema first")

    def _overlapping(
        self,
        article_id: int,
        annotator_id: int,
        layer: str,
        start: int,
        end: int,
        *,
        ignore: int | None = None,
    ) -> pw.Model | None:
        s = self.m.Span
        query = s.select().where(
            s.article == article_id,
            s.annotator == annotator_id,
            s.layer == layer,
            s.start < end,
            s.end > start,
        )
        if ignore is not None:
            query = query.where(s.id != ignore)
        return query.first()

    def add_span(
        self,
        article_id: int,
        *,
        annotator: str,
        layer: str,
        label: str,
        start: int,
        end: int,
        origin: str = "manual",
        span_id: int | None = None,
    ) -> Span:
        """Store a span. Entity spans of one annotator may not overlap; boilerplate may cover
        entities. ``span_id`` re-creates a deleted span under its old id (undo)."""
        self._check_span(article_id, layer, label, start, end)
        ann = self.annotator_id(annotator)
        s = self.m.Span
        with self._write():
            if layer == "entity":
                clash = self._overlapping(article_id, ann, layer, start, end)
                if clash is not None:
                    raise LabelError(
                        f"overlaps the {clash.label} span {clash.start}–{clash.end}; "
                        "remove or shrink that one first"
                    )
            fields = dict(
                article=article_id,
                annotator=ann,
                layer=layer,
                label=label,
                start=start,
                end=end,
                origin=origin,
            )
            if span_id is not None:
                fields["id"] = span_id
            new_id = s.insert(**fields).execute()
        return Span(
            id=span_id or new_id,
            article_id=article_id,
            annotator=annotator,
            layer=layer,
            label=label,
            start=start,
            end=end,
            origin=origin,
        )

    def delete_span(self, span_id: int) -> Span:
        """Remove a span; returns it as it was, so that undo can put it back."""
        s = self.m.Span
        with self._write():
            row = s.get_or_none(s.id == span_id)
            if row is None:
                raise LabelError(f"no span with id {span_id}")
            span = self._span(row, self._annotator_names()[row.annotator_id])
            row.delete_instance()
        return span

    def relabel_span(self, span_id: int, label: str) -> Span:
        """Give a span another label; returns the span as it was before."""
        s = self.m.Span
        with self._write():
            row = s.get_or_none(s.id == span_id)
            if row is None:
                raise LabelError(f"no span with id {span_id}")
            if row.layer == "entity" and self.schema().entity(label) is None:
                raise LabelError(f"unknown entity label {label!r}")
            before = self._span(row, self._annotator_names()[row.annotator_id])
            s.update(label=label, updated=_now()).where(s.id == span_id).execute()
        return before

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
        if key.startswith("stance:"):
            target = self.schema().stance_target(key.split(":", 1)[1])
            if target is None:
                raise LabelError(f"unknown stance target in {key!r}")
            if value is not None and value not in {o.value for o in target.options}:
                raise LabelError(f"{value!r} is not an option of stance target {target.name!r}")
        self.text_length(article_id)  # raises for an unknown article
        ann = self.annotator_id(annotator)
        d = self.m.DocLabel
        with self._write():
            row = d.get_or_none(d.article == article_id, d.annotator == ann, d.key == key)
            previous = row.value if row else None
            if value is None:
                if row:
                    row.delete_instance()
            elif row:
                d.update(value=value, updated=_now()).where(d.id == row.id).execute()
            else:
                d.insert(article=article_id, annotator=ann, key=key, value=value).execute()
        return previous

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
        if status not in STATUSES:
            raise LabelError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
        self.text_length(article_id)
        previous = self.progress(article_id, annotator=annotator)
        ann = self.annotator_id(annotator)
        p = self.m.Progress
        with self._write():
            p.insert(
                article=article_id,
                annotator=ann,
                status=status,
                note=note,
                seconds=previous.seconds + add_seconds,
                updated=_now(),
            ).on_conflict(
                conflict_target=[p.article, p.annotator],
                preserve=[p.status, p.note, p.seconds, p.updated],
            ).execute()
        return previous
