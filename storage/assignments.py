"""Assignments: which annotator is to label which article, and how far each one has got.

The rule that shares articles out is :mod:`core.assign`; this module finds the articles to
share, writes the plan in one set-based insert, moves unfinished work between annotators
with one ``INSERT ... SELECT`` and one ``DELETE``, and counts progress with grouped queries
(a handful of statements whatever the size of the project).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import peewee as pw

from core.assign import AssignError, AssignPlan, plan_assignment
from core.query import ArticleFilter
from core.team import TeamRow, TeamStats, team_stats
from storage.database import is_sqlite
from storage.errors import AccessDenied, ProjectError
from storage.migrations import PROJECT_ID_KEY
from storage.models import ModelClass, make_assignment_model
from storage.part import ProjectPart

if TYPE_CHECKING:
    from storage.edits import Edits

    pass

_INSERT_BATCH = 5000


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Assignments(ProjectPart):
    """Assignments, a piece of ``project.team``; uses the project's article filter and
    ``project.edits.access``."""

    edits: Edits

    @property
    def _assignment(self) -> ModelClass:
        model = self.__dict__.get("_assignment_model")
        if model is None:
            model = make_assignment_model(self.db, self.m)
            self.__dict__["_assignment_model"] = model
        return model

    def project_id(self) -> str:
        """The id this project was given when created (or migrated): packages carry it."""
        meta = self.m.Meta
        row = meta.get_or_none(meta.key == PROJECT_ID_KEY)
        if row is None:  # pragma: no cover - every migrated project has one
            raise ProjectError(f"{self.name}: the project has no id")
        return row.value

    def require_lead(self, what: str) -> None:
        """Refuse ``what`` unless the caller is a lead, once the project has one (roles
        and who is editing come from the edit path: ``Project.edits.access``)."""
        access = self.edits.access()
        if access.guarded and not access.is_lead():
            who = access.actor or "an unnamed user"
            raise AccessDenied(f"{self.name}: only a lead may {what}; {who} is not one")

    # ---- giving out work -----------------------------------------------------------------

    def plan_assignment(
        self,
        annotators: Sequence[str],
        *,
        overlap: float = 0.0,
        per_overlap: int = 2,
        seed: int = 0,
        flt: ArticleFilter | None = None,
    ) -> AssignPlan:
        """What :meth:`assign` would add, without writing anything (the GUI's preview)."""
        x, a = self._assignment, self.m.Article
        unassigned = ~pw.fn.EXISTS(x.select(x.id).where(x.article == a.id))
        query = self.project.filtered(flt or ArticleFilter()).select(a.id).where(unassigned)
        sql, params = query.sql()
        # Plain rows: peewee's row wrapper costs ~10 µs an id, a second per 100,000.
        ids = [r[0] for r in self.db.execute_sql(sql, params).fetchall()]
        loads = self.assignment_counts()
        try:
            return plan_assignment(
                ids, annotators, overlap=overlap, per_overlap=per_overlap, seed=seed, loads=loads
            )
        except AssignError as exc:
            raise ProjectError(str(exc)) from exc

    def assign(
        self,
        annotators: Sequence[str],
        *,
        overlap: float = 0.0,
        per_overlap: int = 2,
        seed: int = 0,
        flt: ArticleFilter | None = None,
    ) -> AssignPlan:
        """Give every article matching ``flt`` that nobody holds yet to the annotators; a
        re-run therefore only shares out what was imported since. One transaction."""
        self.require_lead("assign articles")
        with self._write():
            plan = self.plan_assignment(
                annotators, overlap=overlap, per_overlap=per_overlap, seed=seed, flt=flt
            )
            ids = {name: self.project.annotator_id(name) for name in annotators}
            p = self.db.param
            # One timestamp for the run, as text on SQLite (as peewee stores it), instead of
            # the driver formatting the same datetime 120,000 times.
            now = _now()
            created: object = now.isoformat(" ") if is_sqlite(self.db) else now
            # In the unique index's order, so that its pages fill at the end, not all over.
            rows = sorted((ids[name], aid) for aid, name in plan.pairs)
            cursor = self.db.cursor()
            sql = (
                f"INSERT INTO assignment (article_id, annotator_id, created) VALUES ({p}, {p}, {p})"
            )
            for i in range(0, len(rows), _INSERT_BATCH):
                cursor.executemany(
                    sql, [(aid, ann, created) for ann, aid in rows[i : i + _INSERT_BATCH]]
                )
        return plan

    def reassign(self, source: str, target: str) -> int:
        """Move ``source``'s unfinished articles (no status, or ``todo``) to ``target``;
        an article ``target`` holds already is only taken from ``source``. Returns how many
        articles ``source`` gave up."""
        if source.strip() == target.strip():
            raise ProjectError("--reassign and --to name the same annotator")
        self.require_lead("reassign articles")
        x = self._assignment
        with self._write():
            src, dst = self.project.annotator_id(source), self.project.annotator_id(target)
            moving = x.select(x.article).where(x.annotator == src, self._unfinished(x, src))
            x.insert_from(
                moving.select(x.article, pw.Value(dst), pw.Value(_now())),
                [x.article, x.annotator, x.created],
            ).on_conflict_ignore().execute()
            return x.delete().where(x.annotator == src, self._unfinished(x, src)).execute()

    def _unfinished(self, x: ModelClass, annotator_id: int) -> pw.Expression:
        p = self.m.Progress
        finished = p.select(p.id).where(
            p.article == x.article, p.annotator == annotator_id, p.status != "todo"
        )
        return ~pw.fn.EXISTS(finished)

    def unassign(self, annotator: str) -> int:
        """Take every article from ``annotator`` (finished or not); returns how many."""
        self.require_lead("take articles from an annotator")
        x = self._assignment
        with self._write():
            return x.delete().where(x.annotator == self.project.annotator_id(annotator)).execute()

    # ---- reading -------------------------------------------------------------------------

    def has_assignments(self) -> bool:
        x = self._assignment
        return x.select(x.id).limit(1).scalar() is not None

    def assignment_counts(self) -> dict[str, int]:
        """Articles each annotator holds, by name (only annotators holding any)."""
        x, n = self._assignment, self.m.Annotator
        query = (
            x.select(n.name, pw.fn.COUNT(x.id))
            .join(n, on=(x.annotator == n.id))
            .group_by(n.name)
            .order_by(n.name)
        )
        return dict(query.tuples())

    def queue_length(self, annotator: str) -> int:
        """How many articles ``annotator`` holds."""
        x = self._assignment
        return x.select().where(x.annotator == self.project.annotator_id(annotator)).count()

    def assignees(self, article_id: int) -> list[str]:
        """Who holds ``article_id``, by name."""
        x, n = self._assignment, self.m.Annotator
        query = (
            x.select(n.name)
            .join(n, on=(x.annotator == n.id))
            .where(x.article == article_id)
            .order_by(n.name)
        )
        return [r[0] for r in query.tuples()]

    def assigned_condition(self, annotator: str) -> pw.Function:
        """For ``Project.filtered``: the article is in ``annotator``'s queue."""
        x, a = self._assignment, self.m.Article
        held = x.select(x.id).where(
            x.article == a.id, x.annotator == self.project.annotator_id(annotator)
        )
        return pw.fn.EXISTS(held)

    def team_stats(self) -> TeamStats:
        """Progress per annotator (assigned, statuses, time, labels, last active) and for the
        whole project, from grouped queries plus one read of the done articles' times."""
        x, p, s, d, n = (
            self._assignment,
            self.m.Progress,
            self.m.Span,
            self.m.DocLabel,
            self.m.Annotator,
        )
        names = dict(n.select(n.id, n.name).tuples())
        assigned: dict[int, int] = dict(
            x.select(x.annotator, pw.fn.COUNT(x.id)).group_by(x.annotator).tuples()
        )
        remaining: dict[int, int] = dict(
            x.select(x.annotator, pw.fn.COUNT(x.id))
            .where(self._unfinished_any(x))
            .group_by(x.annotator)
            .tuples()
        )
        statuses: dict[int, dict[str, int]] = defaultdict(dict)
        seconds_total: dict[int, float] = {}
        last: dict[int, dt.datetime] = {}
        for ann, status, count, secs, updated in (
            p.select(
                p.annotator,
                p.status,
                pw.fn.COUNT(p.id),
                pw.fn.SUM(p.seconds),
                pw.fn.MAX(p.updated),
            )
            .group_by(p.annotator, p.status)
            .tuples()
        ):
            statuses[ann][status] = count
            seconds_total[ann] = seconds_total.get(ann, 0.0) + float(secs or 0.0)
            _latest(last, ann, updated)
        done_seconds: dict[int, list[float]] = defaultdict(list)
        for ann, secs in (
            p.select(p.annotator, p.seconds).where(p.status == "done", p.seconds > 0).tuples()
        ):
            done_seconds[ann].append(float(secs))
        labels: dict[int, int] = defaultdict(int)
        for model in (s, d):
            for ann, count, updated in (
                model.select(model.annotator, pw.fn.COUNT(model.id), pw.fn.MAX(model.updated))
                .group_by(model.annotator)
                .tuples()
            ):
                labels[ann] += count
                _latest(last, ann, updated)
        rows = [
            TeamRow(
                annotator=names[ann],
                assigned=assigned.get(ann, 0),
                done=statuses[ann].get("done", 0),
                skipped=statuses[ann].get("skipped", 0),
                flagged=statuses[ann].get("flagged", 0),
                remaining=remaining.get(ann, 0),
                seconds=seconds_total.get(ann, 0.0),
                labels=labels.get(ann, 0),
                last_active=last.get(ann),
            )
            for ann in sorted(names, key=lambda i: names[i])
            if ann in assigned or ann in statuses or ann in labels
        ]
        return team_stats(rows, {names[k]: v for k, v in done_seconds.items()})

    def _unfinished_any(self, x: ModelClass) -> pw.Expression:
        p = self.m.Progress
        finished = p.select(p.id).where(
            p.article == x.article, p.annotator == x.annotator, p.status != "todo"
        )
        return ~pw.fn.EXISTS(finished)


def _latest(last: dict[int, dt.datetime], ann: int, value: object) -> None:
    if value is None:
        return
    if isinstance(value, str):  # SQLite hands MAX() of a datetime column back as text
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    if ann not in last or value > last[ann]:
        last[ann] = value
