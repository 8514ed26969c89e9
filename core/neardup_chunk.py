"""Candidate pairs for a chunk of new articles: their sketches matched with each other and
with the sketches of the articles grouped before them, as those stream past.

:mod:`core.neardup` says what a sketch is and which pairs are worth an exact check; this
module is how a project finds those pairs without holding its grouped articles in memory.
The grouped sketches are read once per group of bands (a pass), and each grouped article
that holds one of the chunk's keys is paired with the chunk's holders of that key there and
then: only a count per key stays (how many grouped articles hold it, up to
:data:`core.neardup.BUCKET_PEERS`), so memory follows the chunk, not the project. Then the
chunk's own pairs come from :func:`core.neardup.band_candidates`, the grouped holders taking
the first places. Where the sketches come from (a database, a test's list) is the caller's.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import compress

from core.neardup import (
    BUCKET_PEERS,
    SKETCH_KEYS,
    band_candidates,
    sketch_bins,
    word_bins,
    words_decide,
    worth_checking,
)

#: New articles' band keys held at once (where each sits): bands are compared in passes of
#: ``KEYSET_BUDGET // chunk`` bands, each pass reading the grouped articles' sketches.
KEYSET_BUDGET = 500_000
SKETCH_BYTES = SKETCH_KEYS * 4
_BIG_ENDIAN = sys.byteorder == "big"

#: Pages of grouped articles, ``(ids, sketches as stored)``, in id order; called once a pass.
GroupedPages = Callable[[], Iterable[tuple[list[int], list[bytes]]]]


def sketch_blob(keys: array) -> bytes:
    """A sketch as stored: little-endian 32-bit keys."""
    if _BIG_ENDIAN:
        keys = array("I", keys)
        keys.byteswap()
    return keys.tobytes()


def _sketches(blobs: list[bytes]) -> array:
    out = array("I")
    out.frombytes(b"".join(blobs))
    if _BIG_ENDIAN:
        out.byteswap()
    return out


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
        raw = sketch_blob(self.sketches) if _BIG_ENDIAN else self.sketches
        self._raw = memoryview(raw).cast("B")
        self.words = [word_bins(self.sketch(k)) for k in range(len(self.ids))]

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
    held more than once (most keys are held once: one int each, not a list), and how many
    grouped articles hold it, counted at its first position up to :data:`BUCKET_PEERS`
    (a byte each: the cap is 32). A key that has its first holders moves from ``first``
    to ``full``: the later grouped holders of it are no longer even looked at (on
    ``gen_news``, whose skeleton keys are widely shared, that was a quarter of a chunk's
    candidates against 300,000 grouped)."""

    __slots__ = ("counts", "first", "full", "more")

    def __init__(self, column: array) -> None:
        self.first: dict[int, int] = {}
        self.full: dict[int, int] = {}
        self.more: dict[int, list[int]] = {}
        self.counts = bytearray(len(column))
        for pos, key in enumerate(column):
            if not key:
                continue  # no key
            if key in self.first:
                self.more.setdefault(key, []).append(pos)
            else:
                self.first[key] = pos

    def holders(self, key: int) -> list[int]:
        return [self.first[key], *self.more.get(key, ())]

    def count(self, key: int) -> None:
        """One more grouped holder of ``key`` (one of its first); the last of them fills it."""
        pos = self.first[key]
        self.counts[pos] += 1
        if self.counts[pos] >= BUCKET_PEERS:
            self.full[key] = self.first.pop(key)

    def held(self) -> dict[int, int]:
        """Key -> its grouped holders counted, for the keys some grouped article holds."""
        counts = self.counts
        held = {key: counts[pos] for key, pos in self.first.items() if counts[pos]}
        held.update(dict.fromkeys(self.full, BUCKET_PEERS))
        return held


def chunk_candidates(
    chunk: Chunk, grouped: GroupedPages | None, stop: Callable[[], bool]
) -> list[tuple[int, int]] | None:
    """The pairs ``(earlier id, later id)`` worth checking exactly, later ids in the
    chunk, sorted by later id; None if ``stop`` said so. ``grouped``: the grouped articles'
    sketches (None: nothing is grouped yet)."""
    ids = chunk.ids
    kept: set[tuple[int, int]] = set()
    per_pass = max(1, min(SKETCH_KEYS, KEYSET_BUDGET // len(ids)))
    for first in range(0, SKETCH_KEYS, per_pass):
        bands = range(first, min(SKETCH_KEYS, first + per_pass))
        # Per band: where the chunk's keys sit, and how many grouped articles hold each.
        places: dict[int, _Places] = {}
        if grouped is not None:
            places = {band: _Places(chunk.sketches[band::SKETCH_KEYS]) for band in bands}
            for page_ids, blobs in grouped():
                if stop():
                    return None
                _compare_page(chunk, page_ids, blobs, places, kept)
        for band in bands:
            if stop():
                return None
            column = chunk.sketches[band::SKETCH_KEYS]
            held = places.pop(band).held() if places else None
            for j, i in band_candidates(column, held):
                pair = (ids[j], ids[i])
                if pair not in kept and chunk.worth_checking(i, chunk.words[j], j):
                    kept.add(pair)
    return sorted(kept, key=lambda pair: (pair[1], pair[0]))


def _compare_page(
    chunk: Chunk,
    page_ids: list[int],
    blobs: list[bytes],
    places: dict[int, _Places],
    kept: set[tuple[int, int]],
) -> None:
    """One page of grouped articles (id order) against the chunk, for ``places``' bands:
    each one among the first :data:`BUCKET_PEERS` grouped holders of a chunk's key is
    paired with the chunk's holders of it, when their bins make it worth checking."""
    ids, worth = chunk.ids, chunk.worth_checking
    page = _sketches(blobs)
    page_words: dict[int, int] = {}
    for band, where in places.items():
        column = page[band::SKETCH_KEYS]
        # Looked up as the scan reaches them: a key filled on this page leaves at once.
        for pos in compress(range(len(column)), map(where.first.__contains__, column)):
            key = column[pos]
            mine = page_words.get(pos)
            if mine is None:
                mine = page_words[pos] = word_bins(blobs[pos])
            peer = page_ids[pos]
            for i in where.holders(key):
                if worth(i, mine, blobs[pos]):
                    kept.add((peer, ids[i]))
            where.count(key)
