"""What the app asks about near-duplicate groups once they are made: how many others an
article's group holds (the list's column), the others themselves (the article's bar,
carrying labels to them), the first of each group (the list's "first of each group"
filter) and every group of two or more (exports keep a group on one side of a split).

The groups are made by :class:`storage.near_duplicates.NearDuplicateGroups`, which sees the
table's layout described there: one row per grouped article, its ``group_id`` the smallest
article id of its group (an article alone has its own).
"""

from __future__ import annotations

from typing import Any

import peewee as pw

from storage.models import make_near_duplicate_models
from storage.part import ProjectPart


class NearDuplicateLookup(ProjectPart):
    """Reading the groups, a piece of ``project.near_duplicates``."""

    def _nd_model(self) -> Any:
        model = getattr(self, "_near_duplicate_model", None)
        if model is None:
            model = make_near_duplicate_models(self.db)
            self._near_duplicate_model = model
        return model

    def first_of_group_condition(self) -> pw.Expression:
        """An article that no group lists under a smaller id (a group's id is its first)."""
        a = self.m.Article
        group_model = self._nd_model()
        later = group_model.select(group_model.article).where(
            group_model.article == a.id, group_model.group_id != a.id
        )
        return ~pw.fn.EXISTS(later)

    def near_duplicate_counts(self, ids: list[int]) -> dict[int, int]:
        """For these articles, how many other articles their group holds (absent: none).
        One query, so that decorating a page of the list stays a fixed number of them."""
        group_model = self._nd_model()
        mate = group_model.alias("mate")
        query = (
            group_model.select(group_model.article, pw.fn.COUNT(mate.article))
            .join(mate, on=(mate.group_id == group_model.group_id))
            .where(group_model.article.in_(ids))
            .group_by(group_model.article)
            .tuples()
        )
        return {aid: n - 1 for aid, n in query if n > 1}

    def near_duplicates_of(self, article_id: int) -> list[int]:
        """The other articles of ``article_id``'s group, by id (empty: none, or not grouped
        yet)."""
        group_model = self._nd_model()
        gid = (
            group_model.select(group_model.group_id)
            .where(group_model.article == article_id)
            .scalar()
        )
        if gid is None:
            return []
        return [
            aid
            for (aid,) in group_model.select(group_model.article)
            .where(group_model.group_id == gid, group_model.article != article_id)
            .order_by(group_model.article)
            .tuples()
        ]

    def near_duplicate_group_ids(self) -> dict[int, int]:
        """Article id -> group id, for the articles in groups of two or more."""
        group_model = self._nd_model()
        return dict(
            group_model.select(group_model.article, group_model.group_id)
            .where(group_model.group_id.in_(self._shared_group_ids()))
            .tuples()
        )

    def _shared_group_ids(self) -> pw.ModelSelect:
        """The ids of the groups of two or more articles, as a subquery: a million grouped
        articles, nearly all alone, are not read one by one."""
        group_model = self._nd_model()
        return (
            group_model.select(group_model.group_id)
            .group_by(group_model.group_id)
            .having(pw.fn.COUNT(group_model.article) > 1)
        )

    def near_duplicate_groups(self) -> list[list[int]]:
        """Every group of two or more articles (ids ascending), largest first."""
        group_model = self._nd_model()
        members: dict[int, list[int]] = {}
        query = (
            group_model.select(group_model.group_id, group_model.article)
            .where(group_model.group_id.in_(self._shared_group_ids()))
            .order_by(group_model.article)
            .tuples()
        )
        for gid, aid in query:
            members.setdefault(gid, []).append(aid)
        return sorted(members.values(), key=lambda m: (-len(m), m[0]))
