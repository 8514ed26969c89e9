"""Adjudication by rule: the gold labels of an article are what enough of those who finished
it agree on; whatever they do not agree on is left to a reviewer.

For an article finished by n annotators, an item needs ``threshold`` of them (by default
more than half: n // 2 + 1; ``--min-agree K`` sets it):

- an entity span ``(start, end, label)`` goes into gold when ``threshold`` annotators have
  exactly that span; it is decided *out* when ``threshold`` annotators do not have it;
  anything else is undecided;
- a non-empty line is boilerplate when ``threshold`` annotators touched it with a boilerplate
  span (gold then gets one span covering the line), body when ``threshold`` did not;
- the stance toward a target is the option ``threshold`` annotators chose; when ``threshold``
  of them chose none, gold has none; else it is undecided.

Entity spans a low threshold lets in and that overlap each other are undecided too (one
annotator's entities never overlap). An article with anything undecided goes to the review
queue; its decided labels are stored all the same, so the reviewer starts from them.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from core.agreement import ArticleJudgements, touched_line_starts
from core.edits import ADJUDICATED, make_origin, origin_kind
from core.entity_codes import EntityCodes, SpanKey


@functools.lru_cache(maxsize=256)
def _origin_of(annotators: tuple[str, ...]) -> str:
    return make_origin(ADJUDICATED, annotators=annotators)


def adjudicated_origin(annotators: list[str] | tuple[str, ...]) -> str:
    """``adjudicated:ana+budi``: the annotators whose labels were compared (made once per
    group of annotators: a project has a few groups and a hundred thousand articles)."""
    return _origin_of(tuple(annotators))


def is_adjudicated(origin: str) -> bool:
    return origin_kind(origin) == ADJUDICATED


def default_threshold(finishers: int) -> int:
    """More than half."""
    return finishers // 2 + 1


@dataclass
class GoldArticle:
    """What the rule decided for one article."""

    article_id: int
    finishers: tuple[str, ...]
    threshold: int
    entities: list[SpanKey] = field(default_factory=list)
    boilerplate: list[SpanKey] = field(default_factory=list)
    stance: dict[str, str | None] = field(default_factory=dict)
    #: Items left to a reviewer, in words ("entity PER 4–9: 1 of 2").
    undecided: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return adjudicated_origin(self.finishers)

    @property
    def decided(self) -> bool:
        return not self.undecided


def _overlapping(ordered: list[SpanKey]) -> set[SpanKey]:
    """The spans of ``ordered`` (sorted) that overlap another of them."""
    out: set[SpanKey] = set()
    n = len(ordered)
    for i, span in enumerate(ordered):
        end = span[1]
        k = i + 1
        while k < n and ordered[k][0] < end:
            out.add(span)
            out.add(ordered[k])
            k += 1
    return out


def adjudicate(
    article: ArticleJudgements, *, min_agree: int | None = None, codes: EntityCodes | None = None
) -> GoldArticle:
    """The gold labels of ``article`` by the rule above. Boilerplate needs ``article.text``;
    a ``coded`` article (entities as keys, as storage reads them in bulk) its ``codes``."""
    finishers = tuple(sorted(article.by))
    n = len(finishers)
    if not n:
        raise ValueError(f"article {article.article_id}: nobody finished it")
    threshold = default_threshold(n) if min_agree is None else min_agree
    if threshold < 1:
        raise ValueError("--min-agree must be at least 1")
    gold = GoldArticle(article.article_id, finishers, threshold)
    if threshold > n:
        # Fewer finishers than the agreement asked for: nothing can be decided yet.
        gold.undecided.append(f"{n} of the {threshold} annotators needed have finished it")
        return gold

    counted: Counter[Any] = Counter()
    for j in article.by.values():
        counted.update(j.entities)  # counted in C
    # Keys (or spans) enough finishers gave, and those neither in nor out; most of an
    # article's spans are in, and only they and the few undecided are decoded.
    chosen_keys = [key for key, count in counted.items() if count >= threshold]
    open_keys = [
        key for key, count in counted.items() if count < threshold and n - count < threshold
    ]
    if article.coded:
        if codes is None:
            raise ValueError("a coded article needs its entity codes")
        decoded = codes.decode_keys([*chosen_keys, *open_keys])
        chosen = sorted(decoded[key] for key in chosen_keys)
        votes = [(decoded[key], counted[key]) for key in open_keys]
    else:
        chosen = sorted(chosen_keys)
        votes = [(key, counted[key]) for key in open_keys]
    clashing = _overlapping(chosen)
    # Undecided entities in span order: those enough gave that overlap another such
    # (one annotator's entities never overlap), and those neither in nor out.
    undecided = [
        (span, f"entity {span[2]} {span[0]}–{span[1]}: overlaps another decided span")
        for span in clashing
    ]
    undecided += [
        (span, f"entity {span[2]} {span[0]}–{span[1]}: {count} of {n}") for span, count in votes
    ]
    gold.entities = [span for span in chosen if span not in clashing] if clashing else chosen
    gold.undecided += [reason for _, reason in sorted(undecided)]

    if any(j.boilerplate for j in article.by.values()):
        if article.text is None:
            raise ValueError("boilerplate adjudication needs the article text")
        text = article.text
        # Lines are named by where they start, found from the spans (no list of every line).
        kinds: dict[int, dict[str, int]] = {}
        marked: Counter[int] = Counter()
        for j in article.by.values():
            mine: set[int] = set()
            for span in j.boilerplate:
                for line in touched_line_starts(text, (span,)):
                    of_line = kinds.get(line)
                    if of_line is None:
                        of_line = kinds[line] = {}
                    of_line[span[2]] = of_line.get(span[2], 0) + 1
                    mine.add(line)
            marked.update(mine)
        for start, count in sorted(marked.items()):
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            if count >= threshold:
                # The kind most of them gave (the first by name among equals).
                label = min(kinds[start].items(), key=lambda kv: (-kv[1], kv[0]))[0]
                gold.boilerplate.append((start, end, label))
            elif n - count < threshold:
                gold.undecided.append(f"boilerplate line {start}–{end}: {count} of {n}")

    stances = [j.stance() for j in article.by.values()]
    for target in sorted({t for s in stances for t in s}):
        choices = Counter(s.get(target) for s in stances)
        value, count = sorted(choices.items(), key=lambda kv: (-kv[1], str(kv[0])))[0]
        if count >= threshold and list(choices.values()).count(count) == 1:
            gold.stance[target] = value
        else:
            shown = ", ".join(f"{v or 'none'} {c}" for v, c in sorted(choices.items(), key=str))
            gold.undecided.append(f"stance {target}: {shown}")
    return gold
