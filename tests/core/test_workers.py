"""Work started ahead in a pool and collected while the caller does something else."""

from __future__ import annotations

import concurrent.futures as cf
import threading
from collections.abc import Iterator

from core.workers import Prefetch


def test_prefetch_never_waits_hands_results_on_in_order_and_stops_on_cancel() -> None:
    gates = [threading.Event() for _ in range(6)]
    submitted: list[int] = []
    got: list[tuple[int, int]] = []

    def job(k: int) -> int:
        assert gates[k].wait(10)
        return k * k

    def jobs(n: int) -> Iterator[tuple[int, tuple[int]]]:
        for k in range(n):
            submitted.append(k)
            yield k, (k,)

    with cf.ThreadPoolExecutor(max_workers=2) as pool:
        work = Prefetch(pool, job, jobs(5), ahead=2, take=lambda k, r: got.append((k, r)))
        work.pump()  # returns at once, two jobs running
        assert submitted == [0, 1] and got == []
        gates[1].set()
        work.pump()
        assert got == []  # the second is done or nearly, but the first comes first
        gates[0].set()
        assert work.wait_one() and got[:1] == [(0, 0)]
        while len(got) < 2:  # the second, done, is handed on by a pump (or already was)
            work.pump()
        assert got == [(0, 0), (1, 1)] and submitted == [0, 1, 2, 3]  # two kept running
        for gate in gates[2:]:
            gate.set()
        while work.wait_one():
            pass
        assert got == [(k, k * k) for k in range(5)] and submitted == list(range(5))

        gates[:] = [threading.Event() for _ in range(6)]
        submitted.clear()
        got.clear()
        work = Prefetch(pool, job, jobs(6), ahead=2, take=lambda k, r: got.append((k, r)))
        work.pump()
        work.cancel()
        for gate in gates:
            gate.set()
        assert not work.wait_one() and got == [] and submitted == [0, 1]
