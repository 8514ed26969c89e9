"""The learners in core.learn: what they were taught comes back, scores are computed right,
negatives are heeded, and the gate explains itself."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from core.learn.entity import EntityExample, EntityTagger, Negative, flat_spans, train_entities
from core.learn.jobs import fit_entities, fit_stance
from core.learn.record import LearnedModel
from core.learn.scores import (
    KFOLD_BELOW,
    Evaluation,
    LabelScore,
    class_evaluation,
    held_out_folds,
    span_evaluation,
)
from core.learn.stance import StanceClassifier, StanceExample, train_stance
from tests.learn_fixtures import made_up_article


def examples(n: int, seed: int = 1) -> list[EntityExample]:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        text, spans = made_up_article(rnd)
        out.append(EntityExample(text, "id", tuple(spans)))
    return out


def test_a_trained_tagger_finds_the_taught_entities_in_articles_it_never_saw() -> None:
    tagger = EntityTagger(train_entities(examples(30)))
    unseen = examples(10, seed=99)
    found = [
        {(g.label, g.start, g.end) for g in tagger.guess(ex.text, ex.lang).spans} for ex in unseen
    ]
    assert found == [set(ex.spans) for ex in unseen]
    guess = tagger.guess(unseen[0].text, "id")
    assert all(0.5 < g.confidence <= 1.0 for g in guess.spans)
    assert 0.0 <= guess.uncertainty < 0.5
    assert tagger.labels == ["GPE", "PER"]


def test_a_name_in_a_new_context_is_guessed_from_its_neighbours() -> None:
    tagger = EntityTagger(train_entities(examples(30)))
    text = "Menteri Slamet Riyadi tiba di Kupang pada hari Senin."
    got = {(g.label, text[g.start : g.end]) for g in tagger.guess(text, "id").spans}
    assert got == {("PER", "Slamet Riyadi"), ("GPE", "Kupang")}


def test_rejected_suggestions_teach_the_model_what_is_not_an_entity() -> None:
    text = "Menteri Slamet Riyadi tiba di Kupang pada hari Senin."
    start = text.index("Kupang")

    def kupang(negatives: list[Negative]) -> float:
        """Confidence of the GPE guess on "Kupang" (0 when it is not guessed)."""
        tagger = EntityTagger(train_entities(examples(30), negatives))
        spans = tagger.guess(text, "id").spans
        return next((g.confidence for g in spans if g.start == start), 0.0)

    rejected = Negative(text, "id", start, start + len("Kupang"))
    assert kupang([]) > 0.6
    # Its context ("tiba di") says place; a few rejections outweigh that.
    assert kupang([rejected] * 5) == 0.0


def test_an_article_without_words_teaches_nothing() -> None:
    with pytest.raises(ValueError, match="nothing to learn"):
        train_entities([EntityExample("   \n ", "id", ())])


def test_nested_spans_are_flattened_longest_first() -> None:
    spans = [("GPE", 10, 17), ("ORG", 0, 20), ("PER", 25, 30)]
    assert flat_spans(spans) == (("ORG", 0, 20), ("PER", 25, 30))


def test_span_scores_count_exact_matches_per_label() -> None:
    gold = [[("PER", 0, 5), ("GPE", 10, 15)], [("PER", 0, 3)]]
    predicted = [[("PER", 0, 5), ("GPE", 10, 14)], [("PER", 0, 3), ("GPE", 5, 9)]]
    ev = span_evaluation(gold, predicted, folds=2)
    assert ev.labels["PER"] == LabelScore(1.0, 1.0, 1.0, 2)
    assert ev.labels["GPE"] == LabelScore(0.0, 0.0, 0.0, 1)
    # micro: tp 2, fp 2, fn 1 -> p 0.5, r 2/3
    assert ev.score == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert ev.articles == 2
    assert Evaluation.from_dict(ev.to_dict()).labels["PER"] == ev.labels["PER"]


def test_macro_f1_averages_the_classes_that_occur() -> None:
    ev = class_evaluation(["A", "A", "B", "B"], ["A", "A", "A", "B"], folds=1)
    assert ev.labels["A"].f1 == pytest.approx(0.8)
    assert ev.labels["B"].f1 == pytest.approx(2 / 3)
    assert ev.score == pytest.approx((0.8 + 2 / 3) / 2)


def test_few_articles_are_each_held_out_once_many_once_in_a_fifth() -> None:
    folds = held_out_folds(23, seed=3)
    assert len(folds) == 5
    assert sorted(i for fold in folds for i in fold) == list(range(23))
    assert held_out_folds(23, seed=3) == folds
    (one,) = held_out_folds(KFOLD_BELOW + 50)
    assert len(one) == (KFOLD_BELOW + 50) // 5


def test_the_held_out_score_of_a_fit_comes_from_articles_it_did_not_train_on() -> None:
    fit = fit_entities(examples(20), [])
    assert fit.evaluation.folds == 5 and fit.evaluation.articles == 20
    assert fit.evaluation.score > 0.9
    # Noise (labels on random words) cannot be learned: the held-out score says so.
    rnd = random.Random(5)
    noisy = []
    for ex in examples(20):
        words = ex.text.split(" ")
        pick = rnd.randrange(len(words))
        start = sum(len(w) + 1 for w in words[:pick])
        noisy.append(EntityExample(ex.text, ex.lang, (("PER", start, start + len(words[pick])),)))
    assert fit_entities(noisy, []).evaluation.score < 0.3


def test_the_gate_keeps_a_weak_model_silent_and_says_why() -> None:
    ev = Evaluation("span F1", 0.18, 40, 5, {})
    model = LearnedModel("entity", "", dt.datetime(2026, 1, 1), 40, 0, ev)
    assert model.silent_reason(0.3) == (
        "model span F1 0.18 on 40 articles (needs 0.30): needs more labels"
    )
    assert model.silent_reason(0.15) is None
    assert "suggesting" in model.describe(0.15)


STANCE_WORDS = {
    "FAVOR": ["mendukung", "setuju", "bagus", "berhasil", "hebat"],
    "AGAINST": ["menolak", "gagal", "buruk", "kecewa", "protes"],
}


def stance_examples(n: int, seed: int) -> list[StanceExample]:
    rnd = random.Random(seed)
    common = ["pemerintah", "kebijakan", "rakyat", "hari", "ini", "itu", "kata", "warga"]
    out = []
    for i in range(n):
        label = "FAVOR" if i % 2 else "AGAINST"
        words = rnd.sample(common, 5) + rnd.sample(STANCE_WORDS[label], 2)
        rnd.shuffle(words)
        out.append(StanceExample(" ".join(words), "id", label))
    return out


def test_the_stance_classifier_learns_the_words_of_each_side() -> None:
    classifier = StanceClassifier(train_stance(stance_examples(30, seed=1)))
    unseen = stance_examples(20, seed=2)
    guesses = [classifier.guess(ex.text, ex.lang) for ex in unseen]
    assert [g.label for g in guesses] == [ex.label for ex in unseen]
    assert all(0.5 < g.confidence <= 1.0 and 0.0 <= g.uncertainty < 1.0 for g in guesses)
    assert classifier.labels == ["AGAINST", "FAVOR"]
    fit = fit_stance(stance_examples(30, seed=1))
    assert fit.evaluation.metric == "macro-F1" and fit.evaluation.score > 0.9


def test_the_model_bytes_carry_the_labelled_strings_it_reads() -> None:
    from core.learn.entity import unpack_model
    from core.learn.entity_features import Lexicon

    taught = examples(12)
    crf, lexicon = unpack_model(train_entities(taught))
    _label, start, end = next(s for s in taught[0].spans if s[0] == "PER")
    first, last = taught[0].text[start:end].split(" ")
    assert crf and lexicon.phrases[(first, last)] == "PER"
    assert lexicon.tags(["di", first, last, "."]) == [None, "B-PER", "I-PER", None]
    assert Lexicon.from_json(lexicon.to_json()).phrases == lexicon.phrases
    with pytest.raises(ValueError, match="not a Tandai entity model"):
        EntityTagger(crf)


def test_the_two_halves_of_a_fit_give_the_fit_itself() -> None:
    """With many articles (one held-out fifth) storage trains the final model and works out
    the held-out scores in two processes; the halves must be exactly what one fit gives
    (the same items, the same model bytes, the same scores)."""
    from core.learn.entity import fit_and_evaluate, splits_in_two
    from core.learn.jobs import fit_entities_part

    many = examples(210, seed=3)
    assert splits_in_two(len(many)) and not splits_in_two(40)
    whole = fit_entities(many, [])
    model, none = fit_entities_part(many, [], "final")
    empty, evaluation = fit_entities_part(many, [], "evaluation")
    assert model == whole.data and none is None
    assert empty == b"" and evaluation == whole.evaluation
    with pytest.raises(ValueError):
        fit_and_evaluate(examples(40), [], part="final")
