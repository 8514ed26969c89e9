"""Worker processes end with the process that started them, however it ends.

A pool's workers wait on a queue whose pipe they hold both ends of, so a parent killed
with SIGKILL (or SIGTERM, which skips the pool's shutdown) leaves them waiting forever,
and the resource tracker with them. Each worker therefore watches its parent from a
thread: ``multiprocessing`` gives a spawned child a sentinel (a pipe end on POSIX, a
process handle on Windows) that becomes ready when the parent is gone, on every platform.
The worker then exits at once; the resource tracker follows when its last user is gone.

(Linux's ``PR_SET_PDEATHSIG`` is not used: it fires when the *thread* that started the
worker ends, and the app starts pools from background threads.)
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

from core.memory import collect_seldom_from_now_on

K = TypeVar("K")
R = TypeVar("R")


def _exit_when_parent_dies(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(3)  # no clean-up to run: the parent that wanted the results is gone


def die_with_parent() -> None:
    """A pool's ``initializer``: start the watch in the worker (no-op in the main process)."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return
    threading.Thread(
        target=_exit_when_parent_dies, args=(parent.sentinel,), name="parent-watch", daemon=True
    ).start()


def _start_pool_worker() -> None:
    """A pool's ``initializer``: the worker ends with its parent, and its cycle collector
    runs as seldom as in a bulk phase (:func:`core.memory.fewer_collections`): a pool
    worker does nothing but bulk work (languages, sketches, the suggesters' text work)."""
    die_with_parent()
    collect_seldom_from_now_on()


def process_pool(workers: int) -> cf.ProcessPoolExecutor:
    """A pool of spawned processes (fork is unsafe beside Qt threads) that end with this
    one. Its processes start at the first submitted job, so an unused pool costs nothing."""
    context = multiprocessing.get_context("spawn")
    return cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_start_pool_worker
    )


def default_workers() -> int:
    """Worker processes for a large batch: one per core, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


def in_order(
    pool: cf.Executor | None,
    fn: Callable[..., R],
    jobs: Iterable[tuple[K, tuple[Any, ...]]],
    *,
    ahead: int,
) -> Iterator[tuple[K, R]]:
    """``(key, fn(*args))`` for each ``(key, args)`` of ``jobs``, in the order of ``jobs``.

    With a pool, up to ``ahead`` jobs run at once while the caller handles the oldest
    result; ``jobs`` is read only as far as needed (it may read a database page by page).
    Results come back in order because the caller keeps a watermark of what it stored: a
    later page stored before an earlier one would be skipped after a stop. Leaving the
    loop early cancels the jobs not started yet.
    """
    if pool is None:
        for key, args in jobs:
            yield key, fn(*args)
        return
    running: deque[tuple[K, cf.Future[R]]] = deque()
    try:
        for key, args in jobs:
            running.append((key, pool.submit(fn, *args)))
            if len(running) >= ahead:
                oldest, future = running.popleft()
                yield oldest, future.result()
        while running:
            oldest, future = running.popleft()
            yield oldest, future.result()
    finally:
        for _key, future in running:
            future.cancel()


class Prefetch(Generic[K, R]):
    """:func:`in_order`'s work, started now and collected while the caller does something
    else: :meth:`pump` never waits (it hands finished results on and submits jobs while
    fewer than ``ahead`` run), so a caller busy in this process calls it now and then and
    the workers stay fed; :meth:`wait_one` waits for the oldest. Results reach ``take`` in
    the order of ``jobs``, as :func:`in_order` yields them. :meth:`cancel` drops the jobs
    not started."""

    def __init__(
        self,
        pool: cf.Executor,
        fn: Callable[..., R],
        jobs: Iterable[tuple[K, tuple[Any, ...]]],
        *,
        ahead: int,
        take: Callable[[K, R], None],
    ) -> None:
        self._pool, self._fn, self._jobs = pool, fn, iter(jobs)
        self._ahead, self._take = ahead, take
        self._running: deque[tuple[K, cf.Future[R]]] = deque()
        self._submitted_all = False

    def pump(self) -> None:
        while self._running and self._running[0][1].done():
            key, future = self._running.popleft()
            self._take(key, future.result())
        while not self._submitted_all and len(self._running) < self._ahead:
            job = next(self._jobs, None)
            if job is None:
                self._submitted_all = True
            else:
                self._running.append((job[0], self._pool.submit(self._fn, *job[1])))

    def wait_one(self) -> bool:
        """Wait for the oldest job and hand its result on; False once all are handed on."""
        self.pump()
        if not self._running:
            return False
        key, future = self._running.popleft()
        self._take(key, future.result())
        self.pump()
        return True

    def cancel(self) -> None:
        for _key, future in self._running:
            future.cancel()
        self._running.clear()
        self._submitted_all = True
