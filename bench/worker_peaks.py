"""The peak memory of a benchmark's worker processes, each one's own.

``getrusage(RUSAGE_CHILDREN).ru_maxrss`` is not that. A worker starts as a fork of its
parent that runs a new program at once, and Linux keeps, as the worker's peak, the larger of
the forked copy's RSS (the parent's whole size at that moment) and the new program's: a
worker that does nothing, started by a 300 MB process, reports 311 MB. So a bench whose
importer had grown to 271 MB when its pool started printed 271 MB for "one worker".

:class:`WorkerPeaks` instead reads ``VmHWM`` (the peak RSS of the program a process runs;
exec starts it afresh) of every descendant every 0.2 s, and keeps the largest. A process
still running its parent's program (forked, not yet exec'd) is left out. Linux only;
elsewhere :meth:`WorkerPeaks.peak_mb` is None.
"""

from __future__ import annotations

import os
import resource
import threading
from pathlib import Path

PROC = Path("/proc")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # the process ended meanwhile
        return b""


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in (PROC / str(pid) / "task").glob("*"):
        out += [int(c) for c in _read(task / "children").split()]
    return out


def _hwm_kb(pid: int) -> int:
    for line in _read(PROC / str(pid) / "status").splitlines():
        if line.startswith(b"VmHWM:"):
            return int(line.split()[1])
    return 0


class WorkerPeaks:
    """Samples the descendants of this process until :meth:`stop`."""

    def __init__(self, every: float = 0.2) -> None:
        self.available = (PROC / str(os.getpid()) / "task").is_dir()
        self._own_cmdline = _read(PROC / "self" / "cmdline")
        self._peak_kb = 0
        self._every = every
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-peaks", daemon=True)
        if self.available:
            self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(self._every):
            self.sample()

    def sample(self) -> None:
        pending = _children(os.getpid())
        while pending:
            pid = pending.pop()
            pending += _children(pid)
            if _read(PROC / str(pid) / "cmdline") == self._own_cmdline:
                continue  # forked, not yet running its own program
            self._peak_kb = max(self._peak_kb, _hwm_kb(pid))

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()

    def peak_mb(self) -> float | None:
        """The largest worker's own peak so far, in MB (None: not on Linux)."""
        if not self.available:
            return None
        self.sample()
        return self._peak_kb / 1024


_watching: WorkerPeaks | None = None


def watch_workers() -> None:
    """Start watching this process's workers (a bench's first step; once is enough)."""
    global _watching
    if _watching is None:
        _watching = WorkerPeaks()


def largest_worker_mb() -> float:
    """The largest worker's own peak since :func:`watch_workers`, in MB; where /proc is
    missing, or nothing watched, the system's figure for the children (see above)."""
    peak = _watching.peak_mb() if _watching is not None else None
    if peak is None:
        return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return peak
