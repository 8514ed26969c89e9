"""A worker process that reads the project on a connection of its own and sends results.

Agreement and adjudication read every finished article of a project; on a large project a
second process takes part of that work (:mod:`storage.agreement_split`,
:mod:`storage.adjudication_split`). The worker is spawned (fork is unsafe beside Qt
threads), ends with this process however it ends (:func:`core.workers.die_with_parent`),
is ended when the caller stops or leaves, and talks over a one-way pipe: ``(kind, value)``
messages, ``("failed", reason)`` when it could not do its part. Its callers treat a failed
worker as no worker and do the part themselves: a worker is a speed-up, never a condition.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
from collections import deque
from collections.abc import Callable
from typing import Any

from core.workers import die_with_parent

#: What a worker function is given to send a message with: ``send(kind, value)``.
Send = Callable[[str, Any], None]
FAILED = "failed"
END = "end"


class Spawned:
    """``fn(send, *args)`` in a spawned process; its messages wait in :attr:`messages`."""

    def __init__(self, fn: Callable[..., None], args: tuple[Any, ...], *, name: str) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_run, args=(child, fn, args), name=name, daemon=True)
        self.messages: deque[tuple[str, Any]] = deque()
        self.failed = False
        self._ended = False
        try:
            self._process.start()
        except OSError:
            self.failed = True  # no process to be had: the caller does the part itself
        finally:
            child.close()

    def __enter__(self) -> Spawned:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the worker (if it still runs) and wait for it."""
        if self._process.is_alive():
            self._process.terminate()
        if self._process.pid is not None:
            self._process.join()
        self._conn.close()

    def poll(self, timeout: float = 0.0) -> None:
        """Take what the worker has sent (waiting up to ``timeout`` for the first)."""
        if self.failed or self._ended:
            return
        try:
            while self._conn.poll(timeout):
                timeout = 0.0
                kind, value = self._conn.recv()
                if kind == FAILED:
                    self.failed = True
                    return
                if kind == END:
                    self._ended = True
                    return
                self.messages.append((kind, value))
        except (EOFError, OSError):
            self.failed = True  # the pipe closed before the end: the worker died

    @property
    def ended(self) -> bool:
        """The worker did all its part and every message has been taken."""
        return self._ended and not self.messages

    def next(self, should_stop: Callable[[], bool] | None = None) -> tuple[str, Any] | None:
        """The next message, waiting for it; None when the worker failed or ended (see
        :attr:`failed`, :attr:`ended`), or ``should_stop`` said stop."""
        while not self.messages:
            if self.failed or self._ended:
                return None
            if should_stop is not None and should_stop():
                return None
            self.poll(0.1)
        return self.messages.popleft()


def _run(conn: multiprocessing.connection.Connection, fn: Callable[..., None], args: Any) -> None:
    """The worker process: ``fn(send, *args)``, then ``("end", None)``."""
    die_with_parent()

    def send(kind: str, value: Any) -> None:
        conn.send((kind, value))

    try:
        fn(send, *args)
        send(END, None)
    except Exception as exc:  # the caller does the part itself
        conn.send((FAILED, type(exc).__name__))
    finally:
        conn.close()
