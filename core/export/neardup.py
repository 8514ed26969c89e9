"""Near-duplicate groups: MinHash over word 3-shingles, LSH banding, verified estimates.

Content farms rewrite one report many times (a new title, a word swapped, their own
boilerplate), and such copies must not sit in both train and test. Two articles belong to
one group when the estimated Jaccard similarity of their sets of word 3-shingles
(lower-cased words; each Han/kana character counts as a word) is at least
:data:`THRESHOLD` = 0.5; groups are closed under that relation (single linkage).

How, in pure Python and deterministically:

- each word is hashed with CRC-32 and each shingle (three word hashes) with Python's
  tuple hash, which for integers does not depend on ``PYTHONHASHSEED``;
- one-permutation MinHash: the 64-bit hash space is cut into :data:`BINS` = 64 bins and
  each bin keeps its smallest shingle hash (empty bins borrow from the next filled bin,
  "rotation densification"); the share of equal bins estimates the Jaccard similarity;
- LSH: 16 bands of 4 bins; articles agreeing on a whole band are candidates (a pair at
  0.5 similarity becomes one with probability 1 - (1 - 0.5^4)^16 = 0.64 per band set,
  0.99 at 0.7), and a candidate pair joins a group only if its estimate is >= 0.5.

Signatures are 64 machine integers per article (51 MB for 100,000); bands are bucketed one
at a time so the buckets never all exist at once.
"""

from __future__ import annotations

import bisect
import re
import zlib
from array import array

SHINGLE = 3
BINS = 64
BANDS = 16
ROWS = BINS // BANDS
THRESHOLD = 0.5
#: A bucket compares a newcomer with at most this many earlier members.
_BUCKET_PEERS = 4

_WORDS = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]|[^\W_]+"
)
_LOW = -(1 << 63)
_WIDTH = (1 << 64) // BINS
_EDGES = [_LOW + i * _WIDTH for i in range(BINS + 1)]
_EDGES[-1] = 1 << 63


def signature(text: str) -> list[int] | None:
    """The MinHash signature of ``text``, or None when it has no words at all."""
    words = _WORDS.findall(text.lower())
    if not words:
        return None
    hashes = list(map(zlib.crc32, map(str.encode, words)))
    if len(hashes) < SHINGLE:
        shingles = {hash(tuple(hashes))}
    else:
        shingles = set(map(hash, zip(*(hashes[i:] for i in range(SHINGLE)), strict=False)))
    values = sorted(shingles)
    n = len(values)
    sig: list[int | None] = []
    for b in range(BINS):
        j = bisect.bisect_left(values, _EDGES[b])
        sig.append(values[j] if j < n and values[j] < _EDGES[b + 1] else None)
    filled = [i for i, v in enumerate(sig) if v is not None]
    if len(filled) < BINS:
        for i in range(BINS):
            if sig[i] is None:
                k = bisect.bisect_left(filled, i)
                donor = filled[k % len(filled)]
                distance = (donor - i) % BINS
                sig[i] = (sig[donor] + distance * 0x9E3779B97F4A7C15) % (1 << 64) + _LOW
    return sig  # type: ignore[return-value]


def similarity(a: list[int] | array, b: list[int] | array) -> float:
    """Estimated Jaccard similarity: the share of bins where two signatures agree."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / BINS


class NearDuplicates:
    """Add texts one by one (index = order of adding); then ask for their groups."""

    def __init__(self) -> None:
        self._sigs = array("q")
        self._has: list[bool] = []

    def __len__(self) -> int:
        return len(self._has)

    def add(self, text: str) -> int:
        sig = signature(text)
        self._has.append(sig is not None)
        self._sigs.extend(sig if sig is not None else [0] * BINS)
        return len(self._has) - 1

    def _sig(self, i: int) -> array:
        return self._sigs[i * BINS : (i + 1) * BINS]

    def groups(self) -> list[int]:
        """For every text, the index of the first text of its group (itself if alone)."""
        n = len(self._has)
        parent = list(range(n))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        sigs = self._sigs
        for band in range(BANDS):
            buckets: dict[int, list[int]] = {}
            offset = band * ROWS
            for i in range(n):
                if not self._has[i]:
                    continue
                base = i * BINS + offset
                key = hash(tuple(sigs[base : base + ROWS]))
                peers = buckets.get(key)
                if peers is None:
                    buckets[key] = [i]
                    continue
                mine = None
                for j in peers:
                    if find(i) == find(j):
                        break
                    mine = mine or self._sig(i)
                    if similarity(mine, self._sig(j)) >= THRESHOLD:
                        ri, rj = find(i), find(j)
                        parent[max(ri, rj)] = min(ri, rj)
                        break
                if len(peers) < _BUCKET_PEERS:
                    peers.append(i)
        return [find(i) for i in range(n)]
