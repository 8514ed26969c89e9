"""Undo commands for suggestions: accept or reject one, accept or reject many.

They follow gui.undo_commands: pushed through :meth:`gui.session.Session.push`, applied (and
committed) before they reach the stack, and broadcast by the session after the commit. None
of them builds an origin: storage gives an accepted span ``suggestion:<source>``, and undo and
redo restore that span exactly as it was stored.
"""

from __future__ import annotations

from core.edits import stance_target
from core.models import DocSuggestion, Span, Suggestion
from gui.session import Change, SuggestionScope, What
from gui.undo_commands import CommandContext, EditCommand
from storage import BulkResult


def _describe(sg: Suggestion) -> str:
    return sg.label if sg.layer == "entity" else sg.layer


class AcceptSuggestion(EditCommand):
    """The suggestion becomes the annotator's span, with the origin storage gives it."""

    what = What.SPANS | What.SUGGESTIONS

    def __init__(self, ctx: CommandContext, sg: Suggestion) -> None:
        super().__init__(ctx, sg.article_id, f"Accept {_describe(sg)} suggestion")
        self.sg = sg
        self.span: Span | None = None

    def apply(self) -> None:
        session = self.ctx.session
        if self.span is None:
            self.span = session.accept_suggestion(self.sg.id, annotator=self.annotator)
        else:  # redo: the span undo removed, same origin (and id, unless it was taken)
            self.span = session.restore_span(self.span)

    def revert(self) -> None:
        assert self.span is not None
        self.ctx.session.delete_span(self.span.id)


class RejectSuggestion(EditCommand):
    """The annotator turns the suggestion down; it is remembered and does not come back."""

    what = What.SUGGESTIONS

    def __init__(self, ctx: CommandContext, sg: Suggestion) -> None:
        super().__init__(ctx, sg.article_id, f"Reject {_describe(sg)} suggestion")
        self.sg = sg
        self.rejection_id: int | None = None

    def apply(self) -> None:
        session = self.ctx.session
        self.rejection_id = session.reject_suggestion(self.sg.id, annotator=self.annotator)

    def revert(self) -> None:
        if self.rejection_id is not None:
            self.ctx.session.remove_rejections([self.rejection_id])


def _describe_doc(sg: DocSuggestion) -> str:
    target = stance_target(sg.key)
    return f"stance {target}: {sg.value}" if target is not None else f"{sg.key}: {sg.value}"


class AcceptDocSuggestion(EditCommand):
    """A proposed stance (a near-duplicate's, or the model's) becomes the annotator's, with
    the origin storage gives it (``suggestion:<source>``); undo clears it again."""

    what = What.DOC | What.SUGGESTIONS

    def __init__(self, ctx: CommandContext, sg: DocSuggestion) -> None:
        super().__init__(ctx, sg.article_id, f"Accept {_describe_doc(sg)}")
        self.sg = sg
        self.previous: str | None = None

    def apply(self) -> None:
        self.previous = self.ctx.session.accept_doc_suggestion(self.sg, annotator=self.annotator)

    def revert(self) -> None:
        self.ctx.session.set_doc_label(
            self.article_id, annotator=self.annotator, key=self.sg.key, value=self.previous
        )


class RejectDocSuggestion(EditCommand):
    """The annotator turns a proposed stance down; it is remembered and does not come back
    (from that source or another)."""

    what = What.DOC | What.SUGGESTIONS

    def __init__(self, ctx: CommandContext, sg: DocSuggestion) -> None:
        super().__init__(ctx, sg.article_id, f"Reject {_describe_doc(sg)}")
        self.sg = sg
        self.rejection_id: int | None = None

    def apply(self) -> None:
        session = self.ctx.session
        self.rejection_id = session.reject_doc_suggestion(self.sg, annotator=self.annotator)

    def revert(self) -> None:
        if self.rejection_id is not None:
            self.ctx.session.remove_doc_rejections([self.rejection_id])


class BulkSuggestions(EditCommand):
    """Accept or reject every pending suggestion of a scope (an article, or one source across
    the project). ``done`` carries a result computed before the push (by a background job),
    so that the first apply does not run twice. Its change names every article it touched."""

    def __init__(
        self,
        ctx: CommandContext,
        article_id: int,
        *,
        accept: bool,
        scope: SuggestionScope,
        text: str,
        done: BulkResult | None = None,
    ) -> None:
        super().__init__(ctx, article_id, text)
        self.accept, self.scope = accept, scope
        self.result = done
        self.what = What.SPANS | What.SUGGESTIONS if accept else What.SUGGESTIONS
        self.touched: set[int] = set(done.article_ids) if done else set()

    def apply(self) -> None:
        if self.result is None:
            self.result = self.ctx.session.decide_all(
                accept=self.accept, annotator=self.annotator, scope=self.scope
            )
            self.touched |= self.result.article_ids

    def revert(self) -> None:
        if self.result is not None:
            self.ctx.session.undo_decide_all(self.result, accept=self.accept)
        self.result = None  # redo runs the bulk edit again (new span ids)

    def change(self) -> Change:
        return Change.of({self.article_id, *self.touched} - {0}, self.what)
