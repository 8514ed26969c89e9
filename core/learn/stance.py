"""The stance learner: a maximum-entropy classifier per target, made of python-crfsuite on
one-item sequences (a CRF with a single position is multinomial logistic regression), so
that no second learning library, and no hand-written optimiser, enters the bundle.

Features are the article's lower-cased words and word pairs (present or not), with the
language as a bias, as in a TF-IDF-free bag of words.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite

from core.learn.scores import Evaluation, class_evaluation, held_out_folds
from core.learn.tokens import word_tokens

TRAIN_PARAMS: dict[str, object] = {"c1": 0.0, "c2": 1.0, "max_iterations": 200}
#: Words read per article: enough for a stance, and a 50,000-word article costs no more.
MAX_WORDS = 2000


@dataclass(frozen=True, slots=True)
class StanceExample:
    text: str
    lang: str
    label: str


@dataclass(frozen=True, slots=True)
class StanceGuess:
    """The most probable value, its probability, and the entropy of the whole distribution
    divided by its maximum (0 sure … 1 no idea), which active learning orders by."""

    label: str
    confidence: float
    uncertainty: float


def stance_features(text: str, lang: str) -> dict[str, float]:
    words = [text[s:e].lower() for s, e in word_tokens(text)[:MAX_WORDS]]
    words = [w for w in words if any(ch.isalnum() for ch in w)]
    feats: dict[str, float] = {"b": 1.0, "lang=" + lang: 1.0}
    for i, w in enumerate(words):
        feats["w=" + w] = 1.0
        if i:
            feats[f"ww={words[i - 1]}|{w}"] = 1.0
    return feats


def train_stance(examples: Sequence[StanceExample]) -> bytes:
    if not examples:
        raise ValueError("nothing to learn from: no stance labels")
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params(TRAIN_PARAMS)
    for ex in examples:
        trainer.append([stance_features(ex.text, ex.lang)], [ex.label])
    with tempfile.TemporaryDirectory(prefix="tandai-maxent-") as tmp:
        path = Path(tmp) / "model.crfsuite"
        trainer.train(str(path))
        return path.read_bytes()


class StanceClassifier:
    def __init__(self, data: bytes) -> None:
        self._data = data
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(data)
        self.labels = sorted(self._tagger.labels())

    def guess(self, text: str, lang: str) -> StanceGuess:
        tagger = self._tagger
        tagger.set([stance_features(text, lang)])
        probs = {label: tagger.marginal(label, 0) for label in self.labels}
        label = max(probs, key=lambda k: probs[k])
        entropy = -sum(p * math.log(p) for p in probs.values() if p > 0)
        norm = math.log(len(probs)) if len(probs) > 1 else 1.0
        return StanceGuess(label, probs[label], entropy / norm)


def evaluate_stance(
    examples: Sequence[StanceExample],
    *,
    seed: int = 0,
    should_stop: Callable[[], bool] | None = None,
) -> Evaluation:
    """Macro-F1 on held-out articles (k folds when few are labelled)."""
    gold: list[str] = []
    predicted: list[str] = []
    folds = held_out_folds(len(examples), seed=seed)
    for held in folds:
        if should_stop and should_stop():
            raise InterruptedError("training stopped")
        out = set(held)
        train = [ex for i, ex in enumerate(examples) if i not in out]
        classifier = StanceClassifier(train_stance(train))
        for i in held:
            gold.append(examples[i].label)
            predicted.append(classifier.guess(examples[i].text, examples[i].lang).label)
    return class_evaluation(gold, predicted, folds=len(folds))
