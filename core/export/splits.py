"""Deterministic train/dev/test assignment: seeded, stratified, near-duplicate groups whole.

Units are groups (an article with its near-duplicates; every record of an article is in
its article's group), so no group straddles two splits. Within each stratum (the groups'
stance labels joined with the rarest entity label they hold, "" where there is neither) the
groups go largest first, equal sizes in a seeded order (SHA-1 of seed and the group's
smallest id, so the order does not depend on the project's row ids), each to the split
furthest below its share relative to that share (:func:`assign`). Same records, same seed:
same assignment.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(slots=True)
class Group:
    key: str  # the smallest uid of the group: stable across projects
    size: int  # records in the group
    stratum: str


def _order(seed: int, key: str) -> bytes:
    return hashlib.sha1(f"{seed}\x00{key}".encode("utf-8", "surrogatepass")).digest()


def assign(
    groups: Sequence[Group], split: Sequence[tuple[str, float]], seed: int
) -> dict[str, str]:
    """``group key -> split name``.

    Within each stratum the groups go largest first (equal sizes in the seeded order),
    each to the split that has, relative to its share, received least so far: the least
    records per unit of fraction, in the stratum plus in the whole export. Measured
    relative to the share, a group's own size weighs the same on every split, so a large
    group is not drawn to the largest split (counting the group in absolute terms sent
    12,115 grouped articles to train, 8 to dev and 22 to test at 0.8/0.1/0.1); placing the
    large groups first leaves the single articles to even the sizes out at the end. Exact
    ties go by the seeded order of (group, split).
    """
    by_stratum: dict[str, list[Group]] = defaultdict(list)
    for group in groups:
        by_stratum[group.stratum].append(group)
    result: dict[str, str] = {}
    overall = [0] * len(split)
    for stratum in sorted(by_stratum):
        members = sorted(by_stratum[stratum], key=lambda g: (-g.size, _order(seed, g.key), g.key))
        counts = [0] * len(split)
        for group in members:
            # Records per unit of share (stratum plus export); a split with no share never.
            loads = [
                (
                    (counts[i] + overall[i]) / fraction if fraction > 0 else float("inf"),
                    _order(seed, f"{group.key}\x00{name}"),
                )
                for i, (name, fraction) in enumerate(split)
            ]
            best = min(range(len(split)), key=loads.__getitem__)
            counts[best] += group.size
            overall[best] += group.size
            result[group.key] = split[best][0]
    return result


def with_entity_strata(strata: Sequence[str], entity_sets: Sequence[frozenset[str]]) -> list[str]:
    """Each article's stance stratum joined with the rarest entity label it holds (rarest
    over the whole export), so a rare label is shared out between the splits too instead
    of landing in one by chance."""
    frequency: dict[str, int] = defaultdict(int)
    for labels in entity_sets:
        for label in labels:
            frequency[label] += 1
    out = []
    for stratum, labels in zip(strata, entity_sets, strict=True):
        rarest = min(labels, key=lambda k: (frequency[k], k)) if labels else ""
        out.append(f"{stratum}|{rarest}" if rarest else stratum)
    return out


def stratum_of(stance_values: Sequence[dict[str, str]]) -> str:
    """The stratum of a group: its most common stance labelling ("" when none has one)."""
    tally: dict[str, int] = defaultdict(int)
    for stance in stance_values:
        if stance:
            tally[",".join(f"{t}={v}" for t, v in sorted(stance.items()))] += 1
    if not tally:
        return ""
    return min(tally, key=lambda k: (-tally[k], k))
