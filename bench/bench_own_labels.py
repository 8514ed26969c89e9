"""Taking back what a label taught: the cost of Delete / undo and of X on an own-labels
suggestion, which remove that string's suggestions across the whole project in the edit's
own transaction (storage/own_labels.py).

    .venv/bin/python bench/bench_own_labels.py [--articles N] [--rounds R]

Builds a project under bench/out/ with N short news articles, one in ten naming each of
R people, indexes it, then per person: labels the name (add_span + suggest_from_label, as the
workspace does), and times the delete of that label (the one write plus the taking back of
its suggestions in every article), and the same for a reject of one of its suggestions.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.models import NewArticle  # noqa: E402
from storage import Project  # noqa: E402

OUT = ROOT / "bench" / "out"
FILLER = "Pemerintah kota menaikkan tarif parkir, kata pejabat kepada wartawan di balai kota."


def figures(times: list[tuple[float, float]]) -> str:
    """Median / p95 / max of wall and process CPU time, and the load average (the machine is
    shared: wall time alone says little)."""

    def three(xs: list[float]) -> str:
        xs = sorted(xs)
        p95 = xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]
        return f"{statistics.median(xs):6.1f} / {p95:6.1f} / {xs[-1]:6.1f}"

    wall, cpu = [w for w, _ in times], [c for _, c in times]
    return (
        f"wall {three(wall)} ms   CPU {three(cpu)} ms   "
        f"(median / p95 / max; load {os.getloadavg()[0]:.1f})"
    )


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    rng = random.Random(13)
    names = [f"Tokoh{chr(65 + n)}" for n in range(args.rounds * 2)]
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "own_labels.tandai"
    path.unlink(missing_ok=True)
    for extra in ("-wal", "-shm"):
        Path(str(path) + extra).unlink(missing_ok=True)
    with Project.create(path) as project:
        texts = []
        for i in range(args.articles):
            who = [n for n in names if rng.random() < 0.1]
            texts.append(f"Berita {i}. " + " ".join(f"{n} berkata. {FILLER}" for n in who))
        project.imports.store_articles([NewArticle(text=t) for t in texts])
        project.imports.index_pending()
        ids = list(project.article_ids())
        deletes, rejects, suggested = [], [], []
        for n, name in enumerate(names):
            aid = next(a for a in ids if name in project.article(a).text)
            start = project.article(aid).text.index(name)
            span = project.labels.add_span(
                aid, annotator="bench", layer="entity", label="PER", start=start,
                end=start + len(name),
            )  # fmt: skip
            suggested.append(project.suggestions.suggest_from_label(name, "PER"))
            if n % 2 == 0:
                deletes.append(timed(functools.partial(project.labels.delete_span, span.id)))
            else:
                other = next(
                    s
                    for a in ids
                    if a != aid
                    for s in project.suggestions.suggestions(a, sources=["own-labels"])
                    if project.article(a).text[s.start : s.end] == name
                )
                reject = functools.partial(
                    project.suggestions.reject_suggestion, other.id, annotator="bench"
                )
                rejects.append(timed(reject))
            left = sum(1 for a in ids for s in project.suggestions.suggestions(a, sources=["own-labels"])
                       if project.article(a).text[s.start : s.end] == name)  # fmt: skip
            assert left == 0, f"{name}: {left} suggestions left"
    print(
        f"{args.articles:,} articles; each name suggested in ~{statistics.median(suggested):,.0f}"
    )
    print(f"delete of the only label, its suggestions taken back: {figures(deletes)}")
    print(f"reject of one suggestion, the string turned down:     {figures(rejects)}")


if __name__ == "__main__":
    main()
