"""All boilerplate suggesters of one article together, and line-level scoring against gold.

The suggesters run in a fixed order because the shape suggester uses what the others found:
a lexicon or repeated line does not count as body when the article's edges are found.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field

from core.suggest import lexicon as lexicon_mod
from core.suggest import repeated, shape
from core.suggest.base import BOILERPLATE_LABEL, Proposal, split_lines
from core.suggest.lexicon import Lexicon
from core.suggest.rules import RuleMatcher

FrequentFn = Callable[[Iterable[str]], set[str]]


@dataclass(frozen=True, slots=True)
class BoilerplateAnalysis:
    """What the boilerplate suggesters found in one text before the project's repeated-line
    counts are known. It holds line numbers and offsets only (no text), so it is small to
    hand back from a worker process; :meth:`proposals` finishes the job."""

    #: (start, end) of each line's content, by line index.
    spans: tuple[tuple[int, int], ...]
    #: Repeated-line key -> indices of the lines that have it (empty unless "repeated").
    keys: dict[str, tuple[int, ...]]
    lexicon: tuple[int, ...]
    #: (rule source, line index), in the order the rules matched.
    rules: tuple[tuple[str, int], ...]
    shape: shape.ShapeFacts | None

    def proposals(self, frequent: Collection[str] | None) -> list[Proposal]:
        """The proposals of every enabled suggester, given which of :attr:`keys` are
        frequent (None: the repeated suggester does not run). A line may be proposed by
        several; the shape suggester leaves out the lines the others took."""
        out: list[Proposal] = []
        known: set[int] = set()

        def add(index: int, source: str) -> None:
            start, end = self.spans[index]
            out.append(Proposal("boilerplate", BOILERPLATE_LABEL, start, end, source))
            known.add(index)

        for index in self.lexicon:
            add(index, lexicon_mod.SOURCE)
        if frequent is not None:
            lines = sorted(i for key in self.keys if key in frequent for i in self.keys[key])
            for index in lines:
                add(index, repeated.SOURCE)
        for source, index in self.rules:
            add(index, source)
        if self.shape is not None:
            for index in shape.pick(self.shape, known):
                start, end = self.spans[index]
                out.append(Proposal("boilerplate", BOILERPLATE_LABEL, start, end, shape.SOURCE))
        return out


@dataclass
class BoilerplateSuggesters:
    """The built-in suggesters (any of them switched off by leaving it out of ``enabled``)."""

    lexicon: Lexicon
    rules: RuleMatcher | None = None
    enabled: Collection[str] = field(default_factory=lambda: ("lexicon", "repeated", "shape"))

    def analyse(self, text: str, *, title: str = "") -> BoilerplateAnalysis:
        """Everything about ``text`` that needs no other article (the first half of
        :meth:`suggest`); pure, so it may run in a worker process."""
        lines = split_lines(text)
        keys: dict[str, tuple[int, ...]] = {}
        if "repeated" in self.enabled:
            keys = {k: tuple(ln.index for ln in found) for k, found in repeated.line_keys(lines)}
        return BoilerplateAnalysis(
            spans=tuple((line.start, line.end) for line in lines),
            keys=keys,
            lexicon=(
                tuple(line.index for line in self.lexicon.suggest_lines(lines))
                if "lexicon" in self.enabled
                else ()
            ),
            rules=(
                tuple((rule.source, line.index) for rule, line in self.rules.match_lines(lines))
                if self.rules is not None
                else ()
            ),
            shape=shape.line_facts(lines, title=title) if "shape" in self.enabled else None,
        )

    def suggest(
        self, text: str, *, title: str = "", frequent: FrequentFn | None = None
    ) -> list[Proposal]:
        """Proposals of every enabled suggester; a line may be proposed by several.
        ``frequent`` answers which of a batch of repeated-line keys are frequent."""
        analysis = self.analyse(text, title=title)
        known = None
        if "repeated" in self.enabled and frequent is not None:
            known = frequent(analysis.keys) if analysis.keys else set()
        return analysis.proposals(known)


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
