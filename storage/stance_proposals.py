"""What is proposed for an article's stance, from every source, in one place.

Two sources propose a stance: a value carried from a near-duplicate the annotator labelled
(stored, :mod:`storage.doc_suggestions`) and the stance model trained on the project's
labels (computed for the article on screen, never stored). Both come out of
:meth:`StanceProposals.stance_proposals` as :class:`core.models.DocSuggestion`, one per
target still without a stance, so the workspace shows and accepts them alike (origin
``suggestion:<source>``), and a value the annotator rejected is hidden whichever proposes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from core.edits import stance_key, stance_target
from core.learn.record import MODEL_SOURCE, LearnedModel
from core.learn.stance import StanceClassifier, StanceGuess
from core.models import DocSuggestion
from storage.part import ProjectPart

if TYPE_CHECKING:
    from storage.labels import Labels
    from storage.suggestions import Suggestions


class StanceProposals(ProjectPart):
    """A piece of ``project.learning``; relies on its stored models (``learned_model``,
    ``learn_min_score``, ``_text_lang``) and on ``project.suggestions`` and ``labels``."""

    labels: Labels
    suggestions: Suggestions
    _stance_cache: dict[str, tuple[dt.datetime, StanceClassifier]] | None = None

    if TYPE_CHECKING:  # provided by Learning

        def learned_model(self, name: str, *, with_data: bool = False) -> LearnedModel | None: ...
        def learn_min_score(self) -> float: ...
        def _text_lang(self, ids: Sequence[int]) -> Iterator[tuple[int, str, str]]: ...

    def stance_proposal(self, article_id: int, target: str) -> StanceGuess | None:
        """What the stance model of ``target`` proposes for an article, or None when there is
        no model or it is below the gate. Never stored: a label only once accepted."""
        name = stance_key(target)
        head = self.learned_model(name)
        if head is None or head.silent_reason(self.learn_min_score()) is not None:
            return None
        cache = self._stance_cache if self._stance_cache is not None else {}
        self._stance_cache = cache
        cached = cache.get(name)
        if cached is None or cached[0] != head.created:
            full = self.learned_model(name, with_data=True)
            assert full is not None and full.data is not None
            cached = (full.created, StanceClassifier(full.data))
            cache[name] = cached
        ((_aid, text, lang),) = list(self._text_lang([article_id]))
        return cached[1].guess(text, lang)

    def stance_proposals(self, article_id: int, *, annotator: str) -> dict[str, DocSuggestion]:
        """Target -> the proposal to show beside its keys, for each target ``annotator`` has
        not decided: a stored proposal (a stance carried from a near-duplicate, the best
        score first) before the model's guess; a value the annotator rejected is left out
        whichever source proposes it."""
        decided = self.labels.doc_labels(article_id, annotator=annotator)
        out: dict[str, DocSuggestion] = {}
        for sg in self.suggestions.doc_suggestions(article_id, annotator=annotator):
            name = stance_target(sg.key)
            if name is not None and name not in out:
                out[name] = sg
        rejected: set[tuple[str, str]] | None = None
        for target in self.project.schema().stance_targets:
            key = stance_key(target.name)
            if target.name in out or key in decided:
                continue
            guess = self.stance_proposal(article_id, target.name)
            if guess is None:
                continue
            if rejected is None:
                rejected = self.suggestions.doc_rejections(article_id, annotator=annotator)
            if (key, guess.label) not in rejected:
                out[target.name] = DocSuggestion(
                    0, article_id, key, guess.label, MODEL_SOURCE, guess.confidence
                )
        return {t.name: out[t.name] for t in self.project.schema().stance_targets if t.name in out}
