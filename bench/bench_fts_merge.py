"""The full-text index pass at each FTS5 merge setting: how often FTS5 merges its segments.

    .venv/bin/python bench/bench_fts_merge.py [--articles N] [--settings 4,8,16] [--stored P]
        [--without-compaction]

Stores the ``gen_news`` file of N articles (bench/out/news_N.jsonl, as bench_import.py
makes it) into a project once, without languages (or copies a project already stored that
way, ``--stored``), then for each ``automerge`` setting indexes a fresh copy of it with the
app's own pass (``project.imports.index_pending``, the setting put in its place) and prints
the wall time and CPU of the pass, each tenth's wall time, how long the merge of its
segments into one took at its end and how long each of its steps held the write lock
(``storage.search_index.COMPACT_PAGES``; left out with ``--without-compaction``), the
index's size and segments, and searches of the list's kind (a count of the articles that
match) against that copy, best of 3; then the same with 1,000 articles done, spread over
the project (a common word among them: the index is asked about each,
``storage.search.FEW_CANDIDATES``), count and first page as the article list reads it.
FTS5's own default is 4; the app uses ``storage.search_index.FTS_AUTOMERGE``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import storage.search_index as search_index  # noqa: E402
from bench.bench_import import OUT, news_file, own_cpu  # noqa: E402
from bench.progress_clocks import Tenths  # noqa: E402
from core.query import ArticleFilter  # noqa: E402
from storage import ImportProgress, Project  # noqa: E402

SEARCHES = ("hospital", "banjir jakarta", '"harga beras"', "presiden")
#: Articles marked done for the searches with a filter that keeps few articles.
DONE = 1000
T = TypeVar("T")


def _best_ms(fn: Callable[[], T]) -> tuple[float, T]:
    """The best of 3 runs of ``fn`` in ms, and what it returned."""
    best, result = float("inf"), None
    for _ in range(3):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best * 1000, result  # type: ignore[return-value]


def _index(source: Path, setting: int) -> None:
    target = OUT / f"{source.stem}-automerge-{setting}.tandai"
    for leftover in OUT.glob(f"{target.name}*"):
        leftover.unlink()
    shutil.copyfile(source, target)
    os.sync()  # else the first commit's fsync waits for the copy to reach the disk
    search_index.FTS_AUTOMERGE = setting
    try:
        with Project.open(target) as project:
            clock = Tenths()
            compacting: list[float] = []

            def seen(progress: ImportProgress) -> None:
                clock.seen(progress)
                if progress.phase == "compact":
                    compacting.append(time.perf_counter())

            start, cpu = time.perf_counter(), own_cpu()
            project.imports.index_pending(on_progress=seen)
            end = time.perf_counter()
            wall, cpu = end - start, own_cpu() - cpu
            steps = sorted(b - a for a, b in itertools.pairwise(compacting))
            merged = (
                f"{end - compacting[0]:.1f} s, {len(compacting)} steps of median"
                f" {statistics.median(steps) * 1000:.0f} ms, at most {steps[-1] * 1000:.0f} ms"
                if len(compacting) > 1
                else "none"
            )
            segments = project.db.execute_sql(
                "SELECT COUNT(DISTINCT segid) FROM article_fts_idx"
            ).fetchone()[0]
            tenths = clock.tenths.get("index", [])
            searched = []
            for text in SEARCHES:
                ms, hits = _best_ms(
                    lambda text=text: project.count_articles(ArticleFilter(text=text))
                )
                searched.append(f"{text} {hits:,} in {ms:.0f} ms")
            count = project.count_articles()
            for article_id in range(1, count + 1, max(count // DONE, 1))[:DONE]:
                project.labels.set_status(article_id, annotator="bench", status="done")
            done = ArticleFilter(text="hospital", annotator="bench", statuses=("done",))
            few = (
                f"'hospital' among {DONE:,} done: count"
                f" {_best_ms(lambda: project.count_articles(done))[0]:.1f} ms, first page"
                f" {_best_ms(lambda: project.listing.list_sorted(done, limit=200))[0]:.1f} ms"
            )
            pages = project.db.execute_sql(
                "SELECT COUNT(*), SUM(LENGTH(block)) FROM article_fts_data"
            ).fetchone()
        print(
            f"automerge {setting:>2}: {wall:6.1f} s wall, {cpu:.1f} s CPU; each tenth"
            f" {' '.join(f'{t:.1f}' for t in tenths)} s; merging its segments {merged};"
            f" index {pages[1] / 1e6:.0f} MB in {pages[0]:,} blocks, {segments} segments\n"
            f"             searches: {'; '.join(searched)}\n             {few}"
        )
    finally:
        for leftover in OUT.glob(f"{target.name}*"):
            leftover.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--settings", default="4,8,16")
    parser.add_argument("--stored", type=Path, help="a stored project to copy instead")
    parser.add_argument(
        "--without-compaction",
        action="store_true",
        help="leave the segments as FTS5's merges leave them (the app's pass before it)",
    )
    args = parser.parse_args()
    if args.without_compaction:
        search_index.SearchIndexing._compact = lambda *_args: None  # type: ignore[method-assign]
    if args.stored:
        source = args.stored
        print(f"data: copies of {source}")
    else:
        data = news_file(args.articles, 3000)
        source = OUT / f"fts-merge-{args.articles}.tandai"
        for leftover in OUT.glob(f"{source.name}*"):
            leftover.unlink()
        with Project.create(source) as project:
            project.imports.import_files([data], detect=False)
        print(f"data: {data.name}, stored once into {source.name}")
    try:
        for setting in (int(s) for s in args.settings.split(",")):
            _index(source, setting)
    finally:
        if not args.stored:
            for leftover in OUT.glob(f"{source.name}*"):
                leftover.unlink()


if __name__ == "__main__":
    main()
