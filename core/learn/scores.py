"""Held-out scores: span F1 per label for entities, macro-F1 over classes for stance, and the
folds they are measured on. Pure functions over plain tuples."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

SpanKey = tuple[str, int, int]  # (label, start, end)


@dataclass(frozen=True, slots=True)
class LabelScore:
    precision: float
    recall: float
    f1: float
    support: int  # gold items of this label

    def to_list(self) -> list[float | int]:
        return [round(self.precision, 4), round(self.recall, 4), round(self.f1, 4), self.support]

    @classmethod
    def from_list(cls, row: Sequence[Any]) -> LabelScore:
        return cls(float(row[0]), float(row[1]), float(row[2]), int(row[3]))


def _score(tp: int, fp: int, fn: int) -> LabelScore:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return LabelScore(p, r, f, tp + fn)


@dataclass(frozen=True)
class Evaluation:
    """How a model did on labelled articles it was not trained on.

    ``score`` is what the quality gate compares: micro span F1 for entities, macro-F1 over
    the classes for stance. ``articles`` is how many labelled articles were held out in all
    (every one of them once, with k folds).
    """

    metric: str
    score: float
    articles: int
    folds: int
    labels: dict[str, LabelScore] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "score": round(self.score, 4),
            "articles": self.articles,
            "folds": self.folds,
            "labels": {k: v.to_list() for k, v in sorted(self.labels.items())},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evaluation:
        return cls(
            metric=str(data["metric"]),
            score=float(data["score"]),
            articles=int(data["articles"]),
            folds=int(data["folds"]),
            labels={k: LabelScore.from_list(v) for k, v in data.get("labels", {}).items()},
        )


def span_evaluation(
    gold: Iterable[Iterable[SpanKey]], predicted: Iterable[Iterable[SpanKey]], *, folds: int
) -> Evaluation:
    """Exact-match span scores (label and both offsets), one pair of sets per article."""
    counts: dict[str, list[int]] = {}
    articles = 0
    for g_items, p_items in zip(gold, predicted, strict=True):
        articles += 1
        g, p = set(g_items), set(p_items)
        for label, *_ in g & p:
            counts.setdefault(label, [0, 0, 0])[0] += 1
        for label, *_ in p - g:
            counts.setdefault(label, [0, 0, 0])[1] += 1
        for label, *_ in g - p:
            counts.setdefault(label, [0, 0, 0])[2] += 1
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    return Evaluation(
        metric="span F1",
        score=_score(*total).f1,
        articles=articles,
        folds=folds,
        labels={label: _score(*c) for label, c in counts.items()},
    )


def class_evaluation(gold: Sequence[str], predicted: Sequence[str], *, folds: int) -> Evaluation:
    """Per-class scores and their unweighted mean F1 over the classes that occur in gold."""
    labels: dict[str, LabelScore] = {}
    for label in sorted(set(gold) | set(predicted)):
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p == label != g)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label != p)
        labels[label] = _score(tp, fp, fn)
    present = [s.f1 for label, s in labels.items() if s.support]
    return Evaluation(
        metric="macro-F1",
        score=sum(present) / len(present) if present else 0.0,
        articles=len(gold),
        folds=folds,
        labels=labels,
    )


#: Fewer labelled articles than this and no model is trained (nothing to hold out).
MIN_ARTICLES = 10
#: Below this many labelled articles every article is held out once (k folds); above, one
#: seeded fifth is held out, so that training 1,000 articles costs two fits, not six.
KFOLD_BELOW = 200


def held_out_folds(n: int, *, seed: int = 0, k: int = 5) -> list[list[int]]:
    """Index lists to hold out, seeded: k folds covering all ``n`` when few, else one fifth."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    if n < KFOLD_BELOW:
        k = min(k, n)
        return [sorted(order[i::k]) for i in range(k)]
    return [sorted(order[: max(1, n // 5)])]
