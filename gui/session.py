"""The GUI's one way to change labels: :meth:`Session.push` an undoable command.

Every edit of the GUI (a key press, a click, accept-all in an article or across the project,
a rejection) is an :class:`gui.undo_commands.EditCommand`. ``push`` applies it (storage
commits before returning) and puts it on the session's undo stack; undo and redo go through
the same stack. The stack is the one place that broadcasts: whenever it moves (push, undo,
redo), :attr:`Session.changed` carries the :class:`Change` of each command that ran, after
its transaction has committed, so a view never shows an edit that is not durable.

The write methods below (``add_span`` ... ``remove_rejections``) are what commands call;
they broadcast nothing themselves. A view that wants to change a label pushes a command.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypedDict, cast

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from core.models import DocSuggestion, Progress, Span
from storage import BulkResult, Project


class What(enum.Flag):
    """What part of an article changed."""

    SPANS = enum.auto()  # the annotator's spans (labels, boilerplate)
    DOC = enum.auto()  # document labels (stance)
    STATUS = enum.auto()  # progress: done, skipped, flagged
    SUGGESTIONS = enum.auto()  # pending suggestions (accepted ones also change SPANS)


@dataclass(frozen=True, slots=True)
class Change:
    """A typed record of one edit: the articles it touched and what changed in them.

    ``article_ids`` may hold many articles (accepting one source across the project); a view
    refreshes every one it shows."""

    article_ids: frozenset[int]
    what: What

    @classmethod
    def of(cls, article_ids: int | Iterable[int], what: What) -> Change:
        ids = frozenset([article_ids] if isinstance(article_ids, int) else article_ids)
        return cls(ids, what)

    def touches(self, article_id: int | None, what: What | None = None) -> bool:
        """True if the change names ``article_id`` (and, if given, any part of ``what``)."""
        named = article_id is not None and article_id in self.article_ids
        return named and (what is None or bool(self.what & what))

    def __or__(self, other: Change) -> Change:
        return Change(self.article_ids | other.article_ids, self.what | other.what)


class Edit(Protocol):
    """What :meth:`Session.push` needs of a command (gui.undo_commands.EditCommand, a
    ``QUndoCommand``): do the edit once, and name what it changed."""

    def apply(self) -> None: ...

    def change(self) -> Change: ...


class SuggestionScope(TypedDict, total=False):
    """What "accept or reject all" covers: one article, one layer, one source, or those
    together (none: every pending suggestion); the keyword arguments of
    ``accept_all``/``reject_all`` in storage."""

    article_id: int
    layer: str
    source: str


class Session(QObject):
    """The project and annotator the window works on, and the undo stack of its edits."""

    changed = Signal(object)  # Change, after the commit
    annotatorChanged = Signal(str)

    def __init__(self, project: Project, annotator: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.annotator = annotator
        project.annotator_id(annotator)  # registers a new annotator at once
        self.undo_stack = QUndoStack(self)
        self._index = 0
        self.undo_stack.indexChanged.connect(self._stack_moved)

    def set_annotator(self, name: str) -> None:
        name = name.strip()
        if name and name != self.annotator:
            self.project.annotator_id(name)
            self.annotator = name
            # Commands belong to the annotator who made them; a new annotator starts afresh.
            self.undo_stack.clear()
            self._index = self.undo_stack.index()
            self.annotatorChanged.emit(name)

    # ---- the one way to edit -------------------------------------------------------------

    def push(self, command: Edit) -> None:
        """Apply ``command`` (committed when this returns), stack it, broadcast its change.

        Raises :class:`storage.LabelError` if storage refuses the edit; a refused edit is not
        stacked and nothing is broadcast. A command that did its work beforehand (a bulk
        decision computed in a background job) applies as a no-op."""
        command.apply()
        # Its first redo() is skipped (applied already); indexChanged then broadcasts.
        self.undo_stack.push(cast(QUndoCommand, command))

    def _stack_moved(self, index: int) -> None:
        """Broadcast the change of every command the stack just ran (one for push, undo and
        redo; several for a jump in the undo view). Runs after each command has committed."""
        before, self._index = self._index, index
        steps = range(before, index) if index > before else range(index, before)
        for i in steps:
            command = self.undo_stack.command(i)
            if command is not None:  # None after clear(): nothing ran
                self.changed.emit(cast(Edit, command).change())

    # ---- reads ---------------------------------------------------------------------------

    def spans(self, article_id: int, *, annotator: str | None = None) -> list[Span]:
        return self.project.navigation.open_state(
            article_id, annotator=annotator or self.annotator
        )[0]

    def open_state(self, article_id: int) -> tuple[list[Span], dict[str, str]]:
        """The annotator's spans and document labels of an article, in one short read."""
        return self.project.navigation.open_state(article_id, annotator=self.annotator)

    def stance(self, article_id: int, *, annotator: str | None = None) -> dict[str, str]:
        return self.project.labels.doc_labels(article_id, annotator=annotator or self.annotator)

    def progress(self, article_id: int, *, annotator: str | None = None) -> Progress:
        return self.project.labels.progress(article_id, annotator=annotator or self.annotator)

    # ---- writes, for commands only (each one committed transaction, no broadcast) --------

    def add_span(
        self, article_id: int, *, annotator: str, layer: str, label: str, start: int, end: int
    ) -> Span:
        """A new span the annotator made; storage gives it its origin (``manual``)."""
        return self.project.labels.add_span(
            article_id, annotator=annotator, layer=layer, label=label, start=start, end=end
        )

    def add_reviewed_span(
        self,
        article_id: int,
        *,
        annotator: str,
        layer: str,
        label: str,
        start: int,
        end: int,
        origin: str,
    ) -> Span:
        """A gold span a reviewer chose (review mode); its origin (``review:<reviewer>``)
        says so, where a span made by hand gets ``manual`` from storage."""
        return self.project.labels.add_span(
            article_id,
            annotator=annotator,
            layer=layer,
            label=label,
            start=start,
            end=end,
            origin=origin,
        )

    def restore_span(self, span: Span) -> Span:
        """Store ``span`` again exactly as it was: label, offsets, origin and, unless another
        writer took it meanwhile, its id (undo of a delete, redo of an add or an accept).
        Returns the span as stored: keep it, its id is the one to delete on the next undo."""
        return self.project.labels.add_span(
            span.article_id,
            annotator=span.annotator,
            layer=span.layer,
            label=span.label,
            start=span.start,
            end=span.end,
            origin=span.origin,
            span_id=span.id,
        )

    def delete_span(self, span_id: int) -> Span:
        return self.project.labels.delete_span(span_id)

    def relabel_span(self, span_id: int, label: str) -> Span:
        return self.project.labels.relabel_span(span_id, label)

    def set_doc_label(
        self, article_id: int, *, annotator: str, key: str, value: str | None
    ) -> str | None:
        return self.project.labels.set_doc_label(
            article_id, annotator=annotator, key=key, value=value
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
        return self.project.labels.set_status(
            article_id, annotator=annotator, status=status, note=note, add_seconds=add_seconds
        )

    def set_review_state(self, article_id: int, state: str | None) -> str | None:
        """An article's place in the review queue (``settled``: a reviewer settled it)."""
        return self.project.agreement.set_review_state(article_id, state)

    def accept_suggestion(self, suggestion_id: int, *, annotator: str) -> Span:
        """The suggestion as the annotator's span; storage gives it its origin."""
        return self.project.suggestions.accept_suggestion(suggestion_id, annotator=annotator)

    def reject_suggestion(self, suggestion_id: int, *, annotator: str) -> int:
        return self.project.suggestions.reject_suggestion(suggestion_id, annotator=annotator)

    def remove_rejections(self, rejection_ids: Iterable[int]) -> int:
        return self.project.suggestions.remove_rejections(rejection_ids)

    def accept_doc_suggestion(self, sg: DocSuggestion, *, annotator: str) -> str | None:
        """A proposed document label (a stance) as the annotator's; storage gives it its
        origin. Returns the previous value."""
        return self.project.suggestions.accept_doc_suggestion(sg, annotator=annotator)

    def reject_doc_suggestion(self, sg: DocSuggestion, *, annotator: str) -> int:
        return self.project.suggestions.reject_doc_suggestion(
            sg.article_id, annotator=annotator, key=sg.key, value=sg.value
        )

    def remove_doc_rejections(self, rejection_ids: Iterable[int]) -> int:
        return self.project.suggestions.remove_doc_rejections(rejection_ids)

    def decide_all(self, *, accept: bool, annotator: str, scope: SuggestionScope) -> BulkResult:
        """Accept or reject every pending suggestion of ``scope`` (article_id, layer, source);
        safe to call from a background job (it touches no Qt object)."""
        run = self.project.suggestions.accept_all if accept else self.project.suggestions.reject_all
        return run(annotator=annotator, **scope)

    def undo_decide_all(self, result: BulkResult, *, accept: bool) -> None:
        if accept:
            self.project.suggestions.remove_spans(result.span_ids)
        else:
            self.project.suggestions.remove_rejections(result.rejection_ids)
