"""Near-duplicate groups: LSH for candidates, the exact Jaccard similarity for decisions.

Content farms rewrite one report many times (synonyms swapped, sentences reordered, an
intro added, their own boilerplate), and such copies must not sit in both train and test.
Two articles are near-duplicates when the exact Jaccard similarity of their sets of word
3-shingles (lower-cased words; each Han/kana character counts as a word) is at least
:data:`THRESHOLD` = 0.3. Groups are the transitive closure of that relation (union-find):
a rewrite of a rewrite joins the group of the original even when the two ends differ more.

Comparing every pair is quadratic, so candidates come from MinHash LSH tuned low enough
that a pair at 0.3 is almost never missed, and every candidate pair is then decided on its
exact similarity; an estimate never groups or separates anything on its own.

- Each word is hashed with CRC-32 and each shingle (three word hashes) with Python's tuple
  hash cut to 32 bits; neither depends on ``PYTHONHASHSEED``, so keys may be stored.
  Two distinct shingles of two 500-shingle articles share a hash with probability ~6e-5:
  "exact" means exact up to that.
- One-permutation MinHash: the 32-bit space is cut into :data:`BINS` = 96 bins and each
  keeps its smallest shingle hash (an empty bin borrows from the next filled one,
  "rotation densification"); two articles agree on a bin with probability ~ their Jaccard.
- LSH: :data:`BANDS` = 48 bands of :data:`ROWS` = 2 bins. A pair at Jaccard 0.3 shares a
  band with probability 1 - (1 - 0.3^2)^48 = 0.989, at 0.4 0.9997, at 0.1 0.38, at 0.01
  0.005; the exact check throws the low ones out.
- A band whose key many articles share (a common boilerplate line left in every article of
  one site) is compared with at most :data:`BUCKET_PEERS` earlier members per newcomer:
  a real rewrite shares dozens of other bands as well.

A shingle set is kept as a 32-bit array (~1.8 kB for a 3,000-character article).
"""

from __future__ import annotations

import bisect
import operator
import re
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress, repeat

SHINGLE = 3
THRESHOLD = 0.3
BINS = 96
ROWS = 2
BANDS = BINS // ROWS
BUCKET_PEERS = 32
#: The second signal: skeleton shingles of this many tokens, grouped at this similarity
#: when the word 3-shingles also agree at least :data:`SKELETON_WORD_FLOOR`.
SKELETON = 8
SKELETON_THRESHOLD = 0.12
SKELETON_WORD_FLOOR = 0.06

_MASK = 0xFFFFFFFF
_WORDS = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]|[^\W_]+"
)
SKELETON_KEPT = 3
_UTF8, _SURROGATES, _THREE = repeat("utf-8"), repeat("surrogatepass"), repeat(3)
_KEPT = repeat(SKELETON_KEPT)
_MIX = 0x9E3779B9
_SKELETON_SALT = 0x5BD1E995  # golden-ratio step: a borrowed bin differs from its donor's value


def _word_hashes(text: str) -> tuple[list[str], list[int]]:
    words = _WORDS.findall(text)
    lowered = map(str.lower, words)
    return words, list(map(zlib.crc32, map(str.encode, lowered, _UTF8, _SURROGATES)))


def _shingle_set(hashes: list[int], size: int) -> array:
    if not hashes:
        return array("I")
    if len(hashes) < size:
        return array("I", [hash(tuple(hashes)) & _MASK])
    tuples = zip(*(hashes[k:] for k in range(size)), strict=False)
    return array("I", set(map(_MASK.__and__, map(hash, tuples))))


def shingles(text: str) -> array:
    """The set of word 3-shingle hashes of ``text`` as an ``array('I')`` (empty: no words).

    A text of one or two words is one shingle of its words.
    """
    return _shingle_set(_word_hashes(text)[1], SHINGLE)


def fingerprint(text: str) -> tuple[array, array]:
    """Word 3-shingles and skeleton shingles of ``text``, reading its words once.

    The second signal: a spinner swaps content words for synonyms but keeps the short
    function words, the names, the numbers and the order of it all. The skeleton keeps
    those (words of up to three letters, words with a capital or a digit, words in
    scripts without case such as Han, Thai or Arabic) and writes every other word as one
    placeholder; its shingles are :data:`SKELETON` tokens long. Two outlets' own reports
    of one event share names, but not sentence skeletons.
    """
    words, hashes = _word_hashes(text)
    # Per word, in C-level maps (a Python loop here would double an export's scan):
    # a content word is longer than three letters, all letters, all lower case.
    content = map(
        operator.and_,
        map(operator.gt, map(len, words), _THREE),
        map(operator.and_, map(str.isalpha, words), map(str.islower, words)),
    )
    kept = list(map(operator.not_, content))
    skeleton = list(map(operator.mul, hashes, kept))
    if len(skeleton) < SKELETON:
        return _shingle_set(hashes, SHINGLE), array("I")
    # Only shingles with SKELETON_KEPT kept words or more: "· · · di · · · ·" occurs in
    # every Indonesian text and would make every pair a candidate.
    counts = list(accumulate(kept, initial=0))
    informative = map(operator.ge, map(operator.sub, counts[SKELETON:], counts), _KEPT)
    tuples = compress(zip(*(skeleton[k:] for k in range(SKELETON)), strict=False), informative)
    return (
        _shingle_set(hashes, SHINGLE),
        array("I", set(map(_MASK.__and__, map(hash, tuples)))),
    )


def skeleton_shingles(text: str) -> array:
    """The skeleton shingles of ``text`` (see :func:`fingerprint`)."""
    return fingerprint(text)[1]


def jaccard(a: Sequence[int], b: Sequence[int], a_set: set[int] | None = None) -> float:
    """Exact Jaccard similarity of two shingle sets (``a_set``: ``set(a)``, if already made)."""
    if not a or not b:
        return 0.0
    common = len((a_set if a_set is not None else set(a)).intersection(b))
    return common / (len(a) + len(b) - common)


def near_duplicates(
    words_a: Sequence[int],
    words_b: Sequence[int],
    skeletons: tuple[Sequence[int], Sequence[int]] | None,
    *,
    words_a_set: set[int] | None = None,
) -> bool:
    """The one rule that joins two articles, on exact similarities only: word 3-shingles
    at :data:`THRESHOLD`, or skeletons at :data:`SKELETON_THRESHOLD` with word 3-shingles
    at :data:`SKELETON_WORD_FLOOR` (``skeletons`` None: the first signal alone)."""
    word = jaccard(words_a, words_b, words_a_set)
    if word >= THRESHOLD:
        return True
    if skeletons is None or word < SKELETON_WORD_FLOOR:
        return False
    return jaccard(*skeletons) >= SKELETON_THRESHOLD


def all_band_keys(words: Sequence[int], skeleton: Sequence[int]) -> list[int]:
    """Both signals' LSH keys (2 x :data:`BANDS`) cut to 32 bits, for storing: a stored
    key that collides only makes one more candidate, and every candidate is checked."""
    keys = band_keys(words) if words else []
    keys += [k ^ _SKELETON_SALT for k in band_keys(skeleton)] if skeleton else []
    return [k & _MASK for k in keys]


def band_keys(shingle_set: Sequence[int]) -> list[int]:
    """The :data:`BANDS` LSH keys of a non-empty shingle set (signed 64-bit integers)."""
    values = sorted(shingle_set, reverse=True)
    # Sorted high to low, so for each bin the last value written, its smallest, stays.
    mins = dict(zip([v * BINS >> 32 for v in values], values, strict=True))
    if len(mins) < BINS:
        filled = sorted(mins)
        for b in range(BINS):
            if b not in mins:
                after = bisect.bisect_right(filled, b)  # the next filled bin, wrapping
                donor = filled[after] if after < len(filled) else filled[0]
                mins[b] = (mins[donor] + ((donor - b) % BINS) * _MIX) & _MASK
    return [hash((mins[2 * k], mins[2 * k + 1], k)) for k in range(BANDS)]


@dataclass(slots=True)
class GroupingStats:
    """What a grouping did: candidate pairs decided exactly, and how many were joined."""

    checked: int = 0
    joined: int = 0


class UnionFind:
    """Groups over 0..n-1; a group's root is its smallest member."""

    def __init__(self, n: int = 0) -> None:
        self.parent = list(range(n))

    def grow(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def roots(self) -> list[int]:
        return [self.find(i) for i in range(len(self.parent))]


class NearDuplicates:
    """Add texts one by one (index = order of adding); then ask for their groups.

    ``skeletons``: also join pairs on the second signal (see :func:`skeleton_shingles`).
    """

    def __init__(self, *, skeletons: bool = True) -> None:
        self.skeletons = skeletons
        self._sets: list[array] = []
        self._keys = array("q")
        self._skeletons: list[array] = []
        self._skeleton_keys = array("q")
        self.stats = GroupingStats()

    def __len__(self) -> int:
        return len(self._sets)

    def add(self, text: str) -> int:
        if self.skeletons:
            return self.add_shingles(*fingerprint(text))
        return self.add_shingles(shingles(text))

    def add_shingles(self, shingle_set: array, skeleton: array | None = None) -> int:
        self._sets.append(shingle_set)
        # An article without words gets keys no other article has: it stays alone.
        self._keys.extend(band_keys(shingle_set) if shingle_set else [0] * BANDS)
        if self.skeletons:
            skeleton = skeleton if skeleton is not None else array("I")
            self._skeletons.append(skeleton)
            self._skeleton_keys.extend(band_keys(skeleton) if skeleton else [0] * BANDS)
        return len(self._sets) - 1

    def similar(self, i: int, j: int, mine: set[int]) -> bool:
        skeletons = (self._skeletons[i], self._skeletons[j]) if self.skeletons else None
        return near_duplicates(self._sets[i], self._sets[j], skeletons, words_a_set=mine)

    def groups(self) -> list[int]:
        """For every text, the index of the first text of its group (itself if alone)."""
        groups = UnionFind(len(self._sets))
        rejected: set[int] = set()
        self._join(self._keys, groups, rejected)
        if self.skeletons:
            self._join(self._skeleton_keys, groups, rejected)
        return groups.roots()

    def _join(self, keys: array, groups: UnionFind, rejected: set[int]) -> None:
        n = len(self._sets)
        sets = self._sets
        for band in range(BANDS):
            column = keys[band::BANDS]
            shared = {key for key, count in Counter(column).items() if count > 1}
            buckets: dict[int, list[int]] = {}
            for i, key in enumerate(column):
                if key not in shared or not sets[i]:
                    continue
                peers = buckets.setdefault(key, [])
                mine: set[int] | None = None
                for j in peers:
                    if groups.find(i) == groups.find(j) or j * n + i in rejected:
                        continue
                    mine = mine if mine is not None else set(sets[i])
                    self.stats.checked += 1
                    if self.similar(i, j, mine):
                        groups.union(i, j)
                        self.stats.joined += 1
                    else:
                        rejected.add(j * n + i)
                if len(peers) < BUCKET_PEERS:
                    peers.append(i)


def group_members(roots: Iterable[int]) -> dict[int, list[int]]:
    """``root -> [indices]`` for groups of two or more (from :meth:`NearDuplicates.groups`)."""
    members: dict[int, list[int]] = {}
    for i, root in enumerate(roots):
        members.setdefault(root, []).append(i)
    return {root: idx for root, idx in members.items() if len(idx) > 1}
