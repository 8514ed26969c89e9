"""The entity learner: a linear-chain CRF (python-crfsuite) over word tokens, one sequence per
line, BIO tags, trained on the spans of done articles.

Features are the word, its affixes and shape, its neighbours, and the article's language:
a bias per language and the word joined with it, so that one project can hold several
languages without the same string pulling two ways. Rejected suggestions become negatives:
the rejected tokens, with their features from the full text, tagged outside.

The model also reads the strings annotators already labelled (what the ``own-labels``
suggester matches) as a feature: "these tokens were labelled PER elsewhere". So that it
learns how far to trust that, each training article sees only the strings labelled in the
other half of the articles, as a new article will see strings labelled in others. The
strings travel with the model: its bytes are a small header, the strings as JSON, and the
crfsuite model.
"""

from __future__ import annotations

import functools
import json
import struct
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite

from core.learn.scores import Evaluation, SpanKey, held_out_folds, span_evaluation
from core.learn.tokens import word_tokens

OUTSIDE = "O"
#: L-BFGS with a little L1 and L2; chosen on the bench sets (bench/bench_learn.py), so the
#: curves there are somewhat optimistic.
TRAIN_PARAMS: dict[str, object] = {
    "c1": 0.01,
    "c2": 0.01,
    "max_iterations": 100,
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


# ---- features ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=200_000)
def _shape(word: str) -> str:
    out: list[str] = []
    for ch in word:
        c = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:6]


@functools.lru_cache(maxsize=200_000)
def _word_features(word: str) -> tuple[str, ...]:
    """What a word says on its own; cached, as words repeat (most of the feature cost)."""
    lo = word.lower()
    feats = [
        "w=" + lo,
        "s4=" + lo[-4:],
        "s3=" + lo[-3:],
        "s2=" + lo[-2:],
        "p2=" + lo[:2],
        "p3=" + lo[:3],
        "sh=" + _shape(word),
    ]
    if word[:1].isupper():
        feats.append("title")
    if word.isupper() and len(word) > 1:
        feats.append("upper")
    if any(ch.isdigit() for ch in word):
        feats.append("digit")
    if len(word) == 1 and not word.isalnum():
        feats.append("punct")
    return tuple(feats)


Line = list[tuple[int, int]]


def token_lines(text: str) -> list[Line]:
    """Tokens grouped by line: a line is a sequence (titles and paragraphs stand apart)."""
    lines: list[Line] = []
    current: Line = []
    prev = 0
    for start, end in word_tokens(text):
        if current and "\n" in text[prev:start]:
            lines.append(current)
            current = []
        current.append((start, end))
        prev = end
    if current:
        lines.append(current)
    return lines


def line_features(
    text: str, lang: str, line: Line, lexicon: Lexicon | None = None
) -> list[list[str]]:
    words = [text[s:e] for s, e in line]
    known = lexicon.tags(words) if lexicon is not None else [None] * len(words)
    lows = [w.lower() for w in words]
    shapes = [_shape(w) for w in words]
    lang_bias = "lang=" + lang
    out: list[list[str]] = []
    n = len(words)
    for i, word in enumerate(words):
        f = ["b", lang_bias, f"lw={lang}|{lows[i]}", *_word_features(word)]
        if known[i] is not None:
            f += ["lex=" + known[i], "lex"]  # type: ignore[operator]
        if i:
            f += ["-1w=" + lows[i - 1], "-1s=" + shapes[i - 1], f"-1w|w={lows[i - 1]}|{lows[i]}"]
            if i > 1:
                f += ["-2w=" + lows[i - 2], "-2s=" + shapes[i - 2]]
        else:
            f.append("bol")
        if i + 1 < n:
            f += ["+1w=" + lows[i + 1], "+1s=" + shapes[i + 1]]
            if i + 2 < n:
                f += ["+2w=" + lows[i + 2], "+2s=" + shapes[i + 2]]
        else:
            f.append("eol")
        out.append(f)
    return out


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


# ---- labelled strings as a feature ------------------------------------------------------

#: Longest labelled string, in tokens, the lexicon keeps.
MAX_PHRASE = 6


class Lexicon:
    """Token sequences annotators labelled, with their most frequent label."""

    def __init__(self, phrases: dict[tuple[str, ...], str] | None = None) -> None:
        self.phrases = phrases or {}

    @classmethod
    def from_examples(cls, examples: Iterable[EntityExample]) -> Lexicon:
        votes: dict[tuple[str, ...], dict[str, int]] = {}
        for ex in examples:
            for label, start, end in ex.spans:
                phrase = ex.text[start:end]
                words = tuple(phrase[s:e] for s, e in word_tokens(phrase))
                if 0 < len(words) <= MAX_PHRASE:
                    count = votes.setdefault(words, {})
                    count[label] = count.get(label, 0) + 1
        return cls({k: max(v, key=lambda lab: v[lab]) for k, v in votes.items()})

    def tags(self, words: Sequence[str]) -> list[str | None]:
        """``B-LABEL``/``I-LABEL`` where a labelled string occurs (longest first), else None."""
        out: list[str | None] = [None] * len(words)
        phrases = self.phrases
        if not phrases:
            return out
        i = 0
        while i < len(words):
            for n in range(min(MAX_PHRASE, len(words) - i), 0, -1):
                label = phrases.get(tuple(words[i : i + n]))
                if label is not None:
                    out[i] = "B-" + label
                    for k in range(i + 1, i + n):
                        out[k] = "I-" + label
                    i += n
                    break
            else:
                i += 1
        return out

    def to_json(self) -> bytes:
        return json.dumps([[list(k), v] for k, v in self.phrases.items()]).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Lexicon:
        return cls({tuple(k): v for k, v in json.loads(data.decode("utf-8"))})


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
    trainer: pycrfsuite.Trainer,
    examples: Sequence[EntityExample],
    negatives: Sequence[Negative],
    groups: Sequence[int],
    negative_group: int,
) -> Lexicon:
    """Append every example (in its group) and negative; returns the lexicon of all."""
    # Each half of the articles sees the strings labelled in the other half only.
    halves = [
        Lexicon.from_examples(examples[1::2]),
        Lexicon.from_examples(examples[0::2]),
    ]
    appended = 0
    for n, ex in enumerate(examples):
        spans = flat_spans(ex.spans)
        lexicon = halves[n % 2]
        for line in token_lines(ex.text):
            inside = [sp for sp in spans if sp[1] < line[-1][1] and sp[2] > line[0][0]]
            feats = line_features(ex.text, ex.lang, line, lexicon)
            trainer.append(feats, _tags(line, inside), groups[n])
            appended += 1
    full = Lexicon.from_examples(examples)
    for neg in negatives:
        for line in token_lines(neg.text):
            idx = [i for i, (s, e) in enumerate(line) if s < neg.end and e > neg.start]
            if idx:
                feats = line_features(neg.text, neg.lang, line, full)
                trainer.append([feats[i] for i in idx], [OUTSIDE] * len(idx), negative_group)
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
    full = int(TRAIN_PARAMS["max_iterations"])  # type: ignore[call-overload]
    if chars <= FULL_ITERATIONS_UPTO:
        return full
    return max(MIN_ITERATIONS, full * FULL_ITERATIONS_UPTO // chars)


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
    full = _append_all(trainer, examples, negatives, [0] * len(examples), 0)
    return pack_model(_train(trainer), full)


class EntityTagger:
    """A trained model, ready to propose spans."""

    def __init__(self, data: bytes) -> None:
        crf, self.lexicon = unpack_model(data)
        self._data = crf  # the tagger reads from this buffer
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(crf)
        self.labels = sorted({t[2:] for t in self._tagger.labels() if t != OUTSIDE})

    def guess(self, text: str, lang: str) -> ArticleGuess:
        tagger = self._tagger
        found: list[EntityGuess] = []
        uncertainty = 0.0
        for line in token_lines(text):
            tagger.set(line_features(text, lang, line, self.lexicon))
            tags = tagger.tag()
            if not tags:
                continue
            uncertainty = max(uncertainty, 1.0 - tagger.probability(tags))
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
        return ArticleGuess(tuple(found), uncertainty)


# ---- evaluation -------------------------------------------------------------------------


def fit_and_evaluate(
    examples: Sequence[EntityExample],
    negatives: Sequence[Negative] = (),
    *,
    seed: int = 0,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[bytes, Evaluation]:
    """The model trained on every example, and its span F1 on held-out articles (k folds
    when few are labelled, one fifth otherwise).

    The features of every article are built once, each in the group of its fold, and
    crfsuite trains once per fold leaving that group out, then once on all: building
    features costs more than a training here. The held-out articles are tagged with the
    strings labelled in the other folds only; while training, articles see the strings of
    the other half of all articles, which may include held-out ones (a string, never its
    label's weight, so the scores are barely flattered).
    """
    folds = held_out_folds(len(examples), seed=seed)
    groups = [len(folds)] * len(examples)
    for g, fold in enumerate(folds):
        for i in fold:
            groups[i] = g
    trainer = _new_trainer(examples)
    full = _append_all(trainer, examples, negatives, groups, len(folds))
    gold: list[tuple[SpanKey, ...]] = []
    predicted: list[list[SpanKey]] = []
    for g, held in enumerate(folds):
        if should_stop and should_stop():
            raise InterruptedError("training stopped")
        out = set(held)
        lexicon = Lexicon.from_examples([ex for i, ex in enumerate(examples) if i not in out])
        tagger = EntityTagger(pack_model(_train(trainer, g), lexicon))
        for i in held:
            ex = examples[i]
            gold.append(flat_spans(ex.spans))
            guess = tagger.guess(ex.text, ex.lang)
            predicted.append([(x.label, x.start, x.end) for x in guess.spans])
    evaluation = span_evaluation(gold, predicted, folds=len(folds))
    if should_stop and should_stop():
        raise InterruptedError("training stopped")
    return pack_model(_train(trainer), full), evaluation


def evaluate_entities(
    examples: Sequence[EntityExample],
    negatives: Sequence[Negative] = (),
    *,
    seed: int = 0,
    should_stop: Callable[[], bool] | None = None,
) -> Evaluation:
    """Span F1 on held-out articles (see :func:`fit_and_evaluate`)."""
    return fit_and_evaluate(examples, negatives, seed=seed, should_stop=should_stop)[1]
