"""Where the learning jobs run: in this process, or in spawned worker processes that end
with the app, at a lower priority, and stop at once when asked.

Apart from :mod:`storage.learning`, which reads the labels and writes what the models
propose: running ``core.learn.jobs`` functions needs no database, only processes.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from core.workers import die_with_parent

StopFn = Callable[[], bool]


#: Worker processes that tag articles side by side (the training uses one).
GUESS_PROCESSES = max(1, min(2, os.cpu_count() or 1))
#: How much lower the workers' scheduling priority is than the app's (POSIX nice): with two
#: workers on two cores, the window's thread must still get a core for a label key.
WORKER_NICENESS = 5


def _background(init: Callable[..., None] | None = None, *args: Any) -> None:
    """A worker process's initializer: end with the app however it ends, lower the
    worker's priority, then ``init(*args)``."""
    die_with_parent()
    if hasattr(os, "nice"):
        try:
            os.nice(WORKER_NICENESS)
        except OSError:
            pass  # not allowed here: the worker runs at the app's priority
    if init is not None:
        init(*args)


class Runner:
    """Runs ``core.learn.jobs`` functions here or in spawned worker processes (spawn: fork
    is unsafe beside Qt threads), checking ``should_stop`` while it waits; a stop ends the
    workers at once. A call returns None when stopped; :attr:`stopped` tells."""

    def __init__(self, in_process: bool, should_stop: StopFn | None) -> None:
        self._in_process = in_process
        self._should_stop = should_stop
        self._pool: Any = None
        self.stopped = False

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def _stop(self) -> bool:
        if self._should_stop is not None and self._should_stop():
            self.stopped = True
        return self.stopped

    def __call__(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self._stop():
            return None
        if self._in_process:
            return fn(*args)
        if self._pool is None:
            self._pool = multiprocessing.get_context("spawn").Pool(1, initializer=_background)
        pending = self._pool.apply_async(fn, args)
        while not pending.ready():
            if self._stop():
                return None
            pending.wait(0.1)
        return pending.get()

    def pair(
        self,
        first: tuple[Callable[..., Any], tuple[Any, ...]],
        second: tuple[Callable[..., Any], tuple[Any, ...]],
    ) -> tuple[Any, Any] | None:
        """``fn(*args)`` of both calls at once, in two worker processes (one after the other
        in process); None when stopped. For two trainings: crfsuite does not let go of the
        interpreter, so threads would not run them side by side."""
        if self._stop():
            return None
        if self._in_process:
            return first[0](*first[1]), second[0](*second[1])
        self._close()
        self._pool = multiprocessing.get_context("spawn").Pool(2, initializer=_background)
        pending = [self._pool.apply_async(fn, args) for fn, args in (first, second)]
        for result in pending:
            while not result.ready():
                if self._stop():
                    self._close()
                    return None
                result.wait(0.1)
        a, b = (result.get() for result in pending)
        self._close()
        return a, b

    def pipeline(
        self,
        init: Callable[..., None],
        init_args: tuple[Any, ...],
        fn: Callable[..., Any],
        calls: Iterable[tuple[Any, ...]],
    ) -> Iterator[Any]:
        """``fn(*args)`` for each ``args`` of ``calls``, in order, in
        :data:`GUESS_PROCESSES` worker processes that each ran ``init(*init_args)`` once
        (the model crosses once per process, not once per call). Two calls per worker are in
        flight, so the workers tag while this process reads the next articles and writes
        the last results. Ends early when stopped."""
        if self._in_process:
            init(*init_args)
            for args in calls:
                if self._stop():
                    return
                yield fn(*args)
            return
        # The training worker is done: its memory goes back before the taggers start.
        self._close()
        self._pool = multiprocessing.get_context("spawn").Pool(
            GUESS_PROCESSES, initializer=_background, initargs=(init, *init_args)
        )
        pending: deque[Any] = deque()
        todo: Iterator[tuple[Any, ...] | None] = iter(calls)
        while True:
            while len(pending) < 2 * GUESS_PROCESSES:
                call = next(todo, None)
                if call is None:
                    break
                pending.append(self._pool.apply_async(fn, call))
            if not pending:
                return
            head = pending.popleft()
            while not head.ready():
                if self._stop():
                    self._close()
                    return
                head.wait(0.1)
            yield head.get()
