"""The adjudication rule: more than half of those who finished an article, or K of them."""

from __future__ import annotations

import pytest

from core.adjudication import adjudicate, adjudicated_origin, default_threshold, is_adjudicated
from core.agreement import ArticleJudgements, Judgement

TEXT = "Joko Widodo ke 𠮷野 hari ini.\nBaca juga: banjir\n\nTinggalkan komentar"
#        line 0: 0–27, line 1: 28–45, (empty line 2), line 3: 47–66


def _j(entities=(), boiler=(), stance=None) -> Judgement:
    return Judgement(
        frozenset(entities),
        frozenset((s, e, "boilerplate") for s, e in boiler),
        {"stance:main": stance} if stance else {},
    )


def test_more_than_half_of_three_decides_each_kind_of_label() -> None:
    article = ArticleJudgements(
        7,
        {
            "ana": _j([(0, 11, "PER"), (15, 17, "GPE")], [(28, 45)], "favour"),
            "budi": _j([(0, 11, "PER"), (15, 17, "LOC")], [(28, 32), (47, 66)], "favour"),
            "citra": _j([(0, 4, "PER"), (15, 17, "GPE")], [(30, 60)], "against"),
        },
        TEXT,
    )
    gold = adjudicate(article)
    assert gold.threshold == 2
    assert gold.entities == [(0, 11, "PER"), (15, 17, "GPE")]
    # Line 1 touched by all three, line 3 by budi and citra (30–60 runs across): both lines,
    # each as one span covering the line.
    assert gold.boilerplate == [(28, 45, "boilerplate"), (47, 66, "boilerplate")]
    assert gold.stance == {"main": "favour"}
    assert gold.decided and gold.undecided == []
    assert gold.origin == "adjudicated:ana+budi+citra"


def test_a_tie_between_two_annotators_is_left_undecided() -> None:
    article = ArticleJudgements(
        1,
        {
            "budi": _j([(0, 11, "PER"), (15, 17, "LOC")], [], "favour"),
            "ana": _j([(0, 11, "PER"), (15, 17, "GPE")], [(28, 45)], "against"),
        },
        TEXT,
    )
    gold = adjudicate(article)
    assert gold.entities == [(0, 11, "PER")]
    assert gold.boilerplate == [] and gold.stance == {}
    assert gold.undecided == [
        "entity GPE 15–17: 1 of 2",
        "entity LOC 15–17: 1 of 2",
        "boilerplate line 28–45: 1 of 2",
        "stance main: against 1, favour 1",
    ]
    assert not gold.decided


def test_min_agree_raises_or_lowers_the_bar() -> None:
    by = {
        "ana": _j([(0, 11, "PER")], stance="favour"),
        "budi": _j([(0, 11, "PER")], stance="favour"),
        "citra": _j([(0, 4, "PER")], stance=None),
    }
    strict = adjudicate(ArticleJudgements(1, by, TEXT), min_agree=3)
    assert strict.entities == [] and strict.stance == {}
    assert "entity PER 0–11: 2 of 3" in strict.undecided
    assert "stance main: favour 2, none 1" in strict.undecided
    # K = 1: every span anyone has, but two that overlap cannot both be gold.
    loose = adjudicate(ArticleJudgements(1, by, TEXT), min_agree=1)
    assert loose.entities == []
    assert loose.undecided[:2] == [
        "entity PER 0–4: overlaps another decided span",
        "entity PER 0–11: overlaps another decided span",
    ]
    assert "stance main: favour 2, none 1" not in loose.undecided
    assert loose.stance == {"main": "favour"}


def test_fewer_finishers_than_min_agree_decides_nothing() -> None:
    gold = adjudicate(ArticleJudgements(1, {"ana": _j([(0, 11, "PER")])}, TEXT), min_agree=2)
    assert gold.entities == [] and gold.undecided == [
        "1 of the 2 annotators needed have finished it"
    ]


def test_a_single_finisher_is_a_majority_of_one() -> None:
    gold = adjudicate(ArticleJudgements(1, {"ana": _j([(0, 11, "PER")], [(47, 51)], "x")}, TEXT))
    assert gold.entities == [(0, 11, "PER")]
    assert gold.boilerplate == [(47, 66, "boilerplate")]
    assert gold.stance == {"main": "x"} and gold.decided
    assert gold.origin == "adjudicated:ana"


def test_a_majority_choosing_no_stance_decides_none() -> None:
    by = {"ana": _j(stance="favour"), "budi": _j(), "citra": _j()}
    gold = adjudicate(ArticleJudgements(1, by, TEXT))
    assert gold.stance == {"main": None} and gold.decided


def test_origin_names_the_annotators_sorted() -> None:
    assert adjudicated_origin(["budi", "ana"]) == "adjudicated:ana+budi"
    assert is_adjudicated("adjudicated:ana+budi") and not is_adjudicated("manual")
    assert [default_threshold(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 2, 3, 3]


def test_nobody_finished_and_a_zero_bar_are_refused() -> None:
    with pytest.raises(ValueError, match="nobody finished"):
        adjudicate(ArticleJudgements(1, {}, TEXT))
    with pytest.raises(ValueError, match="at least 1"):
        adjudicate(ArticleJudgements(1, {"ana": _j()}, TEXT), min_agree=0)


@pytest.mark.parametrize("seed", range(20))
def test_a_coded_article_is_adjudicated_as_its_tuples_are(seed: int) -> None:
    """Storage hands adjudication entity keys (EntityCodes); the gold must be the same."""
    import random

    from core.agreement import ArticleJudgements, Judgement
    from core.entity_codes import EntityCodes

    rng = random.Random(seed)
    base = [(s, s + rng.randint(1, 6), rng.choice(["PER", "ORG", "GPE"])) for s in range(0, 90, 7)]
    by = {}
    for name in ("ana", "budi", "citra")[: rng.randint(1, 3)]:
        mine = frozenset(span for span in base if rng.random() < 0.8)
        by[name] = Judgement(entities=mine, doc={"stance:main": rng.choice(["a", "b"])})
    plain = ArticleJudgements(1, by, "x" * 100)
    codes = EntityCodes(["GPE"])
    coded = ArticleJudgements(
        1,
        {n: Judgement(codes.encode(j.entities), j.boilerplate, j.doc) for n, j in by.items()},
        "x" * 100,
        coded=True,
    )
    for min_agree in (None, 1, 2):
        assert adjudicate(coded, min_agree=min_agree, codes=codes) == adjudicate(
            plain, min_agree=min_agree
        )
