"""Undo commands of review mode: accept an item into gold, settle an article.

They follow gui.undo_commands: pushed through :meth:`gui.session.Session.push`, applied (and
committed) before they reach the stack, and broadcast by the session after the commit. They
live apart from review mode (gui.review_mode), which builds them from the reviewer's keys, so
that every command that changes labels sits in a commands module and the mode keeps only its
panel and its decisions. The mode hands in the origin (``review:<reviewer>``); redo restores
the span undo removed exactly as it was stored.
"""

from __future__ import annotations

from core.models import Span
from core.review import Item
from gui.session import What
from gui.undo_commands import CommandContext, EditCommand


class SettleReview(EditCommand):
    """Settle the article by hand: out of the review queue for good (adjudication leaves it
    alone from now on)."""

    what = What.STATUS

    def __init__(self, ctx: CommandContext, article_id: int) -> None:
        super().__init__(ctx, article_id, "Settle review")
        self.previous: str | None = None

    def apply(self) -> None:
        self.previous = self.ctx.session.set_review_state(self.article_id, "settled")

    def revert(self) -> None:
        self.ctx.session.set_review_state(self.article_id, self.previous)


class AcceptIntoGold(EditCommand):
    """A span the reviewer accepted into gold, with the origin ``review:<reviewer>``; redo
    restores the very span undo removed (as :class:`gui.undo_commands.AddSpan` does)."""

    def __init__(self, ctx: CommandContext, article_id: int, item: Item, origin: str) -> None:
        super().__init__(ctx, article_id, f"Accept {item.label}")
        self.item, self.origin = item, origin
        self.span: Span | None = None

    def apply(self) -> None:
        session = self.ctx.session
        if self.span is None:
            item = self.item
            self.span = session.add_reviewed_span(
                self.article_id,
                annotator=self.annotator,
                layer=item.layer,
                label=item.label,
                start=item.start,
                end=item.end,
                origin=self.origin,
            )
        else:
            self.span = session.restore_span(self.span)

    def revert(self) -> None:
        assert self.span is not None
        self.ctx.session.delete_span(self.span.id)
