"""Whole learning jobs as plain picklable functions, so that storage can run them in a worker
process (a training holds the interpreter for seconds; the UI must not wait on it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.learn.entity import (
    ArticleGuess,
    EntityExample,
    EntityTagger,
    Negative,
    fit_and_evaluate,
)
from core.learn.scores import Evaluation
from core.learn.stance import (
    StanceClassifier,
    StanceExample,
    StanceGuess,
    evaluate_stance,
    train_stance,
)


@dataclass(frozen=True)
class Fit:
    data: bytes
    evaluation: Evaluation


def fit_entities(
    examples: Sequence[EntityExample], negatives: Sequence[Negative], seed: int = 0
) -> Fit:
    """Held-out scores (of models that never saw the held-out articles) and the model that
    is kept, trained on every labelled article."""
    data, evaluation = fit_and_evaluate(examples, negatives, seed=seed)
    assert evaluation is not None
    return Fit(data, evaluation)


def fit_entities_part(
    examples: Sequence[EntityExample], negatives: Sequence[Negative], part: str, seed: int = 0
) -> tuple[bytes, Evaluation | None]:
    """One of the two halves of :func:`fit_entities` (``"final"`` or ``"evaluation"``), for
    two worker processes: crfsuite does not let go of the interpreter while it trains."""
    return fit_and_evaluate(examples, negatives, seed=seed, part=part)


def fit_stance(examples: Sequence[StanceExample], seed: int = 0) -> Fit:
    evaluation = evaluate_stance(examples, seed=seed)
    return Fit(train_stance(examples), evaluation)


#: The model a guessing worker loaded (:func:`load_model`), so that its bytes cross into each
#: worker process once, not once per chunk of articles. One per process: a worker serves
#: one model's pass over the articles and then ends.
_loaded: dict[str, EntityTagger | StanceClassifier] = {}


def load_model(layer: str, data: bytes) -> None:
    """Read a model for :func:`guess_loaded` (a worker process's initializer)."""
    _loaded["model"] = EntityTagger(data) if layer == "entity" else StanceClassifier(data)


def guess_loaded(
    items: Sequence[tuple[int, str, str]],
) -> list[tuple[int, ArticleGuess | StanceGuess]]:
    """``(article id, guess)`` for ``(id, text, lang)`` items, by the loaded model."""
    model = _loaded["model"]
    return [(aid, model.guess(text, lang)) for aid, text, lang in items]


def guess_entities(
    data: bytes, items: Sequence[tuple[int, str, str]]
) -> list[tuple[int, ArticleGuess]]:
    """``(article id, guess)`` for ``(id, text, lang)`` items."""
    tagger = EntityTagger(data)
    return [(aid, tagger.guess(text, lang)) for aid, text, lang in items]


def guess_stance(
    data: bytes, items: Sequence[tuple[int, str, str]]
) -> list[tuple[int, StanceGuess]]:
    classifier = StanceClassifier(data)
    return [(aid, classifier.guess(text, lang)) for aid, text, lang in items]
