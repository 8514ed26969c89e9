"""The workspace's state: the open project and the annotator, and one "changed" broadcast.

Every label operation of the GUI goes through :class:`Session`: it calls ``storage.Project``
(which commits before returning) and only then emits :attr:`Session.changed`, so a view never
shows an edit that is not yet durable. Views refresh only what the :class:`Change` names.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from core.models import Progress, Span
from storage import Project


@dataclass(frozen=True, slots=True)
class Change:
    """What changed: ``what`` is ``"spans"``, ``"doc"`` (stance) or ``"status"``."""

    article_id: int
    what: str


class Session(QObject):
    """The project and annotator the window works on; all edits pass through here."""

    changed = Signal(object)  # Change
    annotatorChanged = Signal(str)

    def __init__(self, project: Project, annotator: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.annotator = annotator
        project.annotator_id(annotator)  # registers a new annotator at once

    def set_annotator(self, name: str) -> None:
        name = name.strip()
        if name and name != self.annotator:
            self.project.annotator_id(name)
            self.annotator = name
            self.annotatorChanged.emit(name)

    # ---- reads ---------------------------------------------------------------------------

    def spans(self, article_id: int, *, annotator: str | None = None) -> list[Span]:
        return self.project.open_state(article_id, annotator=annotator or self.annotator)[0]

    def open_state(self, article_id: int) -> tuple[list[Span], dict[str, str]]:
        """The annotator's spans and document labels of an article, in one short read."""
        return self.project.open_state(article_id, annotator=self.annotator)

    def stance(self, article_id: int, *, annotator: str | None = None) -> dict[str, str]:
        return self.project.doc_labels(article_id, annotator=annotator or self.annotator)

    def progress(self, article_id: int, *, annotator: str | None = None) -> Progress:
        return self.project.progress(article_id, annotator=annotator or self.annotator)

    # ---- edits (each one committed transaction, then one broadcast) ---------------------

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
        span = self.project.add_span(
            article_id,
            annotator=annotator,
            layer=layer,
            label=label,
            start=start,
            end=end,
            origin=origin,
            span_id=span_id,
        )
        self.changed.emit(Change(article_id, "spans"))
        return span

    def delete_span(self, span_id: int) -> Span:
        span = self.project.delete_span(span_id)
        self.changed.emit(Change(span.article_id, "spans"))
        return span

    def relabel_span(self, span_id: int, label: str) -> Span:
        before = self.project.relabel_span(span_id, label)
        self.changed.emit(Change(before.article_id, "spans"))
        return before

    def set_doc_label(
        self, article_id: int, *, annotator: str, key: str, value: str | None
    ) -> str | None:
        previous = self.project.set_doc_label(article_id, annotator=annotator, key=key, value=value)
        self.changed.emit(Change(article_id, "doc"))
        return previous

    def set_status(
        self,
        article_id: int,
        *,
        annotator: str,
        status: str,
        note: str = "",
        add_seconds: float = 0.0,
    ) -> Progress:
        previous = self.project.set_status(
            article_id, annotator=annotator, status=status, note=note, add_seconds=add_seconds
        )
        self.changed.emit(Change(article_id, "status"))
        return previous
