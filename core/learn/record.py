"""A trained model as the project keeps it, and the quality gate that decides if it speaks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.learn.scores import MIN_ARTICLES, Evaluation

ENTITY = "entity"
STANCE = "stance"
#: Source name of the model's suggestions (origin ``suggestion:model`` once accepted).
MODEL_SOURCE = "model"
DEFAULT_MIN_F1 = 0.3
DEFAULT_RETRAIN_EVERY = 10


@dataclass(frozen=True)
class LearnedModel:
    """``layer`` is ``entity`` or ``stance``; ``target`` the stance target ("" for entities).
    ``trained_on`` labelled articles (plus ``negatives`` rejected suggestions); ``data`` is
    the crfsuite model, left out (None) when only the scores were read."""

    layer: str
    target: str
    created: dt.datetime
    trained_on: int
    negatives: int
    evaluation: Evaluation
    data: bytes | None = None

    @property
    def name(self) -> str:
        return f"stance:{self.target}" if self.layer == STANCE else self.layer

    def silent_reason(self, min_score: float) -> str | None:
        """Why the model may not suggest, or None when it passes the gate."""
        ev = self.evaluation
        if ev.score >= min_score:
            return None
        return (
            f"model {ev.metric} {ev.score:.2f} on {ev.articles} articles "
            f"(needs {min_score:.2f}): needs more labels"
        )

    def describe(self, min_score: float) -> str:
        """One line for the Suggestions dialog and ``learn --report``."""
        ev = self.evaluation
        return self.silent_reason(min_score) or (
            f"model {ev.metric} {ev.score:.2f} on {ev.articles} held-out articles: suggesting"
        )


def too_few_reason(done: int, layer: str) -> str:
    what = "done articles" if layer == ENTITY else "articles with this stance"
    return f"no model: {done} {what}, a model needs at least {MIN_ARTICLES}"


@dataclass
class LearnOutcome:
    """What one ``learn`` did for one model: the model stored (None when there were too few
    labels to train), why it is silent if it is, and the suggestions it wrote."""

    name: str
    model: LearnedModel | None
    reason: str | None
    stored: int = 0
    removed: int = 0
    articles: int = 0  # articles the model looked at after training
    stopped: bool = False
