"""Models learned from the project's labels: their training sets, training in a worker
process, the stored model with its held-out scores, and what it proposes.

Training and prediction are ``core.learn``; this module reads the labels, runs those pure
functions (in a spawned worker process unless told to stay in this one, as the CLI does),
keeps the model bytes in ``learned_model`` and writes what the model proposes: entity spans
as suggestions with source ``model`` (through the same suggestion storage as every other
suggester) and how unsure it is about each article not labelled yet (the ``uncertainty``
table, which :mod:`storage.uncertainty_order` reads to order the to-do queue "most
uncertain first"). Stance proposals are not stored: they are computed for the article on
screen (:mod:`storage.stance_proposals`), and become a label only when accepted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from core.learn.entity import EntityExample, Negative, splits_in_two
from core.learn.jobs import (
    Fit,
    fit_entities,
    fit_entities_part,
    fit_stance,
    guess_loaded,
    load_model,
)
from core.learn.record import (
    DEFAULT_MIN_F1,
    DEFAULT_RETRAIN_EVERY,
    ENTITY,
    MODEL_SOURCE,
    STANCE,
    LearnedModel,
    LearnOutcome,
    too_few_reason,
)
from core.learn.runner import Runner
from core.learn.scores import MIN_ARTICLES, Evaluation
from core.learn.stance import StanceExample
from core.suggest.base import Proposal
from storage.errors import ProjectError
from storage.models import ModelClass, make_learning_models
from storage.stance_proposals import StanceProposals

if TYPE_CHECKING:
    from storage.labels import Labels
    from storage.part import ProjectCore
    from storage.suggestions import Suggestions

    pass

#: Articles per prediction chunk (one worker call, one write transaction).
_CHUNK = 500

StopFn = Callable[[], bool]
ProgressFn = Callable[[str, int, int], None]


class Learning(StanceProposals):
    """``project.learning``: uses the project's settings, schema and annotator ids and the
    suggestion writer ``project.suggestions.replace_suggestions``; the uncertainty it writes
    is read by ``project.ordering``."""

    _learning_tables: tuple[ModelClass, ModelClass] | None = None

    def __init__(self, project: ProjectCore, *, labels: Labels, suggestions: Suggestions) -> None:
        super().__init__(project)
        self.labels = labels
        self.suggestions = suggestions

    def _learning(self) -> tuple[ModelClass, ModelClass]:
        if self._learning_tables is None:
            self._learning_tables = make_learning_models(self.db)
        return self._learning_tables

    # ---- settings --------------------------------------------------------------------------

    def learn_min_score(self) -> float:
        """The quality gate: held-out F1 (entities) or macro-F1 (stance) a model needs."""
        return float(self.project.get_setting("learn.min_f1", DEFAULT_MIN_F1))

    def set_learn_min_score(self, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise ProjectError(f"the quality gate must be between 0 and 1, not {value}")
        self.project.set_setting("learn.min_f1", float(value))

    def learn_retrain_every(self) -> int:
        return int(self.project.get_setting("learn.every", DEFAULT_RETRAIN_EVERY))

    def set_learn_retrain_every(self, n: int) -> None:
        if n < 1:
            raise ProjectError(f"retraining needs at least 1 newly done article, not {n}")
        self.project.set_setting("learn.every", int(n))

    # ---- training sets ---------------------------------------------------------------------

    def _done_pairs(self, annotator: str | None) -> dict[int, int]:
        """article id -> the annotator whose labels teach it: the named one, or else the
        first (lowest id) annotator who marked the article done."""
        p = self.m.Progress
        query = p.select(p.article, p.annotator).where(p.status == "done")
        if annotator:
            query = query.where(p.annotator == self.project.annotator_id(annotator))
        out: dict[int, int] = {}
        for aid, ann in query.order_by(p.article, p.annotator).tuples():
            out.setdefault(aid, ann)
        return out

    def _text_lang(self, ids: Sequence[int]) -> Iterator[tuple[int, str, str]]:
        a, t = self.m.Article, self.m.ArticleText
        for i in range(0, len(ids), _CHUNK):
            part = list(ids[i : i + _CHUNK])
            yield from (
                (aid, text, lang or "und")
                for aid, text, lang in a.select(a.id, t.text, a.lang)
                .join(t, on=(t.article == a.id))
                .where(a.id.in_(part))
                .order_by(a.id)
                .tuples()
            )

    def entity_training_set(
        self, *, annotator: str | None = None
    ) -> tuple[list[EntityExample], list[Negative]]:
        """The entity spans of done articles, and the entity suggestions rejected in articles
        not done (in done ones every unlabelled word already counts as outside)."""
        done = self._done_pairs(annotator)
        sp = self.m.Span
        spans: dict[int, list[tuple[str, int, int]]] = {}
        ids = sorted(done)
        for i in range(0, len(ids), _CHUNK):
            part = ids[i : i + _CHUNK]
            for aid, ann, label, start, end in (
                sp.select(sp.article, sp.annotator, sp.label, sp.start, sp.end)
                .where(sp.article.in_(part), sp.layer == ENTITY)
                .tuples()
            ):
                if done[aid] == ann:
                    spans.setdefault(aid, []).append((label, start, end))
        examples = [
            EntityExample(text, lang, tuple(spans.get(aid, ())))
            for aid, text, lang in self._text_lang(ids)
        ]
        return examples, self._negatives(done, annotator)

    def _negatives(self, done: dict[int, int], annotator: str | None) -> list[Negative]:
        r, sp = self.m.Rejection, self.m.Span
        query = r.select(r.article, r.annotator, r.start, r.end).where(r.layer == ENTITY)
        if annotator:
            query = query.where(r.annotator == self.project.annotator_id(annotator))
        rejected: dict[int, list[tuple[int, int, int]]] = {}
        for aid, ann, start, end in query.tuples():
            if aid not in done:
                rejected.setdefault(aid, []).append((ann, start, end))
        if not rejected:
            return []
        # A rejection the annotator then labelled differently is not a negative.
        held: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for aid, ann, start, end in (
            sp.select(sp.article, sp.annotator, sp.start, sp.end)
            .where(sp.article.in_(list(rejected)), sp.layer == ENTITY)
            .tuples()
        ):
            held.setdefault((aid, ann), []).append((start, end))
        out: list[Negative] = []
        for aid, text, lang in self._text_lang(sorted(rejected)):
            for ann, start, end in rejected[aid]:
                if not any(s < end and e > start for s, e in held.get((aid, ann), ())):
                    out.append(Negative(text, lang, start, end))
        return out

    def stance_training_set(
        self, target: str, *, annotator: str | None = None
    ) -> list[StanceExample]:
        """Every stance label of ``target`` (a stance is a whole decision even before the
        article is done); with several annotators on an article, the first one's."""
        d = self.m.DocLabel
        query = d.select(d.article, d.value).where(d.key == f"stance:{target}")
        if annotator:
            query = query.where(d.annotator == self.project.annotator_id(annotator))
        values: dict[int, str] = {}
        for aid, value in query.order_by(d.article, d.annotator).tuples():
            values.setdefault(aid, value)
        return [
            StanceExample(text, lang, values[aid])
            for aid, text, lang in self._text_lang(sorted(values))
        ]

    # ---- stored models ---------------------------------------------------------------------

    def learned_model(self, name: str, *, with_data: bool = False) -> LearnedModel | None:
        """The stored model ``entity`` or ``stance:<target>``, or None."""
        layer, target = _split_name(name)
        lm, _ = self._learning()
        fields = [lm.layer, lm.target, lm.created, lm.trained_on, lm.negatives, lm.evaluation]
        if with_data:
            fields.append(lm.data)
        row = lm.select(*fields).where(lm.layer == layer, lm.target == target).tuples().first()
        return None if row is None else _record(row)

    def learned_models(self) -> list[LearnedModel]:
        """Every stored model, without its bytes (scores and sizes only)."""
        lm, _ = self._learning()
        fields = [lm.layer, lm.target, lm.created, lm.trained_on, lm.negatives, lm.evaluation]
        return [_record(row) for row in lm.select(*fields).order_by(lm.layer, lm.target).tuples()]

    def _store_model(
        self, layer: str, target: str, fit: Fit, trained_on: int, negatives: int
    ) -> LearnedModel:
        lm, _ = self._learning()
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        row = {
            "layer": layer,
            "target": target,
            "data": fit.data,
            "created": now,
            "trained_on": trained_on,
            "negatives": negatives,
            "evaluation": json.dumps(fit.evaluation.to_dict()),
        }
        with self._write():
            lm.delete().where(lm.layer == layer, lm.target == target).execute()
            lm.insert(**row).execute()
        return LearnedModel(layer, target, now, trained_on, negatives, fit.evaluation, fit.data)

    def model_status(self, name: str = ENTITY) -> str:
        """One line on what the model does: why it is silent, or how good it is."""
        model = self.learned_model(name)
        if model is None:
            count = self._label_count(name)
            layer, _target = _split_name(name)
            return too_few_reason(count, layer) if count < MIN_ARTICLES else "not trained yet"
        return model.describe(self.learn_min_score())

    def _label_count(self, name: str) -> int:
        layer, target = _split_name(name)
        if layer == ENTITY:
            return len(self._done_pairs(None))
        d = self.m.DocLabel
        return d.select(d.article).where(d.key == f"stance:{target}").distinct().count()

    def needs_retraining(self, name: str = ENTITY) -> bool:
        """N (``learn_retrain_every``) articles were labelled since the model was trained
        (done ones for entities, ones with this stance for a stance target), or there is no
        model yet and enough labels for one."""
        count = self._label_count(name)
        model = self.learned_model(name)
        if model is None:
            return count >= MIN_ARTICLES
        return count - model.trained_on >= self.learn_retrain_every()

    def model_names(self) -> list[str]:
        """``entity`` and ``stance:<target>`` for every stance target of the schema."""
        schema = self.project.schema()
        return [ENTITY, *(f"stance:{t.name}" for t in schema.stance_targets)]

    # ---- training --------------------------------------------------------------------------

    def learn(
        self,
        *,
        layer: str = ENTITY,
        target: str = "",
        annotator: str | None = None,
        min_score: float | None = None,
        in_process: bool = False,
        should_stop: StopFn | None = None,
        on_progress: ProgressFn | None = None,
    ) -> LearnOutcome:
        """Train one model on the labels now, keep it with its held-out scores, and (when it
        passes the gate) write what it proposes. ``min_score`` overrides the project's gate
        for this run. Work runs in one spawned worker process unless ``in_process``."""
        if layer not in (ENTITY, STANCE):
            raise ProjectError(f"unknown model layer {layer!r}; use entity or stance")
        gate = self.learn_min_score() if min_score is None else min_score
        name = ENTITY if layer == ENTITY else f"stance:{target}"
        _split_name(name)  # refuses an empty target
        fit: Fit | None = None
        with Runner(in_process, should_stop) as run:
            if on_progress:
                on_progress("reading labels", 0, 0)
            if layer == ENTITY:
                examples, negatives = self.entity_training_set(annotator=annotator)
                count, neg_count = len(examples), len(negatives)
                if count >= MIN_ARTICLES:
                    if on_progress:
                        on_progress(f"training on {count} articles", 0, 0)
                    if splits_in_two(count):
                        # The final model and the held-out scores in two processes at once.
                        halves = run.pair(
                            (fit_entities_part, (examples, negatives, "final")),
                            (fit_entities_part, (examples, negatives, "evaluation")),
                        )
                        if halves is not None:
                            (data, _), (_, evaluation) = halves
                            fit = Fit(data, evaluation)
                    else:
                        fit = run(fit_entities, examples, negatives)
            else:
                stance = self.stance_training_set(target, annotator=annotator)
                count, neg_count = len(stance), 0
                if count >= MIN_ARTICLES and len({ex.label for ex in stance}) < 2:
                    return LearnOutcome(name, None, f"no model: every label of {name} is the same")
                if count >= MIN_ARTICLES:
                    if on_progress:
                        on_progress(f"training on {count} articles", 0, 0)
                    fit = run(fit_stance, stance)
            if count < MIN_ARTICLES:
                return LearnOutcome(name, None, too_few_reason(count, layer))
            if fit is None:
                return LearnOutcome(name, None, "stopped", stopped=True)
            model = self._store_model(layer, target, fit, count, neg_count)
            outcome = LearnOutcome(name, model, model.silent_reason(gate))
            self._apply_model(model, outcome, run, on_progress)
        return outcome

    def suggest_with_model(
        self,
        *,
        in_process: bool = True,
        should_stop: StopFn | None = None,
        on_progress: ProgressFn | None = None,
    ) -> int:
        """Run the stored entity model (no training) over the articles not done, e.g. after
        an import; returns how many suggestions were stored."""
        model = self.learned_model(ENTITY, with_data=True)
        if model is None:
            return 0
        outcome = LearnOutcome(ENTITY, model, model.silent_reason(self.learn_min_score()))
        with Runner(in_process, should_stop) as run:
            self._apply_model(model, outcome, run, on_progress)
        return outcome.stored

    def _apply_model(
        self,
        model: LearnedModel,
        outcome: LearnOutcome,
        run: Runner,
        on_progress: ProgressFn | None,
    ) -> None:
        """Predict on every article not labelled yet: uncertainty always (a silent model
        still knows what it does not know), suggestions only when it passes the gate (and
        none from a silent one: old ones are removed)."""
        from storage.suggestion_runs import SuggestReport

        assert model.data is not None
        _, unc = self._learning()
        if model.layer == ENTITY:
            labelled = set(self._done_pairs(None))
        else:
            d = self.m.DocLabel
            labelled = {
                r[0] for r in d.select(d.article).where(d.key == model.name).distinct().tuples()
            }
        a = self.m.Article
        total = a.select().count() - len(labelled)
        report = SuggestReport()
        pages = ((list(self._text_lang(ids)),) for ids in self._unlabelled_pages(labelled))
        for guesses in run.pipeline(load_model, (model.layer, model.data), guess_loaded, pages):
            ids = [aid for aid, _g in guesses]
            with self._write():
                unc.delete().where(unc.model == model.name, unc.article.in_(ids)).execute()
                unc.insert_many(
                    [(aid, model.name, g.uncertainty) for aid, g in guesses],
                    fields=[unc.article, unc.model, unc.value],
                ).execute()
            if model.layer == ENTITY:
                speak = outcome.reason is None
                proposals = {
                    aid: [
                        Proposal(ENTITY, s.label, s.start, s.end, MODEL_SOURCE, s.confidence)
                        for s in g.spans
                    ]
                    if speak
                    else []
                    for aid, g in guesses
                }
                self.suggestions.replace_suggestions(proposals, {MODEL_SOURCE}, report)
            outcome.articles += len(ids)
            if on_progress:
                on_progress("suggesting", outcome.articles, total)
        outcome.stopped = run.stopped
        outcome.stored = report.stored[MODEL_SOURCE]
        outcome.removed = report.removed

    def _unlabelled_pages(self, labelled: set[int]) -> Iterator[list[int]]:
        a = self.m.Article
        after = 0
        while True:
            ids = [
                r[0]
                for r in a.select(a.id).where(a.id > after).order_by(a.id).limit(_CHUNK).tuples()
            ]
            if not ids:
                return
            after = ids[-1]
            keep = [i for i in ids if i not in labelled]
            if keep:
                yield keep


def _split_name(name: str) -> tuple[str, str]:
    if name == ENTITY:
        return ENTITY, ""
    if name.startswith("stance:") and len(name) > len("stance:"):
        return STANCE, name[len("stance:") :]
    raise ProjectError(f"unknown model {name!r}; use entity or stance:<target>")


def _record(row: tuple) -> LearnedModel:
    layer, target, created, trained_on, negatives, evaluation, *data = row
    if isinstance(created, str):
        created = dt.datetime.fromisoformat(created)
    return LearnedModel(
        layer=layer,
        target=target,
        created=created,
        trained_on=trained_on,
        negatives=negatives,
        evaluation=Evaluation.from_dict(json.loads(evaluation)),
        data=bytes(data[0]) if data else None,
    )
