"""The index a run of several chunks keeps of the grouped articles' band keys: what it keeps
of a key, in what order, and what it gives back (its pairs equal the scan's:
``tests/core/test_neardup_chunk.py``)."""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest

import core.neardup
from core.neardup import SKETCH_KEYS, sketch_blob
from core.neardup_chunk import POSITION_BITS, POSITION_MASK
from storage.near_duplicate_index import KeyIndex


def test_an_index_keeps_each_keys_first_holders_in_the_order_added(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A key's holders past the first BUCKET_PEERS are never compared, so the index keeps
    none of them, across additions; each position gives back its id and sketch."""
    monkeypatch.setattr(core.neardup, "BUCKET_PEERS", 3)
    sketches = [
        array("I", [7, 9 + k, *range(100 + k, 100 + k + SKETCH_KEYS - 2)]) for k in range(6)
    ]
    sketches[2][0] = 0  # no key in band 0
    blobs = [sketch_blob(s) for s in sketches]
    index = KeyIndex(str(tmp_path))
    try:
        index.add([10, 11], b"".join(blobs[:2]))
        index.add([12, 13, 14, 15], b"".join(blobs[2:]))
        rows = list(index.holders(0, [7, 8, 0]))
        assert [row >> POSITION_BITS for row in rows] == [7, 7, 7]
        assert [row & POSITION_MASK for row in rows] == [0, 1, 3]  # 2 holds no key 7
        assert [index.ids[row & POSITION_MASK] for row in rows] == [10, 11, 13]
        assert list(index.holders(1, [12, 9])) == [9 << POSITION_BITS, 12 << POSITION_BITS | 3]
        assert [index.sketch(k) for k in (5, 0, 3, 4)] == [blobs[5], blobs[0], blobs[3], blobs[4]]
        with pytest.raises(ValueError):
            index.add([15], blobs[0])  # not after the last id
        with pytest.raises(ValueError):
            index.add([20], blobs[0] * 2)  # two sketches for one id
        assert len(index.ids) == 6 and list(index.holders(0, [7]))[-1] & POSITION_MASK == 3
    finally:
        index.close()
    assert not list(tmp_path.iterdir())


def test_a_run_of_several_chunks_makes_its_index_once_and_lets_it_go_when_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pass's source for a run of several chunks: an index made from the table once (in
    parts, a stop checked between them) and kept while the table holds what it holds; a
    stop while it is made lets it go and gives the table, which the chunk stops on."""
    from collections.abc import Iterator

    from storage.near_duplicate_sources import GroupedSource

    monkeypatch.setattr(GroupedSource, "BUILD", 2)
    blobs = [sketch_blob(array("I", [k + 1] * SKETCH_KEYS)) for k in range(5)]
    reads: list[int] = []

    def table() -> Iterator[tuple[list[int], bytes]]:
        reads.append(1)
        yield [1, 2], blobs[0] + blobs[1]
        yield [3, 4, 5], b"".join(blobs[2:])

    source = GroupedSource(table, str(tmp_path), indexed=True)
    try:
        index = source.pages(5, 100_000)
        assert isinstance(index, KeyIndex) and list(index.ids) == [1, 2, 3, 4, 5]
        assert source.pages(5, 100_000) is index and len(reads) == 1
        source.written([(6, 6, None)])  # a chunk's rows: the index has them from its candidates
        assert source.pages(6, 100_000) is index
        assert isinstance(source.pages(7, 100_000), KeyIndex) and len(reads) == 2  # made again
        checks: list[int] = []

        def stop_on_second() -> bool:
            checks.append(1)
            return len(checks) > 1

        assert source.pages(8, 100_000, stop_on_second) is table
    finally:
        source.close()
    assert not list(tmp_path.iterdir())
