"""Label one rewrite, carry to the rest: an annotator's spans become suggestions (source
``near-duplicate``) in the other articles of its near-duplicate group.

Placing is :func:`core.propagate.carry`; storing goes through ``add_suggestions`` like any
suggester's output, so a carried span is accepted or rejected like any suggestion, a
rejected one does not come back, and carrying twice stores nothing new.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.propagate import carry

if TYPE_CHECKING:
    import peewee as pw

    from storage.models import Models

SOURCE = "near-duplicate"


@dataclass(slots=True)
class PropagationReport:
    """``placed``: spans found again in a near-duplicate (``stored`` of them new
    suggestions); ``unplaced``: spans whose text or surroundings the rewrite changed."""

    sources: int = 0
    targets: int = 0
    placed: int = 0
    stored: int = 0
    unplaced: int = 0

    def summary(self) -> str:
        if not self.sources:
            return "no labelled article has near-duplicates"
        return (
            f"{self.placed:,} span{'s' if self.placed != 1 else ''} carried to "
            f"{self.targets:,} near-duplicate{'s' if self.targets != 1 else ''} of "
            f"{self.sources:,} labelled article{'s' if self.sources != 1 else ''} "
            f"({self.stored:,} new suggestions, source {SOURCE}); {self.unplaced:,} could not "
            "be placed (their text or its surroundings differ)"
        )


class PropagationMixin:
    """Mixed into ``Project``; uses its spans, near-duplicate groups and suggestions."""

    db: pw.Database
    m: Models

    def propagate_labels(
        self,
        *,
        annotator: str,
        article_ids: Iterable[int] | None = None,
        should_stop: Callable[[], bool] | None = None,
        group_first: bool = True,
    ) -> PropagationReport:
        """Carry ``annotator``'s spans from ``article_ids`` (default: every article they
        labelled) to the other articles of each one's near-duplicate group
        (``group_first``: group the articles not grouped yet before)."""
        if group_first:
            self.update_near_duplicates(should_stop=should_stop)  # type: ignore[attr-defined]
        report = PropagationReport()
        if article_ids is None:
            s = self.m.Span
            query = (
                s.select(s.article)
                .where(s.annotator == self.annotator_id(annotator))  # type: ignore[attr-defined]
                .distinct()
                .order_by(s.article)
            )
            article_ids = [r[0] for r in query.tuples()]
        for source_id in article_ids:
            if should_stop and should_stop():
                break
            others = self.near_duplicates_of(source_id)  # type: ignore[attr-defined]
            spans = [
                (sp.start, sp.end, sp.layer, sp.label)
                for sp in self.spans(source_id, annotator=annotator)  # type: ignore[attr-defined]
            ]
            if not others or not spans:
                continue
            report.sources += 1
            text = self.article(source_id).text  # type: ignore[attr-defined]
            for target_id in others:
                carried = carry(text, self.article(target_id).text, spans)  # type: ignore[attr-defined]
                report.targets += 1
                report.placed += len(carried.placed)
                report.unplaced += len(carried.unplaced)
                rows = [
                    (layer, label, start, end, 1.0) for start, end, layer, label in carried.placed
                ]
                report.stored += self.add_suggestions(target_id, rows, source=SOURCE)  # type: ignore[attr-defined]
        return report
