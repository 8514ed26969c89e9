"""Team work at scale: assign 100,000 articles to 5 annotators with 20 % overlap, then write
one work package per annotator and merge them back.

    .venv/bin/python bench/bench_team.py [--articles N] [--fresh] [--skip-packages]

The project (short generated articles: assignment never reads bodies; packages copy them)
is made once under bench/out/ and copied before each run, so every run starts unassigned.
Each figure is wall time of one call through the same API the CLI uses.
Goals: assign <= 5 s; package and merge <= 20 s each for 20,000 articles per annotator.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.edits import EditSet, NewSpan, StatusEdit  # noqa: E402
from core.models import NewArticle  # noqa: E402
from storage import Project  # noqa: E402

OUT = ROOT / "bench" / "out" / "team"
NAMES = ["ana", "budi", "citra", "dewi", "eko"]
SPANS = ((0, 3), (4, 8), (10, 14))
WORDS = [
    "yang",
    "dan",
    "di",
    "ini",
    "itu",
    "dengan",
    "untuk",
    "tidak",
    "dari",
    "banjir",
    "harga",
    "beras",
    "pasar",
    "warga",
    "kota",
]


def make_base(path: Path, articles: int) -> None:
    rng = random.Random(1)
    with Project.create(path) as project:
        project.store_articles(
            NewArticle(
                text=f"{i} " + " ".join(rng.choice(WORDS) for _ in range(300)),
                title=f"Artikel {i}",
                source=f"site{i % 7}.example",
            )
            for i in range(articles)
        )


def timed(label: str, goal: float, fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    took = time.perf_counter() - start
    print(f"{label:<48} {took:6.2f} s   (goal <= {goal:.0f} s)", flush=True)
    return result


def list_speed(project: Project) -> None:
    """The article list's first page and a deep page, and its count, with and without the
    queue filter (median of 9 runs each): the queue must keep the list at its speed."""
    import statistics

    from core.query import ArticleFilter

    for label, flt in (
        ("all articles", ArticleFilter(annotator="ana")),
        ("assigned to ana", ArticleFilter(annotator="ana", assigned_to="ana")),
    ):
        for sort in ("id", "title"):
            runs = []
            for _ in range(9):
                start = time.perf_counter()
                _, cursor = project.list_sorted(flt, sort=sort)
                for _ in range(50):  # 50 pages down
                    _, cursor = project.list_sorted(flt, sort=sort, after=cursor)
                runs.append((time.perf_counter() - start) / 51 * 1000)
            print(f"  list page, {label}, by {sort}: {statistics.median(runs):.1f} ms")
        start = time.perf_counter()
        total = project.count_articles(flt)
        print(f"  count, {label}: {(time.perf_counter() - start) * 1000:.0f} ms ({total:,})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--skip-packages", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    base = OUT / f"base-{args.articles}.tandai"
    if args.fresh or not base.exists():
        base.unlink(missing_ok=True)
        print(f"making {base} ({args.articles:,} articles) ...", flush=True)
        make_base(base, args.articles)
    work = OUT / "work.tandai"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copy(base, work)
    with Project.open(work) as project:
        plan = timed(
            f"assign {args.articles:,} to 5, 20 % overlap",
            5,
            lambda: project.assign(NAMES, overlap=0.2, per_overlap=2, seed=1),
        )
        print(f"  {len(plan.pairs):,} assignments: {project.assignment_counts()}")
        timed("stats --team", 5, project.team_stats)
        list_speed(project)
        if args.skip_packages:
            return
        packages = OUT / "packages"
        shutil.rmtree(packages, ignore_errors=True)
        written = timed(
            "package ana",
            20,
            lambda: project.write_packages(packages, annotators=["ana"]),
        )
        print(f"  {written}")
    # An annotator labels their package: statuses and spans through the public API.
    package = packages / "ana.tandai"
    with Project.open(package) as mine:
        ids = list(mine.article_ids())
        # Three entity spans an article (on the article number and two words after it) and
        # a status with its time: what an annotator's day leaves behind. Written through
        # the edit path a thousand articles a call, so that setting up takes seconds.
        for i in range(0, len(ids), 1000):
            mine.apply_edit_sets(
                [
                    EditSet(
                        aid,
                        "ana",
                        add=tuple(NewSpan("entity", "PER", a, b) for a, b in SPANS),
                        status=StatusEdit("done", add_seconds=20),
                    )
                    for aid in ids[i : i + 1000]
                ],
                strict=True,
            )
        print(f"  labelled {len(ids):,} articles in the package (3 spans and a status each)")
    with Project.open(work) as project:
        report = timed("merge ana", 20, lambda: project.merge_package(package))
        print(f"  {report.summary()}")
        # The second round: a package that carries her labels so far, and merging it back
        # unchanged (every article compared, nothing rewritten).
        again = OUT / "packages2"
        shutil.rmtree(again, ignore_errors=True)
        written = timed(
            "package ana again, with her 72,000 labels",
            20,
            lambda: project.write_packages(again, annotators=["ana"]),
        )
        print(f"  {written[0].summary()}")
        report = timed(
            "merge it back unchanged", 20, lambda: project.merge_package(again / "ana.tandai")
        )
        print(f"  {report.summary()}")


if __name__ == "__main__":
    main()
