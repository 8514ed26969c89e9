"""Agreement per layer: the figures equal the reference implementations on the units each
layer defines, built here the plain way (one row per unit, NaN for a missing value)."""

from __future__ import annotations

import random

import pytest

from core.agreement import ArticleJudgements, Judgement, agreement, nonempty_lines
from core.tokens import tokenize

krippendorff = pytest.importorskip("krippendorff")
np = pytest.importorskip("numpy")
metrics = pytest.importorskip("sklearn.metrics")

ANNOTATORS = ["ana", "budi", "citra"]
STANCES = ["pro", "contra", "neutral"]
LINES = [
    "Judul berita 🇮🇩",
    "Presiden 𠮷 Joko Widodo ke Jakarta.",
    "",
    "   ",
    "Baca juga: x",
    "(luc/luc)",
]


def _reference_alpha(rows: list[list[object]]) -> float:
    values = sorted({v for row in rows for v in row if v is not None}, key=str)
    code = {v: i for i, v in enumerate(values)}
    data = np.array([[np.nan if v is None else code[v] for v in row] for row in rows], dtype=float)
    return krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")


def _reference_pair(rows: list[list[object]], i: int, j: int) -> tuple[int, float, float]:
    both = [
        (a, b) for a, b in zip(rows[i], rows[j], strict=True) if a is not None and b is not None
    ]
    y1, y2 = [str(a) for a, _ in both], [str(b) for _, b in both]
    return len(both), sum(a == b for a, b in both) / len(both), metrics.cohen_kappa_score(y1, y2)


def _generated(seed: int, articles: int = 150) -> list[ArticleJudgements]:
    rng = random.Random(seed)
    out = []
    for n in range(articles):
        text = "\n".join(rng.choice(LINES) for _ in range(rng.randint(2, 9)))
        lines = [(s, e) for s, e in nonempty_lines(text)]
        truth_stance = rng.choice(STANCES)
        truth_lines = {i for i in range(len(lines)) if rng.random() < 0.3}
        by = {}
        for name in ANNOTATORS:
            if rng.random() < 0.2:
                continue  # not finished: this annotator's values are missing
            stance = truth_stance if rng.random() < 0.7 else rng.choice(STANCES)
            doc = {} if rng.random() < 0.1 else {"stance:gov": stance}
            marked = {i for i in range(len(lines)) if (i in truth_lines) != (rng.random() < 0.1)}
            boiler = set()
            for i in marked:
                s, e = lines[i]
                # Touch the line somewhere: whole, a part, or across its end into the next.
                a = rng.randint(s, e - 1)
                boiler.add((a, rng.randint(a + 1, min(e + 2, len(text))), "boilerplate"))
            by[name] = Judgement(boilerplate=frozenset(boiler), doc=doc)
        out.append(ArticleJudgements(n + 1, by, text))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stance_alpha_and_pairs_equal_the_references_with_missing_values(seed: int) -> None:
    articles = _generated(seed)
    report = agreement(articles, ANNOTATORS, layers=["stance"])
    rows = [
        [a.by[name].doc.get("stance:gov") if name in a.by else None for a in articles]
        for name in ANNOTATORS
    ]
    fig = report.stance["gov"]
    assert fig.alpha == pytest.approx(_reference_alpha(rows), abs=1e-12)
    assert fig.units == sum(
        1 for unit in zip(*rows, strict=False) if sum(v is not None for v in unit) >= 2
    )
    pairs = {(p.a, p.b): p for p in fig.pairs}
    for i, j in [(0, 1), (0, 2), (1, 2)]:
        units, agree, kappa = _reference_pair(rows, i, j)
        pair = pairs[ANNOTATORS[i], ANNOTATORS[j]]
        assert (pair.units, pair.agreement) == (units, pytest.approx(agree))
        assert pair.kappa == pytest.approx(kappa, abs=1e-12)


@pytest.mark.parametrize("seed", [4, 5])
def test_boilerplate_alpha_and_pairs_equal_the_references_on_lines(seed: int) -> None:
    articles = _generated(seed)
    report = agreement(articles, ANNOTATORS, layers=["boilerplate"])
    rows: list[list[object]] = [[] for _ in ANNOTATORS]
    for article in articles:
        if len(article.by) < 2:
            continue
        text = article.text or ""
        # The plain definition: every line with a non-space character, 1 if a span shares
        # a character with it.
        start = 0
        for line in text.split("\n"):
            end = start + len(line)
            if line.strip():
                for row, name in zip(rows, ANNOTATORS, strict=True):
                    j = article.by.get(name)
                    row.append(
                        None
                        if j is None
                        else int(any(s < end and e > start for s, e, _ in j.boilerplate))
                    )
            start = end + 1
    fig = report.boilerplate
    assert fig.units == len(rows[0])
    assert fig.alpha == pytest.approx(_reference_alpha(rows), abs=1e-12)
    for pair in fig.pairs:
        i, j = ANNOTATORS.index(pair.a), ANNOTATORS.index(pair.b)
        units, agree, kappa = _reference_pair(rows, i, j)
        assert (pair.units, pair.agreement) == (units, pytest.approx(agree))
        assert pair.kappa == pytest.approx(kappa, abs=1e-12)


def _entities(*spans: tuple[int, int, str]) -> Judgement:
    return Judgement(entities=frozenset(spans))


def test_entity_f1_is_micro_averaged_over_the_articles_both_finished() -> None:
    articles = [
        ArticleJudgements(
            1,
            {
                "ana": _entities((0, 4, "PER"), (10, 15, "GPE"), (20, 25, "ORG")),
                "budi": _entities((0, 4, "PER"), (10, 15, "ORG"), (21, 25, "ORG")),
            },
        ),
        ArticleJudgements(
            2, {"ana": _entities((0, 3, "GPE")), "budi": _entities((0, 3, "GPE"), (5, 8, "PER"))}
        ),
        # Only ana finished it: not an article of the pair.
        ArticleJudgements(3, {"ana": _entities((0, 3, "PER"))}),
    ]
    report = agreement(articles, ["ana", "budi"], layers=["entity"])
    (pair,) = report.entity.pairs
    assert (pair.a, pair.b, pair.articles) == ("ana", "budi", 2)
    # matched: (0,4,PER), (0,3,GPE) = 2 of 4 (ana) and 5 (budi) spans -> 2*2/9.
    assert pair.f1 == pytest.approx(4 / 9)
    assert pair.per_label == {
        "GPE": pytest.approx(2 * 1 / (2 + 1)),
        "ORG": pytest.approx(0.0),
        "PER": pytest.approx(2 * 1 / (1 + 2)),
    }
    # Overlap: ana's 4 spans: PER, ORG(20-25)~ORG(21-25), GPE(0-3) found; GPE(10-15) not -> 3/4.
    # budi's 5: PER, ORG(21-25), GPE found; ORG(10-15) and PER(5-8) not -> 3/5.
    p, r = 3 / 4, 3 / 5
    assert pair.overlap_f1 == pytest.approx(2 * p * r / (p + r))
    assert report.entity.f1 == pytest.approx(4 / 9)
    assert [(d.article_id, d.items) for d in report.disputed] == [(1, 4), (2, 1)]


def test_entity_token_alpha_equals_the_krippendorff_package_on_bio_tags() -> None:
    text = "Presiden Joko Widodo 👨🏻‍🚒 bertemu Kim Jong Un di Pyongyang-Utara, 𠮷野 hari ini."
    spans = {
        "ana": [(9, 20, "PER"), (38, 49, "PER"), (53, 69, "GPE")],
        "budi": [(9, 13, "PER"), (38, 49, "PER"), (53, 62, "GPE"), (71, 73, "GPE")],
        "citra": [(14, 20, "PER"), (53, 69, "ORG")],
    }
    by = {name: _entities(*s) for name, s in spans.items()}
    report = agreement(
        [ArticleJudgements(1, by, text)], ANNOTATORS, layers=["entity"], token_alpha=True
    )
    # Reference, the plain way: tokens cut at every annotator's edges (so that all three
    # tag the same tokens); a token inside a span is B- when it is the span's first, else I-.
    tokens = tokenize(text, [edge for ss in spans.values() for s, e, _ in ss for edge in (s, e)])
    tags = {}
    for name, ss in spans.items():
        row = []
        for tok in tokens:
            inside = [(s, label) for s, e, label in ss if s <= tok.start and tok.end <= e]
            if not inside:
                row.append("O")
            else:
                s, label = inside[0]
                first = min(t.start for t in tokens if t.start >= s)
                row.append(("B-" if tok.start == first else "I-") + label)
        tags[name] = row
    assert len({len(t) for t in tags.values()}) == 1
    rows = [tags[name] for name in ANNOTATORS]
    assert report.entity.token_units == len(rows[0])
    assert report.entity.token_alpha == pytest.approx(_reference_alpha(rows), abs=1e-12)


def test_an_annotator_not_asked_for_is_left_out_and_one_finisher_is_no_unit() -> None:
    articles = [
        ArticleJudgements(
            1, {"ana": Judgement(doc={"stance:x": "a"}), "gold": Judgement(doc={"stance:x": "b"})}
        ),
        ArticleJudgements(
            2, {"ana": Judgement(doc={"stance:x": "a"}), "budi": Judgement(doc={"stance:x": "a"})}
        ),
    ]
    report = agreement(articles, ["ana", "budi"], layers=["stance"])
    assert report.articles == 1
    assert report.stance["x"].units == 1
    assert report.stance["x"].alpha is None  # one value only: undefined, not a division by zero
    assert report.to_json()["stance"]["x"]["pairs"][0]["agreement"] == 1.0


def test_json_has_the_shape_of_the_issue() -> None:
    report = agreement(_generated(9, 30), ANNOTATORS)
    data = report.to_json()
    assert set(data["stance"]["gov"]) >= {"units", "alpha", "pairs"}
    assert set(data["stance"]["gov"]["pairs"][0]) >= {"a", "b", "units", "agreement", "kappa"}
    assert set(data["boilerplate"]) >= {"units", "alpha", "pairs"}
    assert set(data["entity"]) >= {"f1", "pairs"}
    assert set(data["entity"]["pairs"][0]) >= {"a", "b", "articles", "f1", "per_label"}


def test_an_unknown_layer_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown layer"):
        agreement([], ANNOTATORS, layers=["evidence"])


def test_the_worked_example_of_the_readme() -> None:
    rows = {
        "ana": ["favour", "against", "neutral", "favour"],
        "budi": ["favour", "against", "against", "favour"],
        "citra": ["favour", "neutral", None, "against"],
    }
    articles = [
        ArticleJudgements(
            n + 1,
            {a: Judgement(doc={"stance:main": v[n]}) for a, v in rows.items() if v[n]},
        )
        for n in range(4)
    ]
    fig = agreement(articles, ANNOTATORS, layers=["stance"]).stance["main"]
    assert round(fig.alpha, 3) == 0.211
    pairs = {(p.a, p.b): (p.units, p.agreement, p.kappa) for p in fig.pairs}
    assert pairs["ana", "budi"] == (4, 0.75, pytest.approx(0.6))
    assert pairs["ana", "citra"] == (3, pytest.approx(1 / 3), pytest.approx(0.0))
    one = {
        "ana": _entities((0, 11, "PER"), (15, 22, "GPE")),
        "budi": _entities((0, 11, "PER"), (15, 22, "LOC")),
    }
    entity = agreement([ArticleJudgements(1, one)], ["ana", "budi"], layers=["entity"]).entity
    assert entity.pairs[0].f1 == 0.5
    assert entity.pairs[0].per_label == {"GPE": 0.0, "LOC": 0.0, "PER": 1.0}


@pytest.mark.parametrize("seed", range(30))
def test_overlap_neighbours_give_what_comparing_every_pair_counts(seed: int) -> None:
    """Spans of one side overlapping a span of the other with the same label, found through
    the overlap neighbours, equal those of the plain definition, also when one side's
    spans overlap each other (nothing assumes they don't) and with empty spans."""
    import random

    from core.agreement import overlap_neighbours

    rng = random.Random(seed)

    def spans() -> set[tuple[int, int, str]]:
        out = set()
        for _ in range(rng.randint(0, 25) if seed % 3 else rng.randint(30, 90)):
            start = rng.randrange(0, 120)
            out.add((start, start + rng.randint(0 if seed % 5 == 0 else 1, 15), rng.choice("AB")))
        return out

    mine, others = spans(), spans()
    mine, others = mine - others, others - mine  # what one side has and the other not
    keys = {f"{s}:{e}:{label}": (s, e, label) for s, e, label in mine | others}
    key_of = {span: key for key, span in keys.items()}
    near = overlap_neighbours(keys)
    theirs = {key_of[span] for span in others}
    found = sum(1 for span in mine if not near.get(key_of[span], set()).isdisjoint(theirs))
    plain = sum(
        1 for s, e, lab in mine if any(lab == ol and s < oe and os_ < e for os_, oe, ol in others)
    )
    assert found == plain


def test_entity_codes_round_trip_past_ninety_labels_and_nine_digit_offsets() -> None:
    from core.entity_codes import EntityCodes

    codes = EntityCodes()
    spans = [(n, n + 3, f"L{n}") for n in range(95)] + [(123_456_789, 123_456_800, "L0")]
    keys = codes.encode(spans)
    assert len(keys) == len(spans)
    assert sorted(map(codes.decode, keys)) == sorted(spans)
    assert codes.decode_counts(dict.fromkeys(keys, 2)) == dict.fromkeys(spans, 2)
    # What the database writes for a span: the code's number, then eight digits each.
    assert codes.encode([(12, 131, "L0")]) == {str(10 * 10**16 + 12 * 10**8 + 131)}
    assert codes.sql_codes()["L0"] == 10 and "L94" not in codes.sql_codes()


@pytest.mark.parametrize("seed", range(40))
def test_lines_found_from_the_spans_are_the_lines_found_by_listing_them(seed: int) -> None:
    """Boilerplate agreement names touched lines by their start and counts non-empty lines
    in C; both must agree with nonempty_lines/touched_lines on any text (CRLF, blank lines
    of spaces or of \\u2028, emoji, CJK Extension B, RTL)."""
    import random

    from core.agreement import (
        count_nonempty_lines,
        nonempty_lines,
        touched_line_starts,
        touched_lines,
    )

    rng = random.Random(seed)
    pieces = ["Baca juga", "👨🏻‍🚒", "𠮷野", "محطة تحلية", "  ", "\t", "\u2028", "\x1c", "x"]
    ends = ["\n", "\r\n", "\n\n", "\n  \n", ""]
    text = "".join(rng.choice(pieces) + rng.choice(ends) for _ in range(rng.randint(0, 30)))
    lines = nonempty_lines(text)
    assert count_nonempty_lines(text) == len(lines)
    spans = []
    for _ in range(rng.randint(0, 6)):
        if not text:
            break
        start = rng.randrange(len(text))
        spans.append((start, min(len(text), start + rng.randint(1, 40)), "boilerplate"))
    expected = {lines[i][0] for i in touched_lines(lines, sorted(spans))}
    assert touched_line_starts(text, spans) == expected
