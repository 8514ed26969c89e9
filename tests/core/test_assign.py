"""The sharing-out rule: one annotator per article, a seeded overlap, counts within one."""

from __future__ import annotations

from collections import Counter

import pytest

from core.assign import AssignError, parse_annotators, plan_assignment


def test_every_article_goes_to_exactly_one_annotator_without_overlap() -> None:
    plan = plan_assignment(range(1, 101), ["ana", "budi", "citra"], seed=1)
    per_article = Counter(aid for aid, _ in plan.pairs)
    assert set(per_article) == set(range(1, 101)) and set(per_article.values()) == {1}
    counts = Counter(name for _, name in plan.pairs)
    assert sorted(counts.values()) == [33, 33, 34]
    assert plan.new_counts == dict(counts)


def test_overlap_gives_a_seeded_fraction_to_per_overlap_distinct_annotators() -> None:
    names = ["ana", "budi", "citra", "dewi", "eko"]
    plan = plan_assignment(range(1000), names, overlap=0.2, per_overlap=3, seed=7)
    holders: dict[int, list[str]] = {}
    for aid, name in plan.pairs:
        holders.setdefault(aid, []).append(name)
    shared = {aid for aid, who in holders.items() if len(who) > 1}
    assert len(shared) == plan.overlapping == 200
    assert all(len(set(holders[aid])) == 3 for aid in shared)
    counts = Counter(name for _, name in plan.pairs)
    assert max(counts.values()) - min(counts.values()) <= 1
    assert sum(counts.values()) == 800 + 600
    again = plan_assignment(range(1000), names, overlap=0.2, per_overlap=3, seed=7)
    other = plan_assignment(range(1000), names, overlap=0.2, per_overlap=3, seed=8)
    assert again.pairs == plan.pairs and other.pairs != plan.pairs


def test_existing_loads_are_topped_up_first_so_a_newcomer_catches_up() -> None:
    plan = plan_assignment(range(10), ["ana", "budi", "citra"], loads={"ana": 4, "budi": 4})
    assert plan.new_counts == {"ana": 2, "budi": 2, "citra": 6}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"overlap": 1.5}, "between 0 and 1"),
        ({"overlap": 0.2, "per_overlap": 4}, "2 to 3 annotators"),
        ({"overlap": 0.2, "per_overlap": 1}, "2 to 3 annotators"),
    ],
)
def test_impossible_arguments_are_refused_with_the_reason(kwargs: dict, message: str) -> None:
    with pytest.raises(AssignError, match=message):
        plan_assignment(range(10), ["ana", "budi", "citra"], **kwargs)


def test_annotator_lists_refuse_empty_names_and_repeats() -> None:
    assert parse_annotators(" ana, budi ,citra") == ["ana", "budi", "citra"]
    with pytest.raises(AssignError, match="empty name"):
        parse_annotators("ana,,budi")
    with pytest.raises(AssignError, match="named twice: ana"):
        parse_annotators("ana,budi,ana")
