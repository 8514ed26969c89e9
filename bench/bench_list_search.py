"""Article list and full-text search at scale; prints figures.

    .venv/bin/python bench/bench_list_search.py [--search-articles N] [--list-articles N]
                                                [--skip-search] [--skip-list]

- Search: a project of 100,000 generated articles (~3,000 characters, bench_import's
  generator, stored and indexed without language detection, which search does not need);
  the latency of the free-text filter as the list asks it (count + first page).
- List: a project of 1,000,000 short articles stored directly (no detection, no index);
  opening the list model (first page), a page deep down, every sort order, and paging to
  the very end with the GUI's model (offscreen Qt).

Generated projects are kept in bench/out/ (gitignored) and reused on the next run.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_import import WORDS, generate  # noqa: E402
from core.models import NewArticle  # noqa: E402
from core.query import ArticleFilter  # noqa: E402
from storage import Project  # noqa: E402
from storage.listing import SORT_KEYS  # noqa: E402

OUT = ROOT / "bench" / "out"
ANN = "bench"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def timed(fn, repeat: int = 5) -> tuple[float, object]:
    """Median wall time of ``fn()`` over ``repeat`` runs, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


# ---- search on 100,000 articles ------------------------------------------------------------


def search_project(count: int) -> Path:
    target = OUT / f"search-{count}.tandai"
    if target.exists():
        return target
    data = OUT / f"articles-{count}-3000.jsonl"
    if not data.exists():
        generate(data, count, 3000)
    partial = target.with_name(target.name + ".partial")
    for leftover in OUT.glob(partial.name + "*"):
        leftover.unlink()
    t = time.perf_counter()
    with Project.create(partial) as project:
        project.imports.import_files([data], detect=False)
        project.imports.index_pending()
    partial.replace(target)
    print(f"built {target.name} in {time.perf_counter() - t:.0f} s")
    return target


def bench_search(count: int) -> None:
    target = search_project(count)
    with Project.open(target) as project:
        total = project.count_articles()
        print(f"\nfree-text search on {total:,} articles of ~3,000 characters")
        queries = ["hospital", "rumah sakit", "Regierung Präsident", "inondation école", "zzzq"]
        queries += ["gov", "pemerintah bantuan dana miliar"]
        for text in queries:
            flt = ArticleFilter(text=text, annotator=ANN)
            count_s, hits = timed(lambda flt=flt: project.count_articles(flt))
            page_s, _ = timed(lambda flt=flt: project.listing.list_sorted(flt, limit=200))
            title_s, _ = timed(
                lambda flt=flt: project.listing.list_sorted(flt, sort="title", limit=200)
            )
            print(
                f"  {text!r:34} {hits:>7,} hits  count {ms(count_s)}  first page {ms(page_s)}"
                f"  first page by title {ms(title_s)}"
            )


# ---- the list on 1,000,000 articles --------------------------------------------------------


def list_project(count: int) -> Path:
    target = OUT / f"list-{count}.tandai"
    if target.exists():
        return target
    partial = target.with_name(target.name + ".partial")
    for leftover in OUT.glob(partial.name + "*"):
        leftover.unlink()
    rng = random.Random(11)
    langs = list(WORDS)
    t = time.perf_counter()

    def articles():
        for i in range(count):
            words = WORDS[langs[i % len(langs)]].split()
            yield NewArticle(
                text=f"{i} " + " ".join(rng.choice(words) for _ in range(12)),
                title=" ".join(rng.choice(words) for _ in range(4)).capitalize() + f" {i}",
                source=f"site{i % 40}.example",
            )

    with Project.create(partial) as project:
        project.imports.store_articles(articles())
        stored = time.perf_counter() - t
        # languages as detection would leave them, without the minutes it takes
        project.db.execute_sql(
            "UPDATE article SET lang = CASE id % 5 WHEN 0 THEN 'id' WHEN 1 THEN 'en' "
            "WHEN 2 THEN 'de' WHEN 3 THEN 'es' ELSE 'fr' END WHERE id % 97 != 0"
        )
        # a day's work of one annotator: 2,000 articles with a status, 1,000 with spans
        ids = rng.sample(range(1, count + 1), 3000)
        for n, aid in enumerate(ids[:2000]):
            status = ("done", "done", "skipped", "flagged")[n % 4]
            project.labels.set_status(aid, annotator=ANN, status=status)
        for aid in ids[2000:]:
            for k in range(rng.randint(1, 5)):
                project.labels.add_span(
                    aid, annotator=ANN, layer="entity", label="PER", start=k * 3, end=k * 3 + 2
                )
    partial.replace(target)
    print(f"built {target.name} in {time.perf_counter() - t:.0f} s (stored in {stored:.0f} s)")
    return target


def bench_list(count: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from gui.article_list import ArticleListDock

    target = list_project(count)
    app = QApplication.instance() or QApplication([])
    with Project.open(target) as project:
        print(f"\nthe article list on {project.count_articles():,} articles")
        flt = ArticleFilter(annotator=ANN)
        for sort in SORT_KEYS:
            for descending in (False, True):
                first, (_, cursor) = timed(
                    lambda s=sort, d=descending: project.listing.list_sorted(
                        flt, sort=s, descending=d, limit=200
                    )
                )
                # jump deep: continue from the cursor of a page 500,000 rows down
                deep_cursor = cursor
                if sort in ("id", "source", "title"):
                    deep_cursor = _cursor_near_middle(project, sort, descending, count)
                deep, _ = timed(
                    lambda s=sort, d=descending, c=deep_cursor: project.listing.list_sorted(
                        flt, sort=s, descending=d, after=c, limit=200
                    )
                )
                print(
                    f"  sort {sort:6} {'desc' if descending else 'asc ':4}  first page {ms(first)}"
                    f"  a page deep down {ms(deep)}"
                )
        for name, f in [
            ("todo", ArticleFilter(annotator=ANN, statuses=("todo",))),
            ("done", ArticleFilter(annotator=ANN, statuses=("done",))),
            ("lang de", ArticleFilter(annotator=ANN, langs=("de",))),
            ("source site7", ArticleFilter(annotator=ANN, sources=("site7.example",))),
        ]:
            count_s, n = timed(lambda f=f: project.count_articles(f), repeat=3)
            page_s, _ = timed(lambda f=f: project.listing.list_sorted(f, limit=200), repeat=3)
            print(f"  filter {name:13} {n:>9,} rows  count {ms(count_s)}  first page {ms(page_s)}")
        langs_s, _ = timed(project.languages, repeat=3)
        sources_s, _ = timed(project.sources, repeat=3)
        skip_langs_s, _ = timed(lambda: project.listing.distinct_values("lang"), repeat=3)
        skip_sources_s, _ = timed(lambda: project.listing.distinct_values("source"), repeat=3)
        print(
            f"  filter menus: SELECT DISTINCT languages {ms(langs_s)}, sources {ms(sources_s)};"
            f" skip-scan (what the dock uses) {ms(skip_langs_s)}, {ms(skip_sources_s)}"
        )

        first_dock = ArticleListDock(project, ANN)  # the process's first window pays Qt's
        first_dock.show()  # start-up (fonts, style): measured apart, then the list itself
        app.processEvents()
        first_dock.wait_for_count()
        first_dock.close()
        t = time.perf_counter()
        dock = ArticleListDock(project, ANN)
        dock.resize(600, 800)
        dock.show()
        app.processEvents()
        opened = time.perf_counter() - t
        dock.wait_for_count()
        counted = time.perf_counter() - t
        model = dock.model
        print(
            f"  list dock open (first page shown): {ms(opened)}  rows loaded {model.rowCount():,};"
            f" count shown after {ms(counted)} ({dock.count_label.text()}, counted off the UI thread)"
        )
        for name, box, value in [
            ("status todo", dock.status_box, "todo"),
            ("lang de", dock.lang_box, "de"),
        ]:
            t = time.perf_counter()
            box.setCurrentIndex(box.findData(value))
            app.processEvents()
            shown = time.perf_counter() - t
            dock.wait_for_count()
            print(
                f"  filter {name} in the dock: first page shown {ms(shown)},"
                f" count after {ms(time.perf_counter() - t)} ({dock.count_label.text()})"
            )
            box.setCurrentIndex(0)
            app.processEvents()
        view = dock.view
        t = time.perf_counter()
        pages, slowest = 0, 0.0
        while model.canFetchMore(view.rootIndex()):
            p = time.perf_counter()
            model.fetchMore(view.rootIndex())
            slowest = max(slowest, time.perf_counter() - p)
            pages += 1
            if pages % 500 == 0:
                view.scrollToBottom()
                app.processEvents()
        view.scrollToBottom()
        app.processEvents()
        to_end = time.perf_counter() - t
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"  paged to the end: {model.rowCount():,} rows in {pages:,} pages, {to_end:.1f} s"
            f" ({to_end / max(pages, 1) * 1000:.1f} ms a page, slowest {slowest * 1000:.1f} ms);"
            f" peak memory {rss:.0f} MB"
        )
        dock.close()
        dock.deleteLater()
        app.processEvents()


def _cursor_near_middle(project: Project, sort: str, descending: bool, count: int):
    """A cursor half-way down the list, found without paging there (by one direct query)."""
    from storage.listing import TITLE_SORT_CHARS, ListCursor

    mid = count // 2
    if sort == "id":
        return ListCursor(0, None, mid)
    row = project.db.execute_sql("SELECT id, title, source FROM article WHERE id = ?", (mid,))
    aid, title, source = row.fetchone()
    key = title[:TITLE_SORT_CHARS] if sort == "title" else source
    return ListCursor(0, key, aid)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search-articles", type=int, default=100_000)
    parser.add_argument("--list-articles", type=int, default=1_000_000)
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-list", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.skip_search:
        bench_search(args.search_articles)
    if not args.skip_list:
        bench_list(args.list_articles)
