"""The full-text index pass at each FTS5 merge setting: how often FTS5 merges its segments.

    .venv/bin/python bench/bench_fts_merge.py [--articles N] [--settings 4,8,16] [--stored P]

Stores the ``gen_news`` file of N articles (bench/out/news_N.jsonl, as bench_import.py makes
it) into a project once, without languages (or copies a project already stored that way,
``--stored``), then for each ``automerge`` setting indexes a fresh copy of it with the
app's own pass (``project.imports.index_pending``, the setting put in its place) and
prints the wall time and CPU of the pass, each tenth's wall time, the index's size, and
searches of the list's kind (a count of the articles that match) against that copy, best
of 3. FTS5's own default is 4; the app uses ``storage.search_index.FTS_AUTOMERGE``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import storage.search_index as search_index  # noqa: E402
from bench.bench_import import OUT, news_file, own_cpu  # noqa: E402
from bench.progress_clocks import Tenths  # noqa: E402
from core.query import ArticleFilter  # noqa: E402
from storage import Project  # noqa: E402

SEARCHES = ("hospital", "banjir jakarta", '"harga beras"', "presiden")


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
            start, cpu = time.perf_counter(), own_cpu()
            project.imports.index_pending(on_progress=clock.seen)
            wall, cpu = time.perf_counter() - start, own_cpu() - cpu
            tenths = clock.tenths.get("index", [])
            searched = []
            for text in SEARCHES:
                best, hits = float("inf"), 0
                for _ in range(3):
                    t = time.perf_counter()
                    hits = project.count_articles(ArticleFilter(text=text))
                    best = min(best, time.perf_counter() - t)
                searched.append(f"{text} {hits:,} in {best * 1000:.0f} ms")
            pages = project.db.execute_sql(
                "SELECT COUNT(*), SUM(LENGTH(block)) FROM article_fts_data"
            ).fetchone()
        print(
            f"automerge {setting:>2}: {wall:6.1f} s wall, {cpu:.1f} s CPU; each tenth"
            f" {' '.join(f'{t:.1f}' for t in tenths)} s; index {pages[1] / 1e6:.0f} MB in"
            f" {pages[0]:,} blocks\n             searches: {'; '.join(searched)}"
        )
    finally:
        for leftover in OUT.glob(f"{target.name}*"):
            leftover.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--settings", default="4,8,16")
    parser.add_argument("--stored", type=Path, help="a stored project to copy instead")
    args = parser.parse_args()
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
