"""The grouped articles' band keys in an index, for a run that groups many chunks.

Scanning every grouped sketch for every chunk (:mod:`core.neardup_chunk`'s pages) costs each
chunk ~0.4 µs for each key of each grouped article: nothing for the first chunk of a
million, 34 s for the tenth. A run that groups chunk after chunk keeps the keys it has
grouped in an index instead, and each chunk asks it for its own keys only: a cost that
follows the chunk, not the project.

The index is a scratch SQLite database, one table a band, each row one grouped holder of a
key packed into the rowid (``key << 31 | position``), so that a key's holders are one
range of the table's B-tree, in the order they were grouped. Python cannot look up nine
million keys a chunk quickly in any structure of its own (a sorted run and ``bisect``
costs ~1.3 µs a key, before keeping it sorted); SQLite joins a chunk's sorted keys
(``json_each``, one parameter) with a table in C, ~0.4 µs a key, and makes, orders and
inserts its rows at ~1 µs, the same for the tenth chunk of a million as for the second
(``docs/measurements.md``, 2026-12-07 20:10). A key keeps its first
:data:`core.neardup.BUCKET_PEERS` holders only, as the scan counts them: later holders are
never compared.

The database and a file of the sketches (read for the holders found) are temporary: the
database's name is removed as soon as it is open where the system allows (Linux, macOS),
and both go when closed or when the process ends, however it ends. They take ~1.8 kB an
article (~15 bytes a key, and the sketch; 1.8 GB at a million), beside the project, on the
disk it has room on.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import compress
from operator import itemgetter

from core.neardup import SKETCH_BYTES, SKETCH_KEYS, late_holders, stored_keys
from core.neardup_chunk import POSITION_BITS, POSITION_MASK

#: Sketches read at once around a holder's (the holders a chunk finds are read in order, and
#: many lie close together).
_READ_AHEAD = 16


def _json(numbers: list[int]) -> str:
    """A JSON array of integers: a list's repr is one (half the time of ``json.dumps``)."""
    return repr(numbers)


class KeyIndex:
    """The band keys of the articles :meth:`add`-ed (in id order), each key's first
    :data:`core.neardup.BUCKET_PEERS` holders; and their ids and sketches by position (the
    order they were added in): :class:`core.neardup_chunk.GroupedKeys`."""

    def __init__(self, directory: str | None = None) -> None:
        # Kept open for the run; close() closes them.
        self._sketches = tempfile.TemporaryFile(dir=directory, buffering=0)  # noqa: SIM115
        self._path: str | None = None
        try:
            handle, path = tempfile.mkstemp(prefix="tandai-keys-", suffix=".db", dir=directory)
            os.close(handle)
            self._path = path
            # No statement cache: a cached statement keeps its last parameters, here a JSON
            # text of up to ~2 MB for each of 192 statements.
            self._db = sqlite3.connect(path, isolation_level=None, cached_statements=0)
            if os.name == "posix":
                os.unlink(path)  # the open connection keeps it; nothing is left by a crash
                self._path = None
            # Scratch: a crash loses nothing that the next run does not make again.
            for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-8192"):
                self._db.execute(f"PRAGMA {pragma}")
            for band in range(SKETCH_KEYS):
                self._db.execute(f"CREATE TABLE k{band}(id INTEGER PRIMARY KEY)")
        except (OSError, sqlite3.Error):
            self.close()
            raise
        self.ids = array("q")
        self.last_id = -1
        self._kept: set[int] = set()  # the bands some key was entered into
        self._block = (-1, b"")

    def extend(self, ids: Sequence[int], stored: bytes | memoryview) -> int:
        """Give articles ``ids`` (ascending, after :attr:`last_id`) positions, with their
        sketches as stored side by side; their keys go in by :meth:`keep`. Returns the
        first position. On an error (OSError: a full disk) the index is not to be used
        again: close it."""
        if ids and (ids[0] <= self.last_id or len(stored) != len(ids) * SKETCH_BYTES):
            raise ValueError("grouped sketches are added in id order, one each")
        base = len(self.ids)
        if ids:
            self._sketches.seek(base * SKETCH_BYTES)
            view = memoryview(stored).cast("B")
            while view:  # an unbuffered write may take part of it
                written = self._sketches.write(view)
                if not written:
                    raise OSError("the index's sketches could not be written")
                view = view[written:]
            self._block = (-1, b"")
            self.ids.extend(ids)
            self.last_id = ids[-1]
        return base

    def keep(self, band: int, base: int, keys: array, late: Sequence[int]) -> None:
        """Enter ``band``'s ``keys`` of the articles at positions ``base`` onwards, but for
        those at the positions ``late`` (past their key's first holders:
        :func:`core.neardup.late_holders`). The rows are made and sorted into the table's
        order by SQLite (in Python they cost ~1 µs a key). On an error
        (:class:`sqlite3.Error`: a full disk) the index is not to be used again: close it
        (the scratch database keeps no journal, so a failed statement may leave part)."""
        self._kept.add(band)
        self._db.execute(
            f"INSERT INTO k{band}(id) SELECT (value << {POSITION_BITS}) | (? + key)"
            " FROM json_each(?) WHERE value != 0 AND key NOT IN (SELECT value FROM"
            " json_each(?)) ORDER BY 1",
            (base, _json(keys.tolist()), _json(list(late))),
        )

    def add(self, ids: Sequence[int], stored: bytes) -> None:
        """:meth:`extend` and :meth:`keep` for articles grouped before the run (the
        holders each key has already counted here)."""
        base = self.extend(ids, stored)
        keys = stored_keys(stored)
        for band in range(SKETCH_KEYS):
            column = keys[band::SKETCH_KEYS]
            held = Counter(row >> POSITION_BITS for row in self.holders(band, column))
            self.keep(band, base, column, late_holders(column, held))

    def holders(self, band: int, keys: Sequence[int]) -> Iterator[int]:
        """The rows (``key << POSITION_BITS | position``) of ``band`` holding any of ``keys``
        (0 is no key), by key and, within a key, in the order they were added; read as
        they are taken (a band's may be several hundred thousand)."""
        wanted = sorted(set(compress(keys, keys))) if band in self._kept else []
        if not wanted:
            return iter(())
        cursor = self._db.execute(
            f"SELECT k.id FROM json_each(?) AS j JOIN k{band} AS k ON k.id BETWEEN "
            f"j.value << {POSITION_BITS} AND (j.value << {POSITION_BITS}) + {POSITION_MASK}",
            (_json(wanted),),
        )
        return map(itemgetter(0), cursor)

    def sketch(self, position: int) -> bytes:
        """The sketch at ``position``, read :data:`_READ_AHEAD` at a time: a chunk asks for
        its holders' in ascending order, and many lie close together."""
        start, block = self._block
        offset = (position - start) * SKETCH_BYTES
        if start < 0 or offset < 0 or offset + SKETCH_BYTES > len(block):
            self._sketches.seek(position * SKETCH_BYTES)
            block = self._sketches.read(_READ_AHEAD * SKETCH_BYTES) or b""
            self._block = position, block
            offset = 0
        return block[offset : offset + SKETCH_BYTES]

    def disk_bytes(self) -> int:
        """What the index and its sketches take on disk."""
        (pages,) = self._db.execute("PRAGMA page_count").fetchone()
        (page,) = self._db.execute("PRAGMA page_size").fetchone()
        return int(pages) * int(page) + os.fstat(self._sketches.fileno()).st_size

    def close(self) -> None:
        """Close (and so delete) the database and the file."""
        with contextlib.suppress(OSError):
            self._sketches.close()
        db = getattr(self, "_db", None)
        if db is not None:
            with contextlib.suppress(sqlite3.Error):
                db.close()
        if self._path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._path)
            self._path = None
