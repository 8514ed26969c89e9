"""Label one, carry to the rest: on generated clusters of 10 (an original and nine rewrites,
light and spinner), the original's entity spans are carried to the nine others.

    .venv/bin/python bench/bench_propagate.py [--clusters N] [--project]

Prints spans carried correctly / spans in the nine rewrites (their own gold spans, tracked
by the generator through every rewrite), wrongly placed spans, and the same per kind.

``--project`` measures the whole path instead, through a project file under bench/out/:
the clusters and a same-topic report of each story are imported, grouped in the project,
each original labelled (its spans and a stance) and ``propagate_labels`` run; then the
suggestions stored in each rewrite are compared with its gold spans, and the stance
proposed to it with the original's. Grouping misses count as not carried; anything
carried to a report (same event, not a rewrite) counts as wrong. Wall and CPU time and
the load average are printed beside the figures.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.propagate import MIN_CONTEXT, carry  # noqa: E402
from tests.fixtures.rewrites import corpus  # noqa: E402


def through_project(clusters: int) -> None:
    """The whole path: import, group, label the originals, propagate, compare."""
    from core.edits import EditSet, NewSpan, stance_key
    from core.models import NewArticle
    from storage import Project

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "propagate.tandai"
    for leftover in out.glob("propagate.tandai*"):
        leftover.unlink()
    articles = []
    seed = 0
    while len([a for _, a in articles if a.kind == "original"]) < clusters:
        made = corpus(seed, stories=10, rewrites=(9, 9), reports=(1, 1), background=0)
        articles += [(seed, a) for a in made]
        seed += 1
    values = ["favour", "against", "neutral", "unrelated"]
    stance = {}
    rng = random.Random(0)
    with Project.create(path) as project:
        project.imports.store_articles(
            [NewArticle(text=a.text, title=f"{s}-{a.index}") for s, a in articles]
        )
        by_title = {r.title: r.id for r in project.list_articles(limit=len(articles))}
        ids = {(s, a.index): by_title[f"{s}-{a.index}"] for s, a in articles}
        cpu0, wall0 = time.process_time(), time.perf_counter()
        project.near_duplicates.update_near_duplicates()
        group_cpu, group_wall = time.process_time() - cpu0, time.perf_counter() - wall0
        sets = []
        for s, a in articles:
            if a.kind != "original":
                continue
            stance[(s, a.family)] = rng.choice(values)
            sets.append(
                EditSet(
                    ids[(s, a.index)],
                    "ani",
                    add=tuple(NewSpan("entity", label, b, e) for b, e, label in a.spans),
                    doc=((stance_key("main"), stance[(s, a.family)]),),
                )
            )
        project.edits.apply_edit_sets(sets, strict=True)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        report = project.near_duplicates.propagate_labels(annotator="ani", group_first=False)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        by_kind: dict[str, list[int]] = {}
        for s, a in articles:
            if a.kind == "original":
                continue
            aid = ids[(s, a.index)]
            carried = {
                (g.start, g.end, g.label)
                for g in project.suggestions.suggestions(aid, sources=["near-duplicate"])
            }
            proposed = [g.value for g in project.suggestions.doc_suggestions(aid)]
            gold = set(a.spans) if a.kind != "report" else set()
            tally = by_kind.setdefault(a.kind, [0, 0, 0, 0, 0, 0])
            tally[0] += len(gold)
            tally[1] += len(carried & gold)
            tally[2] += len(carried - gold)
            if a.kind == "report":
                tally[5] += len(proposed)  # every stance proposed to a report is wrong
                continue
            tally[3] += 1
            tally[4] += proposed == [stance[(s, a.family)]]
            tally[5] += bool(proposed) and proposed != [stance[(s, a.family)]]
    load = os.getloadavg()[0]
    print(
        f"{clusters} clusters of 10 and {clusters} same-topic reports, through a project: "
        f"grouped in {group_wall:.1f} s wall / {group_cpu:.1f} s CPU, propagated in "
        f"{wall:.2f} s wall / {cpu:.2f} s CPU (load average {load:.1f})"
    )
    print(report.summary())
    rewrites = [k for k in by_kind if k != "report"]
    total = [sum(by_kind[k][i] for k in rewrites) for i in range(6)]
    for kind, t in [*((k, by_kind[k]) for k in sorted(rewrites)), ("all", total)]:
        print(
            f"{kind:8} spans carried correctly {t[1]:5}/{t[0]:5} = {t[1] / t[0]:.3f}, wrong "
            f"{t[2]}; stance carried correctly {t[4]:4}/{t[3]:4} = {t[4] / t[3]:.3f}, wrong {t[5]}"
        )
    rep = by_kind.get("report", [0] * 6)
    print(f"reports  spans carried to them {rep[2]}; stances proposed to them {rep[5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clusters", type=int, default=50)
    parser.add_argument("--project", action="store_true", help="through a project file")
    args = parser.parse_args()
    if args.project:
        through_project(args.clusters)
        return
    by_kind: dict[str, list[int]] = {}
    spent = 0.0
    clusters = 0
    seed = 0
    while clusters < args.clusters:
        articles = corpus(seed, stories=10, rewrites=(9, 9), reports=(0, 0), background=0)
        seed += 1
        for original in (a for a in articles if a.kind == "original"):
            clusters += 1
            spans = [(s, e, "entity", label) for s, e, label in original.spans]
            for other in articles:
                if other.family != original.family or other is original:
                    continue
                gold = {(s, e, "entity", label) for s, e, label in other.spans}
                started = time.perf_counter()
                result = carry(original.text, other.text, spans)
                spent += time.perf_counter() - started
                tally = by_kind.setdefault(other.kind, [0, 0, 0, 0])
                tally[0] += len(gold)
                tally[1] += sum(p in gold for p in result.placed)
                tally[2] += sum(p not in gold for p in result.placed)
                tally[3] += len(result.unplaced)
    total = [sum(t[i] for t in by_kind.values()) for i in range(4)]
    print(f"{clusters} clusters of 10; context needed: {MIN_CONTEXT} characters")
    for kind, (gold, right, wrong, unplaced) in [*sorted(by_kind.items()), ("all", total)]:
        print(
            f"{kind:8} carried correctly {right:5}/{gold:5} = {right / gold:.3f}; "
            f"wrong {wrong}; not placed {unplaced}"
        )
    print(f"{spent / (clusters * 9) * 1e3:.2f} ms per rewrite")


if __name__ == "__main__":
    main()
