"""Learning in a project: models trained on done articles, kept with their held-out scores,
silent below the gate, surviving a reopen, and writing suggestions from source ``model``
that are accepted and rejected like every other suggestion."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from core.learn.record import MODEL_SOURCE
from core.models import NewArticle
from core.query import ArticleFilter
from storage import Project, ProjectError
from tests.core.test_learn import stance_examples
from tests.learn_fixtures import made_up_article

ANN = "ann"


def fill(project: Project, *, done: int, total: int = 40, seed: int = 1) -> list[tuple[int, list]]:
    """``total`` made-up articles; the first ``done`` labelled by ANN and marked done.
    Returns (id, gold spans) of every article."""
    rnd = random.Random(seed)
    made = [made_up_article(rnd) for _ in range(total)]
    project.imports.store_articles([NewArticle(text=text) for text, _ in made])
    ids = list(project.article_ids())
    for aid, (_text, spans) in list(zip(ids, made, strict=True))[:done]:
        for label, start, end in spans:
            project.labels.add_span(
                aid, annotator=ANN, layer="entity", label=label, start=start, end=end
            )
        project.labels.set_status(aid, annotator=ANN, status="done")
    return [(aid, spans) for aid, (_t, spans) in zip(ids, made, strict=True)]


def model_keys(project: Project, aid: int) -> set[tuple[str, int, int]]:
    return {
        (s.label, s.start, s.end)
        for s in project.suggestions.suggestions(aid, sources=[MODEL_SOURCE], layer="entity")
    }


def test_the_model_suggests_what_it_was_taught_on_articles_not_done(project: Project) -> None:
    articles = fill(project, done=20)
    outcome = project.learning.learn(in_process=True)
    assert outcome.reason is None
    assert outcome.model is not None and outcome.model.trained_on == 20
    assert outcome.model.evaluation.score > 0.9
    assert set(outcome.model.evaluation.labels) == {"PER", "GPE"}
    assert outcome.articles == 20
    for aid, gold in articles[20:]:
        assert model_keys(project, aid) == set(gold)
    for aid, _gold in articles[:20]:
        assert model_keys(project, aid) == set()  # done articles are left alone
    scores = [
        s.score for s in project.suggestions.suggestions(articles[30][0], sources=[MODEL_SOURCE])
    ]
    assert scores and all(0.5 < s <= 1.0 for s in scores)
    assert (
        project.learning.model_status() == "model span F1 1.00 on 20 held-out articles: suggesting"
    )


def test_below_the_gate_the_model_is_silent_and_says_why(project: Project) -> None:
    articles = fill(project, done=20)
    project.learning.learn(in_process=True)
    assert model_keys(project, articles[25][0])
    project.learning.set_learn_min_score(1.0)  # a perfect score only
    # Unlearnable labels: one random word per article.
    rnd = random.Random(4)
    for aid, _gold in articles[20:32]:
        text = project.article(aid).text
        start = text.index(" ") + 1
        end = text.index(" ", start)
        if rnd.random() < 0.5:
            project.labels.add_span(
                aid, annotator=ANN, layer="entity", label="PER", start=start, end=end
            )
        project.labels.set_status(aid, annotator=ANN, status="done")
    outcome = project.learning.learn(in_process=True)
    assert outcome.model is not None
    assert outcome.reason is not None
    assert outcome.reason.startswith("model span F1 0.")
    assert outcome.reason.endswith("on 32 articles (needs 1.00): needs more labels")
    assert project.learning.model_status() == outcome.reason
    for aid, _gold in articles[32:]:
        assert model_keys(project, aid) == set()  # the older model's suggestions are gone
    assert outcome.removed > 0
    # ...but it still ranks what it is unsure of.
    assert set(project.ordering.uncertainties([a for a, _ in articles[32:]])) == {
        a for a, _ in articles[32:]
    }


def test_too_few_done_articles_train_nothing(project: Project) -> None:
    fill(project, done=9)
    outcome = project.learning.learn(in_process=True)
    assert outcome.model is None
    assert outcome.reason == "no model: 9 done articles, a model needs at least 10"
    assert project.learning.learned_models() == []
    assert project.learning.model_status() == outcome.reason
    assert project.learning.needs_retraining() is False


def test_retraining_is_due_after_n_newly_done_articles(project: Project) -> None:
    articles = fill(project, done=10)
    assert project.learning.needs_retraining() is True
    project.learning.learn(in_process=True)
    assert project.learning.needs_retraining() is False
    project.learning.set_learn_retrain_every(3)
    for aid, _gold in articles[10:12]:
        project.labels.set_status(aid, annotator=ANN, status="done")
    assert project.learning.needs_retraining() is False
    project.labels.set_status(articles[12][0], annotator=ANN, status="done")
    assert project.learning.needs_retraining() is True


def test_the_model_survives_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "learn.tandai"
    with Project.create(path) as project:
        articles = fill(project, done=20)
        project.learning.learn(in_process=True)
        before = project.learning.learned_model("entity", with_data=True)
    with Project.open(path) as project:
        again = project.learning.learned_model("entity", with_data=True)
        assert again is not None and before is not None
        assert again.data == before.data and again.created == before.created
        assert again.evaluation == before.evaluation
        assert [m.name for m in project.learning.learned_models()] == ["entity"]
        assert model_keys(project, articles[30][0]) == set(articles[30][1])
        # A new article is suggested by the stored model at once, without training again.
        text, gold = made_up_article(random.Random(77))
        project.imports.store_articles([NewArticle(text=text)])
        new_id = max(project.article_ids())
        assert project.learning.suggest_with_model() > 0
        assert model_keys(project, new_id) == set(gold)


def test_rejections_become_negatives_and_accepts_keep_the_model_origin(project: Project) -> None:
    articles = fill(project, done=20)
    project.learning.learn(in_process=True)
    aid = articles[30][0]
    first, second = project.suggestions.suggestions(aid, sources=[MODEL_SOURCE], annotator=ANN)[:2]
    span = project.suggestions.accept_suggestion(first.id, annotator=ANN)
    assert span.origin == "suggestion:model"
    project.suggestions.reject_suggestion(second.id, annotator=ANN)
    _examples, negatives = project.learning.entity_training_set()
    assert [(n.start, n.end) for n in negatives] == [(second.start, second.end)]
    # Relabelled with another label: the rejection is no negative.
    project.labels.add_span(
        aid, annotator=ANN, layer="entity", label="ORG", start=second.start, end=second.end
    )
    assert project.learning.entity_training_set()[1] == []
    outcome = project.learning.learn(in_process=True)
    assert outcome.model is not None and outcome.model.negatives == 0


def test_training_in_a_worker_process_gives_the_same_model(project: Project) -> None:
    articles = fill(project, done=12, total=1100)  # three chunks of articles to tag
    ids = [aid for aid, _ in articles[12:]]
    here = project.learning.learn(in_process=True)
    suggested = {aid: model_keys(project, aid) for aid in ids}
    unsure = project.ordering.uncertainties(ids)
    there = project.learning.learn(in_process=False)
    assert here.model is not None and there.model is not None
    assert there.model.data == here.model.data
    assert there.model.evaluation == here.model.evaluation
    # Tagged by two worker processes, chunk by chunk: the same suggestions and figures.
    assert there.articles == here.articles == len(ids)
    assert {aid: model_keys(project, aid) for aid in ids} == suggested
    assert project.ordering.uncertainties(ids) == pytest.approx(unsure)
    assert sum(len(v) for v in suggested.values()) > 2000


def test_many_done_articles_train_final_and_held_out_models_in_two_processes(
    project: Project,
) -> None:
    """From 200 done articles one fifth is held out, and the model on all and the held-out
    scores are worked out in two worker processes at once: the same model and scores as in
    one process."""
    fill(project, done=210, total=215)
    here = project.learning.learn(in_process=True)
    there = project.learning.learn(in_process=False)
    assert here.model is not None and there.model is not None
    assert there.model.evaluation.folds == 1
    assert there.model.data == here.model.data
    assert there.model.evaluation == here.model.evaluation


def test_a_stop_request_ends_training_and_keeps_the_old_model(project: Project) -> None:
    fill(project, done=12)
    project.learning.learn(in_process=True)
    old = project.learning.learned_model("entity")
    outcome = project.learning.learn(in_process=False, should_stop=lambda: True)
    assert outcome.stopped and outcome.model is None
    assert project.learning.learned_model("entity") == old


def test_stance_proposals_come_from_the_stance_labels_and_are_never_stored(
    project: Project,
) -> None:
    values = {"FAVOR": "favour", "AGAINST": "against"}
    made = stance_examples(40, seed=1)
    project.imports.store_articles([NewArticle(text=ex.text) for ex in made])
    ids = list(project.article_ids())
    for aid, ex in list(zip(ids, made, strict=True))[:30]:
        project.labels.set_doc_label(aid, annotator=ANN, key="stance:main", value=values[ex.label])
    outcome = project.learning.learn(layer="stance", target="main", in_process=True)
    assert outcome.model is not None and outcome.reason is None
    assert outcome.model.evaluation.metric == "macro-F1"
    for aid, ex in list(zip(ids, made, strict=True))[30:]:
        guess = project.learning.stance_proposal(aid, "main")
        assert guess is not None and guess.label == values[ex.label]
        assert project.labels.doc_labels(aid, annotator=ANN) == {}
    assert set(project.ordering.uncertainties(ids[30:], model="stance:main")) == set(ids[30:])


def test_a_stance_model_below_the_gate_proposes_nothing(project: Project) -> None:
    made = stance_examples(12, seed=3)
    project.imports.store_articles([NewArticle(text=ex.text) for ex in made])
    ids = list(project.article_ids())
    rnd = random.Random(2)
    for aid in ids[:11]:  # labels that have nothing to do with the words
        value = rnd.choice(["favour", "against"])
        project.labels.set_doc_label(aid, annotator=ANN, key="stance:main", value=value)
    project.learning.set_learn_min_score(1.0)
    outcome = project.learning.learn(layer="stance", target="main", in_process=True)
    assert outcome.model is not None and outcome.model.evaluation.score < 1.0
    assert outcome.reason is not None and outcome.reason.startswith("model macro-F1 ")
    assert project.learning.model_status("stance:main") == outcome.reason
    assert project.learning.stance_proposal(ids[11], "main") is None


def test_an_unknown_model_name_is_refused_with_a_message(project: Project) -> None:
    from storage import ProjectError

    with pytest.raises(ProjectError, match="unknown model 'boilerplate'"):
        project.learning.model_status("boilerplate")
    with pytest.raises(ProjectError, match="between 0 and 1"):
        project.learning.set_learn_min_score(3)


def test_next_to_do_can_follow_the_model_s_uncertainty_with_some_random_picks(
    project: Project,
) -> None:
    articles = fill(project, done=12, total=60)
    ids = [aid for aid, _ in articles]
    assert project.ordering.next_todo_order() == "imported"
    assert project.navigation.next_todo_id(ANN) == ids[12]
    project.learning.learn(in_process=True)
    project.ordering.set_next_todo_order("uncertain")
    unsure = project.ordering.uncertainties(ids)
    assert set(unsure) == set(ids[12:])
    picks, top_picks = [], 0
    current = ids[12]
    for _ in range(20):
        pick = project.navigation.next_todo_id(ANN, after_id=current)
        assert pick is not None and pick == project.navigation.next_todo_id(ANN, after_id=current)
        left = {a: u for a, u in unsure.items() if a not in picks and a != current}
        assert pick in left
        top_picks += unsure[pick] == max(left.values())
        picks.append(pick)
        project.labels.set_status(pick, annotator=ANN, status="done")
        current = pick
    assert len(set(picks)) == 20
    assert 12 <= top_picks < 20  # mostly the least sure, a few at random
    rows = project.listing.summaries(ids[:14], annotator=ANN)
    assert [r.uncertainty for r in rows[:12]] == [None] * 12  # done before training
    assert rows[12].uncertainty == pytest.approx(unsure[ids[12]])
    with pytest.raises(ProjectError, match="unknown order"):
        project.ordering.set_next_todo_order("random")


def test_most_uncertain_first_stays_inside_the_assigned_queue(project: Project) -> None:
    articles = fill(project, done=12, total=40)
    project.learning.learn(in_process=True)
    project.ordering.set_next_todo_order("uncertain")
    project.team.assign(["ani", "budi"])
    mine = set(project.article_ids(ArticleFilter(assigned_to="ani")))
    assert mine and len(mine) < 40
    current = articles[12][0]
    for _ in range(8):
        pick = project.navigation.next_todo_id("ani", after_id=current, queue=True)
        assert pick in mine
        project.labels.set_status(pick, annotator="ani", status="done")
        current = pick


def test_a_work_package_carries_the_models_so_the_annotator_s_copy_suggests_at_once(
    project: Project, tmp_path: Path
) -> None:
    articles = fill(project, done=20, total=40)
    project.learning.learn(in_process=True)
    stored = project.learning.learned_model("entity", with_data=True)
    assert stored is not None and stored.data
    project.team.assign(["ani", "budi"], seed=3)
    mine = sorted(project.article_ids(ArticleFilter(assigned_to="ani")))
    todo = [aid for aid, _gold in articles[20:] if aid in mine]
    assert todo
    project.team.write_packages(tmp_path / "out", annotators=["ani"])
    with Project.open(tmp_path / "out" / "ani.tandai") as pkg:
        carried = pkg.learning.learned_model("entity", with_data=True)
        assert carried is not None
        assert carried.data == stored.data and carried.evaluation == stored.evaluation
        assert carried.trained_on == 20 and carried.created == stored.created
        assert pkg.learning.model_status() == project.learning.model_status()
        gold = dict(articles)
        for aid in todo:
            assert model_keys(pkg, aid) == set(gold[aid])
        assert pkg.ordering.uncertainties(todo) == pytest.approx(
            project.ordering.uncertainties(todo)
        )
        # An article the annotator adds to the package is suggested by the carried model
        # at once: offsets in code points past an emoji, CJK Extension B, RTL text and CRLF.
        text, spans = made_up_article(random.Random(77))
        pkg.imports.store_articles([NewArticle(text="𠮷野 👨🏻‍🚒 القاهرة\r\n" + text)])
        new_id = max(pkg.article_ids())
        stored_text = pkg.article(new_id).text
        assert stored_text.endswith(text)
        shift = len(stored_text) - len(text)
        assert pkg.learning.suggest_with_model() > 0
        found = model_keys(pkg, new_id)
        assert {(label, s + shift, e + shift) for label, s, e in spans} <= found
        for label, s, e in found:
            assert label in {"PER", "GPE"} and stored_text[s:e].strip() == stored_text[s:e]
