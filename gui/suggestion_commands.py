"""Undo commands for suggestions: accept or reject one, accept or reject many.

They follow gui.undo_commands: the edit is applied (and committed) before the command is
pushed, undo and redo re-open the command's article first. Suggestions are not spans, so
these call ``storage.Project`` for what ``Session`` has no method for, and then emit the
session's ``changed`` broadcast themselves so that every view refreshes as after any edit.
"""

from __future__ import annotations

from core.models import Suggestion
from gui.session import Change
from gui.undo_commands import AddSpan, CommandContext, EditCommand
from storage import BulkResult

#: The ``Change.what`` of an edit that touched only suggestions (rejections).
SUGGESTIONS = "suggestions"


def _describe(sg: Suggestion) -> str:
    return sg.label if sg.layer == "entity" else sg.layer


class AcceptSuggestion(AddSpan):
    """The suggestion becomes the annotator's span, with origin ``suggestion:<source>``."""

    def __init__(self, ctx: CommandContext, sg: Suggestion) -> None:
        super().__init__(
            ctx,
            sg.article_id,
            layer=sg.layer,
            label=sg.label,
            start=sg.start,
            end=sg.end,
            origin=f"suggestion:{sg.source}"[:200],
            text=f"Accept {_describe(sg)} suggestion",
        )
        self.sg = sg


class RejectSuggestion(EditCommand):
    """The annotator turns the suggestion down; it is remembered and does not come back."""

    def __init__(self, ctx: CommandContext, sg: Suggestion) -> None:
        super().__init__(ctx, sg.article_id, f"Reject {_describe(sg)} suggestion")
        self.sg = sg
        self.rejection_id: int | None = None

    def apply(self) -> None:
        project = self.ctx.session.project
        self.rejection_id = project.reject_suggestion(self.sg.id, annotator=self.annotator)
        self.ctx.session.changed.emit(Change(self.sg.article_id, SUGGESTIONS))

    def revert(self) -> None:
        if self.rejection_id is not None:
            self.ctx.session.project.remove_rejections([self.rejection_id])
        self.ctx.session.changed.emit(Change(self.sg.article_id, SUGGESTIONS))


class BulkSuggestions(EditCommand):
    """Accept or reject every pending suggestion of a scope (an article, or one source across
    the project). ``done`` carries a result computed before the push (by a background job),
    so that the first apply does not run twice."""

    def __init__(
        self,
        ctx: CommandContext,
        article_id: int,
        *,
        accept: bool,
        scope: dict[str, object],
        text: str,
        done: BulkResult | None = None,
    ) -> None:
        super().__init__(ctx, article_id, text)
        self.accept, self.scope = accept, scope
        self.result = done

    def apply(self) -> None:
        if self.result is None:
            project = self.ctx.session.project
            run = project.accept_all if self.accept else project.reject_all
            self.result = run(annotator=self.annotator, **self.scope)
        self._announce("spans" if self.accept else SUGGESTIONS)

    def revert(self) -> None:
        project = self.ctx.session.project
        if self.result is not None:
            if self.accept:
                project.remove_spans(self.result.span_ids)
            else:
                project.remove_rejections(self.result.rejection_ids)
        self.result = None  # redo runs the bulk edit again (new span ids)
        self._announce("spans" if self.accept else SUGGESTIONS)

    def _announce(self, what: str) -> None:
        self.ctx.session.changed.emit(Change(self.article_id, what))
