"""Deterministic train/dev/test assignment: seeded, stratified, near-duplicate groups whole.

Units are groups (an article with its near-duplicates; every record of an article is in
its article's group), so no group straddles two splits. Within each stratum (the groups'
stance labels joined with the rarest entity label they hold, "" where there is neither) the groups are put in a seeded order (SHA-1 of
seed and the group's smallest id, so the order does not depend on the project's row ids)
and each goes to the split furthest below its share of that stratum so far. Same records,
same seed: same assignment.
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
    """``group key -> split name``."""
    by_stratum: dict[str, list[Group]] = defaultdict(list)
    for group in groups:
        by_stratum[group.stratum].append(group)
    result: dict[str, str] = {}
    overall = [0] * len(split)
    grand = 0
    for stratum in sorted(by_stratum):
        members = sorted(by_stratum[stratum], key=lambda g: (_order(seed, g.key), g.key))
        counts = [0] * len(split)
        total = 0
        for group in members:
            total += group.size
            grand += group.size
            # Below its share in this stratum first; the whole export's shortfall breaks
            # near-ties, so small strata do not all round the same split down to nothing.
            deficits = [
                (fraction * total - counts[i]) + (fraction * grand - overall[i])
                for i, (_, fraction) in enumerate(split)
            ]
            best = max(range(len(split)), key=lambda i: (deficits[i], -i))
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
