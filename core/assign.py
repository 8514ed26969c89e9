"""Sharing articles out among annotators: the rule, apart from where assignments are stored.

Every article goes to one annotator; a seeded fraction (the overlap) goes to several, so
that agreement can be measured on them. Each article goes to the least-loaded annotators
(ties to whoever was given one longest ago), so the counts stay balanced within one article,
also when a re-run adds new imports to queues of unequal length or a new annotator joins.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


class AssignError(ValueError):
    """Arguments that cannot make an assignment (the message says which)."""


@dataclass(frozen=True, slots=True)
class AssignPlan:
    """What an assignment would add: ``pairs`` (article id, annotator) and counts."""

    pairs: list[tuple[int, str]]
    articles: int
    overlapping: int
    new_counts: dict[str, int] = field(default_factory=dict)


def parse_annotators(text: str) -> list[str]:
    """``"ana, budi,citra"`` -> ``["ana", "budi", "citra"]``; refuses empties and repeats."""
    names = [name.strip() for name in text.split(",")]
    if not names or any(not name for name in names):
        raise AssignError(f"annotator list {text!r} has an empty name; use e.g. ana,budi,citra")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise AssignError(f"annotator named twice: {', '.join(repeated)}")
    return names


def plan_assignment(
    article_ids: Sequence[int],
    annotators: Sequence[str],
    *,
    overlap: float = 0.0,
    per_overlap: int = 2,
    seed: int = 0,
    loads: Mapping[str, int] | None = None,
) -> AssignPlan:
    """Share ``article_ids`` (not yet assigned) among ``annotators``.

    ``loads`` are the articles each annotator holds already, so that a re-run tops the
    shorter queues up first. The same arguments always give the same plan.
    """
    if not annotators:
        raise AssignError("name at least one annotator")
    if len(set(annotators)) != len(annotators):
        raise AssignError("an annotator is named twice")
    if not 0.0 <= overlap <= 1.0:
        raise AssignError(f"--overlap must be between 0 and 1, not {overlap}")
    if overlap > 0 and not 2 <= per_overlap <= len(annotators):
        raise AssignError(
            f"--per-overlap {per_overlap}: an overlapping article needs 2 to "
            f"{len(annotators)} annotators (as many as are named)"
        )
    ids = sorted(article_ids)
    rng = random.Random(seed)
    shared = set(rng.sample(ids, round(overlap * len(ids)))) if overlap > 0 else set()
    order = list(annotators)
    rng.shuffle(order)
    loads = loads or {}
    # (load, last turn, name): equal loads go to whoever was served longest ago, which
    # makes a round robin; the seeded shuffle decides who starts.
    heap = [(loads.get(name, 0), turn - len(order), name) for turn, name in enumerate(order)]
    heapq.heapify(heap)
    pairs: list[tuple[int, str]] = []
    new_counts = dict.fromkeys(annotators, 0)
    turn = 0
    for article_id in ids:
        taken = [heapq.heappop(heap) for _ in range(per_overlap if article_id in shared else 1)]
        for load, _, name in taken:
            pairs.append((article_id, name))
            new_counts[name] += 1
            heapq.heappush(heap, (load + 1, turn, name))
            turn += 1
    return AssignPlan(
        pairs=pairs, articles=len(ids), overlapping=len(shared), new_counts=new_counts
    )
