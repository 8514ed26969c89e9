"""Agreement over a real project: only articles each annotator marked done count."""

from __future__ import annotations

import pytest

from core.agreement import ArticleJudgements, Judgement, agreement
from core.models import NewArticle
from storage import Project, ProjectError
from tests.storage.agreement_helpers import (
    TEXTS,
    drop_entity_label,
    random_team_project,
    team_project,
)


@pytest.fixture
def labelled(project: Project) -> tuple[Project, list[int]]:
    return project, team_project(project)


def test_agreement_counts_only_judgements_of_articles_done_for_each_annotator(
    labelled: tuple[Project, list[int]],
) -> None:
    project, (a, b, _c) = labelled
    report = project.agreement.agreement()
    assert report.annotators == ["ana", "budi", "citra"]  # gold is left out unless named
    # a: ana, budi (citra skipped); b: all three; c: budi only (ana todo) -> no unit.
    assert report.articles == 2
    expected = agreement(
        [
            ArticleJudgements(
                a,
                {
                    "ana": Judgement(
                        frozenset({(0, 11, "PER"), (15, 22, "GPE")}),
                        frozenset({(29, 46, "boilerplate")}),
                        {"stance:main": "favour"},
                    ),
                    "budi": Judgement(
                        frozenset({(0, 11, "PER"), (15, 22, "LOC")}),
                        frozenset({(29, 33, "boilerplate"), (47, 66, "boilerplate")}),
                        {"stance:main": "favour"},
                    ),
                },
                TEXTS[0],
            ),
            ArticleJudgements(
                b,
                {
                    "ana": Judgement(
                        frozenset({(0, 11, "PER"), (15, 17, "GPE")}),
                        frozenset({(21, 49, "boilerplate")}),
                        {"stance:main": "neutral"},
                    ),
                    "budi": Judgement(
                        frozenset({(0, 11, "PER")}),
                        frozenset({(21, 49, "boilerplate")}),
                        {"stance:main": "against"},
                    ),
                    "citra": Judgement(
                        frozenset({(0, 11, "PER")}),
                        frozenset({(21, 49, "boilerplate")}),
                        {"stance:main": "against"},
                    ),
                },
                TEXTS[1],
            ),
        ],
        ["ana", "budi", "citra"],
    )
    assert report.to_json() == expected.to_json()
    pairs = {(p.a, p.b): p for p in report.entity.pairs}
    assert pairs["ana", "budi"].articles == 2
    assert pairs["ana", "budi"].f1 == pytest.approx(2 * 2 / (4 + 3))
    assert pairs["ana", "citra"].articles == 1
    # Lines of a: "Joko...", "Baca juga", "Tinggalkan": ana marks line 2, budi lines 2 and 3.
    assert report.boilerplate.units == 3 + 2
    assert [d.article_id for d in report.disputed] == [a, b]


def test_agreement_of_named_annotators_may_include_gold(
    labelled: tuple[Project, list[int]],
) -> None:
    project, (_, _, _c) = labelled
    report = project.agreement.agreement(["budi", "gold"], layers=["stance"])
    assert report.articles == 1
    assert report.stance["main"].pairs[0].agreement == 1.0
    assert report.entity is None and report.boilerplate is None


def test_an_unknown_annotator_is_named_in_the_message(labelled: tuple[Project, list[int]]) -> None:
    project, _ = labelled
    with pytest.raises(ProjectError, match="no annotator called 'dewi'"):
        project.agreement.agreement(["ana", "dewi"])


def test_judgements_stream_in_pages_with_progress(labelled: tuple[Project, list[int]]) -> None:
    project, ids = labelled
    seen = []
    got = list(
        project.agreement.reader.judgements(
            ["ana", "budi", "citra"], min_finishers=1, page=1, on_progress=seen.append
        )
    )
    assert [j.article_id for j in got] == ids
    assert sorted(got[2].by) == ["budi"]
    assert [(p.done, p.total) for p in seen] == [(1, 3), (2, 3), (3, 3)]


def test_spans_read_coded_give_the_figures_of_spans_read_as_tuples(project: Project) -> None:
    """The agreement reads entities as codes the database joins; the figures must be those
    of the plain (start, end, label) judgements, also for a label the schema no longer
    has (it comes aside as JSON) and offsets past the emoji and CJK Extension B."""
    import random

    rng = random.Random(7)
    team_project(project)
    text = "Kim Jong Un 👨🏻‍🚒 di 𠮷野 dan Jakarta.\r\nBaca juga: banjir " * 6
    project.imports.store_articles([NewArticle(text=text, title=f"r{n}") for n in range(12)])
    labels = ["PER", "GPE", "ORG", "OLDLABEL"]
    schema = project.schema()
    project.set_schema(schema.with_entity_label("OLDLABEL"))
    for aid in list(project.article_ids())[3:]:
        base = [(s, s + rng.randint(2, 6), rng.choice(labels)) for s in range(0, 200, 9)]
        for name in ("ana", "budi", "citra"):
            for start, end, label in base:
                if rng.random() < 0.8:
                    project.labels.add_span(
                        aid, annotator=name, layer="entity", label=label, start=start, end=end
                    )
            if rng.random() < 0.9:
                project.labels.set_status(aid, annotator=name, status="done")
    # The label leaves the schema: its spans stay and still count.
    drop_entity_label(project, "OLDLABEL")
    names = project.agreement.agreement_annotators()
    plain = agreement(
        list(project.agreement.reader.judgements(names, texts=True)), names, layers=["entity"]
    )
    coded = project.agreement.agreement(layers=["entity"])
    assert coded.to_json() == plain.to_json()
    assert "OLDLABEL" in coded.entity.pairs[0].per_label


def test_two_processes_give_the_figures_of_one(project: Project) -> None:
    """A large project is counted in two processes (the worker counts the upper half of the
    article ids on its own connection); the figures are those of one process, also for a
    label the schema no longer has that only the worker's half uses (its code is mapped
    through the label) and with token alpha."""
    team_project(project)
    random_team_project(project)
    one = project.agreement.agreement(processes=1, token_alpha=True)
    seen = []
    two = project.agreement.agreement(processes=2, token_alpha=True, on_progress=seen.append)
    assert two.to_json() == one.to_json()
    assert "OLDLABEL" in two.entity.pairs[0].per_label
    assert two.articles > 10 and seen[-1].done == seen[-1].total == two.articles


def test_a_worker_that_cannot_open_the_project_leaves_its_half_to_this_process(
    project: Project, tmp_path
) -> None:
    team_project(project)
    random_team_project(project)
    one = project.agreement.agreement(processes=1)
    project.target = str(tmp_path / "moved-away.tandai")  # what the worker will try to open
    assert project.agreement.agreement(processes=2).to_json() == one.to_json()
