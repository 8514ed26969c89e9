"""Document labels proposed for an article (a stance carried from a near-duplicate), apart
from labels: the counterpart of :mod:`storage.suggestions` for labels without offsets.

A proposal is stored per (article, key, value, source) with a score; accepting one writes
the annotator's document label through the one edit path with origin
``suggestion:<source>``; rejecting one records (article, annotator, key, value), which hides
that value from that annotator whatever proposes it (a stance model too) and keeps it from
being stored again, as a rejected span does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from core.edits import SUGGESTION, EditSet, doc_refusal, make_origin
from core.models import DocSuggestion
from storage.errors import LabelError
from storage.models import make_doc_suggestion_models
from storage.part import ProjectPart

if TYPE_CHECKING:
    from storage.edits import Edits

    pass

#: (key, value, score)
DocSuggestionRow = tuple[str, str, float]


def doc_suggestion_origin(sg: DocSuggestion) -> str:
    """The origin of a document label accepted from ``sg``: ``suggestion:<source>``."""
    return make_origin(SUGGESTION, source=sg.source)


class DocSuggestions(ProjectPart):
    """Proposed document labels, a piece of ``project.suggestions``."""

    edits: Edits

    if TYPE_CHECKING:  # provided by SuggestionSettings

        def disabled_sources(self) -> list[str]: ...

    def _doc_models(self) -> tuple[Any, Any]:
        models = getattr(self, "_doc_suggestion_models", None)
        if models is None:
            models = make_doc_suggestion_models(self.db)
            self._doc_suggestion_models = models
        return models

    def add_doc_suggestions(
        self, article_id: int, rows: Iterable[DocSuggestionRow], *, source: str
    ) -> int:
        """Store ``(key, value, score)`` proposals from ``source`` for one article; every row
        is checked first (a known stance target and option), so a bad row stores nothing.
        A proposal stored already takes the new score (a share of a group that has changed);
        values someone rejected are skipped. Returns how many rows are new."""
        if not source:
            raise LabelError("a suggestion needs a source")
        schema = self.project.schema()
        checked: dict[tuple[str, str], float] = {}
        for key, value, score in rows:
            reason = doc_refusal(schema, key, value)
            if reason is not None:
                raise LabelError(f"article {article_id}: {reason}")
            checked[(key, value)] = max(float(score), checked.get((key, value), 0.0))
        if not checked:
            return 0
        proposed, rejected = self._doc_models()
        stored = 0
        with self._write():
            turned_down = set(
                rejected.select(rejected.key, rejected.value)
                .where(rejected.article == article_id)
                .tuples()
            )
            have = {
                (k, v): (i, s)
                for i, k, v, s in proposed.select(
                    proposed.id, proposed.key, proposed.value, proposed.score
                )
                .where(proposed.article == article_id, proposed.source == source)
                .tuples()
            }
            for (key, value), score in sorted(checked.items()):
                if (key, value) in turned_down:
                    continue
                old = have.get((key, value))
                if old is None:
                    proposed.insert(
                        article=article_id, key=key, value=value, source=source, score=score
                    ).execute()
                    stored += 1
                elif score != old[1]:
                    proposed.update(score=score).where(proposed.id == old[0]).execute()
        return stored

    def doc_suggestions(
        self, article_id: int, *, annotator: str | None = None
    ) -> list[DocSuggestion]:
        """An article's proposed document labels, best score first. With ``annotator``: only
        those still pending for them (a key they have not set, a value they did not reject,
        a source switched on)."""
        proposed, _ = self._doc_models()
        rows = (
            proposed.select()
            .where(proposed.article == article_id)
            .order_by(proposed.score.desc(), proposed.id)
        )
        found = [DocSuggestion(r.id, article_id, r.key, r.value, r.source, r.score) for r in rows]
        if annotator is None or not found:
            return found
        disabled = set(self.disabled_sources())
        turned_down = self.doc_rejections(article_id, annotator=annotator)
        d = self.m.DocLabel
        chosen = {
            k
            for (k,) in d.select(d.key)
            .where(d.article == article_id, d.annotator == self.project.annotator_id(annotator))
            .tuples()
        }
        return [
            sg
            for sg in found
            if sg.source not in disabled
            and sg.key not in chosen
            and (sg.key, sg.value) not in turned_down
        ]

    def doc_rejections(self, article_id: int, *, annotator: str) -> set[tuple[str, str]]:
        """(key, value) pairs ``annotator`` turned down in an article."""
        _, rejected = self._doc_models()
        return set(
            rejected.select(rejected.key, rejected.value)
            .where(
                rejected.article == article_id,
                rejected.annotator == self.project.annotator_id(annotator),
            )
            .tuples()
        )

    def accept_doc_suggestion(self, sg: DocSuggestion, *, annotator: str) -> str | None:
        """The proposal as the annotator's document label (origin ``suggestion:<source>``),
        through the edit path; returns the previous value (``None``), for undo."""
        result = self.edits.apply_edits(
            EditSet(
                sg.article_id,
                annotator,
                doc=((sg.key, sg.value),),
                doc_origin=doc_suggestion_origin(sg),
            ),
            strict=True,
        )
        return result.doc_before[sg.key]

    def reject_doc_suggestion(
        self, article_id: int, *, annotator: str, key: str, value: str
    ) -> int:
        """Remember that ``annotator`` turned ``key = value`` down in this article; returns
        the rejection id (for undo with :meth:`remove_doc_rejections`)."""
        _, rejected = self._doc_models()
        ann = self.project.annotator_id(annotator)
        with self._write():
            rejected.insert(
                article=article_id, annotator=ann, key=key, value=value
            ).on_conflict_ignore().execute()
            row = rejected.get(
                rejected.article == article_id,
                rejected.annotator == ann,
                rejected.key == key,
                rejected.value == value,
            )
        return int(row.id)

    def remove_doc_rejections(self, rejection_ids: Iterable[int]) -> int:
        """Forget rejections (undo of a reject): the proposals are pending again."""
        ids = list(rejection_ids)
        if not ids:
            return 0
        _, rejected = self._doc_models()
        with self._write():
            return int(rejected.delete().where(rejected.id.in_(ids)).execute())
