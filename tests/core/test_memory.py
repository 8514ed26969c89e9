"""Freed memory goes back to the operating system where the C library allows it, and the
cycle collector runs less often during bulk phases."""

from __future__ import annotations

import gc
import sys
import threading
from pathlib import Path

import pytest

from core.memory import BULK_GC_THRESHOLD, fewer_collections, give_back_memory
from core.workers import process_pool


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


def test_fewer_collections_raises_the_first_threshold_and_the_last_phase_puts_it_back() -> None:
    usual = gc.get_threshold()
    entered = threading.Barrier(2)
    leave_first = threading.Event()
    seen: dict[str, tuple[int, int, int]] = {}

    def first() -> None:
        with fewer_collections():
            entered.wait()
            leave_first.wait()
            seen["first, as it left"] = gc.get_threshold()

    worker = threading.Thread(target=first)
    worker.start()
    with fewer_collections():
        entered.wait()
        seen["both inside"] = gc.get_threshold()
        leave_first.set()
        worker.join()
        seen["the other gone"] = gc.get_threshold()
        with fewer_collections():  # nested in one thread
            pass
        seen["after a nested one"] = gc.get_threshold()
    raised = (BULK_GC_THRESHOLD, *usual[1:])
    assert seen == {
        "both inside": raised,
        "first, as it left": raised,
        "the other gone": raised,
        "after a nested one": raised,
    }
    assert gc.get_threshold() == usual


def test_fewer_collections_puts_the_threshold_back_when_the_phase_fails() -> None:
    usual = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("the import failed")
    assert gc.get_threshold() == usual


def test_a_pool_worker_runs_its_cycle_collector_as_seldom_as_a_bulk_phase() -> None:
    """Pool workers do bulk work only (languages, sketches, the suggesters' text work)."""
    with process_pool(1) as pool:
        assert pool.submit(gc.get_threshold).result(timeout=60)[0] == BULK_GC_THRESHOLD
    assert gc.get_threshold()[0] != BULK_GC_THRESHOLD  # this process keeps its own
