"""Moving through articles in list order, the next to do for an annotator, and done counts."""

from __future__ import annotations

from core.models import NewArticle
from core.query import ArticleFilter
from storage import Project


def _ids(project: Project, n: int = 5) -> list[int]:
    project.imports.store_articles(
        [NewArticle(text=f"teks nomor {i} di sini", title=str(i)) for i in range(n)]
    )
    return list(project.article_ids())


def test_next_and_previous_follow_list_order_and_stop_at_the_ends(project: Project) -> None:
    ids = _ids(project)
    assert project.navigation.first_article_id() == ids[0]
    assert project.navigation.next_article_id(ids[1]) == ids[2]
    assert project.navigation.previous_article_id(ids[1]) == ids[0]
    assert project.navigation.previous_article_id(ids[0]) is None
    assert project.navigation.next_article_id(ids[-1]) is None
    only = ArticleFilter(ids=(ids[0], ids[3]))
    assert project.navigation.next_article_id(ids[0], only) == ids[3]


def test_next_todo_skips_what_the_annotator_finished_and_wraps_round(project: Project) -> None:
    ids = _ids(project)
    project.labels.set_status(ids[2], annotator="ani", status="done")
    project.labels.set_status(ids[3], annotator="ani", status="skipped")
    project.labels.set_status(ids[4], annotator="budi", status="done")  # someone else's
    assert project.navigation.next_todo_id("ani", after_id=ids[1]) == ids[4]
    assert project.navigation.next_todo_id("ani", after_id=ids[4]) == ids[0]
    for i in (ids[0], ids[1], ids[4]):
        project.labels.set_status(i, annotator="ani", status="done")
    assert project.navigation.next_todo_id("ani", after_id=ids[0]) is None
    assert project.navigation.next_todo_id("budi") == ids[0]


def test_next_todo_does_not_offer_the_article_it_starts_from(project: Project) -> None:
    ids = _ids(project, 2)
    project.labels.set_status(ids[1], annotator="ani", status="done")
    assert project.navigation.next_todo_id("ani", after_id=ids[0]) is None


def test_done_count_counts_only_this_annotators_done_articles(project: Project) -> None:
    ids = _ids(project)
    project.labels.set_status(ids[0], annotator="ani", status="done")
    project.labels.set_status(ids[1], annotator="ani", status="flagged")
    project.labels.set_status(ids[2], annotator="budi", status="done")
    assert project.labels.done_count("ani") == 1
    assert project.labels.done_count("budi") == 1
    assert project.labels.done_count("citra") == 0


def test_open_state_reads_the_annotators_spans_in_order_and_their_stance(
    project: Project,
) -> None:
    ids = _ids(project, 1)
    project.labels.add_span(ids[0], annotator="ani", layer="entity", label="MISC", start=5, end=10)
    project.labels.add_span(
        ids[0], annotator="ani", layer="boilerplate", label="boilerplate", start=0, end=4
    )
    project.labels.add_span(ids[0], annotator="budi", layer="entity", label="PER", start=0, end=4)
    project.labels.set_doc_label(ids[0], annotator="ani", key="stance:main", value="neutral")
    spans, docs = project.navigation.open_state(ids[0], annotator="ani")
    assert spans == project.labels.spans(ids[0], annotator="ani")
    assert [(s.start, s.layer) for s in spans] == [(0, "boilerplate"), (5, "entity")]
    assert docs == {"stance:main": "neutral"}
