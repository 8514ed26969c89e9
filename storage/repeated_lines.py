"""The repeated-line index: per source, in how many articles each line occurs.

A table (``repeated_line``, schema version 4) updated for the articles newer than the
``suggest.repeated_upto`` watermark, so it grows with each import instead of being rebuilt,
and remembers the first articles of each line so that those seen before the line became
frequent get their suggestions too. New counts are written a window at a time in the
table's key order (:mod:`core.suggest.line_window`), under a mark that makes a window
written over several commits safe to kill.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import peewee as pw

from core.suggest.batch import CountedLine, count_lines
from core.suggest.key_filter import KeyFilter
from core.suggest.line_window import CountPlan, Window, plan_counts
from core.workers import in_order
from storage.database import STREAM_CACHE_KIB, is_sqlite, page_cache
from storage.models import ModelClass, make_repeated_line_model
from storage.part import ProjectPart

BATCH = 250
#: Articles per page of the count (what a worker process counts at once).
COUNT_BATCH = 500
#: Distinct lines a window of the count holds before writing them. Each new line adds a
#: row to an index of random keys (hashes), so written page by page each new line writes an
#: index page of its own once the index is large (at a million articles: 8.4 million lines,
#: 21,000 pages of 16 KB, 4,200 new lines a page of 500 articles). Written together in key
#: order, a window's lines share those pages: measured on the million's table, 49 us a new
#: line written 4,181 at a time as they come, 20 us from a window of 40,000, 9 us from one
#: of 160,000. Once the index has more pages than a window has lines' worth, every window
#: rewrites all of them, so the fewer the windows the less an article costs at a million:
#: counting a million alone, 150,000 lines a window took 129.0 s (each 200,000 articles
#: 21.1 s at first, 29.9 s for the last; the commits held the lock 4.7 s, then 13.0 s),
#: 300,000 took 110.9 s (19.6 s, then 22.8 s; 3.9 s, then 7.5 s). A window of 300,000
#: lines holds ~38,000 articles' counts, ~50 MB (+26 MB against 150,000; the catch-up's
#: peak, reached in other passes, stayed at 283-285 MB).
WINDOW_LINES = 300_000
#: The write lock one commit of a window's lines may hold (ms); the next slices are sized
#: by it (:func:`next_slice_size`), so that a label key pressed meanwhile waits no longer.
COUNT_HOLD_MS = 100.0
#: The lines of a window's first commit, and the fewest and most of any commit.
SLICE_START = 4000
SLICE_MIN = 500
SLICE_MAX = 20_000
#: Frequent lines remembered from the counting for the suggesting pass (a few MB at most).
FREQUENT_CAP = 100_000
#: From this many articles a pass does its text work in worker processes: below it,
#: starting them (~1 s of CPU each, importing the suggesters) costs more than it saves.
POOL_FROM = 1500
#: Pages handed to the workers ahead of the one being stored (their texts stay in this
#: process until their results come back): enough to keep two workers busy.
AHEAD = 6
COUNT_AHEAD = 3
#: The setting that marks a window partly written: ``[last article id of the window,
#: source, key of the last line written]``, or None. Only the window's last commit moves
#: ``suggest.repeated_upto``; a run that finds the mark counts the same articles again and
#: writes only the lines after it, so a run killed between two commits of a window counts
#: no line twice.
WINDOW_MARK = "suggest.repeated_window"
#: A run keeps a filter of the stored line keys (:mod:`core.suggest.key_filter`) when it
#: counts at least one article for every FILTER_FROM lines stored. Each new line it meets
#: is then spared a probe of the table, ~6 us once the table outgrows the page cache (a
#: news article has ~8 new lines); making the filter reads every stored key, ~0.9 us each
#: (measured at a million articles: 8.4 million keys in 6.7-7.9 s, 10.5 MB). Below that,
#: the run's new lines cost less to probe than the stored keys cost to read (100,000 more
#: into a counted million: 15.0 s probing, 21.2 s with a filter made).
FILTER_FROM = 50
#: The filter is made for the lines stored and this many times the new lines a run's
#: first page had, times the articles still to count (a larger one is made if it fills).
FILTER_MARGIN = 1.25
#: Keys read a query while the filter is made.
FILTER_PAGE = 20_000


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

    def add(self, plan: CountPlan) -> None:
        """Take in a slice of counts once it is committed."""
        self.affected.update(plan.affected)
        if self.frequent is not None:
            self.frequent.update(plan.frequent)
            if len(self.frequent) > FREQUENT_CAP:
                self.frequent = None  # too many to keep: the suggesting pass looks them up

    def covers(self, article_id: int, k: int) -> bool:
        """True if :attr:`frequent` answers for this article's lines at this K."""
        return self.frequent is not None and k == self.k and self.after < article_id <= self.upto


def next_slice_size(size: int, held_ms: float) -> int:
    """The lines of a window's next commit, after a commit of ``size`` held the write lock
    ``held_ms``: scaled towards :data:`COUNT_HOLD_MS`, growing back by a quarter at most
    (one quick commit must not bring back a long hold at once), between :data:`SLICE_MIN`
    and :data:`SLICE_MAX`."""
    wanted = size * COUNT_HOLD_MS / held_ms if held_ms > 0 else SLICE_MAX
    return max(SLICE_MIN, min(SLICE_MAX, int(wanted), size + size // 4))


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
        self, after: int = 0, size: int = BATCH, until: int | None = None
    ) -> Iterator[list[int]]:
        """Pages of article ids after ``after`` (up to ``until`` if given)."""
        a = self.m.Article
        while True:
            query = a.select(a.id).where(a.id > after)
            if until is not None:
                query = query.where(a.id <= until)
            ids = [r[0] for r in query.order_by(a.id).limit(size).tuples()]
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
        A large pass hashes and groups the lines in ``pool``'s processes; this one stores.

        The counts are gathered in windows of up to :data:`WINDOW_LINES` lines and each
        window is written in key order, a few thousand lines a commit (see WINDOW_LINES for
        why). A stop is heard between pages and between commits: a window being read is
        dropped (the next run counts its articles again: a few seconds of work at most),
        one being written stops after the commit under way, its mark saying how far it got
        (writing all of it could take over a second at a million, which closing the
        project would wait for). A run that counts many articles against the lines stored
        (:data:`FILTER_FROM`) first reads the stored keys into a filter, so that it asks
        the table only about the lines that may be stored."""
        k = self.repeated_min_articles()
        upto = int(self.project.get_setting("suggest.repeated_upto", 0))
        mark = self.project.get_setting(WINDOW_MARK)
        a = self.m.Article
        total = a.select().where(a.id > upto).count()
        counted = CountedLines(after=upto, upto=upto, k=k, frequent=set())
        use = pool if total >= POOL_FROM else None
        done = 0
        stop = should_stop or (lambda: False)

        def read(pages: Iterator[list[int]]) -> Iterator[tuple[list[int], list[CountedLine]]]:
            """Each page's ids and counted lines, until a stop."""

            def jobs() -> Iterator[tuple[list[int], tuple]]:
                for ids in pages:
                    rows = self._texts(ids, encoded=use is not None)
                    yield ids, ([(aid, source, text) for aid, source, _title, text in rows],)

            for ids, lines in in_order(use, count_lines, jobs(), ahead=COUNT_AHEAD):
                if stop():
                    return
                yield ids, lines

        model = self._repeated_model()
        stored_lines = model.select(pw.fn.MAX(model.id)).scalar() or 0  # no row is deleted
        filtered = total * FILTER_FROM >= stored_lines
        keys: KeyFilter | None = None

        def take(window: Window, ids: list[int], lines: list[CountedLine]) -> None:
            nonlocal done, keys
            unknown = window.unknown(lines)
            if filtered:
                if keys is None or keys.full:
                    new = sum(map(len, unknown.values())) / len(ids) * (total - done)
                    wanted = (stored_lines + new) * FILTER_MARGIN
                    made = self._key_filter(wanted if keys is None else 2 * keys.capacity, stop)
                    if made is None:
                        return  # a stop: the page is left out, and the run ends before it
                    keys = made
                unknown = {
                    source: held
                    for source, part in unknown.items()
                    if (held := keys.maybe_held(part))
                }
            window.add(lines, self._stored_counts(unknown))
            window.upto = ids[-1]
            done += len(ids)
            if on_progress:
                on_progress(SuggestProgress("index", done, total))

        marks: tuple[int, Any] = (upto, mark)  # the marks as this run last saw them committed
        if mark is not None and int(mark[0]) > upto:  # a window partly written: read it again
            window = Window(upto)
            for ids, lines in read(self._id_pages(upto, COUNT_BATCH, until=int(mark[0]))):
                take(window, ids, lines)
            if stop():
                return counted  # the mark stays; the next run reads the window again
            window.upto = int(mark[0])
            moved = self._write_window(window, k, mark, marks, counted, stop, keys)
            if moved is None or stop():
                return counted  # another process is counting these articles, or a stop
            marks = moved
        window = Window(counted.upto)
        for ids, lines in read(self._id_pages(counted.upto, COUNT_BATCH)):
            take(window, ids, lines)
            if window.size >= WINDOW_LINES:
                moved = self._write_window(window, k, None, marks, counted, stop, keys)
                if moved is None or stop():
                    return counted
                marks = moved
                window = Window(window.upto)
        if window.upto > window.after and not stop():
            self._write_window(window, k, None, marks, counted, stop, keys)
        return counted

    def _key_filter(self, capacity: float, stop: Callable[[], bool]) -> KeyFilter | None:
        """A filter made for ``capacity`` keys, holding every line key stored now: read
        from the (source, key) index in keyset pages, never all at once; None if ``stop``
        said so between two pages (at a million the keys take ~8 s to read)."""
        keys = KeyFilter(int(capacity))
        table = self._repeated_model()._meta.table_name
        p = self.db.param
        last: tuple[str, str] = ("", "")
        with page_cache(self.db, STREAM_CACHE_KIB):  # each page is read once
            while True:
                rows = self.db.execute_sql(
                    f'SELECT "source", "key" FROM "{table}" WHERE ("source", "key") > ({p}, {p})'
                    f' ORDER BY "source", "key" LIMIT {FILTER_PAGE}',
                    last,
                ).fetchall()
                if not rows:
                    return keys
                keys.add(key for _source, key in rows)
                last = rows[-1]
                if stop():
                    return None

    def _rows_by_key(
        self, columns: str, keys: dict[str, list[str]], min_articles: int = 0
    ) -> Iterator[tuple[str, tuple]]:
        """(source, row of ``columns``) of the stored lines among ``keys`` (per source)
        counted in at least ``min_articles`` articles, 400 keys a query. Raw SQL: peewee
        builds a 400-value IN list slower than SQLite runs it."""
        table = self._repeated_model()._meta.table_name
        p = self.db.param
        for source, source_keys in keys.items():
            for i in range(0, len(source_keys), 400):
                part = source_keys[i : i + 400]
                cursor = self.db.execute_sql(
                    f'SELECT {columns} FROM "{table}" WHERE "source" = {p}'
                    f' AND "articles" >= {p} AND "key" IN ({", ".join([p] * len(part))})',
                    [source, min_articles, *part],
                )
                for row in cursor.fetchall():
                    yield source, row

    def _stored_counts(
        self, keys: dict[str, list[str]]
    ) -> dict[tuple[str, str], tuple[int, int, str]]:
        """(row id, articles, first_ids) of the stored lines among ``keys`` (per source)."""
        rows = self._rows_by_key('"key", "id", "articles", "first_ids"', keys)
        return {(source, key): (row_id, n, first) for source, (key, row_id, n, first) in rows}

    def _write_window(
        self,
        window: Window,
        k: int,
        resume: list | None,
        expected: tuple[int, Any],
        counted: CountedLines,
        stop: Callable[[], bool],
        keys: KeyFilter | None = None,
    ) -> tuple[int, Any] | None:
        """Write a window's counts in key order, a slice a commit, each commit moving
        :data:`WINDOW_MARK` and the last one ``suggest.repeated_upto``. ``resume``: the mark
        of a window partly written before (its lines up to the mark are stored already).
        Returns the marks as committed (also when ``stop`` ended it between two
        commits), or None if another process moved them. ``keys``: the run's filter of
        stored keys, given each new line once it is committed."""
        written = (str(resume[1]), str(resume[2])) if resume is not None else None
        lines = window.ordered()
        size = SLICE_START
        head = next(lines, None)
        while True:
            part = [] if head is None else [head, *itertools.islice(lines, size - 1)]
            head = next(lines, None)
            last = head is None
            # What is stored was read before the write lock is taken, so that the lock is
            # held for the writes only (a label key pressed meanwhile waits less). Only a
            # counting moves the marks, in the commit of its counts: unchanged marks mean
            # that what was read is still what is stored.
            plan = plan_counts(part, k, written)
            with self._write():
                started = time.perf_counter()
                now = (
                    int(self.project.get_setting("suggest.repeated_upto", 0)),
                    self.project.get_setting(WINDOW_MARK),
                )
                if now != expected:
                    return None
                self._write_counts(plan)
                if last:
                    expected = (window.upto, None)
                    self.project.set_setting("suggest.repeated_upto", window.upto)
                else:
                    expected = (expected[0], [window.upto, part[-1][0], part[-1][1]])
                self.project.set_setting(WINDOW_MARK, expected[1])
            size = next_slice_size(len(part), (time.perf_counter() - started) * 1000)
            counted.add(plan)
            if keys is not None:
                keys.add(row[1] for row in plan.new_rows)
            if last:
                counted.upto = window.upto
                return expected
            if stop():
                return expected  # the mark says which lines are written

    def _write_counts(self, plan: CountPlan) -> None:
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
        by_source: dict[str, list[str]] = {}
        for source, key in pairs:
            by_source.setdefault(source, []).append(key)
        return {(source, key) for source, (key,) in self._rows_by_key('"key"', by_source, k)}

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
