"""A project of a million `gen_news` articles: list, filters, search and export, beside the
same figures on 100,000; prints figures.

    .venv/bin/python bench/bench_million.py PROJECT [PROJECT ...]

Each PROJECT is one that ``bench/bench_import.py --articles N --listable-only --keep`` left
in bench/out (``news_N.tandai``). Its full-text index is built first if it is missing (timed:
search needs it, languages it does not). Then, median of 5 (wall time, this process):

- the list as the article list asks it: first page by id, by title, by source, and a page
  half-way down (by cursor);
- filters: status todo (count + first page), one source (count + first page);
- free-text search: count + first page for a common word, a rarer word pair, a word being
  typed ("hosp"), a word no article holds, and a common word with a filter that keeps none
  of its hits (status done), or 200 of them (200 articles done: fewer than
  ``FEW_CANDIDATES``, the index is asked about each) or 1,000 (by windows); each count
  also as the list asks it first, up to 10,000 (``count_articles(at_most=...)``);
- export of every article (`main.py export --status all --format spans` in a child
  process): wall time, CPU time, peak memory (the goal: flat, the same at 100,000 and at a
  million).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_list_search import timed  # noqa: E402
from core.query import QUICK_COUNT, ArticleFilter  # noqa: E402
from storage import Project  # noqa: E402
from storage.listing import TITLE_SORT_CHARS, ListCursor  # noqa: E402

OUT = ROOT / "bench" / "out"


def median_ms(fn, repeat: int = 5) -> tuple[float, object]:
    seconds, result = timed(fn, repeat)
    return seconds * 1000, result


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def few_done(project: Project, count: int, who: str, n: int) -> str:
    """``who`` has done ``n`` articles spread over the project (set once, kept)."""
    done = project.count_articles(ArticleFilter(annotator=who, statuses=("done",)))
    for article_id in range(1, count + 1, count // n)[done:n]:
        project.labels.set_status(article_id, annotator=who, status="done")
    return who


def listing(project: Project, count: int) -> None:
    flt = ArticleFilter(annotator="bench")
    for sort in ("id", "title", "source"):
        first, _ = median_ms(lambda s=sort: project.listing.list_sorted(flt, sort=s, limit=200))
        mid = count // 2
        if sort == "id":
            cursor = ListCursor(0, None, mid)
        else:
            row = project.db.execute_sql("SELECT title, source FROM article WHERE id = ?", (mid,))
            title, source = row.fetchone()
            cursor = ListCursor(0, title[:TITLE_SORT_CHARS] if sort == "title" else source, mid)
        deep, _ = median_ms(
            lambda s=sort, c=cursor: project.listing.list_sorted(flt, sort=s, after=c, limit=200)
        )
        print(f"  list by {sort:6}  first page {first:7.1f} ms   a page half-way {deep:7.1f} ms")
    filters = (
        [
            ("filter status todo", "rows", ArticleFilter(annotator="bench", statuses=("todo",))),
            ("filter source", "rows", ArticleFilter(annotator="bench", sources=("Warta Kita",))),
        ]
        + [
            (f"search {text!r}", "hits", ArticleFilter(annotator="bench", text=text))
            for text in ("hospital", "rumah sakit", "hosp", "zzzq")
        ]
        + [
            # Filters that keep none or few of a common word's hits: by windows every window
            # is read; up to FEW_CANDIDATES articles kept, the index is asked about each.
            (
                f"'hospital' + {label}",
                "rows",
                ArticleFilter(annotator=who, text="hospital", statuses=("done",)),
            )
            for who, label in (
                ("bench", "done"),
                (few_done(project, count, "bench-few", 200), "200 done"),
                (few_done(project, count, "bench-many", 1000), "1000 done"),
            )
        ]
    )
    for name, unit, f in filters:
        counted, n = median_ms(lambda f=f: project.count_articles(f))
        quick, _ = median_ms(lambda f=f: project.count_articles(f, at_most=QUICK_COUNT))
        page, _ = median_ms(lambda f=f: project.listing.list_sorted(f, limit=200))
        print(
            f"  {name:20} {n:>9,} {unit}  count {counted:7.1f} ms"
            f" (to {QUICK_COUNT:,}: {quick:5.1f} ms)  first page {page:7.1f} ms"
        )


def export(path: Path) -> None:
    out = OUT / f"{path.stem}-export"
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "export", str(path), str(out), "--status", "all",
         "--quiet"],
        check=True,
    )  # fmt: skip
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    size = sum(f.stat().st_size for f in out.iterdir()) / 1e6
    with (out / "data.jsonl").open("rb") as fh:
        lines = sum(1 for _ in fh)
    print(
        f"  export --status all: {lines:,} records, {size:,.0f} MB in {wall:.1f} s wall,"
        f" {cpu:.1f} s CPU, peak memory {after.ru_maxrss / 1024:.0f} MB ({load()})"
    )
    shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("projects", nargs="+", type=Path)
    parser.add_argument("--skip-export", action="store_true")
    args = parser.parse_args()
    for path in args.projects:
        with Project.open(path) as project:
            count = project.count_articles()
            print(f"{path.name}: {count:,} articles ({load()})")
            pending = project.imports.pending_index()
            if pending:
                t, cpu = time.perf_counter(), time.process_time()
                project.imports.index_pending()
                print(
                    f"  full-text index of {pending:,} articles: {time.perf_counter() - t:.1f} s"
                    f" wall, {time.process_time() - cpu:.1f} s CPU ({load()})"
                )
            listing(project, count)
        if not args.skip_export:
            export(path)


if __name__ == "__main__":
    main()
