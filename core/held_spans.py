"""An annotator's spans of one article while an edit set is decided, indexed for the checks
of :func:`core.edits.decide` (the rule itself lives there)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.edits import SpanLike


def entity_clash(held: Iterable[SpanLike], start: int, end: int) -> SpanLike | None:
    """The first entity span of ``held`` overlapping ``[start, end)``: entity spans of one
    annotator never overlap (nested entities would need a second layer), boilerplate may
    cover entities."""
    for span in held:
        if span.layer == "entity" and span.start < end and span.end > start:
            return span
    return None


class HeldSpans:
    """The annotator's spans while a set is decided, indexed for the checks: exact copies by
    key, entities and boilerplate apart (a bulk accept or an adjudication adds thousands to
    one article). Entities are also kept sorted by offsets, so the overlap check of a new
    span looks at its neighbours only (a sweep, not a comparison with every held span); as
    long as the held entities do not overlap each other, which the rule keeps true, that
    finds exactly what :func:`entity_clash` would find."""

    def __init__(self, spans: Iterable[SpanLike]) -> None:
        self.by_key: dict[tuple[str, str, int, int], SpanLike] = {}
        self.entities: list[SpanLike] = []
        self.boilerplate: list[SpanLike] = []
        # (start, end, order added, span): order added breaks ties, so spans are never
        # compared, and says which of several clashing spans entity_clash would name first.
        self._sorted: list[tuple[int, int, int, SpanLike]] = []
        self._added = 0
        self._disjoint = True
        for span in spans:
            self.add(span)

    @property
    def disjoint(self) -> bool:
        """No two held entities overlap (what the rule keeps true)."""
        return self._disjoint

    def add(self, span: SpanLike, *, clash_checked: bool = False) -> None:
        """``clash_checked``: the caller has just found that ``span`` overlaps no held entity."""
        self.by_key.setdefault((span.layer, span.label, span.start, span.end), span)
        if span.layer == "entity":
            if self._disjoint and not clash_checked:
                self._disjoint = self.entity_clash(span.start, span.end) is None
            self.entities.append(span)
            self._added += 1
            bisect.insort(self._sorted, (span.start, span.end, self._added, span))
        elif span.layer == "boilerplate":
            self.boilerplate.append(span)

    def remove(self, span: SpanLike) -> None:
        key = (span.layer, span.label, span.start, span.end)
        if self.by_key.get(key) is span:
            del self.by_key[key]
        if span.layer == "entity":
            for i, entry in enumerate(self._sorted):
                if entry[3] is span:
                    del self._sorted[i]
                    break
        for group in (self.entities, self.boilerplate):
            for i, h in enumerate(group):
                if h is span:
                    del group[i]
                    return

    def entity_clash(self, start: int, end: int) -> SpanLike | None:
        """What ``entity_clash(self.entities, start, end)`` answers, found by bisection."""
        if not self._disjoint:
            return entity_clash(self.entities, start, end)
        held = self._sorted
        i = bisect.bisect_left(held, (end,)) - 1
        first: tuple[int, int, int, SpanLike] | None = None
        # Disjoint spans sorted by start are sorted by end too: walk back while they reach in.
        while i >= 0 and held[i][1] > start:
            if held[i][0] < end and (first is None or held[i][2] < first[2]):
                first = held[i]
            i -= 1
        return None if first is None else first[3]
