"""Inter-annotator agreement per layer, computed one article at a time.

Only finished work counts: an annotator's labels of an article are a judgement when the
article is ``done`` for them, and storage hands over only those (``ArticleJudgements``).
:class:`AgreementCounter` takes the articles as they stream by, keeps counts (never the
articles) and builds an :class:`AgreementReport`:

- **stance**, per target: the unit is the article, the value the option chosen; an annotator
  who finished the article without choosing one has a missing value.
- **boilerplate**: the unit is each non-empty line (one with a non-space character); the value
  is 1 when one of the annotator's boilerplate spans touches the line, else 0.
- **entity**: per pair, exact-match F1 on ``(start, end, label)`` micro-averaged over the
  articles both finished, and per label; an overlap F1 (same label, overlapping); and, on
  request (it tokenizes every text), Krippendorff's alpha over the BIO tag of each token.

The coefficients themselves live in :mod:`core.reliability`.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from core.agreement_report import (
    AgreementReport,
    AlphaFigures,
    Disputed,
    EntityFigures,
    EntityPair,
    PairFigures,
)
from core.entity_codes import EntityCodes, SpanKey
from core.export.records import ExportRecord
from core.reliability import NominalAlpha, PairTable
from core.tokens import token_offsets, token_range

_CODE = itemgetter(slice(0, 2))  # the label's code: the first two characters of an EntityCodes key
LAYER_NAMES = ("entity", "boilerplate", "stance")
STANCE_PREFIX = "stance:"
#: How many of the most disputed articles a report keeps.
DISPUTED_KEPT = 20


@dataclass(frozen=True, slots=True)
class Judgement:
    """One annotator's labels of one article they finished. ``entities`` holds
    ``(start, end, label)`` tuples, or the strings of an :class:`EntityCodes` when the
    article says ``coded``."""

    entities: frozenset[Any] = frozenset()
    boilerplate: frozenset[SpanKey] = frozenset()
    doc: Mapping[str, str] = field(default_factory=dict)

    def stance(self) -> dict[str, str]:
        return {
            k[len(STANCE_PREFIX) :]: v for k, v in self.doc.items() if k.startswith(STANCE_PREFIX)
        }


@dataclass(frozen=True, slots=True)
class ArticleJudgements:
    """Every judgement of one article: ``by`` holds only annotators who finished it. ``text``
    is there when lines or tokens are needed (boilerplate, token alpha, adjudication)."""

    article_id: int
    by: Mapping[str, Judgement]
    text: str | None = None
    #: The entities are :class:`EntityCodes` strings (of the counter's codes), not tuples.
    coded: bool = False


def nonempty_lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each line holding a non-space character (newline excluded)."""
    out: list[tuple[int, int]] = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line and not line.isspace():
            out.append((start, end))
        start = end + 1
    return out


def touched_lines(
    lines: list[tuple[int, int]], spans: Iterable[SpanKey], starts: list[int] | None = None
) -> set[int]:
    """Indexes into ``lines`` of the lines one of ``spans`` touches (shares a character
    with). ``starts``: the lines' starts, when the caller has them already."""
    if starts is None:
        starts = [s for s, _ in lines]
    hit: set[int] = set()
    for start, end, _ in spans:
        i = max(bisect.bisect_right(starts, start) - 1, 0)
        while i < len(lines) and lines[i][0] < end:
            if lines[i][1] > start:
                hit.add(i)
            i += 1
    return hit


def count_nonempty_lines(text: str) -> int:
    """``len(nonempty_lines(text))``, without the offsets: empty lines counted in C, only
    the others asked whether they are all whitespace (``\r`` of CRLF is whitespace)."""
    lines = text.split("\n")
    return len(lines) - lines.count("") - sum(1 for line in lines if line and line.isspace())


def touched_line_starts(text: str, spans: Iterable[SpanKey]) -> set[int]:
    """The starts of the non-empty lines ``spans`` touch: what :func:`touched_lines` finds,
    named by where each line starts, found from the spans alone (a few lines each) instead
    of by listing every line of the text."""
    hit: set[int] = set()
    find = text.find
    for start, end, _ in spans:
        line = text.rfind("\n", 0, start) + 1
        while line < end:
            stop = find("\n", line)
            if stop < 0:
                stop = len(text)
            if stop > start and stop > line and not text[line:stop].isspace():
                hit.add(line)
            line = stop + 1
    return hit


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _f1(matched: int, na: int, nb: int) -> float | None:
    return 2 * matched / (na + nb) if na + nb else None


def _overlap_f1(overlap_a: int, overlap_b: int, na: int, nb: int) -> float | None:
    """F1 of a against b where a span counts as found when a span of the other side with
    the same label overlaps it: precision overlap_a/na, recall overlap_b/nb."""
    if not na + nb:
        return None
    if not na or not nb or not overlap_a + overlap_b:
        return 0.0
    precision, recall = overlap_a / na, overlap_b / nb
    return 2 * precision * recall / (precision + recall)


# ---- counting ----------------------------------------------------------------------------


class _AlphaAndPairs:
    """Alpha over everyone and a table per pair, the pairs made as annotators turn up.
    Units are tallied by their pattern of values first (a million boilerplate lines show a
    few dozen patterns) and fed to the coefficients once, when the figures are asked for."""

    def __init__(self) -> None:
        self._patterns: Counter[tuple[tuple[str, Any], ...]] = Counter()

    def add(self, values: Mapping[str, Any], *, count: int = 1) -> None:
        """``values``: annotator -> value, ordered by annotator name (None: missing)."""
        if count > 0:
            self._patterns[tuple(values.items())] += count

    def add_pattern(self, pattern: tuple[tuple[str, Any], ...], count: int = 1) -> None:
        """:meth:`add` of ``tuple(values.items())``, already made."""
        if count > 0:
            self._patterns[pattern] += count

    def merge(self, other: _AlphaAndPairs) -> None:
        self._patterns.update(other._patterns)

    def figures(self, annotators: list[str]) -> AlphaFigures:
        alpha = NominalAlpha()
        tables: dict[tuple[str, str], PairTable] = {}
        for pattern, count in self._patterns.items():
            alpha.add([v for _, v in pattern], count=count)
            present = [(a, v) for a, v in pattern if v is not None]
            for (a, va), (b, vb) in itertools.combinations(present, 2):
                table = tables.get((a, b))
                if table is None:
                    table = tables[a, b] = PairTable()
                table.add(va, vb, count=count)
        pairs = []
        for a, b in itertools.combinations(annotators, 2):
            table = tables.get((a, b)) or PairTable()
            confusion: dict[str, dict[str, int]] = {}
            for (va, vb), n in sorted(table.counts.items(), key=repr):
                confusion.setdefault(str(va), {})[str(vb)] = n
            pairs.append(
                PairFigures(a, b, table.units, table.agreement(), table.kappa(), confusion)
            )
        return AlphaFigures(alpha.units, alpha.value(), pairs)


@dataclass
class _EntityPairCounts:
    articles: int = 0
    #: Per label code, the spans both have that not every finisher of the article has (the
    #: others are in the group's ``shared``).
    matched: Counter[str] = field(default_factory=Counter)
    overlap_a: int = 0  # spans of a that overlap a span of b with the same label
    overlap_b: int = 0


@dataclass
class _EntityGroup:
    """Entity spans per label code over the articles one group of annotators finished:
    ``shared`` those every one of them has, counted once an article (most spans: counting
    them once per annotator and once per pair was the bulk of the counting), ``own`` each
    annotator's others."""

    shared: Counter[str] = field(default_factory=Counter)
    own: dict[str, Counter[str]] = field(default_factory=dict)


def overlap_neighbours(spans: Mapping[str, SpanKey]) -> dict[str, set[str]]:
    """For each of ``spans`` (key -> span) that overlaps another of the same label, the keys
    of those others. Per label, sorted by start, each span looks forward only at those that
    start before it ends, all of which overlap it: the work is the overlaps found (one
    annotator's entities never overlap each other, so they are few)."""
    by_label: dict[str, list[tuple[int, int, str]]] = {}
    for key, (start, end, label) in spans.items():
        by_label.setdefault(label, []).append((start, end, key))
    near: dict[str, set[str]] = {}
    for group in by_label.values():
        if len(group) < 2:
            continue
        group.sort()
        for i, (start, end, key) in enumerate(group):
            for o_start, o_end, other in group[i + 1 :]:
                if o_start >= end:
                    break
                if o_end > start:  # (an empty span overlaps nothing)
                    near.setdefault(key, set()).add(other)
                    near.setdefault(other, set()).add(key)
    return near


class AgreementCounter:
    """Counts as articles stream by; :meth:`report` turns the counts into figures."""

    def __init__(
        self,
        annotators: Iterable[str] | None,
        *,
        layers: Iterable[str] = LAYER_NAMES,
        token_alpha: bool = False,
    ) -> None:
        """``annotators``: whose judgements count; None: everyone's (an export's card)."""
        self._only = None if annotators is None else frozenset(annotators)
        self._seen: set[str] = set(self._only or ())
        self.layers = set(layers)
        unknown = self.layers - set(LAYER_NAMES)
        if unknown:
            raise ValueError(f"unknown layer {sorted(unknown)}; use {', '.join(LAYER_NAMES)}")
        self.token_alpha = token_alpha and "entity" in self.layers
        self._stance: dict[str, _AlphaAndPairs] = {}
        self._boilerplate = _AlphaAndPairs()
        self._entity: dict[tuple[str, str], _EntityPairCounts] = {}
        #: Label codes of the entity spans; storage reads spans already coded with these.
        self.codes = EntityCodes()
        #: Per group of finishers (names, sorted). A pair's span counts are summed from the
        #: groups holding both at the end, so each article counts a span everyone has once,
        #: not once per annotator and pair.
        self._entity_groups: dict[tuple[str, ...], _EntityGroup] = {}
        self._tokens = NominalAlpha()
        self._articles = 0
        self._disputed: list[tuple[int, int]] = []  # min-heap of (items, -article_id)

    @property
    def needs_text(self) -> bool:
        return "boilerplate" in self.layers or self.token_alpha

    def add(self, article: ArticleJudgements) -> None:
        only = self._only
        by = {a: article.by[a] for a in sorted(article.by) if only is None or a in only}
        if len(by) < 2:
            return
        self._seen.update(by)
        self._articles += 1
        disputed = 0
        if "stance" in self.layers:
            disputed += self._add_stance(by)
        if "entity" in self.layers:
            disputed += self._add_entities(by, article.text, coded=article.coded)
        if "boilerplate" in self.layers:
            if article.text is None:
                raise ValueError("boilerplate agreement needs the article texts")
            disputed += self._add_boilerplate(by, article.text)
        if disputed:
            self._keep_disputed((disputed, -article.article_id))

    def _keep_disputed(self, entry: tuple[int, int]) -> None:
        if len(self._disputed) < DISPUTED_KEPT:
            heapq.heappush(self._disputed, entry)
        elif entry > self._disputed[0]:
            heapq.heapreplace(self._disputed, entry)

    def merge(self, other: AgreementCounter) -> None:
        """Add the counts of ``other``: a counter of other articles (another process's
        share of the project) over the same annotators and layers. Its label codes may
        differ from this one's (codes are handed out as labels turn up): they are mapped
        through the labels."""
        if (other._only, other.layers, other.token_alpha) != (
            self._only,
            self.layers,
            self.token_alpha,
        ):
            raise ValueError("only counters of the same annotators and layers merge")
        self._seen |= other._seen
        self._articles += other._articles
        for target, counts in other._stance.items():
            self._stance.setdefault(target, _AlphaAndPairs()).merge(counts)
        self._boilerplate.merge(other._boilerplate)
        recode = {code: self.codes.code_of(label) for code, label in other.codes.label.items()}

        def recoded(counts: Counter[str]) -> Counter[str]:
            return Counter({recode[code]: n for code, n in counts.items()})

        for pair, theirs in other._entity.items():
            mine = self._entity.setdefault(pair, _EntityPairCounts())
            mine.articles += theirs.articles
            mine.matched.update(recoded(theirs.matched))
            mine.overlap_a += theirs.overlap_a
            mine.overlap_b += theirs.overlap_b
        for finishers, group in other._entity_groups.items():
            into = self._entity_groups.setdefault(
                finishers, _EntityGroup(own={a: Counter() for a in finishers})
            )
            into.shared.update(recoded(group.shared))
            for a, own in group.own.items():
                into.own[a].update(recoded(own))
        self._tokens.merge(other._tokens)
        for entry in other._disputed:
            self._keep_disputed(entry)

    def _add_stance(self, by: Mapping[str, Judgement]) -> int:
        docs = [(a, j.doc) for a, j in by.items()]
        keys = {k for _, doc in docs for k in doc if k.startswith(STANCE_PREFIX)}
        disputed = 0
        for key in sorted(keys):
            target = key[len(STANCE_PREFIX) :]
            pattern = tuple([(a, doc.get(key)) for a, doc in docs])
            counts = self._stance.get(target)
            if counts is None:
                counts = self._stance[target] = _AlphaAndPairs()
            counts.add_pattern(pattern)
            disputed += len({v for _, v in pattern}) > 1
        return disputed

    def _add_boilerplate(self, by: Mapping[str, Judgement], text: str) -> int:
        # Lines are named by where they start; only those a span touches are looked at.
        marked = [
            (a, touched_line_starts(text, j.boilerplate) if j.boilerplate else set())
            for a, j in by.items()
        ]
        any_marked = set().union(*(m for _, m in marked))
        add = self._boilerplate.add_pattern
        disputed = 0
        for i in any_marked:
            pattern = tuple([(a, int(i in m)) for a, m in marked])
            add(pattern)
            disputed += not all(v for _, v in pattern)
        # Lines nobody marked are alike: counted in one go.
        add(tuple((a, 0) for a in by), count_nonempty_lines(text) - len(any_marked))
        return disputed

    def _add_entities(self, by: Mapping[str, Judgement], text: str | None, *, coded: bool) -> int:
        codes = self.codes
        entities: dict[str, frozenset[str]] = {
            a: j.entities if coded else codes.encode(j.entities) for a, j in by.items()
        }
        finishers = tuple(entities)
        group = self._entity_groups.get(finishers)
        if group is None:
            group = self._entity_groups[finishers] = _EntityGroup(
                own={a: Counter() for a in finishers}
            )
        everyone = frozenset.intersection(*entities.values())
        # Counter.update of an iterator (not a mapping) counts in C.
        group.shared.update(map(_CODE, everyone))
        extra = {a: ea - everyone for a, ea in entities.items()}
        for a, mine in extra.items():
            if mine:
                group.own[a].update(map(_CODE, mine))
        # Spans not everyone has, as tuples once (the overlap checks need offsets), and
        # which of them overlap each other.
        spans = codes.decode_keys(frozenset().union(*extra.values()))
        near = overlap_neighbours(spans) if spans else {}
        for a, b in itertools.combinations(entities, 2):
            counts = self._entity.get((a, b))
            if counts is None:
                counts = self._entity[a, b] = _EntityPairCounts()
            xa, xb = extra[a], extra[b]
            counts.articles += 1
            same = xa & xb
            if same:
                counts.matched.update(map(_CODE, same))
            # An exact match overlaps itself. A span only one side has can overlap only a
            # span only the other side has: one annotator's entities never overlap each
            # other, so a span both have leaves no room for it. Those are few.
            matched = len(everyone) + len(same)
            counts.overlap_a += matched
            counts.overlap_b += matched
            if near and len(same) < len(xa) and len(same) < len(xb):
                only_a, only_b = xa - same, xb - same
                counts.overlap_a += sum(
                    1 for k in only_a if k in near and not near[k].isdisjoint(only_b)
                )
                counts.overlap_b += sum(
                    1 for k in only_b if k in near and not near[k].isdisjoint(only_a)
                )
        if self.token_alpha:
            if text is None:
                raise ValueError("token alpha needs the article texts")
            self._add_tokens(
                {a: frozenset(map(codes.decode, ea)) for a, ea in entities.items()}, text
            )
        return len(spans)

    def _pair_spans(self, a: str, b: str) -> tuple[Counter[str], Counter[str], Counter[str]]:
        """Spans of a, spans of b and spans of everyone per label code, over the articles
        both finished."""
        in_a: Counter[str] = Counter()
        in_b: Counter[str] = Counter()
        shared: Counter[str] = Counter()
        for finishers, group in self._entity_groups.items():
            if a in finishers and b in finishers:
                shared.update(group.shared)
                in_a.update(group.own[a])
                in_b.update(group.own[b])
        in_a.update(shared)
        in_b.update(shared)
        return in_a, in_b, shared

    def _add_tokens(
        self, entities: Mapping[str, frozenset[tuple[int, int, str]]], text: str
    ) -> None:
        # Cut at every annotator's span edges, so that each token lies wholly inside or
        # outside every span and all annotators tag the same tokens.
        cuts = [edge for spans in entities.values() for s, e, _ in spans for edge in (s, e)]
        tokens = token_offsets(text, cuts)
        starts = [s for s, _ in tokens]
        ends = [e for _, e in tokens]
        tags: dict[str, dict[int, str]] = {}
        for annotator, spans in entities.items():
            mine: dict[int, str] = {}
            for start, end, label in sorted(spans):
                found = token_range(starts, ends, start, end)
                if found is None:
                    continue
                mine[found[0]] = f"B-{label}"
                for i in range(found[0] + 1, found[1] + 1):
                    mine[i] = f"I-{label}"
            tags[annotator] = mine
        tagged = set().union(*(set(t) for t in tags.values()))
        for i in sorted(tagged):
            self._tokens.add([t.get(i, "O") for t in tags.values()])
        self._tokens.add(["O"] * len(tags), count=len(tokens) - len(tagged))

    @property
    def annotators(self) -> list[str]:
        return sorted(self._seen)

    def report(self) -> AgreementReport:
        names = self.annotators
        stance = None
        if "stance" in self.layers:
            stance = {t: self._stance[t].figures(names) for t in sorted(self._stance)}
        boilerplate = self._boilerplate.figures(names) if "boilerplate" in self.layers else None
        entity = None
        if "entity" in self.layers:
            pairs = []
            for a, b in itertools.combinations(names, 2):
                c = self._entity.get((a, b)) or _EntityPairCounts()
                in_a, in_b, same = self._pair_spans(a, b)
                same.update(c.matched)
                label_of = self.codes.label
                labels = sorted(set(in_a) | set(in_b), key=label_of.__getitem__)
                na, nb, matched = (
                    sum(in_a.values()),
                    sum(in_b.values()),
                    sum(same.values()),
                )
                overlap = _overlap_f1(c.overlap_a, c.overlap_b, na, nb)
                pairs.append(
                    EntityPair(
                        a=a,
                        b=b,
                        articles=c.articles,
                        f1=_f1(matched, na, nb),
                        per_label={
                            label_of[code]: _f1(same[code], in_a[code], in_b[code])
                            for code in labels
                        },
                        overlap_f1=overlap,
                        spans_a=na,
                        spans_b=nb,
                        matched=matched,
                    )
                )
            entity = EntityFigures(
                f1=_mean(p.f1 for p in pairs),
                pairs=pairs,
                overlap_f1=_mean(p.overlap_f1 for p in pairs),
            )
            if self.token_alpha:
                entity.token_alpha = self._tokens.value()
                entity.token_units = self._tokens.units
        disputed = [Disputed(-neg_id, n) for n, neg_id in sorted(self._disputed, reverse=True)]
        return AgreementReport(
            annotators=names,
            articles=self._articles,
            stance=stance,
            boilerplate=boilerplate,
            entity=entity,
            disputed=disputed,
        )


def agreement(
    articles: Iterable[ArticleJudgements],
    annotators: Iterable[str],
    *,
    layers: Iterable[str] = LAYER_NAMES,
    token_alpha: bool = False,
) -> AgreementReport:
    """The whole computation for articles already at hand (tests, small projects)."""
    counter = AgreementCounter(annotators, layers=layers, token_alpha=token_alpha)
    for article in articles:
        counter.add(article)
    return counter.report()


# ---- from export records -------------------------------------------------------------


def judgements_of(records: Sequence[ExportRecord]) -> ArticleJudgements:
    """One article's records as the judgements agreement counts: those with status done."""
    by: dict[str, Judgement] = {}
    for r in records:
        if r.annotator is None or r.status != "done":
            continue
        by[r.annotator] = Judgement(
            frozenset((s, e, label) for s, e, layer, label in r.spans if layer == "entity"),
            frozenset((s, e, label) for s, e, layer, label in r.spans if layer == "boilerplate"),
            r.doc_labels,
        )
    return ArticleJudgements(records[0].article_id, by, records[0].text)
