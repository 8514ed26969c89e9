"""Label one rewrite, carry to the rest: an annotator's spans and stances become
suggestions (source ``near-duplicate``) in the other articles of its near-duplicate group.

Placing is :func:`core.propagate.carry`; storing goes through ``add_suggestions`` like any
suggester's output, so a carried span is accepted or rejected like any suggestion, a
rejected one does not come back, and carrying twice stores nothing new. A stance is a
document-level proposal (``add_doc_suggestions``), shown beside the stance keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.edits import stance_target
from core.propagate import carry
from storage.near_duplicates import NearDuplicateGroups
from storage.part import ProjectPart

if TYPE_CHECKING:
    from storage.import_progress import StopFn
    from storage.labels import Labels
    from storage.near_duplicates import NearDuplicateReport
    from storage.part import ProjectCore
    from storage.suggestions import Suggestions

SOURCE = "near-duplicate"


@dataclass(slots=True)
class PropagationReport:
    """``placed``: spans found again in a near-duplicate (``stored`` of them new
    suggestions); ``unplaced``: spans whose text or surroundings the rewrite changed;
    ``stances``: stance values proposed to near-duplicates (``stances_stored`` new)."""

    sources: int = 0
    targets: int = 0
    placed: int = 0
    stored: int = 0
    unplaced: int = 0
    stances: int = 0
    stances_stored: int = 0

    def summary(self) -> str:
        if not self.sources:
            return "no labelled article has near-duplicates"
        return (
            f"{self.placed:,} span{'s' if self.placed != 1 else ''} carried to "
            f"{self.targets:,} near-duplicate{'s' if self.targets != 1 else ''} of "
            f"{self.sources:,} labelled article{'s' if self.sources != 1 else ''} "
            f"({self.stored:,} new suggestions, source {SOURCE}); {self.unplaced:,} could not "
            "be placed (their text or its surroundings differ); "
            f"{self.stances:,} stance{'s' if self.stances != 1 else ''} carried "
            f"({self.stances_stored:,} new)"
        )


def carried_stances(
    members: dict[int, dict[str, str]], target: int
) -> list[tuple[str, str, float]]:
    """The stance proposals for ``target`` from the stances the other ``members`` of its
    group were given (article id -> key -> value): each value with the share of those
    labelled articles that chose it, so two rewrites labelled differently give two
    proposals of 0.5, and the one the majority chose is shown first."""
    tally: dict[str, dict[str, int]] = {}
    for aid, stances in members.items():
        if aid == target:
            continue
        for key, value in stances.items():
            per = tally.setdefault(key, {})
            per[value] = per.get(value, 0) + 1
    return [
        (key, value, count / sum(per.values()))
        for key, per in sorted(tally.items())
        for value, count in sorted(per.items())
    ]


class Propagation(ProjectPart):
    """Carrying labels to near-duplicates, a piece of ``project.near_duplicates``; uses
    ``project.labels`` and ``project.suggestions``."""

    labels: Labels
    suggestions: Suggestions

    if TYPE_CHECKING:  # provided by NearDuplicateGroups, beside it in NearDuplicates below

        def update_near_duplicates(
            self, *, should_stop: StopFn | None = None
        ) -> NearDuplicateReport: ...

        def near_duplicates_of(self, article_id: int) -> list[int]: ...

    def _labelled_articles(self, annotator: str) -> list[int]:
        """Articles where ``annotator`` has a span or a stance, in id order."""
        ann = self.project.annotator_id(annotator)
        s, d = self.m.Span, self.m.DocLabel
        ids = {r for (r,) in s.select(s.article).where(s.annotator == ann).distinct().tuples()}
        ids.update(
            r
            for (r,) in d.select(d.article)
            .where(d.annotator == ann, d.key.startswith("stance:"))
            .distinct()
            .tuples()
        )
        return sorted(ids)

    def _stances(self, article_id: int, annotator: str) -> dict[str, str]:
        return {
            k: v
            for k, v in self.labels.doc_labels(article_id, annotator=annotator).items()
            if stance_target(k) is not None
        }

    def propagate_labels(
        self,
        *,
        annotator: str,
        article_ids: Iterable[int] | None = None,
        should_stop: Callable[[], bool] | None = None,
        group_first: bool = True,
    ) -> PropagationReport:
        """Carry ``annotator``'s spans and stances from ``article_ids`` (default: every
        article they labelled) to the other articles of each one's near-duplicate group
        (``group_first``: group the articles not grouped yet before). A stance is proposed
        with the share of the group's labelled articles that chose it (:func:`carried_stances`)."""
        if group_first:
            self.update_near_duplicates(should_stop=should_stop)
        report = PropagationReport()
        if article_ids is None:
            article_ids = self._labelled_articles(annotator)
        stances: dict[int, dict[str, str]] = {}
        for source_id in article_ids:
            if should_stop and should_stop():
                break
            others = self.near_duplicates_of(source_id)
            spans = [
                (sp.start, sp.end, sp.layer, sp.label)
                for sp in self.labels.spans(source_id, annotator=annotator)
            ]
            for aid in (source_id, *others):
                if aid not in stances:
                    stances[aid] = self._stances(aid, annotator)
            if not others or not (spans or stances[source_id]):
                continue
            report.sources += 1
            text = self.project.article(source_id).text
            group = {aid: stances[aid] for aid in (source_id, *others)}
            # One write per labelled article, not two per near-duplicate: a group of ten
            # carried from the app is one commit (one fsync) instead of twenty.
            with self._write():
                for target_id in others:
                    report.targets += 1
                    if spans:
                        carried = carry(text, self.project.article(target_id).text, spans)
                        report.placed += len(carried.placed)
                        report.unplaced += len(carried.unplaced)
                        rows = [
                            (layer, label, start, end, 1.0)
                            for start, end, layer, label in carried.placed
                        ]
                        report.stored += self.suggestions.add_suggestions(
                            target_id, rows, source=SOURCE
                        )
                    proposals = [
                        row
                        for row in carried_stances(group, target_id)
                        if row[0] in stances[source_id]
                    ]
                    report.stances += len(proposals)
                    report.stances_stored += self.suggestions.add_doc_suggestions(
                        target_id, proposals, source=SOURCE
                    )
        return report


class NearDuplicates(NearDuplicateGroups, Propagation):
    """``project.near_duplicates``: groups of near-duplicate articles, and labels carried
    to an article's near-duplicates as suggestions."""

    def __init__(self, project: ProjectCore, *, labels: Labels, suggestions: Suggestions) -> None:
        super().__init__(project)
        self.labels = labels
        self.suggestions = suggestions
