"""Adjudication over a real project: gold labels with their origin, the review queue, and
re-runs that redo the automatic part only."""

from __future__ import annotations

import dataclasses

import pytest

from core.export.records import ExportSelection
from storage import AccessDenied, Project, ProjectError
from tests.storage.agreement_helpers import random_team_project, team_project


def _gold(project: Project, aid: int) -> list[tuple[str, str, int, int, str]]:
    return [
        (s.layer, s.label, s.start, s.end, s.origin)
        for s in project.labels.spans(aid, annotator="gold")
    ]


@pytest.fixture
def team(project: Project) -> tuple[Project, list[int]]:
    return project, team_project(project)


def test_adjudication_stores_what_a_majority_agrees_on_and_queues_the_rest(
    team: tuple[Project, list[int]],
) -> None:
    project, (a, b, c) = team
    report = project.agreement.adjudicate(into="gold")
    assert report.annotators == ["ana", "budi", "citra"]
    assert (report.articles, report.decided, report.review) == (3, 2, 1)
    # a: ana and budi finished it (citra skipped): a tie on GPE/LOC and on the last line.
    assert _gold(project, a) == [
        ("entity", "PER", 0, 11, "adjudicated:ana+budi"),
        ("boilerplate", "boilerplate", 29, 46, "adjudicated:ana+budi"),
    ]
    assert project.labels.doc_labels(a, annotator="gold") == {"stance:main": "favour"}
    assert project.labels.doc_label_origins(a, annotator="gold") == {
        "stance:main": "adjudicated:ana+budi"
    }
    assert project.agreement.review_queue() == [a]
    item = project.agreement.review_item(a)
    assert item is not None and item.state == "review"
    assert item.undecided == (
        "entity GPE 15–22: 1 of 2",
        "entity LOC 15–22: 1 of 2",
        "boilerplate line 47–66: 1 of 2",
    )
    assert project.labels.progress(a, annotator="gold").status == "todo"
    # b: three finishers; ana alone on 𠮷野 and on "neutral".
    assert _gold(project, b) == [
        ("entity", "PER", 0, 11, "adjudicated:ana+budi+citra"),
        ("boilerplate", "boilerplate", 20, 48, "adjudicated:ana+budi+citra"),
    ]
    assert project.labels.doc_labels(b, annotator="gold") == {"stance:main": "against"}
    assert project.labels.progress(b, annotator="gold").status == "done"
    # c: gold already holds hand-made labels equal to budi's; they stay as they were.
    assert _gold(project, c) == [
        ("entity", "PER", 0, 11, "manual"),
        ("boilerplate", "boilerplate", 38, 47, "manual"),
    ]
    assert project.labels.progress(c, annotator="gold").status == "done"


def test_running_it_again_changes_nothing(team: tuple[Project, list[int]]) -> None:
    project, ids = team
    project.agreement.adjudicate(into="gold")
    before = [
        (_gold(project, aid), project.labels.doc_labels(aid, annotator="gold")) for aid in ids
    ]
    again = project.agreement.adjudicate(into="gold")
    assert (again.spans_added, again.spans_removed, again.doc_labels) == (0, 0, 0)
    assert [
        (_gold(project, aid), project.labels.doc_labels(aid, annotator="gold")) for aid in ids
    ] == before


def test_a_rerun_redoes_the_automatic_part_after_more_annotation(
    team: tuple[Project, list[int]],
) -> None:
    project, (a, b, _) = team
    project.agreement.adjudicate(into="gold")
    # citra finishes a, siding with budi on LOC and the last line, and against on stance.
    for sid in [
        s.id for s in project.labels.spans(a, annotator="citra") if (s.start, s.end) == (0, 4)
    ]:
        project.labels.delete_span(sid)
    project.labels.add_span(a, annotator="citra", layer="entity", label="PER", start=0, end=11)
    project.labels.add_span(a, annotator="citra", layer="entity", label="LOC", start=15, end=22)
    project.labels.add_span(
        a, annotator="citra", layer="boilerplate", label="boilerplate", start=50, end=60
    )
    project.labels.set_status(a, annotator="citra", status="done")
    # budi changes his mind on b: now only citra says "against".
    project.labels.set_doc_label(b, annotator="budi", key="stance:main", value="neutral")
    report = project.agreement.adjudicate(into="gold")
    assert _gold(project, a) == [
        ("entity", "PER", 0, 11, "adjudicated:ana+budi+citra"),
        ("entity", "LOC", 15, 22, "adjudicated:ana+budi+citra"),
        ("boilerplate", "boilerplate", 29, 46, "adjudicated:ana+budi+citra"),
        ("boilerplate", "boilerplate", 47, 66, "adjudicated:ana+budi+citra"),
    ]
    assert project.agreement.review_queue() == []
    assert project.labels.progress(a, annotator="gold").status == "done"
    assert project.labels.doc_labels(b, annotator="gold") == {"stance:main": "neutral"}
    assert report.spans_removed == 2  # a's two spans of the earlier origin


def test_a_rerun_never_overwrites_what_a_reviewer_settled_by_hand(
    team: tuple[Project, list[int]],
) -> None:
    project, (a, b, _) = team
    project.agreement.adjudicate(into="gold")
    # The reviewer settles a: GPE it is, and the stance is neutral.
    project.labels.add_span(
        a, annotator="gold", layer="entity", label="GPE", start=15, end=22, origin="review"
    )
    project.labels.set_doc_label(a, annotator="gold", key="stance:main", value="neutral")
    project.labels.set_status(a, annotator="gold", status="done")
    assert project.agreement.settle_review(a) == "review"
    # In b the reviewer only changes the stance, without settling the article.
    project.labels.set_doc_label(b, annotator="gold", key="stance:main", value="favour")
    settled_a = _gold(project, a)
    project.labels.set_doc_label(a, annotator="budi", key="stance:main", value="against")
    project.labels.set_doc_label(b, annotator="ana", key="stance:main", value="against")
    report = project.agreement.adjudicate(into="gold")
    assert report.settled == 1
    assert _gold(project, a) == settled_a
    assert project.labels.doc_labels(a, annotator="gold") == {"stance:main": "neutral"}
    assert project.agreement.review_queue() == []
    assert project.labels.doc_labels(b, annotator="gold") == {"stance:main": "favour"}


def test_gold_exports_like_any_annotator(team: tuple[Project, list[int]]) -> None:
    project, (_, b, c) = team
    project.agreement.adjudicate(into="gold")
    records = list(
        project.exports.export_records(ExportSelection(statuses=("done",), annotators=("gold",)))
    )
    assert [(r.article_id, r.annotator) for r in records] == [(b, "gold"), (c, "gold")]


def test_min_agree_above_the_finishers_sends_everything_to_review(
    team: tuple[Project, list[int]],
) -> None:
    project, ids = team
    report = project.agreement.adjudicate(into="gold", min_agree=3)
    assert (report.decided, report.review) == (0, 3)
    assert project.agreement.review_queue() == ids
    with pytest.raises(ProjectError, match="at least 1"):
        project.agreement.adjudicate(into="gold", min_agree=0)


def test_once_there_is_a_lead_only_a_lead_adjudicates(team: tuple[Project, list[int]]) -> None:
    project, ids = team
    if not project.is_sqlite:
        pytest.skip("on PostgreSQL who edits is the login; roles are tested with SQLite here")
    project.edits.set_role("lea", "lead")
    project.edits.act_as("ana")
    with pytest.raises(AccessDenied, match="only a lead may change another annotator's labels"):
        project.agreement.adjudicate(into="gold")
    assert project.agreement.review_queue() == []
    assert {origin for aid in ids for *_, origin in _gold(project, aid)} == {"manual"}
    project.edits.act_as("lea")
    assert project.agreement.adjudicate(into="gold").decided == 2


def _everything_of(project: Project, into: str, ids: list[int]) -> list[object]:
    return [
        (
            [
                (s.layer, s.label, s.start, s.end, s.origin)
                for s in project.labels.spans(aid, annotator=into)
            ],
            project.labels.doc_labels(aid, annotator=into),
            project.agreement.review_item(aid),
        )
        for aid in ids
    ]


@pytest.mark.parametrize("worker_opens", [True, False])
def test_a_worker_deciding_while_this_process_writes_stores_what_one_process_stores(
    project: Project, tmp_path, worker_opens: bool
) -> None:
    """On a large project a worker process reads and decides while this process writes;
    the gold it leaves is that of one process. A worker that cannot open the project
    (moved away, say) leaves the deciding to this process."""
    ids = team_project(project) + random_team_project(project)
    names = ["ana", "budi", "citra"]
    one = project.agreement.adjudicate(into="gold1", annotators=names, processes=1)
    alone = _everything_of(project, "gold1", ids)
    if not worker_opens:
        project.target = str(tmp_path / "moved-away.tandai")
    seen = []
    two = project.agreement.adjudicate(
        into="gold2", annotators=names, processes=2, on_progress=seen.append
    )
    assert _everything_of(project, "gold2", ids) == alone
    assert dataclasses.replace(two, into="gold1") == one
    assert one.spans_added > 100 and one.review > 0 and one.decided > 0
    assert seen[-1].done == seen[-1].total == one.articles
    # Run again with the worker: nothing left to change.
    again = project.agreement.adjudicate(into="gold2", annotators=names, processes=2)
    assert (again.spans_added, again.spans_removed, again.doc_labels) == (0, 0, 0)
    assert _everything_of(project, "gold2", ids) == alone
