"""The near-duplicate pass alone, chunk by chunk, and what an index of the keys would cost.

    .venv/bin/python bench/bench_neardup_pass.py [--articles N] [--keep] [--primitives-only]

Stores N articles of ``../shared/tools/gen_news.py`` (the file of ``bench_import.py``;
default 100,000) without languages or index, then runs the app's
``update_near_duplicates`` on a copy and prints, for each chunk of
:data:`storage.near_duplicates.NEW_CHUNK` new articles, how many were grouped before it and
the wall time of its three steps: sketching (worker processes), candidates (the grouped
articles' sketches streaming past the chunk's keys: the step that grows with the project)
and deciding and writing. The candidates are timed by a clock around the app's own
``chunk_candidates``; nothing else is replaced.

Then (also alone with ``--primitives-only``) the costs that decide between that scan and an
index of the grouped keys, on this machine: a grouped key looked up in a chunk's key table
as the scan does it, against a chunk's key found in a sorted index of the grouped keys
(``bisect`` within a 16-bit directory's range) and the sorting each chunk's keys need to
join such an index. From them, the number of grouped articles past which an index would be
the cheaper of the two for one chunk.
"""

from __future__ import annotations

import argparse
import bisect
import random
import sys
import time
from array import array
from collections.abc import Callable
from itertools import compress, repeat
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import storage.near_duplicates as pass_module  # noqa: E402
from bench.bench_first_pass import fresh_copy, stored_project, timed  # noqa: E402
from bench.bench_import import OUT  # noqa: E402
from bench.worker_peaks import watch_workers  # noqa: E402
from core.neardup import SKETCH_KEYS  # noqa: E402
from storage import Project  # noqa: E402


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


def primitives(chunk: int = pass_module.NEW_CHUNK, grouped: int = 1_000_000) -> None:
    """The scan's lookup against an index's probe and sort, per key, on random keys."""
    rng = random.Random(3)
    column = array("I", (rng.getrandbits(32) for _ in range(grouped)))
    mine = {rng.getrandbits(32): pos for pos in range(chunk)}
    start = time.perf_counter()
    list(compress(range(len(column)), map(mine.__contains__, column)))
    scan_ns = (time.perf_counter() - start) / grouped * 1e9

    start = time.perf_counter()
    run = array("Q", sorted(key << 32 | row for row, key in enumerate(column)))
    sort_grouped_s = time.perf_counter() - start
    directory = array("I", [0] * 65537)
    for value in run:
        directory[(value >> 48) + 1] += 1
    for k in range(65536):
        directory[k + 1] += directory[k]
    needles = [key << 32 for key in mine]
    tops = [key >> 16 for key in mine]
    start = time.perf_counter()
    list(
        map(
            bisect.bisect_left,
            repeat(run),
            needles,
            map(directory.__getitem__, tops),
            map(directory.__getitem__, map((1).__add__, tops)),
        )
    )
    probe_ns = (time.perf_counter() - start) / len(needles) * 1e9
    start = time.perf_counter()
    array("Q", sorted(key << 32 | pos for key, pos in mine.items()))
    sort_ns = (time.perf_counter() - start) / chunk * 1e9
    per_chunk_index = SKETCH_KEYS * chunk * (probe_ns + sort_ns) / 1e9
    print(
        f"a grouped key looked up in a chunk's table (the scan): {scan_ns:.0f} ns;"
        f" a chunk's key found in a sorted index of {grouped:,} (16-bit directory, bisect):"
        f" {probe_ns:.0f} ns, its sort into a run: {sort_ns:.0f} ns; sorting"
        f" {grouped:,} grouped keys of one band: {sort_grouped_s:.2f} s"
    )
    crossover = per_chunk_index / (SKETCH_KEYS * scan_ns / 1e9)
    print(
        f"one chunk of {chunk:,}: the index {per_chunk_index:.1f} s (one run, no merges"
        f" counted) against the scan {SKETCH_KEYS * scan_ns / 1e9 * 1e6:.1f} s a million"
        f" grouped: an index is cheaper past ~{crossover:,.0f} grouped articles"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the stored project")
    parser.add_argument("--primitives-only", action="store_true")
    args = parser.parse_args()
    if not args.primitives_only:
        watch_workers()
        base = stored_project(args.articles, name="neardup-pass", indexed=False)
        print(f"{args.articles:,} articles of gen_news stored ({base.name})")
        copy = fresh_copy(base)
        clock = ChunkClock()
        clock.wrap()
        with Project.open(copy) as project:
            timed(
                "near-duplicate pass",
                lambda: project.near_duplicates.update_near_duplicates(),
            )
            groups = project.near_duplicates.near_duplicate_groups()
        print(f"  {len(groups):,} groups of {sum(map(len, groups)):,} articles")
        print(clock.text())
        for leftover in OUT.glob(f"{copy.name}*"):
            leftover.unlink()
        if not args.keep:
            for leftover in OUT.glob(f"{base.name}*"):
                leftover.unlink()
    primitives()


if __name__ == "__main__":
    main()
