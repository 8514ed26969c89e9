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
  "rotation densification"), mixed and cut to 16 bits; two articles agree on a bin with
  probability ~ their Jaccard (plus 2^-16 for two different minima).
- LSH: :data:`BANDS` = 48 bands of :data:`ROWS` = 2 bins, a band's key being its two bins
  as one 32-bit number. A pair at Jaccard 0.3 shares a band with probability
  1 - (1 - 0.3^2)^48 = 0.989, at 0.4 0.9997, at 0.1 0.38, at 0.01 0.005.
- A band whose key many articles share (a common boilerplate line left in every article of
  one site) is compared with its first :data:`BUCKET_PEERS` holders only: a real rewrite
  shares dozens of other bands as well.
- A pair sharing a band is a candidate only when its 96 bins could come from a pair the
  rule joins (:func:`worth_checking`): at least :data:`WORD_BINS_ALONE` word bins agree
  (a pair at 0.3 agrees on 28.8 of 96; fewer than 12 has probability ~1e-4), or at least
  :data:`WORD_BINS_FLOOR` word bins and :data:`SKELETON_BINS_FLOOR` skeleton bins agree
  (at the second signal's own thresholds, 0.06 and 0.12, a pair falls short with
  probability 0.064 and 0.012; at its typical 0.15 and 0.3, < 1e-4). On text made of a
  few hundred words, where almost every pair of articles shares some skeleton band, this
  is what keeps the exact checks (which need both texts) to a few per thousand articles.
  An estimate still never joins anything: every candidate is decided exactly.
- An article's 96 band keys (48 per signal; 0: the signal is empty) are its *sketch*,
  384 bytes, what a project stores to find candidates for later articles.

A shingle set is kept as a 32-bit array (~1.8 kB for a 3,000-character article).
"""

from __future__ import annotations

import bisect
import operator
import re
import sys
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress, repeat

SHINGLE = 3
THRESHOLD = 0.3
BINS = 96
ROWS = 2
BANDS = BINS // ROWS
BUCKET_PEERS = 32
SKETCH_KEYS = 2 * BANDS
#: A sketch as stored: its keys, 32-bit little-endian.
SKETCH_BYTES = SKETCH_KEYS * 4
WORD_BINS_ALONE = 12
WORD_BINS_FLOOR = 3
SKELETON_BINS_FLOOR = 5
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
_KEPT = repeat(SKELETON_KEPT)
_MIX = 0x9E3779B9  # golden-ratio step: a borrowed bin differs from its donor's value
_SPREAD = 0x9E3779B1
_NO_KEYS = [0] * BANDS
BIG_ENDIAN = sys.byteorder == "big"
#: Every 16-bit lane's low 15 bits, and every lane's top bit (:func:`_agreeing_bins`).
LANE_LOW15 = sum(0x7FFF << (16 * k) for k in range(BINS))
LANE_TOPS = sum(0x8000 << (16 * k) for k in range(BINS))


class _WordMemo(dict):
    """word -> ``compute(word)``, filled as words are met and emptied past
    :data:`_MEMO_LIMIT`: a worker meets the same words over and over, and a lookup costs a
    fifth of working a word out again (a third of a sketch's time went to that)."""

    def __init__(self, compute: Callable[[str], int]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, word: str) -> int:
        if len(self) >= _MEMO_LIMIT:
            self.clear()
        value = self[word] = self.compute(word)
        return value


def _word_hash(word: str) -> int:
    """CRC-32 of the lower-cased word."""
    return zlib.crc32(word.lower().encode("utf-8", "surrogatepass"))


def _skeleton_keeps(word: str) -> int:
    """1 unless a content word: longer than three letters, all letters, all lower case."""
    return int(not (len(word) > 3 and word.isalpha() and word.islower()))


_MEMO_LIMIT = 100_000
_HASHES = _WordMemo(_word_hash)
_KEPT_WORDS = _WordMemo(_skeleton_keeps)


def _word_hashes(text: str) -> tuple[list[str], list[int]]:
    words = _WORDS.findall(text)
    return words, list(map(_HASHES.__getitem__, words))


def _shingle_hashes(hashes: list[int], size: int) -> list[int]:
    """Hashes of the ``size``-word shingles of a text's word hashes, repeats kept (a
    MinHash bin is the same over a set or a list; only the exact check needs the set)."""
    if not hashes:
        return []
    if len(hashes) < size:
        return [hash(tuple(hashes)) & _MASK]
    tuples = zip(*(hashes[k:] for k in range(size)), strict=False)
    return list(map(_MASK.__and__, map(hash, tuples)))


def _shingle_set(hashes: list[int], size: int) -> array:
    return array("I", set(_shingle_hashes(hashes, size)))


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
    words, skeleton = _shingle_lists(text)
    return array("I", set(words)), array("I", set(skeleton))


def _shingle_lists(text: str) -> tuple[list[int], list[int]]:
    """:func:`fingerprint`'s two signals as lists of shingle hashes, repeats kept."""
    words, hashes = _word_hashes(text)
    kept = list(map(_KEPT_WORDS.__getitem__, words))  # C-level lookups, no Python loop
    skeleton = list(map(operator.mul, hashes, kept))
    if len(skeleton) < SKELETON:
        return _shingle_hashes(hashes, SHINGLE), []
    # Only shingles with SKELETON_KEPT kept words or more: "· · · di · · · ·" occurs in
    # every Indonesian text and would make every pair a candidate.
    counts = list(accumulate(kept, initial=0))
    informative = map(operator.ge, map(operator.sub, counts[SKELETON:], counts), _KEPT)
    tuples = compress(zip(*(skeleton[k:] for k in range(SKELETON)), strict=False), informative)
    return _shingle_hashes(hashes, SHINGLE), list(map(_MASK.__and__, map(hash, tuples)))


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


def bins(shingle_set: Sequence[int]) -> list[int]:
    """The :data:`BINS` MinHash bins of a non-empty shingle set, 16 bits each."""
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
    # Mixed before cutting: a bin's minimum sits near the bin's start, its low bits do not.
    return [(mins[b] * _SPREAD & _MASK) >> 16 for b in range(BINS)]


def band_keys(shingle_set: Sequence[int]) -> list[int]:
    """The :data:`BANDS` LSH keys of a non-empty shingle set: two bins as one 32-bit
    number, never 0 (0 stands for "no key")."""
    values = bins(shingle_set)
    return [(values[2 * k] << 16 | values[2 * k + 1]) or 1 for k in range(BANDS)]


def sketch(words: Sequence[int], skeleton: Sequence[int] | None = None) -> array:
    """Both signals' band keys, :data:`SKETCH_KEYS` of them (an empty signal: zeros)."""
    out = array("I", band_keys(words) if words else _NO_KEYS)
    out.extend(band_keys(skeleton) if words and skeleton else _NO_KEYS)
    return out


def sketch_texts(texts: list[str]) -> array:
    """The sketches of ``texts``, side by side (what a worker process is asked for)."""
    out = array("I")
    for text in texts:
        out.extend(sketch(*_shingle_lists(text)))  # no sets: the bins do not need them
    return out


#: A sketch as :func:`worth_checking` compares it: each signal's bins as one integer of
#: 16-bit lanes (0: the signal is empty).
Bins = tuple[int, int]


def sketch_bins(keys: bytes | memoryview) -> Bins:
    """A stored sketch (little-endian keys) as :data:`Bins`."""
    return word_bins(keys), int.from_bytes(keys[BANDS * 4 :], "little")


def word_bins(keys: bytes | memoryview) -> int:
    """The first signal's half of :func:`sketch_bins`: all that :func:`words_decide` reads."""
    return int.from_bytes(keys[: BANDS * 4], "little")


def _agreeing_bins(x: int) -> int:
    """How many 16-bit lanes of ``x`` (two signatures XORed) are zero, in integer
    arithmetic: adding 0x7FFF to a lane's low 15 bits carries into its top bit unless they
    are zero (and never out of the lane), so ORed with the lane itself, the top bit says
    the lane differs. Five operations on a 1,536-bit integer where ORing each lane down
    into its lowest bit took nine; ``core.neardup_chunk`` inlines it (see there why)."""
    return BINS - ((((x & LANE_LOW15) + LANE_LOW15) | x) & LANE_TOPS).bit_count()


def worth_checking(a: Bins, b: Bins) -> bool:
    """Whether two sketches' bins could come from a pair :func:`near_duplicates` joins
    (see the module's notes for the odds); only such pairs are checked exactly."""
    verdict = words_decide(a[0], b[0])
    if verdict is not None:
        return verdict
    return bool(a[1]) and bool(b[1]) and _agreeing_bins(a[1] ^ b[1]) >= SKELETON_BINS_FLOOR


def _word_verdict(agreeing: int) -> bool | None:
    if agreeing >= WORD_BINS_ALONE:
        return True
    if agreeing < WORD_BINS_FLOOR:
        return False
    return None


#: :func:`words_decide`'s answer by the number of word bins that differ (what a loop that
#: counts them inline looks up).
WORD_VERDICTS = tuple(_word_verdict(BINS - differ) for differ in range(BINS + 1))


def words_decide(a: int, b: int) -> bool | None:
    """:func:`worth_checking`'s answer from the word bins alone (:func:`word_bins`) where
    they decide it, None where the skeleton bins must be read as well. On news text that is
    under 1 % of the pairs sharing a band (73,000 of 9.4 million for one chunk of
    ``gen_news`` against 400,000), so a caller holding many sketches need keep only
    the word bins and read the rest when asked."""
    return WORD_VERDICTS[BINS - _agreeing_bins(a ^ b)]


def sketch_blob(keys: array) -> bytes:
    """A sketch as stored: little-endian 32-bit keys."""
    if BIG_ENDIAN:
        keys = array("I", keys)
        keys.byteswap()
    return keys.tobytes()


def stored_keys(stored: bytes) -> array:
    """Sketches as stored, side by side, as keys."""
    out = array("I")
    out.frombytes(stored)
    if BIG_ENDIAN:
        out.byteswap()
    return out


def band_candidates(
    keys: Sequence[int], held: Mapping[int, int] | None = None
) -> Iterator[tuple[int, int]]:
    """For one band, pairs ``(j, i)`` of positions in ``keys`` (the band's key of each new
    article, in order), ``j < i`` one of the first :data:`BUCKET_PEERS` holders of the key.
    ``held``: how many earlier articles (not in ``keys``) hold each key, counted up to
    BUCKET_PEERS; they take the first places (their pairs are the caller's to make). Key 0
    is no key."""
    held = held or {}
    relevant = {key for key, count in Counter(keys).items() if count > 1}
    relevant.discard(0)
    firsts: dict[int, list[int]] = {}
    for i in compress(range(len(keys)), map(relevant.__contains__, keys)):
        key = keys[i]
        mine = firsts.setdefault(key, [])
        for j in mine:
            yield j, i
        if held.get(key, 0) + len(mine) < BUCKET_PEERS:
            mine.append(i)


def late_holders(keys: Sequence[int], held: Mapping[int, int] | None = None) -> list[int]:
    """The positions in ``keys`` (one band's key of each new article, in order) past their
    key's first :data:`BUCKET_PEERS` holders, the ``held`` earlier ones counted first:
    later articles are never compared with them (:func:`band_candidates`' rule). Key 0 is
    no key. Few are: only keys held that often are walked in Python."""
    held = held or {}
    counts = Counter(keys)
    counts.pop(0, None)
    over = {key for key, n in counts.items() if n + held.get(key, 0) > BUCKET_PEERS}
    out: list[int] = []
    taken: dict[int, int] = {}
    for pos in compress(range(len(keys)), map(over.__contains__, keys)):
        key = keys[pos]
        n = taken.get(key, held.get(key, 0))
        if n >= BUCKET_PEERS:
            out.append(pos)
        else:
            taken[key] = n + 1
    return out


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
        self._skeletons: list[array] = []
        self._sketches = array("I")
        self.stats = GroupingStats()

    def __len__(self) -> int:
        return len(self._sets)

    def add(self, text: str) -> int:
        if self.skeletons:
            return self.add_shingles(*fingerprint(text))
        return self.add_shingles(shingles(text))

    def add_shingles(self, shingle_set: array, skeleton: array | None = None) -> int:
        skeleton = skeleton if self.skeletons and skeleton is not None else array("I")
        self._sets.append(shingle_set)
        self._skeletons.append(skeleton)
        self._sketches.extend(sketch(shingle_set, skeleton))
        return len(self._sets) - 1

    def similar(self, i: int, j: int, mine: set[int] | None = None) -> bool:
        skeletons = (self._skeletons[i], self._skeletons[j]) if self.skeletons else None
        return near_duplicates(self._sets[i], self._sets[j], skeletons, words_a_set=mine)

    def groups(self) -> list[int]:
        """For every text, the index of the first text of its group (itself if alone)."""
        groups = UnionFind(len(self._sets))
        size = SKETCH_KEYS * self._sketches.itemsize
        raw = memoryview(self._sketches).cast("B")
        sketches = [sketch_bins(raw[i * size : (i + 1) * size]) for i in range(len(self._sets))]
        rejected: set[tuple[int, int]] = set()
        for band in range(SKETCH_KEYS):
            for j, i in band_candidates(self._sketches[band::SKETCH_KEYS]):
                if groups.find(i) == groups.find(j) or (j, i) in rejected:
                    continue
                if not worth_checking(sketches[i], sketches[j]):
                    continue
                self.stats.checked += 1
                if self.similar(i, j):
                    groups.union(i, j)
                    self.stats.joined += 1
                else:
                    rejected.add((j, i))
        return groups.roots()


def group_members(roots: Iterable[int]) -> dict[int, list[int]]:
    """``root -> [indices]`` for groups of two or more (from :meth:`NearDuplicates.groups`)."""
    members: dict[int, list[int]] = {}
    for i, root in enumerate(roots):
        members.setdefault(root, []).append(i)
    return {root: idx for root, idx in members.items() if len(idx) > 1}
