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

import multiprocessing
import multiprocessing.connection
import os
import threading


def _exit_when_parent_dies(sentinel: object) -> None:
    multiprocessing.connection.wait([sentinel])  # type: ignore[list-item]
    os._exit(3)  # no clean-up to run: the parent that wanted the results is gone


def die_with_parent() -> None:
    """A pool's ``initializer``: start the watch in the worker (no-op in the main process)."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return
    threading.Thread(
        target=_exit_when_parent_dies, args=(parent.sentinel,), name="parent-watch", daemon=True
    ).start()
