"""One small ``QUndoCommand`` per edit, each calling :class:`gui.session.Session`'s writes.

A command is pushed with :meth:`Session.push`, which applies (and commits) it *before* it
reaches the stack, so a refused edit (an overlapping entity, say) never does; the first
``redo()`` Qt calls on push is therefore skipped. Undo and redo re-open the command's article
first, so that undoing after moving on shows the annotator what was undone. Each command
names what it changed (:meth:`EditCommand.change`); the session broadcasts that after the
commit. Undo restores a deleted span exactly as it was, origin included
(:meth:`Session.restore_span`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QUndoCommand

from core.models import Progress, Span
from gui.session import Change, Session, What
from storage import LabelError, StorageFault


@dataclass(frozen=True)
class CommandContext:
    """What a command needs besides its own data: the session, a way to show an article,
    and a place to report an undo that storage refused."""

    session: Session
    show_article: Callable[[int], None]
    report: Callable[[str], None]


class EditCommand(QUndoCommand):
    """Base: ``apply()`` does the edit, ``revert()`` takes it back, ``change()`` names it."""

    #: What an edit of this kind changes in its article.
    what = What.SPANS

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

    def change(self) -> Change:
        return Change.of(self.article_id, self.what)

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True  # applied already, before the push
            return
        self._show()
        self._guard(self.apply)

    def undo(self) -> None:
        self._show()
        self._guard(self.revert)

    def _show(self) -> None:
        if self.article_id:  # 0: a project-wide edit made with no article open
            self.ctx.show_article(self.article_id)

    def _guard(self, step: Callable[[], None]) -> None:
        try:
            step()
        except LabelError as exc:
            # Someone changed the labels behind the stack's back (another window, the CLI).
            self.ctx.report(f"Could not {self.text().lower()}: {exc}")
        except StorageFault as exc:
            self.ctx.report(f"Could not {self.text().lower()}: {exc}")


class AddSpan(EditCommand):
    """A span the annotator made (origin ``manual``, given by storage); redo restores the very
    span undo removed, same id."""

    def __init__(
        self,
        ctx: CommandContext,
        article_id: int,
        *,
        layer: str,
        label: str,
        start: int,
        end: int,
        text: str | None = None,
    ) -> None:
        super().__init__(ctx, article_id, text or f"Label {label}")
        self.layer, self.label, self.start, self.end = layer, label, start, end
        self.span: Span | None = None

    def apply(self) -> None:
        session = self.ctx.session
        if self.span is None:
            self.span = session.add_span(
                self.article_id,
                annotator=self.annotator,
                layer=self.layer,
                label=self.label,
                start=self.start,
                end=self.end,
            )
        else:  # redo: the span undo removed, as it was (its id may be new, see restore_span)
            self.span = session.restore_span(self.span)

    def revert(self) -> None:
        assert self.span is not None
        self.ctx.session.delete_span(self.span.id)


class DeleteSpan(EditCommand):
    def __init__(self, ctx: CommandContext, span: Span) -> None:
        super().__init__(ctx, span.article_id, f"Remove {span.label}")
        self.span = span

    def apply(self) -> None:
        self.ctx.session.delete_span(self.span.id)

    def revert(self) -> None:
        # Exactly as it was, origin included; under a new id if another writer took the old
        # one (storage says which), so that redo deletes the right span.
        self.span = self.ctx.session.restore_span(self.span)


class RelabelSpan(EditCommand):
    def __init__(self, ctx: CommandContext, span: Span, label: str) -> None:
        super().__init__(ctx, span.article_id, f"Relabel {span.label} as {label}")
        self.span, self.label = span, label

    def apply(self) -> None:
        self.ctx.session.relabel_span(self.span.id, self.label)

    def revert(self) -> None:
        self.ctx.session.relabel_span(self.span.id, self.span.label)


class SetDocLabel(EditCommand):
    what = What.DOC

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
    what = What.STATUS

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

    def change(self) -> Change:
        change = Change.of(self.article_id, What(0))
        for part in self.parts:
            change = change | part.change()
        return change

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
                    part.revert()  # then the rollback; nothing was broadcast
                raise

    def revert(self) -> None:
        with self.ctx.session.project.transaction():
            for part in reversed(self.parts):
                part.revert()
