"""All boilerplate suggesters of one article together, and line-level scoring against gold.

The suggesters run in a fixed order because the shape suggester uses what the others found:
a lexicon or repeated line does not count as body when the article's edges are found.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field

from core.suggest import lexicon as lexicon_mod
from core.suggest import repeated, shape
from core.suggest.base import Line, Proposal, boilerplate, split_lines
from core.suggest.lexicon import Lexicon
from core.suggest.rules import RuleMatcher

FrequentFn = Callable[[Iterable[str]], set[str]]


@dataclass
class BoilerplateSuggesters:
    """The built-in suggesters (any of them switched off by leaving it out of ``enabled``)."""

    lexicon: Lexicon
    rules: RuleMatcher | None = None
    enabled: Collection[str] = field(default_factory=lambda: ("lexicon", "repeated", "shape"))

    def suggest(
        self,
        text: str,
        *,
        title: str = "",
        frequent: FrequentFn | None = None,
        keys: dict[str, list[Line]] | None = None,
    ) -> list[Proposal]:
        """Proposals of every enabled suggester; a line may be proposed by several.
        ``keys``: the text's ``repeated.article_keys``, if the caller has them already."""
        lines = split_lines(text)
        out: list[Proposal] = []
        known: set[int] = set()
        if "lexicon" in self.enabled:
            for line in self.lexicon.suggest_lines(lines):
                out.append(boilerplate(line, lexicon_mod.SOURCE))
                known.add(line.index)
        if "repeated" in self.enabled and frequent is not None:
            for line in repeated.suggest_lines(text, frequent, keys):
                out.append(boilerplate(line, repeated.SOURCE))
                known.add(line.index)
        if self.rules is not None:
            for rule, line in self.rules.match_lines(lines):
                out.append(boilerplate(line, rule.source))
                known.add(line.index)
        if "shape" in self.enabled:
            for line in shape.suggest_lines(lines, title=title, known=known):
                out.append(boilerplate(line, shape.SOURCE))
        return out


@dataclass
class LineScore:
    """Line-level counts over non-empty lines (true/false positives, false negatives)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, other: LineScore) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn


def score_lines(text: str, gold: Sequence[int | bool], proposals: Iterable[Proposal]) -> LineScore:
    """Compare proposals with one gold label per line of ``text.split("\\n")``.

    A line counts as suggested when some boilerplate proposal overlaps its content; empty
    lines are not judged.
    """
    lines = split_lines(text)
    if len(lines) != len(gold):
        raise ValueError(f"{len(gold)} gold labels for {len(lines)} lines")
    spans = sorted((p.start, p.end) for p in proposals if p.layer == "boilerplate")
    score = LineScore()
    for line, label in zip(lines, gold, strict=True):
        if line.empty:
            continue
        hit = any(s < line.end and e > line.start for s, e in spans)
        if hit and label:
            score.tp += 1
        elif hit:
            score.fp += 1
        elif label:
            score.fn += 1
    return score
