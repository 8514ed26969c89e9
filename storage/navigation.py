"""Moving through a project's articles: next, previous, next to do, and how many are done.

The workspace walks articles in list order (ids ascending, keyset queries: fast at any depth
and never reading bodies), so that J/K and "done, next" cost the same on 1,000 or 1,000,000
articles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import peewee as pw

from core.models import Span
from core.query import ArticleFilter
from storage.part import ProjectPart

if TYPE_CHECKING:
    from storage.models import Models


class NavigationMixin(ProjectPart):
    """Mixed into ``Project``; relies on its ``m``, ``_filtered``, ``annotator_id`` and
    ``_assigned_condition``."""

    m: Models

    if TYPE_CHECKING:  # provided by Project

        def _filtered(self, flt: ArticleFilter) -> pw.ModelSelect: ...
        def _assigned_condition(self, annotator: str) -> pw.Function: ...

    def first_article_id(self, flt: ArticleFilter | None = None) -> int | None:
        return self.next_article_id(0, flt)

    def next_article_id(self, after_id: int, flt: ArticleFilter | None = None) -> int | None:
        """The id following ``after_id`` in list order, or ``None`` at the end."""
        a = self.m.Article
        query = self._filtered(flt or ArticleFilter()).select(a.id).where(a.id > after_id)
        return query.order_by(a.id).limit(1).scalar()

    def previous_article_id(self, before_id: int, flt: ArticleFilter | None = None) -> int | None:
        """The id preceding ``before_id`` in list order, or ``None`` at the start."""
        a = self.m.Article
        query = self._filtered(flt or ArticleFilter()).select(a.id).where(a.id < before_id)
        return query.order_by(a.id.desc()).limit(1).scalar()

    def next_todo_id(self, annotator: str, *, after_id: int = 0, queue: bool = False) -> int | None:
        """The next article ``annotator`` has still to do after ``after_id``, wrapping round
        to the start; ``None`` when nothing is left to do. With ``queue``, only among the
        articles assigned to them. With the project's order set to most uncertain first
        (``storage.learning``), the model's pick comes first."""
        if self.next_todo_order() == "uncertain":  # type: ignore[attr-defined]
            picked = self.most_uncertain_todo(  # type: ignore[attr-defined]
                annotator, exclude=after_id, queue=queue
            )
            if picked is not None:
                return picked
        found = self._first_todo(annotator, after_id, queue)
        if found is None and after_id:
            found = self._first_todo(annotator, 0, queue)
            if found == after_id:
                return None  # only the article we came from is left
        return found

    def _first_todo(self, annotator: str, after_id: int, queue: bool = False) -> int | None:
        # NOT EXISTS on the (article, annotator) index walks ids from after_id and stops at
        # the first one not yet finished: the cost grows with the run of finished articles
        # after the current one, not with how many the annotator has finished in all.
        a, p = self.m.Article, self.m.Progress
        finished = p.select(p.id).where(
            p.article == a.id, p.annotator == self.annotator_id(annotator), p.status != "todo"
        )
        query = a.select(a.id).where(a.id > after_id, ~pw.fn.EXISTS(finished))
        if queue:
            query = query.where(self._assigned_condition(annotator))
        return query.order_by(a.id).limit(1).scalar()

    def done_count(self, annotator: str) -> int:
        """Articles ``annotator`` has marked done (what the status bar's "n of N" counts)."""
        p = self.m.Progress
        return (
            p.select(pw.fn.COUNT(p.id))
            .where(p.annotator == self.annotator_id(annotator), p.status == "done")
            .scalar()
        )

    def open_state(self, article_id: int, *, annotator: str) -> tuple[list[Span], dict[str, str]]:
        """What the workspace shows on opening an article for ``annotator``: their spans in
        text order and their document labels, read as plain tuples (the view opens an
        article on every J/K press, so it skips building model instances)."""
        ann = self.annotator_id(annotator)
        s, d = self.m.Span, self.m.DocLabel
        rows = (
            s.select(s.id, s.layer, s.label, s.start, s.end, s.origin)
            .where(s.article == article_id, s.annotator == ann)
            .order_by(s.start, s.end, s.id)
            .tuples()
        )
        spans = [
            Span(
                id=r[0],
                article_id=article_id,
                annotator=annotator,
                layer=r[1],
                label=r[2],
                start=r[3],
                end=r[4],
                origin=r[5],
            )
            for r in rows
        ]
        docs = d.select(d.key, d.value).where(d.article == article_id, d.annotator == ann)
        return spans, dict(docs.tuples())
