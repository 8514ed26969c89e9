"""A chunk's candidate pairs, found against grouped sketches that stream past in pages or
looked up in an index of their keys, equal those of all the articles' bands at once (the
grouped ones first), however the bands are split into passes and the grouped ones into
pages or additions."""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest

import core.neardup_chunk
from core.neardup import (
    SKETCH_BYTES,
    SKETCH_KEYS,
    band_candidates,
    sketch_bins,
    sketch_blob,
    sketch_texts,
    worth_checking,
)
from core.neardup_chunk import Chunk, GroupedCopy, chunk_candidates
from storage.near_duplicate_index import KeyIndex
from tests.fixtures.rewrites import corpus

TEXTS = [a.text for a in corpus(6, stories=5, background=8)] + [
    "Berita 𠮷野 القاهرة\r\nhari ini 😀 banjir besar di kota",
    "😀 🎉",
]


def _one_pass(sketches: array) -> set[tuple[int, int]]:
    raw = sketches.tobytes()
    bins = [sketch_bins(raw[k * SKETCH_BYTES : (k + 1) * SKETCH_BYTES]) for k in range(len(TEXTS))]
    return {
        (j, i)
        for band in range(SKETCH_KEYS)
        for j, i in band_candidates(sketches[band::SKETCH_KEYS])
        if worth_checking(bins[j], bins[i])
    }


@pytest.mark.parametrize(("budget", "page"), [(500_000, 1000), (7 * 9, 4), (1, 1)])
def test_pairs_against_streamed_pages_equal_one_pass_over_all(
    monkeypatch: pytest.MonkeyPatch, budget: int, page: int
) -> None:
    monkeypatch.setattr(core.neardup_chunk, "KEYSET_BUDGET", budget)
    sketches = sketch_texts(TEXTS)
    split = len(TEXTS) - 9  # the first ones grouped, the last nine the chunk
    blobs = [sketch_blob(sketches[k * SKETCH_KEYS : (k + 1) * SKETCH_KEYS]) for k in range(split)]
    passes = []

    def grouped() -> list[tuple[list[int], bytes]]:
        passes.append(1)
        return [
            (list(range(start, min(split, start + page))), b"".join(blobs[start : start + page]))
            for start in range(0, split, page)
        ]

    chunk = Chunk(list(range(split, len(TEXTS))), sketches[split * SKETCH_KEYS :])
    found = chunk_candidates(chunk, grouped, lambda: False)
    want = _one_pass(sketches)
    assert found is not None and len(want) > 20
    assert set(found) == {pair for pair in want if pair[1] >= split}
    assert found == sorted(found, key=lambda pair: (pair[1], pair[0]))
    assert len(passes) == -(-SKETCH_KEYS // max(1, min(SKETCH_KEYS, budget // 9)))


@pytest.mark.parametrize("budget", [500_000, 7 * 9, 1])
def test_pairs_looked_up_in_an_index_equal_one_pass_over_all(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, budget: int
) -> None:
    """The index a run of several chunks keeps: made of the articles grouped before the
    run (in two parts, in id order), then joined by each chunk as its candidates are
    found, it finds the pairs one pass over all finds, and nothing named is left."""
    monkeypatch.setattr(core.neardup_chunk, "KEYSET_BUDGET", budget)
    sketches = sketch_texts(TEXTS)
    split, middle = len(TEXTS) - 9, len(TEXTS) - 4  # grouped; a chunk; the last chunk
    stored = sketch_blob(sketches[: split * SKETCH_KEYS])
    index = KeyIndex(str(tmp_path))
    try:
        index.add(list(range(0, 4)), stored[: 4 * SKETCH_BYTES])
        index.add(list(range(4, split)), stored[4 * SKETCH_BYTES :])
        found: list[tuple[int, int]] = []
        for start, end in ((split, middle), (middle, len(TEXTS))):
            part = sketches[start * SKETCH_KEYS : end * SKETCH_KEYS]
            pairs = chunk_candidates(Chunk(list(range(start, end)), part), index, lambda: False)
            assert pairs is not None
            assert pairs == sorted(pairs, key=lambda pair: (pair[1], pair[0]))
            found += pairs
        want = {pair for pair in _one_pass(sketches) if pair[1] >= split}
        assert sum(a < split for a, _ in want) > 3
        assert any(split <= a < middle <= b for a, b in want)  # the chunk before, indexed
        assert set(found) == want and len(found) == len(want)
        assert list(index.ids) == list(range(len(TEXTS)))
    finally:
        index.close()
    stopped = KeyIndex(str(tmp_path))
    try:
        chunk = Chunk(list(range(len(TEXTS))), sketches)
        assert chunk_candidates(chunk, stopped, lambda: True) is None
    finally:
        stopped.close()
    assert not list(tmp_path.iterdir())


def test_a_chunk_with_nothing_grouped_reads_no_pages_and_a_stop_gives_none() -> None:
    sketches = sketch_texts(TEXTS)
    chunk = Chunk(list(range(len(TEXTS))), sketches)
    assert set(chunk_candidates(chunk, None, lambda: False) or ()) == _one_pass(sketches)
    assert chunk_candidates(chunk, None, lambda: True) is None


def test_a_grouped_copy_streams_what_was_added_in_pages_and_keeps_id_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy a run reads its grouped sketches from: the chunk's pairs against it equal
    those against the table's pages, across several additions and pages of any size."""
    monkeypatch.setattr(core.neardup_chunk, "KEYSET_BUDGET", 7 * 9)  # several passes
    sketches = sketch_texts(TEXTS)
    split = len(TEXTS) - 9
    stored = sketch_blob(sketches[: split * SKETCH_KEYS])
    copy = GroupedCopy(str(tmp_path))
    copy.PAGE = 3
    try:
        copy.add(list(range(0, 5)), stored[: 5 * SKETCH_BYTES])
        copy.add(list(range(5, split)), stored[5 * SKETCH_BYTES :])
        pages = list(copy.pages())
        assert [len(ids) for ids, _ in pages] == [3] * (split // 3) + [split % 3] * (split % 3 > 0)
        assert [i for ids, _ in pages for i in ids] == list(range(split))
        assert b"".join(block for _, block in pages) == stored
        chunk = Chunk(list(range(split, len(TEXTS))), sketches[split * SKETCH_KEYS :])
        found = chunk_candidates(chunk, copy.pages, lambda: False)
        assert found is not None
        assert set(found) == {pair for pair in _one_pass(sketches) if pair[1] >= split}
        with pytest.raises(ValueError):
            copy.add([split - 1], stored[:SKETCH_BYTES])  # not after the last id
        with pytest.raises(ValueError):
            copy.add([split + 50], stored[: 2 * SKETCH_BYTES])  # two sketches for one id
        assert [i for ids, _ in copy.pages() for i in ids] == list(range(split))
    finally:
        copy.close()
    assert not list(tmp_path.iterdir())  # nothing left with a name


def test_a_key_with_its_first_holders_counted_is_no_longer_looked_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Later grouped holders of a filled key cannot be compared, so the scan stops
    finding it; the chunk's own pairs still learn that its places are taken."""
    monkeypatch.setattr(core.neardup_chunk, "BUCKET_PEERS", 3)
    places = core.neardup_chunk._Places(array("I", [7, 0, 9, 7]))
    assert places.first[7] == 0 and places.more == {7: [3]} and 0 not in places.first
    for _ in range(2):
        places.count(7)
    assert 7 in places.first and places.held() == {7: 2}
    places.count(7)
    assert 7 not in places.first and places.held() == {7: 3}
    places.count(9)
    assert places.held() == {7: 3, 9: 1}


@pytest.mark.parametrize("indexed", [False, True])
def test_a_grouped_article_is_paired_exactly_where_worth_checking_says_at_each_edge(
    tmp_path: Path, indexed: bool
) -> None:
    """The scan counts differing word bins inline (a call per pair was a tenth of a late
    chunk): pairs with a grouped article sharing one band key, at and beside each
    threshold of :func:`core.neardup.worth_checking`, are kept exactly where it says."""
    import random

    from core.neardup import BANDS, BINS, SKELETON_BINS_FLOOR, WORD_BINS_ALONE, WORD_BINS_FLOOR

    rng = random.Random(11)

    def lanes() -> list[int]:
        return [rng.getrandbits(16) for _ in range(BINS)]

    def like(base: list[int], agreeing: int, keep: tuple[int, ...] = ()) -> list[int]:
        same = set(keep) | set(rng.sample([b for b in range(BINS) if b not in keep], agreeing))
        # Differing lanes differ in one bit (either end of the lane) or in all of them.
        flips = (0x0001, 0x8000, 0xFFFF, 0x7FFF, 0x0100)
        return [v if b in same else v ^ flips[b % len(flips)] for b, v in enumerate(base)]

    def keys(words: list[int], skeleton: list[int]) -> list[int]:
        both = words + skeleton
        return [both[2 * k] << 16 | both[2 * k + 1] for k in range(2 * BANDS)]

    words, skeleton = lanes(), lanes()
    last = (BINS - 2, BINS - 1)  # the skeleton's last band: the key every pair shares
    cases = [
        (w, s)
        for w in (0, WORD_BINS_FLOOR - 1, WORD_BINS_FLOOR, WORD_BINS_ALONE - 1, WORD_BINS_ALONE)
        for s in (2, SKELETON_BINS_FLOOR - 1, SKELETON_BINS_FLOOR)
    ]
    others = [keys(like(words, w), like(skeleton, s - 2, last)) for w, s in cases]
    grouped = sketch_blob(array("I", keys(words, skeleton)))
    chunk = Chunk(list(range(1, len(others) + 1)), array("I", [k for o in others for k in o]))
    index = KeyIndex(str(tmp_path))
    index.add([0], grouped)
    try:
        source = index if indexed else lambda: [([0], grouped)]
        found = chunk_candidates(chunk, source, lambda: False)
    finally:
        index.close()
    assert found is not None
    base = sketch_bins(grouped)
    want = {
        (0, k + 1)
        for k, other in enumerate(others)
        if worth_checking(base, sketch_bins(sketch_blob(array("I", other))))
    }
    assert {pair for pair in found if pair[0] == 0} == want
    assert 0 < len(want) < len(cases)  # both verdicts met
