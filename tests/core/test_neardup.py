"""Near-duplicate grouping on generated content-farm rewrites: recall at 0.3, nothing
unrelated merged, and splits that never separate a group."""

from __future__ import annotations

import itertools
import json
import random
import sys
from array import array
from pathlib import Path

import pytest

from core.export.pipeline import run_export
from core.export.records import ExportOptions, ExportRecord, ExportSelection, parse_split
from core.neardup import (
    SKELETON_THRESHOLD,
    SKELETON_WORD_FLOOR,
    THRESHOLD,
    NearDuplicates,
    UnionFind,
    fingerprint,
    jaccard,
)
from tests.fixtures.rewrites import Article, corpus


def _grouping(articles: list[Article], *, skeletons: bool = True) -> tuple[list[int], list]:
    finder = NearDuplicates(skeletons=skeletons)
    prints = [fingerprint(a.text) for a in articles]
    for words, skeleton in prints:
        finder.add_shingles(words, skeleton if skeletons else None)
    return finder.groups(), prints


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_every_pair_at_or_above_the_threshold_ends_in_one_group(seed: int) -> None:
    articles = corpus(seed, stories=16, background=40)
    roots, prints = _grouping(articles)
    # The closure of the exact decisions, computed the slow way over every pair.
    truth = UnionFind(len(articles))
    high = 0
    for i, j in itertools.combinations(range(len(articles)), 2):
        word = jaccard(prints[i][0], prints[j][0])
        skeleton = jaccard(prints[i][1], prints[j][1])
        if word >= THRESHOLD:
            high += 1
            assert roots[i] == roots[j], (articles[i].kind, articles[j].kind)
        if word >= THRESHOLD or (word >= SKELETON_WORD_FLOOR and skeleton >= SKELETON_THRESHOLD):
            truth.union(i, j)
    assert high > 20  # the set has rewrites above the threshold to find
    assert roots == truth.roots()  # and groups nothing the exact decisions do not join


def test_spinner_rewrites_are_grouped_by_the_skeleton_signal_and_not_without_it() -> None:
    articles = corpus(4, stories=12, background=20, spinner_share=1.0)
    spinners = [a for a in articles if a.kind == "spinner"]
    assert len(spinners) > 20
    with_skeletons, prints = _grouping(articles)
    words_only, _ = _grouping(articles, skeletons=False)
    below = [a for a in spinners if jaccard(prints[a.index][0], prints[a.parent][0]) < THRESHOLD]
    assert len(below) > len(spinners) * 0.9  # 30-40 % synonyms: word shingles fall below 0.3
    assert all(with_skeletons[a.index] == with_skeletons[a.parent] for a in spinners)
    assert not any(words_only[a.index] == words_only[a.parent] for a in below)


@pytest.mark.parametrize("seed", [0, 5])
def test_same_topic_reports_and_unrelated_articles_stay_apart(seed: int) -> None:
    articles = corpus(seed, stories=16, background=40)
    roots, _ = _grouping(articles)
    same_event_apart = 0
    for i, j in itertools.combinations(range(len(articles)), 2):
        a, b = articles[i], articles[j]
        if roots[i] == roots[j]:
            assert a.family == b.family, (a.kind, b.kind)
        elif a.event == b.event and a.event >= 0:
            same_event_apart += 1
    assert same_event_apart > 20


def test_light_rewrites_join_their_original_and_a_shorter_text_gets_no_false_partner() -> None:
    articles = corpus(9, stories=10, background=10, spinner_share=0.0)
    roots, _ = _grouping(articles)
    for a in articles:
        if a.kind == "light":
            assert roots[a.index] == roots[a.parent]
    finder = NearDuplicates()
    for text in ["", "Two words", "two words", "12345", "Berita 𠮷野 القاهرة"]:
        finder.add(text)
    assert finder.groups() == [0, 1, 1, 3, 4]


def _records(articles: list[Article], labelled_shuffle: random.Random) -> list[ExportRecord]:
    stances = ["favour", "against", "neutral"]
    return [
        ExportRecord(
            article_id=a.index + 1,
            uid=f"a{a.index:04d}",
            text=a.text,
            title="",
            url="",
            source="",
            published="",
            lang=None,
            meta={},
            annotator="ani",
            status="done",
            doc_labels={"stance:main": labelled_shuffle.choice(stances)},
        )
        for a in articles
    ]


def _where(out: Path, names: list[str]) -> dict[str, str]:
    where = {}
    for name in names:
        with (out / f"{name}.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                where[json.loads(line)["id"]] = name
    return where


@pytest.mark.parametrize("seed", range(6))
def test_a_split_never_separates_a_group_randomised(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    articles = corpus(100 + seed, stories=rng.randint(6, 14), background=rng.randint(10, 40))
    records = _records(articles, rng)
    fractions = sorted(rng.sample(range(1, 20), 2))
    spec = f"train={fractions[0] / 20},dev={(fractions[1] - fractions[0]) / 20}"
    spec += f",test={(20 - fractions[1]) / 20}"
    split = parse_split(spec)
    options = ExportOptions(
        split=split, seed=rng.randrange(1000), selection=ExportSelection(statuses=())
    )
    out = tmp_path / "out"
    summary = run_export(lambda: records, out, options, project="t")
    where = _where(out, [n for n, _ in split])
    assert len(where) == len(articles)
    roots, _ = _grouping(articles)
    for i, j in itertools.combinations(range(len(articles)), 2):
        if roots[i] == roots[j]:
            assert where[f"a{i:04d}"] == where[f"a{j:04d}"]
    sizes = sorted(
        sum(1 for r in roots if r == root) for root in set(roots) if roots.count(root) > 1
    )
    assert summary.groups is not None
    assert (summary.groups.groups, summary.groups.largest) == (len(sizes), max(sizes))
    assert sum(summary.groups.held_together.values()) == sum(sizes)
    card = (out / "README.md").read_text("utf-8")
    assert f"groups of two or more articles: {len(sizes)}" in card
    assert f"largest group: {max(sizes)} articles" in card


def test_band_keys_borrow_for_every_empty_bin_from_the_next_filled_one() -> None:
    """Rotation densification, written out the slow way: small sets leave most bins empty,
    and each must take the next filled bin's value (wrapping past the last bin)."""
    import random

    from core.neardup import _MASK, _MIX, _SPREAD, BANDS, BINS, band_keys

    def reference(values: list[int]) -> list[int]:
        mins: dict[int, int] = {}
        for v in values:
            b = v * BINS >> 32
            mins[b] = min(v, mins.get(b, v))
        filled = sorted(mins)
        for b in range(BINS):
            if b not in mins:
                donor = next((f for f in filled if f > b), filled[0])
                mins[b] = (mins[donor] + ((donor - b) % BINS) * _MIX) & _MASK
        cut = [(mins[b] * _SPREAD & _MASK) >> 16 for b in range(BINS)]
        return [(cut[2 * k] << 16 | cut[2 * k + 1]) or 1 for k in range(BANDS)]

    rng = random.Random(4)
    for size in (1, 2, 3, 10, 50, 95, 400):
        values = [rng.getrandbits(32) for _ in range(size)]
        assert band_keys(values) == reference(values)
    assert band_keys([_MASK]) == reference([_MASK])  # only the last bin filled: all wrap


def test_bins_agreeing_are_counted_lane_by_lane_and_decide_what_is_worth_checking() -> None:
    """The integer trick that counts agreeing 16-bit bins, against a plain count; and the
    thresholds of the module's notes, at their edges."""
    from array import array

    from core.neardup import (
        BANDS,
        BINS,
        SKELETON_BINS_FLOOR,
        WORD_BINS_ALONE,
        WORD_BINS_FLOOR,
        _agreeing_bins,
        sketch_bins,
        words_decide,
        worth_checking,
    )

    rng = random.Random(5)

    def signature(agree_with: list[int] | None, agreeing: int) -> list[int]:
        if agree_with is None:
            return [rng.getrandbits(16) for _ in range(BINS)]
        same = set(rng.sample(range(BINS), agreeing))
        return [v if b in same else (v + 1 + rng.getrandbits(15)) & 0xFFFF
                for b, v in enumerate(agree_with)]  # fmt: skip

    def as_bins(words: list[int], skeleton: list[int] | None) -> tuple[int, int]:
        keys = array("I", [words[2 * k] << 16 | words[2 * k + 1] for k in range(BANDS)])
        keys.extend([skeleton[2 * k] << 16 | skeleton[2 * k + 1] for k in range(BANDS)]
                    if skeleton else [0] * BANDS)  # fmt: skip
        if sys.byteorder != "little":
            keys.byteswap()
        return sketch_bins(keys.tobytes())

    for agreeing in (0, 1, 2, 15, 16, 17, 95, 96):
        a = signature(None, 0)
        b = signature(a, agreeing)
        x = as_bins(a, None)[0] ^ as_bins(b, None)[0]
        assert _agreeing_bins(x) == sum(p == q for p, q in zip(a, b, strict=True)) == agreeing
    # A lane differing only in its top bit or only in its lowest counts as differing.
    for lane in (0x8000, 0x0001, 0x7FFF, 0xFFFF, 0x0100):
        for spots in ([0], [BINS - 1], list(range(0, BINS, 7))):
            x = sum(lane << (16 * b) for b in spots)
            assert _agreeing_bins(x) == BINS - len(spots), (hex(lane), spots)
    words, skeleton = signature(None, 0), signature(None, 0)
    base = as_bins(words, skeleton)
    for w, s, worth, by_words in [
        (WORD_BINS_ALONE, 0, True, True),
        (WORD_BINS_ALONE - 1, 0, False, None),
        (WORD_BINS_FLOOR, SKELETON_BINS_FLOOR, True, None),
        (WORD_BINS_FLOOR - 1, BINS, False, False),
        (WORD_BINS_FLOOR, SKELETON_BINS_FLOOR - 1, False, None),
    ]:
        other = as_bins(signature(words, w), signature(skeleton, s))
        assert worth_checking(base, other) is worth, (w, s)
        # The word bins alone decide at and above WORD_BINS_ALONE and below the floor.
        assert words_decide(base[0], other[0]) is by_words, (w, s)
    for agreeing in range(BINS + 1):  # undecided exactly where worth_checking reads skeletons
        other = as_bins(signature(words, agreeing), signature(skeleton, BINS))
        verdict = words_decide(base[0], other[0])
        undecided = WORD_BINS_FLOOR <= agreeing < WORD_BINS_ALONE
        assert (verdict is None) is undecided and verdict in (None, worth_checking(base, other))
    no_skeleton = as_bins(signature(words, WORD_BINS_ALONE - 1), None)
    assert not worth_checking(base, no_skeleton)  # an empty skeleton agrees with nothing


def test_sketches_of_texts_equal_the_sketches_of_their_fingerprints() -> None:
    """Workers sketch from shingle lists with repeats; the bins must be the sets'."""
    from core.neardup import sketch, sketch_texts

    texts = [a.text for a in corpus(6, stories=3, background=5)]
    texts += ["", "Two words", "Berita 𠮷野 القاهرة\r\nhari ini 😀 banjir besar di kota kota kota"]
    texts += ["kota " * 40]  # one shingle repeated: a set of one
    expected = array("I")
    for text in texts:
        expected.extend(sketch(*fingerprint(text)))
    assert sketch_texts(texts) == expected


@pytest.mark.parametrize("seed", range(5))
def test_late_holders_are_those_band_candidates_never_pairs_a_later_article_with(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """A run's index keeps a key's holders up to its first BUCKET_PEERS, earlier ones
    first, and leaves out the rest by :func:`core.neardup.late_holders`: exactly the
    positions that :func:`core.neardup.band_candidates` never pairs with a later article
    holding the key (here, one appended after each)."""
    import random

    import core.neardup
    from core.neardup import band_candidates, late_holders

    monkeypatch.setattr(core.neardup, "BUCKET_PEERS", 4)
    rng = random.Random(seed)
    keys = [rng.choice([0, 1, 2, 3, 5, 8, 13, 21, 34]) for _ in range(60)]
    held = {1: 4, 2: 3, 5: 1, 99: 2}
    late = late_holders(keys, held)
    for key in set(keys) - {0}:
        probe = [*keys, key]  # a later holder: paired with every kept one
        paired = {j for j, i in band_candidates(probe, held) if i == len(keys)}
        mine = {pos for pos, k in enumerate(keys) if k == key}
        assert paired == mine - set(late), key
    assert late == sorted(late) and all(keys[pos] for pos in late)
    assert {pos for pos, k in enumerate(keys) if k == 1} <= set(late)  # held full already
