"""Where a near-duplicate run gets its sketches besides the chunk in hand: the grouped
articles' (:class:`GroupedSource`: the table, or a copy of it in temporary files) and the
next chunk's, started early (:class:`NextChunk`). ``storage.near_duplicates`` is the pass
that uses them.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import sqlite3
import tempfile
from array import array
from collections.abc import Callable, Iterator

from core.neardup import SKETCH_KEYS, sketch_texts
from core.neardup_chunk import Chunk, GroupedCopy, GroupedPages, bands_per_pass
from core.workers import Prefetch
from storage.near_duplicate_index import KeyIndex

#: Worker processes a large chunk is sketched in, at most.
WORKERS = 2
#: Articles read (and sent to a worker to sketch) at once.
READ = 500


def sketch_workers() -> int:
    """Worker processes a large chunk is sketched in."""
    return min(WORKERS, os.cpu_count() or 1)


def sketch_jobs(
    ids: list[int], texts_in_order: Callable[[list[int]], list[str]]
) -> Iterator[tuple[None, tuple[list[str]]]]:
    """:func:`core.workers.in_order` jobs sketching ``ids``' texts, :data:`READ` at a time
    (read as the jobs are taken)."""
    batches = (ids[start : start + READ] for start in range(0, len(ids), READ))
    return ((None, (texts,)) for texts in map(texts_in_order, batches))


class GroupedSource:
    """Where one run reads the grouped sketches: the table, or what is made of it once and
    kept while it holds what the table holds. A short run scans a copy
    (:class:`core.neardup_chunk.GroupedCopy`) when its bands take several passes; a long
    run (``indexed``: :data:`storage.near_duplicates.INDEX_FROM_CHUNKS`) looks its keys up
    in a :class:`storage.near_duplicate_index.KeyIndex`, so that no chunk looks up the keys
    of every article grouped before it. A disk with no room for them leaves the run reading
    the table, as it always could."""

    #: Grouped articles indexed at once when the index is made from the table.
    BUILD = 10_000

    def __init__(self, table: GroupedPages, folder: str | None, *, indexed: bool = False) -> None:
        self._table = table
        self._folder = folder
        self._indexed = indexed
        self._copy: GroupedCopy | KeyIndex | None = None
        self._rows = 0  # table rows the copy stands for (a row without words has no sketch)
        self._unwritable = False

    def pages(
        self, grouped: int, chunk_size: int, stop: Callable[[], bool] = lambda: False
    ) -> GroupedPages | KeyIndex | None:
        """The grouped sketches for a chunk when ``grouped`` rows are in the table (an
        index stopped while it is made from the table is let go: the table then, which
        the chunk's candidates stop on at once). An index is given even when nothing is
        grouped yet: the chunk's candidates enter the chunk's keys into it."""
        several_passes = bands_per_pass(chunk_size) < SKETCH_KEYS
        if self._unwritable or not (self._indexed or several_passes):
            return self._table if grouped else None  # one pass: one read either way
        if not grouped and not self._indexed:
            return None
        if self._copy is None or self._rows != grouped:
            self.close()
            try:
                self._copy = self._made(stop)
            except (OSError, sqlite3.Error):  # no room, say
                self._unwritable = True
                self.close()
                return self._table if grouped else None
            if self._copy is None:
                return self._table
            self._rows = grouped
        return self._copy if isinstance(self._copy, KeyIndex) else self._copy.pages

    def _made(self, stop: Callable[[], bool]) -> GroupedCopy | KeyIndex | None:
        made = KeyIndex(self._folder) if self._indexed else GroupedCopy(self._folder)
        ids: list[int] = []
        blocks: list[bytes] = []
        try:
            for page_ids, stored in self._table():
                ids += page_ids
                blocks.append(stored)
                if len(ids) >= self.BUILD:
                    if stop():
                        made.close()
                        return None
                    made.add(ids, b"".join(blocks))
                    ids, blocks = [], []
            made.add(ids, b"".join(blocks))
        except BaseException:
            made.close()
            raise
        return made

    def written(self, rows: list[tuple[int, int, bytes | None]]) -> None:
        """Rows this run has just committed join the copy (the index has them already:
        the chunk's candidates entered them)."""
        if self._copy is None:
            return
        if isinstance(self._copy, KeyIndex):
            self._rows += len(rows)
            return
        kept = [(aid, stored) for aid, _, stored in rows if stored is not None]
        try:
            self._copy.add([aid for aid, _ in kept], b"".join(stored for _, stored in kept))
        except ValueError:  # out of id order: made again from the table when next needed
            self.close()
            return
        except OSError:
            self._unwritable = True
            self.close()
            return
        self._rows += len(rows)

    def close(self) -> None:
        if self._copy is not None:
            self._copy.close()
            self._copy = None


class NextChunk:
    """The next chunk's sketches, started in the worker processes while this process works
    out the current chunk's candidates and decisions: those take one core for most of a
    chunk's time at a million (12-96 s of candidates a chunk against 40-55 s of sketching),
    and the workers would idle through them. :meth:`pump`, called from the current chunk's
    stop checks, keeps them fed without waiting. Finished parts wait in a nameless
    temporary file, not in memory (38 MB for 100,000 on top of the current chunk's peak);
    a disk that cannot take them ends the head start, and the chunk is sketched when its
    turn comes, as without one."""

    def __init__(
        self,
        ids: list[int],
        texts_in_order: Callable[[list[int]], list[str]],
        pool: cf.Executor,
        folder: str | None,
    ) -> None:
        self.ids = ids
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 (closed by close())
        self._keys = 0
        jobs = sketch_jobs(ids, texts_in_order)
        # One job waiting beside each worker's: each holds its texts (~1.6 MB for 500),
        # and they wait beside the current chunk's peak (the pumps come every ~25-125 ms,
        # a job takes ~250 ms).
        self._work: Prefetch[None, array] | None = Prefetch(
            pool, sketch_texts, jobs, ahead=sketch_workers() + 1, take=self._keep
        )

    def _keep(self, _key: None, part: array) -> None:
        part.tofile(self._file)
        self._keys += len(part)

    def pump(self) -> None:
        if self._work is None:
            return
        try:
            self._work.pump()
        except OSError:
            self.close()

    def chunk(self, stop: Callable[[], bool], progress: Callable[[int], None]) -> Chunk | None:
        """The chunk, once the rest of it is sketched; None if stopped or the head start
        ended (a full disk)."""
        try:
            while self._work is not None and self._work.wait_one():
                if stop():
                    return None
                progress(self._keys // SKETCH_KEYS)
            if self._work is None:
                return None
            self._file.seek(0)
            sketches = array("I")
            sketches.fromfile(self._file, self._keys)
        except OSError:
            return None
        finally:
            self.close()
        return Chunk(self.ids, sketches)

    def close(self) -> None:
        if self._work is not None:
            self._work.cancel()
            self._work = None
        with contextlib.suppress(OSError):
            self._file.close()
