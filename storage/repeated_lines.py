"""The repeated-line index: per source, in how many articles each line occurs.

A table (``repeated_line``, schema version 4) updated for the articles newer than the
``suggest.repeated_upto`` watermark, so it grows with each import instead of being rebuilt,
and remembers the first articles of each line so that those seen before the line became
frequent get their suggestions too.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.suggest.batch import CountedLine, count_lines
from core.workers import in_order
from storage.database import is_sqlite
from storage.models import ModelClass, make_repeated_line_model
from storage.part import ProjectPart

if TYPE_CHECKING:
    pass

#: Article ids remembered per line until it becomes frequent (see ``first_ids``).
FIRST_IDS_CAP = 50
BATCH = 250
#: Articles per transaction while counting lines. Each new line adds a row to an index of
#: random keys (hashes), so a commit writes about one index page per new line; a larger
#: page shares more of those pages (at 100,000 articles 250 a commit cost ~4 s more CPU
#: than 500 or 1,000). 1,000 held the write lock ~145 ms a commit, 500 ~75 ms.
COUNT_BATCH = 500
#: The write lock one commit of the count may hold (ms); past it the next commits take fewer
#: articles (:func:`next_count_batch`). At 100,000 articles a commit of COUNT_BATCH held it
#: ~72 ms, so nothing changes there. At a million every new line is written to an index page
#: of its own, and a commit of 500 held it ~190 ms, which a label key pressed meanwhile
#: waits; there fewer articles a commit cost no more per article (each line writes its
#: page either way).
COUNT_HOLD_MS = 100.0
#: The fewest articles a commit of the count takes.
COUNT_MIN = 100
#: Frequent lines remembered from the counting for the suggesting pass (a few MB at most).
FREQUENT_CAP = 100_000
#: From this many articles a pass does its text work in worker processes: below it,
#: starting them (~1 s of CPU each, importing the suggesters) costs more than it saves.
POOL_FROM = 1500
#: Pages handed to the workers ahead of the one being stored (their texts stay in this
#: process until their results come back): enough to keep two workers busy.
AHEAD = 6
COUNT_AHEAD = 3


@dataclass
class SuggestProgress:
    """``phase`` is "index" (repeated lines) or "suggest"; done/total in articles."""

    phase: str
    done: int
    total: int


@dataclass
class CountedLines:
    """What one update of the repeated-line index learnt, for the suggesting pass after it.

    Every line key of the articles it counted (ids above ``after``, up to ``upto``) had its
    count read and raised, so the keys among them that reached ``k`` are exactly those of
    their keys that are frequent now: suggesting those articles needs no look-up.
    """

    after: int
    upto: int
    k: int
    #: (source, key) frequent after the update; None when more than FREQUENT_CAP.
    frequent: set[tuple[str, str]] | None
    #: Older articles holding a line that has just become frequent.
    affected: set[int] = field(default_factory=set)

    def add(self, plan: _CountPlan) -> None:
        """Take in a page of counts once it is committed."""
        self.affected.update(plan.affected)
        if self.frequent is not None:
            self.frequent.update(plan.frequent)
            if len(self.frequent) > FREQUENT_CAP:
                self.frequent = None  # too many to keep: the suggesting pass looks them up

    def covers(self, article_id: int, k: int) -> bool:
        """True if :attr:`frequent` answers for this article's lines at this K."""
        return self.frequent is not None and k == self.k and self.after < article_id <= self.upto


@dataclass
class _CountPlan:
    """One page of line counts, planned before the write lock is taken."""

    #: (articles, first_ids, sample, row id) of lines already in the table.
    updates: list[tuple[int, str, str, int]] = field(default_factory=list)
    #: (source, key, articles, sample, first_ids) of lines new to it. A line in one article
    #: only is stored without its sample (most lines are; the samples were a quarter of a
    #: news project's file): it gets one when a second article has it, and only lines in
    #: K >= 2 articles are ever shown.
    new_rows: list[tuple[str, str, int, str, str]] = field(default_factory=list)
    #: Older articles holding a line that reaches K with this page.
    affected: set[int] = field(default_factory=set)
    #: (source, key) of the page's lines that are frequent with it.
    frequent: list[tuple[str, str]] = field(default_factory=list)


def next_count_batch(size: int, held_ms: float) -> int:
    """The articles of the count's next commit, after a commit of ``size`` held the write
    lock ``held_ms``: scaled towards :data:`COUNT_HOLD_MS`, growing back by a quarter at
    most (one page with few new lines must not bring back a long hold at once), between
    :data:`COUNT_MIN` and :data:`COUNT_BATCH`."""
    wanted = size * COUNT_HOLD_MS / held_ms if held_ms > 0 else COUNT_BATCH
    return max(COUNT_MIN, min(COUNT_BATCH, int(wanted), size + size // 4))


def _id_list(ids: list[int]) -> str:
    """``json.dumps`` of a list of ints, without its per-call cost (called per new line)."""
    return "[" + ", ".join(map(str, ids)) + "]"


class RepeatedLines(ProjectPart):
    """Repeated lines, a piece of ``project.suggestions``; uses the project's settings."""

    if TYPE_CHECKING:  # provided by SuggestionSettings

        def repeated_min_articles(self) -> int: ...

    def _repeated_model(self) -> ModelClass:
        model = getattr(self, "_repeated_line_model", None)
        if model is None:
            model = make_repeated_line_model(self.db)
            self._repeated_line_model = model
        return model

    def _texts(self, ids: list[int], *, encoded: bool = False) -> list[tuple]:
        """(id, source, title, text) of some articles, in id order. ``encoded``: the texts
        as UTF-8 bytes where the database gives them so (SQLite), for worker processes."""
        if not ids:
            return []
        p = self.db.param
        text = "CAST(t.text AS BLOB)" if encoded and is_sqlite(self.db) else "t.text"
        cursor = self.db.execute_sql(  # raw SQL: read twice per article by a suggesters' run
            f"SELECT a.id, a.source, a.title, {text} FROM article a"
            " JOIN article_text t ON t.article_id = a.id"
            f" WHERE a.id IN ({', '.join([p] * len(ids))}) ORDER BY a.id",
            ids,
        )
        return list(cursor.fetchall())

    def _id_pages(
        self, after: int = 0, size: int | Callable[[], int] = BATCH
    ) -> Iterator[list[int]]:
        """Pages of article ids after ``after``; ``size``: the page size, or asked for each
        page."""
        a = self.m.Article
        while True:
            limit = size() if callable(size) else size
            ids = [
                r[0]
                for r in a.select(a.id).where(a.id > after).order_by(a.id).limit(limit).tuples()
            ]
            if not ids:
                return
            yield ids
            after = ids[-1]

    def update_repeated_index(
        self,
        *,
        on_progress: Callable[[SuggestProgress], None] | None = None,
        pool: cf.Executor | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> CountedLines:
        """Count the lines of articles not counted yet. Returns the ids of older articles
        that hold a line which has just become frequent (they need suggesting again), and
        which of the counted articles' lines are frequent now (:class:`CountedLines`).
        A large pass hashes and groups the lines in ``pool``'s processes; this one stores."""
        model = self._repeated_model()
        k = self.repeated_min_articles()
        upto = int(self.project.get_setting("suggest.repeated_upto", 0))
        a = self.m.Article
        total = a.select().where(a.id > upto).count()
        done = 0
        counted = CountedLines(after=upto, upto=upto, k=k, frequent=set())
        use = pool if total >= POOL_FROM else None
        batch = COUNT_BATCH  # articles a commit, fewer when a commit holds the lock too long

        def jobs() -> Iterator[tuple[list[int], tuple]]:
            for ids in self._id_pages(upto, lambda: batch):
                rows = self._texts(ids, encoded=use is not None)
                yield ids, ([(aid, source, text) for aid, source, _title, text in rows],)

        for ids, lines in in_order(use, count_lines, jobs(), ahead=COUNT_AHEAD):
            if should_stop and should_stop():
                break  # the mark says how far the counting got; the next update goes on
            # What is stored is read before the write lock is taken, so that the lock is
            # held for the writes only (a label key pressed meanwhile waits less). Only a
            # counting moves the mark, in the commit of its counts: an unchanged mark
            # means that what was read is still what is stored.
            plan = self._plan_counts(model, lines, k)
            with self._write():
                started = time.perf_counter()
                if int(self.project.get_setting("suggest.repeated_upto", 0)) != counted.upto:
                    break  # another process is counting these articles: leave them to it
                self._write_counts(plan)
                self.project.set_setting("suggest.repeated_upto", ids[-1])
            batch = next_count_batch(len(ids), (time.perf_counter() - started) * 1000)
            counted.add(plan)
            counted.upto = ids[-1]
            done += len(ids)
            if on_progress:
                on_progress(SuggestProgress("index", done, total))
        return counted

    def _plan_counts(self, model: ModelClass, lines: list[CountedLine], k: int) -> _CountPlan:
        """What adding one page's line counts to the table writes (read, nothing written)."""
        by_source: dict[str, list[str]] = {}
        for source, key, _aids, _sample in lines:
            by_source.setdefault(source, []).append(key)
        stored: dict[tuple[str, str], tuple[int, int, str]] = {}
        p = self.db.param
        for source, keys in by_source.items():
            for i in range(0, len(keys), 400):
                part = keys[i : i + 400]
                cursor = self.db.execute_sql(  # raw SQL, as in _frequent_keys
                    f'SELECT "id", "key", "articles", "first_ids" FROM'
                    f' "{model._meta.table_name}" WHERE "source" = {p}'
                    f' AND "key" IN ({", ".join([p] * len(part))})',
                    [source, *part],
                )
                for row in cursor.fetchall():
                    stored[(source, row[1])] = (row[0], row[2], row[3])
        plan = _CountPlan()
        for source, key, aids, sample in lines:
            found = stored.get((source, key))
            if found is not None:
                row_id, before, first_ids = found
                after = before + len(aids)
                first: list[int] | None = None
                if before < k <= after:
                    first = json.loads(first_ids)
                    plan.affected.update(first)
                if first_ids.count(",") + 1 < FIRST_IDS_CAP:  # a list of fewer than CAP ids
                    first = json.loads(first_ids) if first is None else first
                    first_ids = _id_list((first + aids)[:FIRST_IDS_CAP])
                plan.updates.append((after, first_ids, sample, row_id))
            else:
                after = len(aids)
                kept = sample if after > 1 else ""
                plan.new_rows.append((source, key, after, kept, _id_list(aids[:FIRST_IDS_CAP])))
            if after >= k:
                plan.frequent.append((source, key))
        return plan

    def _write_counts(self, plan: _CountPlan) -> None:
        """Write a planned page of counts (inside the caller's transaction)."""
        # Raw executemany: ORM statements per row cost more than counting the lines.
        p = self.db.param
        cursor = self.db.cursor()
        if plan.updates:
            cursor.executemany(
                f'UPDATE "repeated_line" SET "articles" = {p}, "first_ids" = {p}, "sample" ='
                f""" CASE WHEN "sample" = '' THEN {p} ELSE "sample" END WHERE "id" = {p}""",
                plan.updates,
            )
        if plan.new_rows:
            cursor.executemany(
                'INSERT INTO "repeated_line" ("source", "key", "articles", "sample", "first_ids") '
                f"VALUES ({p}, {p}, {p}, {p}, {p})",
                plan.new_rows,
            )

    def _frequent_keys(self, pairs: set[tuple[str, str]], k: int) -> set[tuple[str, str]]:
        model = self._repeated_model()
        by_source: dict[str, list[str]] = {}
        for source, key in pairs:
            by_source.setdefault(source, []).append(key)
        out: set[tuple[str, str]] = set()
        p = self.db.param
        for source, keys in by_source.items():
            for i in range(0, len(keys), 400):
                part = keys[i : i + 400]
                # Raw SQL: peewee builds a 400-value IN list slower than SQLite runs it.
                cursor = self.db.execute_sql(
                    f'SELECT "key" FROM "{model._meta.table_name}" WHERE "source" = {p}'
                    f' AND "articles" >= {p} AND "key" IN ({", ".join([p] * len(part))})',
                    [source, k, *part],
                )
                out.update((source, key) for (key,) in cursor.fetchall())
        return out

    def repeated_lines(
        self, *, source: str | None = None, limit: int = 50
    ) -> list[tuple[str, str, int]]:
        """The most repeated lines: (source, sample text, articles), most frequent first."""
        model = self._repeated_model()
        query = model.select(model.source, model.sample, model.articles).where(
            model.articles >= self.repeated_min_articles()
        )
        if source is not None:
            query = query.where(model.source == source)
        return list(query.order_by(model.articles.desc()).limit(limit).tuples())
