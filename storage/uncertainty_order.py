"""The to-do queue "most uncertain first": the project's order setting, the article "done,
next" opens under it, and the figures the list shows and sorts by.

After each training :mod:`storage.learning` writes how unsure its model is about every
article not labelled yet (the ``uncertainty`` table). Everything here only reads those
figures, and the navigation, the list and the list's order box all ask for them. Kept apart
from training as a part of its own (``project.ordering``), so that those callers depend on a
few reads instead of on the learning part, and the order is found and changed in one place.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, cast

import peewee as pw

from core.learn.record import ENTITY
from storage.errors import ProjectError
from storage.models import ModelClass, make_learning_models
from storage.part import ProjectPart

if TYPE_CHECKING:
    from storage.assignments import Assignments
    from storage.labels import Labels
    from storage.part import ProjectCore

#: Articles per query of :meth:`UncertaintyOrder.uncertainties`.
_CHUNK = 500
ORDER_IMPORTED, ORDER_UNCERTAIN = "imported", "uncertain"
ORDERS = (ORDER_IMPORTED, ORDER_UNCERTAIN)
#: Share of "most uncertain first" picks drawn at random instead (seeded per annotator and
#: progress, so a pick is the same when asked twice).
RANDOM_SHARE = 0.2


class UncertaintyOrder(ProjectPart):
    """``project.ordering``: reads the stored models' uncertainty; uses the project's settings
    and annotator ids, ``project.labels.done_count`` (it seeds the random picks) and
    ``project.team.assigned_condition`` (an annotator's queue)."""

    _learning_tables: tuple[ModelClass, ModelClass] | None = None

    def __init__(self, project: ProjectCore, *, labels: Labels, team: Assignments) -> None:
        super().__init__(project)
        self.labels = labels
        self.team = team

    def _learning(self) -> tuple[ModelClass, ModelClass]:
        if self._learning_tables is None:
            self._learning_tables = make_learning_models(self.db)
        return self._learning_tables

    # ---- the setting -----------------------------------------------------------------------

    def next_todo_order(self) -> str:
        """``imported`` (id order) or ``uncertain`` (most uncertain first, some random)."""
        return str(self.project.get_setting("learn.order", ORDER_IMPORTED))

    def set_next_todo_order(self, order: str) -> None:
        if order not in ORDERS:
            raise ProjectError(f"unknown order {order!r}; use {' or '.join(ORDERS)}")
        self.project.set_setting("learn.order", order)

    # ---- the model that orders -------------------------------------------------------------

    def ordering_model(self) -> str | None:
        """The model whose uncertainty orders the queue: the entity model, else the first
        stance model stored; None when there is none."""
        lm, _ = self._learning()
        names = [
            ENTITY if layer == ENTITY else f"stance:{target}"
            for layer, target in lm.select(lm.layer, lm.target)
            .order_by(lm.layer, lm.target)
            .tuples()
        ]
        return names[0] if names else None

    def ordering_uncertainty_rows(self, *, ids_only: bool = False) -> pw.ModelSelect:
        """``(aid, value)`` of every article under :meth:`ordering_model` (``aid`` alone with
        ``ids_only``), in one query: the article list decorates its pages with it and sorts
        by it."""
        _, unc = self._learning()
        # 'entity' sorts before 'stance': the same choice as ordering_model.
        first = pw.SQL(
            "(SELECT CASE WHEN layer = 'entity' THEN 'entity' ELSE 'stance:' || target END "
            "FROM learned_model ORDER BY layer, target LIMIT 1)"
        )
        fields = [unc.article.alias("aid")]
        if not ids_only:
            fields.append(unc.value.alias("value"))
        return unc.select(*fields).where(unc.model == first)

    def ordering_uncertainties(self, ids: Sequence[int]) -> dict[int, float]:
        """Uncertainty of these articles under :meth:`ordering_model`."""
        _, unc = self._learning()
        rows = self.ordering_uncertainty_rows().where(unc.article.in_(list(ids))).tuples()
        return {int(aid): float(value) for aid, value in cast(Iterable[tuple[int, float]], rows)}

    # ---- the next to do --------------------------------------------------------------------

    def most_uncertain_todo(
        self, annotator: str, *, exclude: int = 0, queue: bool = False
    ) -> int | None:
        """The article ``annotator`` has still to do that the model is least sure about, or,
        for a seeded share of the picks (``RANDOM_SHARE``), one at random, so that the model
        keeps seeing the whole corpus. None when no article to do has an uncertainty."""
        model = self.ordering_model()
        if model is None:
            return None
        _, unc = self._learning()
        a, p = self.m.Article, self.m.Progress
        ann = self.project.annotator_id(annotator)
        finished = p.select(p.id).where(
            p.article == unc.article, p.annotator == ann, p.status != "todo"
        )
        todo = unc.select(unc.article).where(
            unc.model == model, unc.article != exclude, ~pw.fn.EXISTS(finished)
        )
        if queue:  # only among the articles assigned to the annotator
            assigned = a.select(a.id).where(self.team.assigned_condition(annotator))
            todo = todo.where(unc.article.in_(assigned))
        done = self.labels.done_count(annotator)
        rnd = random.Random(f"{annotator}:{done}:{exclude}")
        if rnd.random() < RANDOM_SHARE:
            top = a.select(pw.fn.MAX(a.id)).scalar() or 0
            start = rnd.randint(0, top)
            found = todo.where(unc.article >= start).order_by(unc.article).limit(1).scalar()
            if found is not None:
                return int(found)
        found = todo.order_by(unc.value.desc(), unc.article).limit(1).scalar()
        return None if found is None else int(found)

    # ---- any model's figures ---------------------------------------------------------------

    def uncertainties(self, ids: Sequence[int], *, model: str = ENTITY) -> dict[int, float]:
        """Uncertainty of these articles under ``model`` (``entity`` or ``stance:<target>``);
        an article it has no figure for is left out."""
        _, unc = self._learning()
        out: dict[int, float] = {}
        for i in range(0, len(ids), _CHUNK):
            part = list(ids[i : i + _CHUNK])
            out.update(
                unc.select(unc.article, unc.value)
                .where(unc.model == model, unc.article.in_(part))
                .tuples()
            )
        return out
