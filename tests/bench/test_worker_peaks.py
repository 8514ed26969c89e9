"""The bench's worker memory: each worker's own peak, not its parent's size at the fork."""

from __future__ import annotations

import multiprocessing
import resource
import sys
import time

import pytest

from bench.worker_peaks import WorkerPeaks

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")

MB = 1024 * 1024


def _hold(mb: int) -> None:
    block = bytearray(mb * MB)
    for i in range(0, len(block), 4096):
        block[i] = 1  # touched: resident
    time.sleep(0.6)  # long enough for a few samples


def test_a_workers_peak_is_its_own_and_not_its_parents_size() -> None:
    peaks = WorkerPeaks(every=0.05)
    parent = bytearray(250 * MB)
    for i in range(0, len(parent), 4096):
        parent[i] = 1
    worker = multiprocessing.get_context("spawn").Process(target=_hold, args=(60,))
    worker.start()
    worker.join()
    peaks.stop()
    own = peaks.peak_mb()
    assert own is not None and 60 <= own < 150  # the 60 MB it held and an interpreter
    # What getrusage says of the same worker: the parent's 250 MB at the fork.
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 >= 250
    del parent
