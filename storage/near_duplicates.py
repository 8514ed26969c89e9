"""Near-duplicate groups kept in the project, updated as articles arrive.

One table (schema steps ``_v9_near_duplicates`` and ``_v11_near_duplicate_sketches``),
``near_duplicate``: one row per grouped article, its ``group_id`` (the smallest article id
of its group; an article alone has ``group_id`` = its own id) and its sketch (its 96 LSH
band keys, :func:`core.neardup.sketch`; NULL: no words).

Articles without a row are grouped in chunks of up to :data:`NEW_CHUNK`, in id order:

1. their texts are read and sketched, by worker processes when there are many; in a run of
   several chunks each chunk's sketching starts while the chunk before is compared and
   written (:class:`storage.near_duplicate_sources.NextChunk`), which takes this process's core and leaves the workers'
   idle otherwise;
2. candidates (:func:`core.neardup_chunk.chunk_candidates`): each grouped holder of one
   of the chunk's keys (a key's first :data:`core.neardup.BUCKET_PEERS`) is paired with
   the chunk's holders of it; the chunk's own pairs follow. A run of
   :data:`INDEX_FROM_CHUNKS` chunks or more looks the keys up in a
   :class:`storage.near_duplicate_index.KeyIndex`, made from the table once and joined by
   each chunk, so that a chunk costs the same however many were grouped before it. A
   shorter run scans the grouped sketches instead, from the table (or a
   :class:`core.neardup_chunk.GroupedCopy` when its bands take several passes): the scan
   costs less for the first chunks of a run, and making an index of a large project costs
   more than a few scans of it. Both go in temporary files
   beside the project; a run that cannot write them (a full disk, say) reads the table
   each time as before. Memory does not grow with the project. A pair whose bins make it
   worth checking (:func:`core.neardup.worth_checking`) is kept;
3. every kept pair is decided by :func:`core.neardup.near_duplicates` on the exact
   similarities of the two texts, read again (nothing estimated is stored as a decision),
   and joined groups take the smaller ``group_id``.

Sketching and comparing write nothing, so the write lock is held only for the writes: rows
go in transactions of :data:`WRITE_ROWS` articles, each leaving a consistent project (a
stop part-way leaves the rest ungrouped, and the next run treats the written ones as
grouped, as this run would have). Before each write the row count is compared with what
this run expects: a second process that grouped some of the same articles meanwhile makes
this one start again from what is left, instead of writing decisions made without them.
"""

from __future__ import annotations

import bisect
import concurrent.futures as cf
import contextlib
import os
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from core.memory import give_back_memory
from core.neardup import SKETCH_KEYS, fingerprint, near_duplicates, sketch_blob, sketch_texts
from core.neardup_chunk import Chunk, chunk_candidates
from core.workers import in_order, process_pool
from storage.database import STREAM_CACHE_KIB, is_sqlite, page_cache
from storage.near_duplicate_lookup import NearDuplicateLookup
from storage.near_duplicate_sources import (
    READ,
    GroupedSource,
    NextChunk,
    sketch_jobs,
    sketch_workers,
)

#: New articles sketched and compared at once (384 bytes of sketch each).
NEW_CHUNK = 100_000
#: Runs of at least this many chunks find the grouped holders of a chunk's keys in an index
#: (:class:`storage.near_duplicate_index.KeyIndex`); shorter runs scan the grouped sketches.
#: The index costs ~20 s a chunk of 100,000 for its own upkeep, the same for every chunk;
#: the scan costs 96 lookups for each grouped article, 64-390 ns each on the machines
#: measured (6-37 s a chunk against a million grouped), growing with the project. At a
#: million the two passes took the same time on the faster of those machines (506.9 and
#: 505.7 s, ``bench/bench_neardup_pass.py``); the scan's first chunks are the cheaper.
INDEX_FROM_CHUNKS = 5
WRITE_ROWS = 20_000
#: Chunks of at least this many articles are sketched by worker processes
#: (:func:`storage.near_duplicate_sources.sketch_workers`).
_POOL_MIN = 4_000
_STREAM = 5_000
#: Fingerprints kept while deciding (~2 kB each for a 3,000-character article).
_CACHE = 8000


@dataclass(frozen=True, slots=True)
class NearDuplicateProgress:
    phase: str  # "near-duplicates"
    done: int
    total: int


@dataclass(slots=True)
class NearDuplicateReport:
    """``found``: articles of this run that joined a group holding an earlier article;
    ``found_ids`` lists them (capped by nothing: an import's own articles)."""

    articles: int = 0
    found: int = 0
    found_ids: list[int] = field(default_factory=list)
    cancelled: bool = False


class _Conflict(Exception):
    """Another process grouped articles while this run was deciding."""


class NearDuplicateGroups(NearDuplicateLookup):
    """Near-duplicate groups (``project.near_duplicates``): grouping the articles not grouped
    yet; what is asked about the groups is :class:`NearDuplicateLookup`'s."""

    def _ungrouped(self) -> pw.ModelSelect:
        a = self.m.Article
        group_model = self._nd_model()
        grouped = group_model.select(group_model.article).where(group_model.article == a.id)
        return a.select(a.id).where(~pw.fn.EXISTS(grouped))

    def pending_near_duplicates(self) -> int:
        """Articles not grouped yet."""
        return self._ungrouped().count()

    def _grouped_count(self) -> int:
        return int(self.db.execute_sql('SELECT COUNT(*) FROM "near_duplicate"').fetchone()[0])

    def update_near_duplicates(
        self,
        *,
        on_progress: Callable[[NearDuplicateProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        pool: cf.Executor | None = None,
    ) -> NearDuplicateReport:
        """Group the articles not grouped yet with everything grouped before them.

        ``pool``: worker processes to sketch in (the catch-up's, shared with the languages
        and the suggesters); without one, a large chunk starts its own."""
        report = NearDuplicateReport()
        total = self.pending_near_duplicates()
        stop = should_stop or (lambda: False)

        def progress(done: int) -> None:
            if on_progress:
                on_progress(NearDuplicateProgress("near-duplicates", min(done, total), total))

        # Texts and sketches stream by once a chunk: a small page cache, not 32 MB on top of
        # the chunk's own peak.
        # The copy goes beside a project file (the disk it has room on; /tmp may be memory);
        # PostgreSQL's: in the system's temporary folder.
        folder = os.path.dirname(os.path.abspath(self.db.database)) if is_sqlite(self.db) else None
        # A long run looks the chunks' keys up in an index; a short one scans.
        indexed = total > (INDEX_FROM_CHUNKS - 1) * NEW_CHUNK
        source = GroupedSource(self._stored_sketches, folder, indexed=indexed)
        ahead: NextChunk | None = None
        with (
            page_cache(self.db, STREAM_CACHE_KIB),
            contextlib.closing(source),
            contextlib.ExitStack() as stack,
        ):
            if pool is None and total > NEW_CHUNK and sketch_workers() > 1:
                # One pool for the run, so each chunk's sketching can start in the one before.
                pool = stack.enter_context(process_pool(sketch_workers()))
            try:
                while not report.cancelled:
                    ids = self._next_ids()
                    if not ids:
                        break
                    try:
                        ahead = self._group_chunk(
                            ids, report, stop, progress, pool, source, folder, ahead
                        )
                    except _Conflict:
                        ahead = None  # closed; start again from what the other process left
                        continue
                    finally:
                        give_back_memory()  # the next chunk's peak is not on this one's leftovers
            finally:
                if ahead is not None:
                    ahead.close()
        return report

    def _next_ids(self, after: int | None = None) -> list[int]:
        """The ids of the next chunk: the first ungrouped ones (after ``after``)."""
        query: Any = self._ungrouped()
        if after is not None:
            query = query.where(self.m.Article.id > after)
        return [int(row[0]) for row in query.order_by(self.m.Article.id).limit(NEW_CHUNK).tuples()]

    def _group_chunk(
        self,
        ids: list[int],
        report: NearDuplicateReport,
        stop: Callable[[], bool],
        progress: Callable[[int], None],
        pool: cf.Executor | None,
        source: GroupedSource,
        folder: str | None,
        ahead: NextChunk | None,
    ) -> NextChunk | None:
        """Group one chunk (its sketching started by the chunk before if ``ahead`` holds
        these ids); returns the next chunk's sketching, started here (None: none started,
        or this chunk was stopped)."""
        grouped = self._grouped_count()
        # Progress: sketching is the first half of a chunk's share, the writes the second.
        before, half = report.articles, len(ids) // 2

        def sketched(n: int) -> None:
            progress(before + n // 2)

        chunk = None
        if ahead is not None:
            if ahead.ids == ids:  # else another process grouped some of them meanwhile
                chunk = ahead.chunk(stop, sketched)
            ahead.close()
        if chunk is None:
            chunk = None if stop() else self._sketch_chunk(ids, stop, sketched, pool)
        if chunk is None:
            report.cancelled = True
            return None
        following = self._start_next(ids[-1], pool, folder)

        def stop_and_pump() -> bool:
            if following is not None:
                following.pump()
            return stop()

        try:
            grouped_side = source.pages(grouped, len(ids), stop_and_pump)
            pairs = chunk_candidates(chunk, grouped_side, stop_and_pump)
            if pairs is None:
                report.cancelled = True
            else:
                self._decide_and_write(
                    chunk,
                    pairs,
                    grouped,
                    source,
                    report,
                    stop_and_pump,
                    lambda n: progress(before + half + n // 2),
                )
        except BaseException:
            if following is not None:
                following.close()
            raise
        if report.cancelled:
            if following is not None:
                following.close()
            return None
        progress(before + len(ids))
        return following

    def _start_next(
        self, after: int, pool: cf.Executor | None, folder: str | None
    ) -> NextChunk | None:
        """The sketching of the chunk after id ``after``, started in ``pool`` if it is one
        the workers would sketch."""
        if pool is None or sketch_workers() < 2:
            return None
        ids = self._next_ids(after)
        if len(ids) < _POOL_MIN:
            return None  # sketched in this process when its turn comes
        try:
            return NextChunk(ids, self._texts_in_order, pool, folder)
        except OSError:
            return None  # no temporary file: no head start

    def _texts(self, ids: list[int]) -> list[tuple[int, str]]:
        t = self.m.ArticleText
        return list(t.select(t.article, t.text).where(t.article.in_(ids)).tuples())

    def _sketch_chunk(
        self,
        ids: list[int],
        stop: Callable[[], bool],
        progress: Callable[[int], None],
        pool: cf.Executor | None,
    ) -> Chunk | None:
        """Read and sketch the chunk's texts: in worker processes when there are many
        (hashing is pure Python, and the catch-up's other passes keep this process busy)."""
        jobs = sketch_jobs(ids, self._texts_in_order)
        sketches = array("I")
        workers = sketch_workers()
        large = len(ids) >= _POOL_MIN and workers > 1
        with contextlib.ExitStack() as stack:
            if pool is None and large:
                pool = stack.enter_context(process_pool(workers))
            for _, part in in_order(pool if large else None, sketch_texts, jobs, ahead=workers * 3):
                if stop():
                    return None  # leaving in_order cancels what has not started
                sketches.extend(part)
                progress(len(sketches) // SKETCH_KEYS)
        return Chunk(ids, sketches)

    def _texts_in_order(self, ids: list[int]) -> list[str]:
        """The texts of ``ids``, in that order ("" for one deleted meanwhile)."""
        texts = dict(self._texts(ids))
        return [texts.get(aid, "") for aid in ids]

    def _stored_sketches(self) -> Iterator[tuple[list[int], bytes]]:
        """``(ids, their sketches side by side)`` pages of the grouped articles, in id
        order."""
        last = -1
        p = self.db.param
        while True:
            rows = self.db.execute_sql(
                'SELECT "article_id", "sketch" FROM "near_duplicate" WHERE "article_id" > '
                f'{p} AND "sketch" IS NOT NULL ORDER BY "article_id" LIMIT {_STREAM}',
                (last,),
            ).fetchall()
            if not rows:
                return
            last = int(rows[-1][0])
            yield [int(r[0]) for r in rows], b"".join(r[1] for r in rows)

    def _decide_and_write(
        self,
        chunk: Chunk,
        pairs: list[tuple[int, int]],
        grouped: int,
        source: GroupedSource,
        report: NearDuplicateReport,
        stop: Callable[[], bool],
        progress: Callable[[int], None],
    ) -> None:
        ids = chunk.ids
        earlier_ids = sorted({a for a, _ in pairs} - set(ids))
        group_of: dict[int, int] = dict(self._stored_groups(earlier_ids))
        prints: dict[int, tuple[array, array]] = {}
        later = [b for _, b in pairs]

        def find(x: int) -> int:
            while group_of.get(x, x) != x:
                x = group_of[x]
            return x

        written = 0
        for start in range(0, len(ids), WRITE_ROWS):
            if stop():
                report.cancelled = True
                return
            part = ids[start : start + WRITE_ROWS]
            lo = bisect.bisect_left(later, part[0])
            hi = bisect.bisect_right(later, part[-1])
            mine = pairs[lo:hi]
            self._fingerprints(prints, sorted({x for pair in mine for x in pair}))
            batch = set(part)
            merged: dict[int, int] = {}  # a written group's id -> the group it joins
            found: set[int] = set()
            for a, b in mine:
                ra, rb = find(a), find(b)
                if ra != rb and near_duplicates(
                    prints[b][0], prints[a][0], (prints[b][1], prints[a][1])
                ):
                    low, high = min(ra, rb), max(ra, rb)
                    group_of[high] = low
                    if high not in batch:  # a written group: its rows move too
                        merged[high] = low
                if find(b) < b:
                    found.add(b)
            source.written(self._write_rows(part, find, merged, chunk, start, grouped + written))
            written += len(part)
            report.articles += len(part)
            report.found += len(found)
            report.found_ids += sorted(found)
            progress(written)

    def _fingerprints(self, prints: dict[int, tuple[array, array]], wanted: list[int]) -> None:
        """Fingerprints of ``wanted`` into ``prints``, read from the texts; the oldest
        others are let go beyond :data:`_CACHE` (the grouped articles most often wanted
        are the first holders of busy keys, wanted again and again)."""
        missing = [aid for aid in wanted if aid not in prints]
        for aid in wanted:
            if aid in prints:
                prints[aid] = prints.pop(aid)  # most recently used last
        surplus = len(prints) + len(missing) - _CACHE
        for old in list(prints)[: max(0, min(surplus, len(prints) - len(wanted)))]:
            del prints[old]
        for start in range(0, len(missing), READ):
            for aid, text in self._texts(missing[start : start + READ]):
                prints[aid] = fingerprint(text)
        for aid in missing:
            prints.setdefault(aid, (array("I"), array("I")))  # deleted meanwhile: no words

    def _write_rows(
        self,
        part: list[int],
        find: Callable[[int], int],
        merged: dict[int, int],
        chunk: Chunk,
        offset: int,
        expected: int,
    ) -> list[tuple[int, int, bytes | None]]:
        """Write one batch's rows (committed on return, and returned)."""
        p = self.db.param
        rows: list[tuple[int, int, bytes | None]] = []
        for k, aid in enumerate(part, offset):
            keys = chunk.sketches[k * SKETCH_KEYS : (k + 1) * SKETCH_KEYS]
            rows.append((aid, find(aid), sketch_blob(keys) if keys[0] else None))
        with self._write():
            if not is_sqlite(self.db):
                # SQLite's IMMEDIATE write transaction already serialises two processes
                # grouping at once (the app's catch-up and an export); PostgreSQL needs a lock.
                self.db.execute_sql("SELECT pg_advisory_xact_lock(72530015)")
            if self._grouped_count() != expected:
                raise _Conflict
            cursor = self.db.cursor()
            cursor.executemany(
                'INSERT INTO "near_duplicate" ("article_id", "group_id", "sketch") '
                f"VALUES ({p}, {p}, {p}) ON CONFLICT DO NOTHING",
                rows,
            )
            # Rows already there: another process grouped some of these articles between
            # this run's list of ungrouped ones and its count; nothing of this batch stays.
            if self._grouped_count() != expected + len(rows):
                raise _Conflict
            if merged:
                cursor.executemany(
                    f'UPDATE "near_duplicate" SET "group_id" = {p} WHERE "group_id" = {p}',
                    [(find(gid), gid) for gid in sorted(merged)],
                )
        return rows

    def _stored_groups(self, ids: list[int]) -> list[tuple[int, int]]:
        group_model = self._nd_model()
        out: list[tuple[int, int]] = []
        for i in range(0, len(ids), READ):
            out += list(
                group_model.select(group_model.article, group_model.group_id)
                .where(group_model.article.in_(ids[i : i + READ]))
                .tuples()
            )
        return out
