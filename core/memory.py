"""Handing memory the process freed back to the operating system.

glibc keeps what is freed in its heaps for the process to reuse, and gives back only a free
stretch at the very top of a heap. After a large phase (storing a million articles, one
near-duplicate chunk) much of that memory is free but held in the middle of a heap, and
the next phase in the same process starts its own peak on top of it. Measured on a million
``gen_news`` articles: the importer held 201 MB after storing, 93 MB once handed back; the
near-duplicate grouping that followed peaked at 312 MB; handing the free memory back after
the storing, 286 MB.

Elsewhere (macOS, Windows, musl) there is no such call and nothing is done: those
allocators return large free blocks on their own.

Also here: :func:`fewer_collections`, Python's cycle collector made to run less often
while a bulk phase allocates and frees objects by the hundred thousand.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
import threading
from collections.abc import Callable, Iterator


def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim  # the process's own libc
    except (OSError, AttributeError):  # a C library without it (musl)
        return None
    return trim


_TRIM = _malloc_trim()


def give_back_memory() -> bool:
    """Return the free memory of every heap of the process to the operating system, where
    the C library can (a few milliseconds; call it between large phases, not in a loop).
    True if it could."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True


#: The cycle collector's first threshold while a bulk phase runs (CPython's own is 700).
BULK_GC_THRESHOLD = 50_000

_collections_lock = threading.Lock()
_bulk_phases = 0
_usual_thresholds: tuple[int, int, int] | None = None


def _raise_threshold() -> tuple[int, int, int]:
    """Set the bulk threshold; returns the thresholds it replaced."""
    usual = gc.get_threshold()
    gc.set_threshold(BULK_GC_THRESHOLD, *usual[1:])
    return usual


def collect_seldom_from_now_on() -> None:
    """For a process that does nothing but bulk work (a pool worker): its collector runs
    as seldom as within :func:`fewer_collections`, for the rest of its life."""
    _raise_threshold()


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Run Python's cycle collector less often while inside (the whole process: it has
    one collector).

    The collector runs a young collection each time 700 more container objects exist than
    were freed; every tenth is a middle one, and every tenth of those may be a full one,
    which walks every object alive. Storing a million articles ran 3,676 young, 334 middle
    and 30 full collections, 1.3 s of their own (the hashes held in memory not counted:
    see ``storage.content_hashes``), while the importer's records and rows die by their
    reference counts. With the threshold at :data:`BULK_GC_THRESHOLD` none ran, and the
    storing took 40.9 s instead of 43.4 s (100,000: 3.85 s instead of 4.0 s; single runs
    on a RAM disk). The catch-up after 100,000 gains less: 31.4 s of CPU in its main
    process instead of 32.2 s (two runs each). Garbage that does form cycles still goes, at
    the latest once 50,000 more objects exist: a few megabytes.

    Nested and concurrent phases (two threads importing) share one raised threshold; the
    last to leave puts back what was there before the first."""
    global _bulk_phases, _usual_thresholds
    with _collections_lock:
        if _bulk_phases == 0:
            _usual_thresholds = _raise_threshold()
        _bulk_phases += 1
    try:
        yield
    finally:
        with _collections_lock:
            _bulk_phases -= 1
            if _bulk_phases == 0 and _usual_thresholds is not None:
                gc.set_threshold(*_usual_thresholds)
                _usual_thresholds = None
