"""The suggesters' first pass over freshly imported news, and where its CPU goes.

    .venv/bin/python bench/bench_first_pass.py [--articles N] [--with-languages] [--keep]

Stores N articles of ``../shared/tools/gen_news.py`` (the file of ``bench_import.py``;
default 20,000) without languages, builds the full-text index, then times
``run_suggesters(only_new=True)`` on a copy: wall time, CPU in this process (reading,
looking up, storing) and in the worker processes (the suggesters' text work), load
average, peak memory, and each tenth's wall time of its two phases (the repeated-line
count, "index", then the suggestions, "suggest"). ``--with-languages`` also times ``process_pending`` without the
near-duplicate grouping on another copy: languages and suggesters sharing two workers.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_import import OUT, news_file  # noqa: E402
from bench.progress_clocks import Tenths  # noqa: E402
from bench.worker_peaks import largest_worker_mb, watch_workers  # noqa: E402
from storage import Project  # noqa: E402


def cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def timed(name: str, work: Callable[[], object]) -> None:
    start = time.perf_counter()
    own, workers = cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
    work()
    wall = time.perf_counter() - start
    own = cpu(resource.RUSAGE_SELF) - own
    workers = cpu(resource.RUSAGE_CHILDREN) - workers
    print(
        f"{name}: {wall:6.1f} s wall, {own:5.1f} s CPU in this process, {workers:5.1f} s in"
        f" the workers (load {os.getloadavg()[0]:.1f}); peak {_peak(resource.RUSAGE_SELF):.0f}"
        f" MB here, {largest_worker_mb():.0f} MB in a worker"
    )


def _peak(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def stored_project(count: int, *, name: str = "first-pass", indexed: bool = True) -> Path:
    """A project with the articles stored (and indexed), languages not detected; kept in
    bench/out under ``name`` for the next run."""
    base = OUT / f"{name}-{count}.tandai"
    if not base.exists():
        data = news_file(count, 3000)
        target = base.with_suffix(".building")
        for leftover in OUT.glob(f"{target.name}*"):
            leftover.unlink()
        with Project.create(target) as project:
            project.imports.import_files([data], detect=False)
            if indexed:
                project.imports.index_pending()
        target.rename(base)
    return base


def fresh_copy(base: Path) -> Path:
    copy = base.with_suffix(".run.tandai")
    for leftover in OUT.glob(f"{copy.name}*"):
        leftover.unlink()
    shutil.copy(base, copy)
    return copy


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--with-languages", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the stored project")
    args = parser.parse_args()
    watch_workers()
    base = stored_project(args.articles)
    print(f"{args.articles:,} articles of gen_news stored and indexed ({base.name})")
    copy = fresh_copy(base)
    tenths = Tenths()
    with Project.open(copy) as project:
        timed(
            "suggesters' first pass       ",
            lambda: print(
                "  "
                + project.suggestions.run_suggesters(
                    only_new=True, on_progress=tenths.seen
                ).summary()
            ),
        )
    print(f"  {tenths.text()}")
    if args.with_languages:
        copy = fresh_copy(base)
        with Project.open(copy) as project:
            timed(
                "languages + index + first pass",
                lambda: project.imports.process_pending(near_duplicates=False),
            )
    for leftover in OUT.glob(f"{copy.name}*"):
        leftover.unlink()
    if not args.keep:
        for leftover in OUT.glob(f"{base.name}*"):
            leftover.unlink()


if __name__ == "__main__":
    main()
