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
from storage.uncertainty_order import ORDER_UNCERTAIN

if TYPE_CHECKING:
    from storage.assignments import Assignments
    from storage.part import ProjectCore
    from storage.uncertainty_order import UncertaintyOrder

    pass


class Navigation(ProjectPart):
    """``project.navigation``: next/previous article and the next to do; uses the project's
    article filter, ``project.team.assigned_condition`` and ``project.ordering``."""

    def __init__(
        self, project: ProjectCore, *, team: Assignments, ordering: UncertaintyOrder
    ) -> None:
        super().__init__(project)
        self.team = team
        self.ordering = ordering

    def first_article_id(self, flt: ArticleFilter | None = None) -> int | None:
        return self.next_article_id(0, flt)

    def next_article_id(self, after_id: int, flt: ArticleFilter | None = None) -> int | None:
        """The id following ``after_id`` in list order, or ``None`` at the end."""
        a = self.m.Article
        query = self.project.filtered(flt or ArticleFilter()).select(a.id).where(a.id > after_id)
        return query.order_by(a.id).limit(1).scalar()

    def previous_article_id(self, before_id: int, flt: ArticleFilter | None = None) -> int | None:
        """The id preceding ``before_id`` in list order, or ``None`` at the start."""
        a = self.m.Article
        query = self.project.filtered(flt or ArticleFilter()).select(a.id).where(a.id < before_id)
        return query.order_by(a.id.desc()).limit(1).scalar()

    def next_todo_id(self, annotator: str, *, after_id: int = 0, queue: bool = False) -> int | None:
        """The next article ``annotator`` has still to do after ``after_id``, wrapping round
        to the start; ``None`` when nothing is left to do. With ``queue``, only among the
        articles assigned to them. With the project's order set to most uncertain first
        (``storage.uncertainty_order``), the model's pick comes first."""
        if self.ordering.next_todo_order() == ORDER_UNCERTAIN:
            picked = self.ordering.most_uncertain_todo(annotator, exclude=after_id, queue=queue)
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
            p.article == a.id,
            p.annotator == self.project.annotator_id(annotator),
            p.status != "todo",
        )
        query = a.select(a.id).where(a.id > after_id, ~pw.fn.EXISTS(finished))
        if queue:
            query = query.where(self.team.assigned_condition(annotator))
        return query.order_by(a.id).limit(1).scalar()

    def open_state(self, article_id: int, *, annotator: str) -> tuple[list[Span], dict[str, str]]:
        """What the workspace shows on opening an article for ``annotator``: their spans in
        text order and their document labels, read as plain tuples (the view opens an
        article on every J/K press, so it skips building model instances)."""
        ann = self.project.annotator_id(annotator)
        d = self.m.DocLabel
        # One plain cursor: peewee's row processing cost ~12 ms of CPU for 1,000 spans.
        p = self.db.param
        cursor = self.db.execute_sql(
            'SELECT id, layer, label, start, "end", origin FROM span '
            f'WHERE article_id = {p} AND annotator_id = {p} ORDER BY start, "end", id',
            (article_id, ann),
        )
        spans = [
            Span(
                id=sid,
                article_id=article_id,
                annotator=annotator,
                layer=layer,
                label=label,
                start=start,
                end=end,
                origin=origin,
            )
            for sid, layer, label, start, end, origin in cursor.fetchall()
        ]
        docs = d.select(d.key, d.value).where(d.article == article_id, d.annotator == ann)
        return spans, dict(docs.tuples())
