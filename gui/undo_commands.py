"""One small ``QUndoCommand`` per edit, each calling :class:`gui.session.Session`.

An edit is applied (and committed) *before* its command is pushed, so a refused edit (an
overlapping entity, say) never reaches the stack; the first ``redo()`` Qt calls on push is
therefore skipped. Undo and redo re-open the command's article first, so that undoing after
moving on shows the annotator what was undone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QUndoCommand

from core.models import Progress, Span
from gui.session import Session
from storage import LabelError, StorageFault


@dataclass(frozen=True)
class CommandContext:
    """What a command needs besides its own data: the session, a way to show an article,
    and a place to report an undo that storage refused."""

    session: Session
    show_article: Callable[[int], None]
    report: Callable[[str], None]


class EditCommand(QUndoCommand):
    """Base: ``apply()`` does the edit, ``revert()`` takes it back."""

    def __init__(self, ctx: CommandContext, article_id: int, text: str) -> None:
        super().__init__(text)
        self.ctx = ctx
        self.article_id = article_id
        self.annotator = ctx.session.annotator
        self._pushed = False

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True  # applied already, before the push
            return
        self.ctx.show_article(self.article_id)
        self._guard(self.apply)

    def undo(self) -> None:
        self.ctx.show_article(self.article_id)
        self._guard(self.revert)

    def _guard(self, step: Callable[[], None]) -> None:
        try:
            step()
        except LabelError as exc:
            # Someone changed the labels behind the stack's back (another window, the CLI).
            self.ctx.report(f"Could not {self.text().lower()}: {exc}")
        except StorageFault as exc:
            self.ctx.report(f"Could not {self.text().lower()}: {exc}")


class AddSpan(EditCommand):
    def __init__(
        self,
        ctx: CommandContext,
        article_id: int,
        *,
        layer: str,
        label: str,
        start: int,
        end: int,
        origin: str = "manual",
        text: str | None = None,
    ) -> None:
        super().__init__(ctx, article_id, text or f"Label {label}")
        self.layer, self.label, self.start, self.end = layer, label, start, end
        self.origin = origin
        self.span_id: int | None = None

    def apply(self) -> None:
        span = self.ctx.session.add_span(
            self.article_id,
            annotator=self.annotator,
            layer=self.layer,
            label=self.label,
            start=self.start,
            end=self.end,
            origin=self.origin,
            span_id=self.span_id,  # redo re-creates the span under the same id
        )
        self.span_id = span.id

    def revert(self) -> None:
        assert self.span_id is not None
        self.ctx.session.delete_span(self.span_id)


class DeleteSpan(EditCommand):
    def __init__(self, ctx: CommandContext, span: Span) -> None:
        super().__init__(ctx, span.article_id, f"Remove {span.label}")
        self.span = span

    def apply(self) -> None:
        self.ctx.session.delete_span(self.span.id)

    def revert(self) -> None:
        s = self.span
        self.ctx.session.add_span(
            s.article_id,
            annotator=s.annotator,
            layer=s.layer,
            label=s.label,
            start=s.start,
            end=s.end,
            span_id=s.id,
        )


class RelabelSpan(EditCommand):
    def __init__(self, ctx: CommandContext, span: Span, label: str) -> None:
        super().__init__(ctx, span.article_id, f"Relabel {span.label} as {label}")
        self.span, self.label = span, label

    def apply(self) -> None:
        self.ctx.session.relabel_span(self.span.id, self.label)

    def revert(self) -> None:
        self.ctx.session.relabel_span(self.span.id, self.span.label)


class SetDocLabel(EditCommand):
    def __init__(
        self,
        ctx: CommandContext,
        article_id: int,
        *,
        key: str,
        value: str | None,
        previous: str | None,
    ) -> None:
        super().__init__(ctx, article_id, f"Set {key} to {value or 'nothing'}")
        self.key, self.value, self.previous = key, value, previous

    def apply(self) -> None:
        self.ctx.session.set_doc_label(
            self.article_id, annotator=self.annotator, key=self.key, value=self.value
        )

    def revert(self) -> None:
        self.ctx.session.set_doc_label(
            self.article_id, annotator=self.annotator, key=self.key, value=self.previous
        )


class SetStatus(EditCommand):
    def __init__(
        self,
        ctx: CommandContext,
        article_id: int,
        *,
        status: str,
        note: str,
        previous: Progress,
        seconds: float = 0.0,
    ) -> None:
        super().__init__(ctx, article_id, f"Mark {status}")
        self.status, self.note, self.previous, self.seconds = status, note, previous, seconds

    def apply(self) -> None:
        self.ctx.session.set_status(
            self.article_id,
            annotator=self.annotator,
            status=self.status,
            note=self.note,
            add_seconds=self.seconds,
        )
        self.seconds = 0.0  # time is counted once, not again on redo

    def revert(self) -> None:
        self.ctx.session.set_status(
            self.article_id,
            annotator=self.annotator,
            status=self.previous.status,
            note=self.previous.note,
        )


class EditGroup(EditCommand):
    """Several edits of one article as one undo step (e.g. marking three lines boilerplate)."""

    def __init__(
        self, ctx: CommandContext, article_id: int, text: str, parts: list[EditCommand]
    ) -> None:
        super().__init__(ctx, article_id, text)
        self.parts = parts
        self._applied: list[EditCommand] = []

    def apply(self) -> None:
        # One transaction: a kill in the middle leaves none of the parts, not some of them.
        with self.ctx.session.project.transaction():
            self._applied = []
            try:
                for part in self.parts:
                    part.apply()
                    self._applied.append(part)
            except LabelError:
                for part in reversed(self._applied):
                    part.revert()  # the views see the parts go again; the rollback follows
                raise

    def revert(self) -> None:
        with self.ctx.session.project.transaction():
            for part in reversed(self.parts):
                part.revert()
