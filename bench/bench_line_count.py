"""The repeated-line count alone, step by step: does an article cost the same at a million?

    .venv/bin/python bench/bench_line_count.py [--articles N] [--step N] [--stored P]

Stores the ``gen_news`` file of N articles (bench/out/news_N.jsonl, as bench_import.py
makes it) into a fresh project without languages, or copies a project already stored that
way (``--stored``, e.g. one kept by ``bench_import.py --listable-only --keep``), then runs
the suggesters' repeated-line count (``update_repeated_index``, its text work in worker
processes as in the app) and prints, for each STEP articles counted: the wall time, this
process's CPU (the storing process: reading the texts, planning and writing the counts),
and how long its commits held the write lock (what a label key pressed meanwhile waits).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import storage.repeated_lines as rl  # noqa: E402
from bench.bench_import import OUT, news_file, own_cpu, peak_mb  # noqa: E402
from core.workers import default_workers, process_pool  # noqa: E402
from storage import Project  # noqa: E402

#: The commits' write-lock holds (ms), as the count reports them to its slice sizing.
HOLDS: list[float] = []
_sized = rl.next_slice_size


def _recording(size: int, held_ms: float) -> int:
    HOLDS.append(held_ms)
    return _sized(size, held_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--step", type=int, default=100_000)
    parser.add_argument("--stored", type=Path, help="a stored project to copy instead")
    args = parser.parse_args()
    target = OUT / f"line-count-{args.articles}.tandai"
    for leftover in OUT.glob(f"{target.name}*"):
        leftover.unlink()
    if args.stored:
        shutil.copyfile(args.stored, target)
        os.sync()  # else the first commit's fsync waits for the copy to reach the disk
        print(f"data: a copy of {args.stored}")
    else:
        data = news_file(args.articles, 3000)
        print(f"data: {data.name}")
        t = time.perf_counter()
        with Project.create(target) as project:
            project.imports.import_files([data], detect=False)
        print(f"stored in {time.perf_counter() - t:.1f} s")
    rl.next_slice_size = _recording
    marks = [(time.perf_counter(), own_cpu(), 0)]
    rows: list[str] = []

    def seen(progress: rl.SuggestProgress) -> None:
        if progress.done - marks[-1][2] >= args.step or progress.done == progress.total:
            now, cpu = time.perf_counter(), own_cpu()
            holds = sorted(HOLDS)
            HOLDS.clear()
            held = (
                f"{len(holds):4d} commits, lock held median {statistics.median(holds):4.0f} ms,"
                f" max {holds[-1]:4.0f} ms"
                if holds
                else "no commit yet"
            )
            rows.append(
                f"{marks[-1][2]:>9,}-{progress.done:<9,} {now - marks[-1][0]:6.1f} s wall,"
                f" {cpu - marks[-1][1]:6.1f} s CPU here; {held}"
            )
            print(rows[-1], flush=True)
            marks.append((now, cpu, progress.done))

    start, start_cpu = time.perf_counter(), own_cpu()
    with Project.open(target) as project, process_pool(default_workers()) as pool:
        project.suggestions.update_repeated_index(on_progress=seen, pool=pool)
        lines = project.db.execute_sql("SELECT count(*) FROM repeated_line").fetchone()[0]
    print(
        f"counted {marks[-1][2]:,} articles in {time.perf_counter() - start:.1f} s wall,"
        f" {own_cpu() - start_cpu:.1f} s CPU here; {lines:,} distinct lines;"
        f" peak memory here {peak_mb(resource.RUSAGE_SELF):.0f} MB"
    )
    print("(a step's time includes the window written after its last page, if one was)")
    for leftover in OUT.glob(f"{target.name}*"):
        leftover.unlink()


if __name__ == "__main__":
    main()
