"""The near-duplicate pass alone, chunk by chunk.

    .venv/bin/python bench/bench_neardup_pass.py [--articles N] [--keep]

Stores N articles of ``../shared/tools/gen_news.py`` (the file of ``bench_import.py``;
default 100,000) without languages or index, then runs the app's
``update_near_duplicates`` on a copy and prints, for each chunk of
:data:`storage.near_duplicates.NEW_CHUNK` new articles, how many were grouped before it and
the wall time of its three steps: sketching (worker processes), candidates (the grouped
holders of the chunk's keys found, from the run's index of the grouped keys when the run
has several chunks, and paired with the chunk's) and deciding and writing. The candidates
are timed by a clock around the app's own ``chunk_candidates``; nothing else is replaced.
Then the size the run's index took on disk, if it made one.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import storage.near_duplicates as pass_module  # noqa: E402
from bench.bench_first_pass import fresh_copy, stored_project, timed  # noqa: E402
from bench.bench_import import OUT  # noqa: E402
from bench.worker_peaks import watch_workers  # noqa: E402
from storage import Project  # noqa: E402
from storage.near_duplicate_index import KeyIndex  # noqa: E402


class ChunkClock:
    """Times each chunk's steps from the calls the pass makes anyway."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, int, float, float, float]] = []
        self._chunk_started = 0.0
        self._grouped = 0
        self._pending = (0.0, 0.0)  # sketching, candidates

    def wrap(self) -> None:
        real_candidates = pass_module.chunk_candidates
        real_group = pass_module.NearDuplicateGroups._group_chunk
        clock = self

        def group_chunk(groups: Any, ids: list[int], *args: Any) -> Any:
            clock._chunk_started = time.perf_counter()
            clock._grouped = groups._grouped_count()
            following = real_group(groups, ids, *args)  # the next chunk's head start
            done = time.perf_counter()
            sketched, candidates = clock._pending
            clock.rows.append(
                (clock._grouped, len(ids), sketched, candidates, done - clock._chunk_started)
            )
            return following

        def candidates(chunk: Any, grouped: Any, stop: Callable[[], bool]) -> Any:
            start = time.perf_counter()
            pairs = real_candidates(chunk, grouped, stop)
            clock._pending = (start - clock._chunk_started, time.perf_counter() - start)
            return pairs

        pass_module.chunk_candidates = candidates
        pass_module.NearDuplicateGroups._group_chunk = group_chunk  # type: ignore[method-assign,assignment]

    def text(self) -> str:
        lines = []
        for grouped, size, sketched, found, total in self.rows:
            lines.append(
                f"  chunk of {size:,} against {grouped:,} grouped: sketching {sketched:5.1f} s"
                " (what is left after its head start, if any),"
                f" candidates {found:5.1f} s, deciding and writing"
                f" {total - sketched - found:5.1f} s"
            )
        if self.rows:
            lines.append(f"  candidates in all: {sum(r[3] for r in self.rows):.1f} s")
        return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the stored project")
    args = parser.parse_args()
    watch_workers()
    base = stored_project(args.articles, name="neardup-pass", indexed=False)
    print(f"{args.articles:,} articles of gen_news stored ({base.name})")
    copy = fresh_copy(base)
    clock = ChunkClock()
    clock.wrap()
    index_sizes = _measure_index_sizes()
    with Project.open(copy) as project:
        timed(
            "near-duplicate pass",
            lambda: project.near_duplicates.update_near_duplicates(),
        )
        groups = project.near_duplicates.near_duplicate_groups()
    print(f"  {len(groups):,} groups of {sum(map(len, groups)):,} articles")
    print(clock.text())
    if index_sizes:
        print(f"  the run's index of the grouped keys: {max(index_sizes) / 1e6:,.0f} MB on disk")
    for leftover in OUT.glob(f"{copy.name}*"):
        leftover.unlink()
    if not args.keep:
        for leftover in OUT.glob(f"{base.name}*"):
            leftover.unlink()


def _measure_index_sizes() -> list[int]:
    """The size of each index the run makes, taken as it is closed."""
    sizes: list[int] = []
    real_close = KeyIndex.close

    def close(self: KeyIndex) -> None:
        with contextlib.suppress(Exception):
            sizes.append(self.disk_bytes())
        real_close(self)

    KeyIndex.close = close  # type: ignore[method-assign]
    return sizes


if __name__ == "__main__":
    main()
