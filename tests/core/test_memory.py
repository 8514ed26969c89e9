"""Freed memory goes back to the operating system where the C library allows it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from core.memory import give_back_memory


def _resident_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    import resource

    return pages * resource.getpagesize() / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_memory_freed_between_live_blocks_leaves_the_process() -> None:
    if not give_back_memory():
        pytest.skip("this C library has no malloc_trim (musl)")
    # 48 MB in 8 kB blocks (from the heap, not mmap), every 64th kept: the free memory sits
    # between live blocks, where freeing alone does not return it.
    blocks = [b"x" * 8192 for _ in range(6144)]
    kept = blocks[::64]
    del blocks
    before = _resident_mb()
    assert give_back_memory()
    after = _resident_mb()
    assert len(kept) == 96
    assert before - after > 24, (before, after)
