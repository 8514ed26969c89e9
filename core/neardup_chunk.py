"""Candidate pairs for a chunk of new articles: their sketches matched with each other and
with the sketches of the articles grouped before them, as those stream past or from an
index of their keys.

:mod:`core.neardup` says what a sketch is and which pairs are worth an exact check; this
module is how a project finds those pairs without holding its grouped articles in memory.
The grouped sketches are read once per group of bands (a pass), and each grouped article
that holds one of the chunk's keys is paired with the chunk's holders of that key there and
then: only a count per key stays (how many grouped articles hold it, up to
:data:`core.neardup.BUCKET_PEERS`), so memory follows the chunk, not the project. Then the
chunk's own pairs come from :func:`core.neardup.band_candidates`, the grouped holders taking
the first places. Where the sketches come from (a database, a test's list) is the caller's;
:class:`GroupedCopy` keeps them in flat files for a run of several passes.

That scan reads every grouped article for every chunk, so a run that groups many chunks
would cost more for each chunk than for the one before (~0.4 µs a key of each grouped
article: 34 s for the tenth chunk of a million). Such a run gives :func:`chunk_candidates`
a :class:`GroupedKeys` (an index of their keys) instead, which finds the holders of the
chunk's keys without reading the others, and which each chunk joins as its bands are done.
Both ways of finding the holders pair them by one rule (:func:`_pair_hits`).
"""

from __future__ import annotations

import contextlib
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress
from typing import Protocol, runtime_checkable

from core.neardup import (
    BIG_ENDIAN,
    BUCKET_PEERS,
    LANE_LOW15,
    LANE_TOPS,
    SKETCH_BYTES,
    SKETCH_KEYS,
    WORD_VERDICTS,
    band_candidates,
    late_holders,
    sketch_bins,
    sketch_blob,
    stored_keys,
    word_bins,
    words_decide,
    worth_checking,
)

#: New articles' band keys held at once (where each sits): bands are compared in passes of
#: ``KEYSET_BUDGET // chunk`` bands, each pass reading the grouped articles' sketches.
KEYSET_BUDGET = 500_000

#: Pages of grouped articles, ``(ids, their sketches as stored side by side)``, in id order;
#: called once a pass.
GroupedPages = Callable[[], Iterable[tuple[list[int], bytes]]]
#: A row of :meth:`GroupedKeys.holders`: ``key << POSITION_BITS | position``.
POSITION_BITS = 31
POSITION_MASK = (1 << POSITION_BITS) - 1


@runtime_checkable
class GroupedKeys(Protocol):
    """The grouped articles' band keys, indexed (``storage.near_duplicate_index.KeyIndex``,
    a scratch database): each key's first :data:`core.neardup.BUCKET_PEERS` holders, by
    position, and each position's article id and sketch."""

    @property
    def ids(self) -> Sequence[int]: ...

    def holders(self, band: int, keys: Sequence[int]) -> Iterable[int]:
        """The rows (``key << POSITION_BITS | position``) of ``band`` holding any of
        ``keys`` (0 is no key), by key and, within a key, by position."""
        ...

    def sketch(self, position: int) -> bytes:
        """The sketch at ``position`` as stored (asked for in ascending order)."""
        ...

    def extend(self, ids: Sequence[int], stored: bytes | memoryview) -> int:
        """Positions for articles ``ids`` and their sketches; returns the first."""
        ...

    def keep(self, band: int, base: int, keys: array, late: Sequence[int]) -> None:
        """Enter ``band``'s ``keys`` of the articles at positions ``base`` onwards, but for
        those at the positions ``late`` (past their key's first holders)."""
        ...


def bands_per_pass(chunk_size: int) -> int:
    """How many bands a pass over the grouped sketches compares, for a chunk of this size
    (the chunk's keys of those bands are held at once: :data:`KEYSET_BUDGET`)."""
    return max(1, min(SKETCH_KEYS, KEYSET_BUDGET // max(1, chunk_size)))


class GroupedCopy:
    """The grouped articles' ids and sketches in two temporary files, for a run that
    streams them past many passes: a chunk of 100,000 makes 20, and each read of them from
    the project costs ~0.7 µs a sketch (its rows, one bytes object each), ~5.7 s a chunk
    against 400,000 grouped; from here a page is two reads. The files have no name where
    the system allows (Linux, macOS): they go when closed or when the process ends,
    however it ends."""

    PAGE = 5_000

    def __init__(self, directory: str | None = None) -> None:
        # Kept open for the run; close() closes them.
        self._ids = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115
        try:
            self._sketches = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115
        except OSError:
            self._ids.close()
            raise
        self.last_id = -1

    def add(self, ids: Sequence[int], stored: bytes) -> None:
        """Append articles ``ids`` (ascending, after :attr:`last_id`) with their sketches as
        stored side by side."""
        if not ids:
            return
        if ids[0] <= self.last_id or len(stored) != len(ids) * SKETCH_BYTES:
            raise ValueError("grouped sketches are added in id order, one each")
        self._ids.seek(0, 2)
        self._ids.write(array("q", ids).tobytes())
        self._sketches.seek(0, 2)
        self._sketches.write(stored)
        # A full disk says so here (OSError), not in the middle of a later pass.
        self._ids.flush()
        self._sketches.flush()
        self.last_id = ids[-1]

    def pages(self) -> Iterator[tuple[list[int], bytes]]:
        """:data:`GroupedPages`: the articles added, in pages of :attr:`PAGE`."""
        offset = 0
        while True:
            self._ids.seek(offset * 8)
            ids = array("q")
            ids.frombytes(self._ids.read(self.PAGE * 8))
            if not ids:
                return
            self._sketches.seek(offset * SKETCH_BYTES)
            yield ids.tolist(), self._sketches.read(len(ids) * SKETCH_BYTES)
            offset += len(ids)

    def close(self) -> None:
        """Close (and so delete) the files; what a full disk kept from them is let go."""
        for file in (self._ids, self._sketches):
            with contextlib.suppress(OSError):
                file.close()


@dataclass(slots=True)
class Chunk:
    """New articles being grouped: ids ascending, sketches side by side, and each one's
    word bins (:func:`core.neardup.word_bins`); the skeleton bins are read from the sketch
    in the rare case the word bins leave a pair undecided (~19 MB less for 100,000)."""

    ids: list[int]
    sketches: array
    words: list[int] = field(init=False)
    _raw: memoryview = field(init=False)

    def __post_init__(self) -> None:
        # The array's own bytes where they are already little-endian: no copy of the chunk.
        raw = sketch_blob(self.sketches) if BIG_ENDIAN else self.sketches
        self._raw = memoryview(raw).cast("B")
        self.words = [word_bins(self.sketch(k)) for k in range(len(self.ids))]

    @property
    def stored(self) -> memoryview:
        """The sketches as stored, side by side (on a little-endian machine the array's own
        bytes: no 38 MB copy for 100,000)."""
        return self._raw

    def sketch(self, k: int) -> memoryview:
        """The ``k``-th article's sketch as stored (little-endian keys)."""
        return self._raw[k * SKETCH_BYTES : (k + 1) * SKETCH_BYTES]

    def worth_checking(self, k: int, words: int, sketch: bytes | memoryview | int) -> bool:
        """:func:`core.neardup.worth_checking` of the ``k``-th article and an article with
        these word bins and this sketch (an int: the sketch of that article of the chunk),
        the skeleton bins read only if the word bins leave it undecided (slicing a sketch
        for every pair inside the chunk cost ~0.5 s a chunk of 100,000)."""
        verdict = words_decide(words, self.words[k])
        if verdict is None:
            other = self.sketch(sketch) if isinstance(sketch, int) else sketch
            return worth_checking(sketch_bins(other), sketch_bins(self.sketch(k)))
        return verdict


class _Places:
    """Where each key of one band's column sits: its first position, the others of a key
    held more than once (most keys are held once: one int each, not a list; the scan
    reads them in that order, inline), and how many
    grouped articles hold it, counted at its first position up to :data:`BUCKET_PEERS`
    (a byte each: the cap is 32). A key that has its first holders moves from ``first``
    to ``full``: the later grouped holders of it are no longer even looked at (on
    ``gen_news``, whose skeleton keys are widely shared, that was a quarter of a chunk's
    candidates against 300,000 grouped)."""

    __slots__ = ("counts", "first", "full", "more")

    def __init__(self, column: array) -> None:
        self.first: dict[int, int] = {}
        self.full: set[int] = set()
        self.more: dict[int, list[int]] = {}
        self.counts = bytearray(len(column))
        for pos, key in enumerate(column):
            if not key:
                continue  # no key
            if key in self.first:
                self.more.setdefault(key, []).append(pos)
            else:
                self.first[key] = pos

    def count(self, key: int) -> None:
        """One more grouped holder of ``key`` (one of its first); the last of them fills it."""
        pos = self.first[key]
        self.counts[pos] += 1
        if self.counts[pos] >= BUCKET_PEERS:
            self.full.add(key)
            del self.first[key]

    def held(self) -> dict[int, int]:
        """Key -> its grouped holders counted, for the keys some grouped article holds."""
        counts = self.counts
        held = {key: counts[pos] for key, pos in self.first.items() if counts[pos]}
        held.update(dict.fromkeys(self.full, BUCKET_PEERS))
        return held


def chunk_candidates(
    chunk: Chunk, grouped: GroupedPages | GroupedKeys | None, stop: Callable[[], bool]
) -> list[tuple[int, int]] | None:
    """The pairs ``(earlier id, later id)`` worth checking exactly, later ids in the
    chunk, sorted by later id; None if ``stop`` said so. ``grouped``: the grouped articles'
    sketches, as pages to scan (None: nothing is grouped yet) or in an index, which the
    chunk then joins (its keys' first holders)."""
    ids = chunk.ids
    kept: set[tuple[int, int]] = set()
    per_pass = bands_per_pass(len(ids))
    if isinstance(grouped, GroupedKeys):
        # The chunk joins the index as its bands are done, for the chunks after it: a key's
        # first holders are known here (the grouped ones counted, the chunk's in order).
        base = grouped.extend(ids, chunk.stored)
    for first in range(0, SKETCH_KEYS, per_pass):
        bands = range(first, min(SKETCH_KEYS, first + per_pass))
        # Per band: where the chunk's keys sit, and how many grouped articles hold each.
        places: dict[int, _Places] = {}
        if grouped is not None:
            places = {band: _Places(chunk.sketches[band::SKETCH_KEYS]) for band in bands}
        if isinstance(grouped, GroupedKeys):
            if not _compare_index(chunk, grouped, places, kept, stop):
                return None
        elif grouped is not None:
            for page_ids, stored in grouped():
                if stop() or not _compare_page(chunk, page_ids, stored, places, kept, stop):
                    return None
        for band in bands:
            if stop():
                return None
            column = chunk.sketches[band::SKETCH_KEYS]
            held = places.pop(band).held() if places else None
            for j, i in band_candidates(column, held):
                pair = (ids[j], ids[i])
                if pair not in kept and chunk.worth_checking(i, chunk.words[j], j):
                    kept.add(pair)
            if isinstance(grouped, GroupedKeys):
                grouped.keep(band, base, column, late_holders(column, held))
    return sorted(kept, key=lambda pair: (pair[1], pair[0]))


def _compare_page(
    chunk: Chunk,
    page_ids: list[int],
    stored: bytes,
    places: dict[int, _Places],
    kept: set[tuple[int, int]],
    stop: Callable[[], bool],
) -> bool:
    """One page of grouped articles (id order) against the chunk, for ``places``' bands:
    each one among the first :data:`BUCKET_PEERS` grouped holders of a chunk's key is
    paired with the chunk's holders of it, when their bins make it worth checking; False
    if ``stop`` said so."""
    page, raw = stored_keys(stored), memoryview(stored)
    hits: list[int] = []
    for band, where in places.items():
        column = page[band::SKETCH_KEYS]
        first = where.first
        # Looked up as the scan reaches them: a key filled on this page leaves at once.
        for pos in compress(range(len(column)), map(first.__contains__, column)):
            key = column[pos]
            hits.append(pos << _HOLDER_SHIFT | band << _BAND_SHIFT | first[key])
            where.count(key)
    hits.sort()
    return _pair_hits(
        chunk,
        places,
        hits,
        lambda pos: (page_ids[pos], raw[pos * SKETCH_BYTES : (pos + 1) * SKETCH_BYTES]),
        kept,
        stop,
    )


def _compare_index(
    chunk: Chunk,
    index: GroupedKeys,
    places: dict[int, _Places],
    kept: set[tuple[int, int]],
    stop: Callable[[], bool],
) -> bool:
    """The chunk's keys of ``places``' bands looked up in ``index``: each grouped holder
    found (a key's first :data:`BUCKET_PEERS`, the index keeps no more) is counted and
    paired as :func:`_compare_page` does it; False if ``stop`` said so."""
    hits: list[int] = []
    for band, where in places.items():
        if stop():
            return False
        first, counts = where.first, where.counts
        for row in index.holders(band, list(first)):
            at = first[row >> POSITION_BITS]
            counts[at] += 1
            hits.append((row & POSITION_MASK) << _HOLDER_SHIFT | band << _BAND_SHIFT | at)
    hits.sort()  # each holder's sketch read once, in file order
    ids = index.ids
    return _pair_hits(chunk, places, hits, lambda pos: (ids[pos], index.sketch(pos)), kept, stop)


#: A hit, one int: ``holder << _HOLDER_SHIFT | band << _BAND_SHIFT | chunk position`` (the
#: key's first holder in the chunk), so that sorting puts a holder's hits together.
_BAND_SHIFT = 32
_HOLDER_SHIFT = 40
#: Hits paired between two stop checks (~10-40 ms: the checks also feed the next chunk's
#: sketching).
_HITS_BETWEEN_STOPS = 20_000


def _pair_hits(
    chunk: Chunk,
    places: dict[int, _Places],
    hits: list[int],
    holder: Callable[[int], tuple[int, bytes | memoryview]],
    kept: set[tuple[int, int]],
    stop: Callable[[], bool],
) -> bool:
    """Each hit's grouped holder (``holder(n)``: its id and sketch) paired with the chunk's
    holders of that key, where their bins make it worth checking; False if ``stop`` said
    so."""
    ids, words, worth, sketches = chunk.ids, chunk.words, chunk.worth_checking, chunk.sketches
    verdicts, low15, tops = WORD_VERDICTS, LANE_LOW15, LANE_TOPS
    current, peer, mine = -1, 0, 0
    sketch: bytes | memoryview = b""
    for start in range(0, len(hits), _HITS_BETWEEN_STOPS):
        if start and stop():
            return False
        for hit in hits[start : start + _HITS_BETWEEN_STOPS]:
            n = hit >> _HOLDER_SHIFT
            if n != current:
                current = n
                peer, sketch = holder(n)
                mine = word_bins(sketch)
            band, at = (hit >> _BAND_SHIFT) & 0xFF, hit & 0xFFFFFFFF
            more = places[band].more.get(sketches[at * SKETCH_KEYS + band])
            for i in (at, *more) if more else (at,):
                # words_decide inlined (a call is ~0.3 µs, and a late chunk makes ~13
                # million of these checks): the bins that differ, looked up.
                x = mine ^ words[i]
                verdict = verdicts[((((x & low15) + low15) | x) & tops).bit_count()]
                if verdict or (verdict is None and worth(i, mine, sketch)):
                    kept.add((peer, ids[i]))
    return True
