"""``Project``: the only door to a project's database, for the CLI and the GUI alike.

It returns ``core`` dataclasses, never peewee rows, so nothing above this layer needs peewee.
Each method that changes something is one committed transaction.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import peewee as pw

from core.models import STATUSES, Article, ArticleSummary
from core.query import ArticleFilter, ProjectStats
from core.schema import Schema
from resources import resource_path
from storage.adjudication import Agreement
from storage.database import (
    describe,
    is_postgres_url,
    is_sqlite,
    open_database,
    write_transaction,
)
from storage.edits import Edits
from storage.errors import ProjectError
from storage.exporting import Exports
from storage.labelled_import import Imports
from storage.labels import Labels
from storage.learning import Learning
from storage.listing import Listing
from storage.lock import ProjectLock
from storage.migrations import CURRENT_VERSION, migrate, read_version
from storage.models import Models, make_models
from storage.navigation import Navigation
from storage.packages import Team
from storage.propagation import NearDuplicates
from storage.search import (
    TextWindow,
)
from storage.suggestions import Suggestions
from storage.text_search import TextSearch
from storage.uncertainty_order import UncertaintyOrder

PROJECT_SUFFIX = ".tandai"


def default_schema() -> Schema:
    return Schema.from_dict(json.loads(resource_path("schema", "default.json").read_text("utf-8")))


class Project:
    """An open project. Use :meth:`create` or :meth:`open`; close it (or use ``with``)."""

    def __init__(
        self,
        target: str,
        db: pw.Database,
        *,
        lock: ProjectLock | None = None,
        user: str | None = None,
    ) -> None:
        self.target = target
        self.name = describe(target)
        self.db = db
        self.m: Models = make_models(db)
        self.backup_path: Path | None = None
        self._lock = lock
        self._annotator_ids: dict[str, int] = {}
        # The parts, each given this project (see storage/part.py).
        self.edits = Edits(self, user=user)
        self.text_search = TextSearch(self)
        self.labels = Labels(self, edits=self.edits)
        self.suggestions = Suggestions(self, edits=self.edits)
        self.edits.retract_taught = self.suggestions.retract_taught
        self.near_duplicates = NearDuplicates(
            self, labels=self.labels, suggestions=self.suggestions
        )
        self.imports = Imports(
            self,
            edits=self.edits,
            suggestions=self.suggestions,
            near_duplicates=self.near_duplicates,
        )
        self.team = Team(self, edits=self.edits)
        self.agreement = Agreement(self, edits=self.edits)
        self.exports = Exports(self, near_duplicates=self.near_duplicates)
        self.learning = Learning(self, labels=self.labels, suggestions=self.suggestions)
        self.ordering = UncertaintyOrder(self, labels=self.labels, team=self.team)
        self.navigation = Navigation(self, team=self.team, ordering=self.ordering)
        self.listing = Listing(
            self,
            ordering=self.ordering,
            near_duplicates=self.near_duplicates,
            text_search=self.text_search,
        )

    # ---- opening and closing -------------------------------------------------------------

    @classmethod
    def create(
        cls, target: str | Path, *, schema: Schema | None = None, user: str | None = None
    ) -> Project:
        """A new project file (or an empty PostgreSQL database) with the given schema.

        ``user`` is who edits (see :attr:`acting_as`); on PostgreSQL it is the login."""
        target = str(target)
        db = open_database(target, must_exist=is_postgres_url(target))
        if read_version(db) != 0:
            db.close()
            raise ProjectError(f"{describe(target)}: the database is not empty; open it instead")
        try:
            project = cls(target, db, user=user)
        except BaseException:
            db.close()
            raise
        try:
            migrate(db, name=project.name)
            project.set_schema(schema or default_schema())
        except BaseException:
            project.close()
            raise
        return project

    @classmethod
    def open(
        cls, target: str | Path, *, exclusive: bool = False, user: str | None = None
    ) -> Project:
        """Open an existing project, migrating an older one (after copying the file aside).

        ``exclusive`` takes the window lock: a second GUI on the same file is refused.
        ``user`` is who edits (see :attr:`acting_as`); on PostgreSQL it is the login, and
        another name is refused.
        """
        target = str(target)
        lock = None
        if exclusive and not is_postgres_url(target):
            lock = ProjectLock(Path(target))
            lock.acquire()
        try:
            db = open_database(target, must_exist=True)
        except BaseException:
            if lock:
                lock.release()
            raise
        try:
            project = cls(target, db, lock=lock, user=user)
        except BaseException:
            db.close()
            if lock:
                lock.release()
            raise
        try:
            path = None if is_postgres_url(target) else Path(target)
            project.backup_path = migrate(db, name=project.name, path=path)
        except BaseException:
            project.close()
            raise
        return project

    @classmethod
    def open_or_create(cls, target: str | Path, **kwargs: Any) -> Project:
        if not is_postgres_url(str(target)) and not Path(target).exists():
            return cls.create(target)
        return cls.open(target, **kwargs)

    def close(self) -> None:
        if not self.db.is_closed():
            if is_sqlite(self.db):
                try:
                    # Fold the WAL back so the -wal file does not stay as large as the data;
                    # without waiting: while another program holds the lock, the next close
                    # (or SQLite's own automatic checkpoints) will fold it.
                    self.db.execute_sql("PRAGMA busy_timeout = 0")
                    self.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                except (pw.OperationalError, pw.DatabaseError):
                    pass
            self.db.close()
        if self._lock:
            self._lock.release()
            self._lock = None

    def end_thread(self) -> None:
        """Close the calling thread's connection (peewee keeps one per thread).

        A background job calls this when it is done, so that its thread does not keep a
        connection (and, on SQLite, a read snapshot) open; other threads are not affected.
        """
        if not self.db.is_closed():
            self.db.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return CURRENT_VERSION

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.db)

    def _write(self) -> contextlib.AbstractContextManager[None]:
        return write_transaction(self.db, name=self.name)

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """Several operations as one commit, e.g. one key press that marks three lines as
        boilerplate: durable together or not at all. Operations inside nest as savepoints."""
        return write_transaction(self.db, name=self.name)

    # ---- settings, schema, guidelines ----------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self.m.Meta.get_or_none(self.m.Meta.key == f"setting:{key}")
        return default if row is None else json.loads(row.value)

    def set_setting(self, key: str, value: Any) -> None:
        meta = self.m.Meta
        with self._write():
            meta.insert(
                key=f"setting:{key}", value=json.dumps(value, ensure_ascii=False)
            ).on_conflict(conflict_target=[meta.key], preserve=[meta.value]).execute()

    def schema(self) -> Schema:
        data = self.get_setting("schema")
        return default_schema() if data is None else Schema.from_dict(data)

    def set_schema(self, schema: Schema) -> None:
        """Store the label schema; once the project has a lead, only a lead may."""
        schema.validate()
        self.team.require_lead("edit the schema")
        self.set_setting("schema", schema.to_dict())

    def guidelines(self) -> str:
        return self.get_setting("guidelines", "")

    def set_guidelines(self, markdown: str) -> None:
        self.set_setting("guidelines", markdown)

    # ---- annotators ----------------------------------------------------------------------

    def annotator_id(self, name: str) -> int:
        """Id of the annotator called ``name``, created on first use."""
        name = name.strip()
        if not name:
            raise ProjectError("an annotator needs a name")
        if name not in self._annotator_ids:
            model = self.m.Annotator
            row = model.get_or_none(model.name == name)
            if row is None:
                with self._write():
                    model.insert(name=name).on_conflict_ignore().execute()
                row = model.get(model.name == name)
            self._annotator_ids[name] = row.id
        return self._annotator_ids[name]

    def annotators(self) -> list[str]:
        model = self.m.Annotator
        return [row.name for row in model.select(model.name).order_by(model.name)]

    def annotator_names(self) -> dict[int, str]:
        a = self.m.Annotator
        return dict(a.select(a.id, a.name).tuples())

    def fts_mark(self) -> int:
        """Every article up to this id is in the SQLite full-text index."""
        row = self.m.Meta.get_or_none(self.m.Meta.key == "fts_indexed_upto")
        return int(row.value) if row else 0

    # ---- articles ------------------------------------------------------------------------

    def article(self, article_id: int) -> Article:
        a, t = self.m.Article, self.m.ArticleText
        row = (
            a.select(a, t.text)
            .join(t, on=(t.article == a.id))
            .where(a.id == article_id)
            .objects()
            .first()
        )
        if row is None:
            raise ProjectError(f"{self.name}: no article with id {article_id}")
        return Article(
            id=row.id,
            external_id=row.external_id,
            title=row.title,
            text=row.text,
            url=row.url,
            source=row.source,
            published=row.published,
            lang=row.lang,
            lang_confidence=row.lang_confidence,
            meta=json.loads(row.meta or "{}"),
            batch=row.batch_id,
        )

    def text_length(self, article_id: int) -> int:
        t = self.m.ArticleText
        length = t.select(pw.fn.LENGTH(t.text)).where(t.article == article_id).scalar()
        if length is None:
            raise ProjectError(f"{self.name}: no article with id {article_id}")
        return int(length)

    def filtered(self, flt: ArticleFilter, *, text_ids: TextWindow | None = None) -> pw.ModelSelect:
        """The articles ``flt`` selects; ``text_ids``: only these index hits (one window of
        them, see :meth:`TextSearch.windows`) instead of a search of the index."""
        a = self.m.Article
        query = a.select()
        if flt.ids:
            query = query.where(a.id.in_(list(flt.ids)))
        if flt.langs:
            langs = [lang for lang in flt.langs if lang != "pending"]
            cond = a.lang.in_(langs)
            query = query.where(cond | a.lang.is_null() if "pending" in flt.langs else cond)
        if flt.sources:
            query = query.where(a.source.in_(list(flt.sources)))
        if flt.statuses:
            query = query.where(self.status_condition(flt))
        if flt.text.strip():
            query = query.where(self.text_search.condition(flt.text, text_ids))
        if flt.one_per_group:
            query = query.where(self.near_duplicates.first_of_group_condition())
        if flt.assigned_to:
            query = query.where(self.team.assigned_condition(flt.assigned_to))
        return query

    def status_condition(self, flt: ArticleFilter) -> pw.Expression:
        a, p = self.m.Article, self.m.Progress
        unknown = set(flt.statuses) - set(STATUSES)
        if unknown:
            raise ProjectError(f"unknown status {sorted(unknown)}; use {', '.join(STATUSES)}")
        scope = p.select(p.article)
        if flt.annotator:
            scope = scope.where(p.annotator == self.annotator_id(flt.annotator))
        others = [s for s in flt.statuses if s != "todo"]
        cond: Any = a.id.in_(scope.where(p.status.in_(others))) if others else None
        if "todo" in flt.statuses:
            todo = a.id.not_in(scope.where(p.status != "todo"))
            cond = todo if cond is None else (cond | todo)
        return cond

    def count_articles(
        self, flt: ArticleFilter | None = None, *, at_most: int | None = None
    ) -> int:
        """How many articles ``flt`` selects. ``at_most``: stop counting past it and return
        ``at_most + 1`` ("more than at_most"). A count reads every match: a word in most of a
        million articles takes ~300 ms to count whole, 7–8 ms to count past 10,000 (the list
        shows that first, then the whole count)."""
        flt = flt or ArticleFilter()
        if flt.assigned_to and replace(flt, assigned_to=None, annotator=None) == ArticleFilter():
            # Only "assigned to me": the queue's own index counts it (~1 ms, not a scan).
            count = self.team.queue_length(flt.assigned_to)
            return count if at_most is None else min(count, at_most + 1)
        if at_most is None:
            few = (
                self.text_search.few_windows(flt, 0, descending=False) if flt.text.strip() else None
            )
            if few is not None:
                return sum(int(self.filtered(flt, text_ids=w).count()) for w in few)
            return int(self.filtered(flt).count())
        if flt.text.strip():
            by_windows = self._count_text_windows(flt, at_most)
            if by_windows is not None:
                return by_windows
        a = self.m.Article
        return int(self.filtered(flt).select(a.id).limit(at_most + 1).count())

    def _count_text_windows(self, flt: ArticleFilter, at_most: int) -> int | None:
        """A free-text filter counted window by window of index hits (see
        :meth:`TextSearch.windows`), up to just past ``at_most``; None if it cannot go by windows
        (then a LIMIT would not help either: SQLite gathers every hit first)."""
        # The first window holds just enough hits; it grows fourfold while other filters
        # leave it short. Few windows: each one searches the index anew.
        windows = self.text_search.windows(flt, 0, at_most + 1, descending=False)
        if windows is None:
            return None
        total = 0
        for window in windows:
            total += int(self.filtered(flt, text_ids=window).count())
            if total > at_most:
                break
        return min(total, at_most + 1)

    def list_articles(
        self, flt: ArticleFilter | None = None, *, after_id: int = 0, limit: int = 200
    ) -> list[ArticleSummary]:
        """One page of the list in id order, by keyset (``id > after_id``): fast at any depth."""
        flt = flt or ArticleFilter()
        a = self.m.Article
        rows: Any = self.filtered(flt).select(a.id).where(a.id > after_id).order_by(a.id)
        ids = [r[0] for r in rows.limit(limit).tuples()]
        return self.listing.summaries(ids, annotator=flt.annotator)

    def article_ids(self, flt: ArticleFilter | None = None, *, batch: int = 5000):
        """Every matching id in order, fetched in keyset pages (never all at once)."""
        a = self.m.Article
        after = 0
        while True:
            rows: Any = self.filtered(flt or ArticleFilter()).select(a.id)
            page = [r[0] for r in rows.where(a.id > after).order_by(a.id).limit(batch).tuples()]
            yield from page
            if len(page) < batch:
                return
            after = page[-1]

    def languages(self) -> list[str]:
        a = self.m.Article
        return [
            r[0]
            for r in a.select(a.lang)
            .where(a.lang.is_null(False))
            .distinct()
            .order_by(a.lang)
            .tuples()
        ]

    def sources(self) -> list[str]:
        a = self.m.Article
        return [r[0] for r in a.select(a.source).distinct().order_by(a.source).tuples()]

    def stats(self, *, annotator: str | None = None) -> ProjectStats:
        a, p, s, d = self.m.Article, self.m.Progress, self.m.Span, self.m.DocLabel
        stats = ProjectStats(articles=a.select().count())
        by = pw.fn.COALESCE(a.lang, "pending")
        stats.by_lang = dict(a.select(by, pw.fn.COUNT(a.id)).group_by(by).order_by(by).tuples())
        stats.by_source = dict(
            a.select(a.source, pw.fn.COUNT(a.id)).group_by(a.source).order_by(a.source).tuples()
        )
        pq = p.select(p.status, pw.fn.COUNT(pw.fn.DISTINCT(p.article))).where(p.status != "todo")
        if annotator:
            pq = pq.where(p.annotator == self.annotator_id(annotator))
        by_status = dict(pq.group_by(p.status).tuples())
        touched = p.select(p.article).where(p.status != "todo")
        if annotator:
            touched = touched.where(p.annotator == self.annotator_id(annotator))
        todo = a.select().where(a.id.not_in(touched)).count()
        stats.by_status = {
            status: (todo if status == "todo" else by_status.get(status, 0)) for status in STATUSES
        }
        stats.labels = dict(s.select(s.layer, pw.fn.COUNT(s.id)).group_by(s.layer).tuples())
        doc_count = d.select().count()
        if doc_count:
            stats.labels["doc"] = doc_count
        stats.annotators = self.annotators()
        return stats
