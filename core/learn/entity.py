"""The entity learner: a linear-chain CRF (python-crfsuite) over word tokens, one sequence per
line, BIO tags, trained on the spans of done articles. What it sees of a token, its features,
is built in :mod:`core.learn.entity_features`; here it is trained, tags, and is evaluated.

Rejected suggestions become negatives: the rejected tokens, with their features from the full
text, tagged outside.

One feature is the strings annotators already labelled (the features' ``Lexicon``). So that
the model learns how far to trust it, each training article sees only the strings labelled in
the other half of the articles, as a new article will see strings labelled in others. The
strings travel with the model: its bytes are a small header, the strings as JSON, and the
crfsuite model.
"""

from __future__ import annotations

import math
import struct
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite

from core.learn.entity_features import Lexicon, Line, line_features, token_lines
from core.learn.scores import Evaluation, SpanKey, held_out_folds, span_evaluation

OUTSIDE = "O"
#: L-BFGS with a little L1 and L2; chosen on the bench sets (bench/bench_learn.py), so the
#: curves there are somewhat optimistic.
#: Training passes over a small set; larger sets get fewer (:func:`_iterations`).
MAX_ITERATIONS = 100
TRAIN_PARAMS: dict[str, object] = {
    "c1": 0.01,
    "c2": 0.01,
    "max_iterations": MAX_ITERATIONS,
    "feature.possible_transitions": True,
}


@dataclass(frozen=True, slots=True)
class EntityExample:
    """A labelled article: its text, language and entity spans ``(label, start, end)``."""

    text: str
    lang: str
    spans: tuple[SpanKey, ...]


@dataclass(frozen=True, slots=True)
class Negative:
    """A suggestion an annotator rejected: ``[start, end)`` of ``text`` is not ``label``."""

    text: str
    lang: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class EntityGuess:
    label: str
    start: int
    end: int
    confidence: float


@dataclass(frozen=True, slots=True)
class ArticleGuess:
    """What the model proposes for one article, and how unsure it is (0 sure … 1 lost): the
    largest ``1 - P(best tags)`` over its lines, the least-confidence measure of active
    learning."""

    spans: tuple[EntityGuess, ...]
    uncertainty: float


# ---- tags and the model's bytes ---------------------------------------------------------


def _tags(line: Line, spans: Sequence[SpanKey]) -> list[str]:
    """BIO tags of a line: a token inside a span (overlapping it) takes the span's label."""
    tags = [OUTSIDE] * len(line)
    for label, start, end in spans:
        inside = False
        for i, (s, e) in enumerate(line):
            if s < end and e > start and tags[i] == OUTSIDE:
                tags[i] = ("I-" if inside else "B-") + label
                inside = True
    return tags


def flat_spans(spans: Iterable[SpanKey]) -> tuple[SpanKey, ...]:
    """Longest first, without overlaps: what a BIO sequence can hold."""
    taken: list[SpanKey] = []
    for label, start, end in sorted(spans, key=lambda s: (s[1] - s[2], s[1])):
        if all(end <= s or start >= e for _l, s, e in taken):
            taken.append((label, start, end))
    return tuple(sorted(taken, key=lambda s: (s[1], s[2])))


_MAGIC = b"TANDAI-CRF1"


def pack_model(crf: bytes, lexicon: Lexicon) -> bytes:
    lex = lexicon.to_json()
    return _MAGIC + struct.pack("<Q", len(lex)) + lex + crf


def unpack_model(data: bytes) -> tuple[bytes, Lexicon]:
    if not data.startswith(_MAGIC):
        raise ValueError("not a Tandai entity model")
    head = len(_MAGIC)
    (size,) = struct.unpack("<Q", data[head : head + 8])
    lex = data[head + 8 : head + 8 + size]
    return data[head + 8 + size :], Lexicon.from_json(lex)


# ---- training ---------------------------------------------------------------------------


def _append_all(
    trainers: Sequence[tuple[pycrfsuite.Trainer, int]],
    examples: Sequence[EntityExample],
    negatives: Sequence[Negative],
    groups: Sequence[int],
    negative_group: int,
) -> Lexicon:
    """Append every example (in its group) and negative to each ``(trainer, skip)``: a
    trainer gets the items of every group but ``skip`` (-1: all). The features of a line
    are built once for all trainers and dropped at once (kept, they would weigh hundreds of
    MB at 1,000 articles). Returns the lexicon of all the examples."""
    # Each half of the articles sees the strings labelled in the other half only.
    halves = [
        Lexicon.from_examples(examples[1::2]),
        Lexicon.from_examples(examples[0::2]),
    ]
    appended = 0

    def append(feats: list[list[str]], tags: list[str], group: int) -> None:
        for trainer, skip in trainers:
            if group != skip:
                trainer.append(feats, tags, group)

    for n, ex in enumerate(examples):
        spans = flat_spans(ex.spans)
        lexicon = halves[n % 2]
        for line in token_lines(ex.text):
            inside = [sp for sp in spans if sp[1] < line[-1][1] and sp[2] > line[0][0]]
            append(line_features(ex.text, ex.lang, line, lexicon), _tags(line, inside), groups[n])
            appended += 1
    full = Lexicon.from_examples(examples)
    for neg in negatives:
        for line in token_lines(neg.text):
            idx = [i for i, (s, e) in enumerate(line) if s < neg.end and e > neg.start]
            if idx:
                feats = line_features(neg.text, neg.lang, line, full)
                append([feats[i] for i in idx], [OUTSIDE] * len(idx), negative_group)
                appended += 1
    if not appended:
        raise ValueError("nothing to learn from: the labelled articles have no words")
    return full


#: Up to this many characters of labelled text (~60,000 tokens) the optimiser runs its full
#: iterations; beyond, proportionally fewer, so that a training stays within seconds (each
#: iteration costs in proportion to the tokens).
FULL_ITERATIONS_UPTO = 360_000
MIN_ITERATIONS = 30


def _iterations(chars: int) -> int:
    if chars <= FULL_ITERATIONS_UPTO:
        return MAX_ITERATIONS
    return max(MIN_ITERATIONS, MAX_ITERATIONS * FULL_ITERATIONS_UPTO // chars)


def _new_trainer(examples: Sequence[EntityExample]) -> pycrfsuite.Trainer:
    trainer = pycrfsuite.Trainer(verbose=False)
    chars = sum(len(ex.text) for ex in examples)
    trainer.set_params({**TRAIN_PARAMS, "max_iterations": _iterations(chars)})
    return trainer


def _train(trainer: pycrfsuite.Trainer, holdout: int = -1) -> bytes:
    with tempfile.TemporaryDirectory(prefix="tandai-crf-") as tmp:
        path = Path(tmp) / "model.crfsuite"
        trainer.train(str(path), holdout)
        return path.read_bytes()


def train_entities(examples: Sequence[EntityExample], negatives: Sequence[Negative] = ()) -> bytes:
    """The model's bytes (labelled strings + CRF), trained on ``examples`` (and
    ``negatives`` tagged outside)."""
    trainer = _new_trainer(examples)
    full = _append_all([(trainer, -1)], examples, negatives, [0] * len(examples), 0)
    return pack_model(_train(trainer), full)


#: How unsure the model is about an article, for "most uncertain first" (compared on the
#: simulated annotator of bench/bench_learn.py ``--only active``):
#: ``line``: the largest ``1 - P(best tags)`` over its lines (least confidence);
#: ``token-sum`` / ``token-mean``: ``1 - P(predicted tag)`` summed over its tokens, or their
#: mean; ``entropy-sum`` / ``entropy-mean``: the tag entropy of each token, summed or mean
#: (reads every label's marginal: costs labels x more); ``margin``: 1 minus the smallest gap
#: between a token's two likeliest tags.
UNCERTAINTY_MEASURES = ("line", "token-sum", "token-mean", "entropy-sum", "entropy-mean", "margin")


class _UncertaintyStats:
    """Accumulates what the measures need over an article's lines."""

    def __init__(self) -> None:
        self.line = 0.0
        self.tokens = 0
        self.token_sum = 0.0
        self.entropy_sum = 0.0
        self.margin = 0.0

    def add(self, tagger: pycrfsuite.Tagger, tags: Sequence[str], measure: str) -> None:
        self.tokens += len(tags)
        if measure == "line":
            self.line = max(self.line, 1.0 - tagger.probability(tags))
        elif measure.startswith("token"):
            self.token_sum += sum(1.0 - tagger.marginal(t, k) for k, t in enumerate(tags))
        else:
            labels = tagger.labels()
            for k in range(len(tags)):
                probs = sorted((tagger.marginal(y, k) for y in labels), reverse=True)
                self.entropy_sum -= sum(p * math.log(p) for p in probs if p > 0)
                gap = probs[0] - probs[1] if len(probs) > 1 else 1.0
                self.margin = max(self.margin, 1.0 - gap)

    def value(self, measure: str) -> float:
        n = max(1, self.tokens)
        return {
            "line": self.line,
            "token-sum": self.token_sum,
            "token-mean": self.token_sum / n,
            "entropy-sum": self.entropy_sum,
            "entropy-mean": self.entropy_sum / n,
            "margin": self.margin,
        }[measure]


class EntityTagger:
    """A trained model, ready to propose spans."""

    def __init__(self, data: bytes) -> None:
        crf, self.lexicon = unpack_model(data)
        self._data = crf  # the tagger reads from this buffer
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(crf)
        self.labels = sorted({t[2:] for t in self._tagger.labels() if t != OUTSIDE})

    def guess(self, text: str, lang: str, *, measure: str = "line") -> ArticleGuess:
        """Proposed spans and the article's uncertainty by ``measure`` (see
        :data:`UNCERTAINTY_MEASURES`)."""
        tagger = self._tagger
        found: list[EntityGuess] = []
        stats = _UncertaintyStats()
        for line in token_lines(text):
            tagger.set(line_features(text, lang, line, self.lexicon))
            tags = tagger.tag()
            if not tags:
                continue
            stats.add(tagger, tags, measure)
            i = 0
            while i < len(tags):
                tag = tags[i]
                if tag == OUTSIDE:
                    i += 1
                    continue
                label = tag[2:]
                j = i + 1
                while j < len(tags) and tags[j] == "I-" + label:
                    j += 1
                confidence = min(tagger.marginal(tags[k], k) for k in range(i, j))
                found.append(EntityGuess(label, line[i][0], line[j - 1][1], confidence))
                i = j
        return ArticleGuess(tuple(found), stats.value(measure))


# ---- evaluation -------------------------------------------------------------------------


def fit_and_evaluate(
    examples: Sequence[EntityExample],
    negatives: Sequence[Negative] = (),
    *,
    seed: int = 0,
    should_stop: Callable[[], bool] | None = None,
    part: str = "both",
) -> tuple[bytes, Evaluation | None]:
    """The model trained on every example, and its span F1 on held-out articles (k folds
    when few are labelled, one fifth otherwise).

    ``part``: ``"both"``; or, with one held-out fifth only (see :func:`splits_in_two`),
    ``"final"`` (the model, no scores) or ``"evaluation"`` (the scores, no model), for two
    processes to share the work: crfsuite holds the interpreter while it trains, so two
    threads of one process train one after the other.

    The features of every article are built once. With k folds, crfsuite trains once per
    fold leaving that fold's group out, then once on all. With one held-out fifth (many
    articles, where a training takes seconds) the model without it and the model on all
    are trained from the same items; crfsuite holds the interpreter while it trains, so in
    one process they train one after the other (measured: two threads take twice the time
    of one), and storage runs the two ``part``s in two worker processes instead. The held-out articles
    are tagged with the strings labelled in the other folds only; while training, articles
    see the strings of the other half of all articles, which may include held-out ones (a
    string, never its label's weight, so the scores are barely flattered).
    """
    folds = held_out_folds(len(examples), seed=seed)
    groups = [len(folds)] * len(examples)
    for g, fold in enumerate(folds):
        for i in fold:
            groups[i] = g
    trainer = _new_trainer(examples)
    side_by_side = len(folds) == 1
    if part != "both" and not side_by_side:
        raise ValueError("only a single held-out fifth splits into final and evaluation")
    fold_trainer = _new_trainer(examples) if side_by_side else trainer
    sinks = {
        "both": [(trainer, -1), (fold_trainer, 0)] if side_by_side else [(trainer, -1)],
        "final": [(trainer, -1)],
        "evaluation": [(fold_trainer, 0)],
    }[part]
    full = _append_all(sinks, examples, negatives, groups, len(folds))
    if part == "final":
        return pack_model(_train(trainer), full), None
    gold: list[tuple[SpanKey, ...]] = []
    predicted: list[list[SpanKey]] = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        final = pool.submit(_train, trainer) if side_by_side and part == "both" else None
        for g, held in enumerate(folds):
            if should_stop and should_stop():
                raise InterruptedError("training stopped")
            out = set(held)
            lexicon = Lexicon.from_examples([ex for i, ex in enumerate(examples) if i not in out])
            crf = _train(fold_trainer) if side_by_side else _train(trainer, g)
            tagger = EntityTagger(pack_model(crf, lexicon))
            for i in held:
                ex = examples[i]
                gold.append(flat_spans(ex.spans))
                guess = tagger.guess(ex.text, ex.lang)
                predicted.append([(x.label, x.start, x.end) for x in guess.spans])
        evaluation = span_evaluation(gold, predicted, folds=len(folds))
        if should_stop and should_stop():
            raise InterruptedError("training stopped")
        if part == "evaluation":
            return b"", evaluation
        model = final.result() if final is not None else _train(trainer)
    return pack_model(model, full), evaluation


def splits_in_two(count: int) -> bool:
    """Whether a training on ``count`` articles holds out one fifth (not k folds): then the
    final model and the held-out scores can be worked out in two processes at once."""
    return len(held_out_folds(count)) == 1


def evaluate_entities(
    examples: Sequence[EntityExample],
    negatives: Sequence[Negative] = (),
    *,
    seed: int = 0,
    should_stop: Callable[[], bool] | None = None,
) -> Evaluation:
    """Span F1 on held-out articles (see :func:`fit_and_evaluate`)."""
    evaluation = fit_and_evaluate(examples, negatives, seed=seed, should_stop=should_stop)[1]
    assert evaluation is not None
    return evaluation
