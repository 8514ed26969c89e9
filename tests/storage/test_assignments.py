"""Assignments in a project: stored, re-run for new imports, reassigned, counted, queued."""

from __future__ import annotations

from collections import Counter

import pytest

from core.models import NewArticle
from core.query import ArticleFilter
from storage import Project, ProjectError


def add(project: Project, count: int, *, start: int = 0, source: str = "a.example") -> list[int]:
    project.store_articles(
        NewArticle(text=f"Artikel {i} tentang banjir.", title=f"T{i}", source=source)
        for i in range(start, start + count)
    )
    return list(project.article_ids())


def test_assign_shares_all_articles_and_a_rerun_shares_only_new_ones(project: Project) -> None:
    add(project, 30)
    plan = project.assign(["ana", "budi", "citra"], overlap=0.2, per_overlap=2, seed=1)
    assert plan.articles == 30 and plan.overlapping == 6
    assert project.assignment_counts() == {"ana": 12, "budi": 12, "citra": 12}
    again = project.assign(["ana", "budi", "citra"], overlap=0.2, seed=1)
    assert again.articles == 0 and project.assignment_counts()["ana"] == 12
    add(project, 4, start=100)
    later = project.assign(["ana", "budi", "citra"], seed=1)
    assert later.articles == 4
    counts = project.assignment_counts()
    assert sum(counts.values()) == 40 and max(counts.values()) - min(counts.values()) <= 1


def test_assign_takes_only_the_filtered_articles(project: Project) -> None:
    add(project, 5, source="a.example")
    add(project, 3, start=50, source="b.example")
    plan = project.assign(["ana"], flt=ArticleFilter(sources=("b.example",)))
    assert plan.articles == 3
    queue = project.list_articles(ArticleFilter(assigned_to="ana"))
    assert {a.source for a in queue} == {"b.example"} and len(queue) == 3
    assert project.count_articles(ArticleFilter(assigned_to="ana", annotator="ana")) == 3
    flt = ArticleFilter(assigned_to="ana", sources=("a.example",))
    assert project.count_articles(flt) == 0


def test_the_preview_writes_nothing_and_matches_what_assign_writes(project: Project) -> None:
    add(project, 20)
    preview = project.plan_assignment(["ana", "budi"], overlap=0.5, seed=4)
    assert not project.has_assignments()
    done = project.assign(["ana", "budi"], overlap=0.5, seed=4)
    assert done.pairs == preview.pairs


def test_reassign_moves_only_unfinished_articles(project: Project) -> None:
    ids = add(project, 6)
    project.assign(["ana", "budi"], overlap=1.0, per_overlap=2)  # both hold every article
    project.set_status(ids[0], annotator="ana", status="done")
    project.set_status(ids[1], annotator="ana", status="skipped")
    project.set_status(ids[2], annotator="ana", status="todo")
    moved = project.reassign("ana", "citra")
    assert moved == 4
    assert project.assignees(ids[0]) == ["ana", "budi"]
    assert project.assignees(ids[2]) == ["budi", "citra"]
    # Budi already holds them: moving his to citra, who holds four of them, adds no twin row.
    assert project.reassign("budi", "citra") == 6
    assert project.assignment_counts() == {"ana": 2, "citra": 6}
    with pytest.raises(ProjectError, match="same annotator"):
        project.reassign("citra", "citra")


def test_next_to_do_follows_the_queue(project: Project) -> None:
    ids = add(project, 6)
    project.assign(["ana", "budi"], seed=0)
    queue = [a.id for a in project.list_articles(ArticleFilter(assigned_to="ana"))]
    assert len(queue) == 3
    assert project.next_todo_id("ana", queue=True) == queue[0]
    project.set_status(queue[0], annotator="ana", status="done")
    assert project.next_todo_id("ana", after_id=queue[0], queue=True) == queue[1]
    assert project.next_todo_id("ana", after_id=queue[0]) == ids[ids.index(queue[0]) + 1]
    for aid in queue:
        project.set_status(aid, annotator="ana", status="done")
    assert project.next_todo_id("ana", queue=True) is None


def test_team_stats_count_per_annotator_and_for_the_project(project: Project) -> None:
    ids = add(project, 4)
    project.assign(["ana", "budi"], seed=0)
    ana = [a.id for a in project.list_articles(ArticleFilter(assigned_to="ana"))]
    project.add_span(ana[0], annotator="ana", layer="entity", label="PER", start=0, end=7)
    project.set_status(ana[0], annotator="ana", status="done", add_seconds=30)
    project.set_status(ana[1], annotator="ana", status="flagged", add_seconds=10)
    stats = project.team_stats()
    rows = {r.annotator: r for r in stats.rows}
    assert (rows["ana"].assigned, rows["ana"].done, rows["ana"].flagged) == (2, 1, 1)
    assert rows["ana"].remaining == 0 and rows["budi"].remaining == 2
    assert rows["ana"].median_seconds == 30 and rows["ana"].labels_per_hour == 90
    assert rows["ana"].last_active is not None and rows["budi"].last_active is None
    assert stats.total is not None
    assert (stats.total.assigned, stats.total.done, stats.total.remaining) == (4, 1, 2)
    assert Counter(project.assignees(i)[0] for i in ids) == {"ana": 2, "budi": 2}


def test_projects_have_an_id_that_survives_reopening(project_target: str) -> None:
    with Project.create(project_target) as project:
        first = project.project_id()
    with Project.open(project_target) as project:
        assert project.project_id() == first and len(first) == 32


def test_a_project_from_before_assignments_gains_an_id_and_can_be_assigned(tmp_path) -> None:
    from storage.database import open_database
    from storage.migrations import migrate

    path = tmp_path / "old.tandai"
    db = open_database(str(path), must_exist=False)
    migrate(db, name="old", upto=6)  # the version before assignments
    db.execute_sql(
        "INSERT INTO article (external_id, content_hash, title, url, source, published,"
        " meta, created) VALUES ('a1', 'h1', 'Lama', '', 'x', '', '{}', '2024-01-01')"
    )
    db.execute_sql("INSERT INTO article_text (article_id, text) VALUES (1, 'Kabar lama')")
    db.close()
    with Project.open(path) as project:
        assert len(project.project_id()) == 32
        assert project.assign(["ana"]).articles == 1
    with Project.open(path) as project:
        assert project.assignment_counts() == {"ana": 1}
