"""Two processes writing one annotator's labels at the same moment, on SQLite and PostgreSQL.

Real processes, each with its own connection, released together by a barrier for every try:
the same annotator never ends up with overlapping entity spans, a simultaneous first stance
never raises a raw database error, and seconds added at once are all counted.
"""

from __future__ import annotations

import multiprocessing as mp
import traceback
from typing import Any

import pytest

from core.models import NewArticle
from storage import LabelError, Project

TRIES = 20
TEXT = "Joko Widodo bertemu Prabowo Subianto di Jakarta pada hari Senin."


def _worker(target: str, kind: str, me: int, ids: list[int], barrier: Any, out: Any) -> None:
    """One writer: for each article, wait for the other, then write at the same moment."""
    outcomes: list[str] = []
    try:
        with Project.open(target) as project:
            for aid in ids:
                barrier.wait(timeout=60)
                try:
                    if kind == "overlap":
                        start, end = (0, 11) if me == 0 else (5, 19)
                        project.add_span(
                            aid, annotator="ani", layer="entity", label="PER", start=start, end=end
                        )
                    elif kind == "stance":
                        value = "favour" if me == 0 else "against"
                        project.set_doc_label(aid, annotator="ani", key="stance:main", value=value)
                    else:
                        project.set_status(aid, annotator="ani", status="done", add_seconds=1.5)
                    outcomes.append("stored")
                except LabelError as exc:
                    outcomes.append(f"refused: {exc}")
    except Exception:
        outcomes.append("crashed: " + traceback.format_exc())
    out.put((me, outcomes))


def _race(target: str, kind: str, ids: list[int]) -> list[list[str]]:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    out = ctx.Queue()
    workers = [
        ctx.Process(target=_worker, args=(target, kind, me, ids, barrier, out)) for me in (0, 1)
    ]
    for w in workers:
        w.start()
    results = dict(out.get(timeout=240) for _ in workers)
    for w in workers:
        w.join(timeout=60)
    return [results[0], results[1]]


@pytest.fixture
def target_with_articles(project_target: str) -> tuple[str, list[int]]:
    with Project.create(project_target) as project:
        project.store_articles(NewArticle(text=f"{TEXT} ({n})") for n in range(TRIES))
        ids = list(project.article_ids())
        project.annotator_id("ani")
    return project_target, ids


def test_one_annotator_from_two_connections_never_stores_overlapping_entities(
    target_with_articles: tuple[str, list[int]],
) -> None:
    target, ids = target_with_articles
    outcomes = _race(target, "overlap", ids)
    assert not [o for o in outcomes[0] + outcomes[1] if o.startswith("crashed")], outcomes
    with Project.open(target) as project:
        for aid in ids:
            spans = project.spans(aid, annotator="ani", layer="entity")
            assert len(spans) == 1, (aid, spans)
    stored = sum(o == "stored" for o in outcomes[0] + outcomes[1])
    refused = [o for o in outcomes[0] + outcomes[1] if o.startswith("refused")]
    assert stored == TRIES and len(refused) == TRIES
    assert all("overlaps the PER span" in o for o in refused)


def test_a_simultaneous_first_stance_is_stored_once_without_a_database_error(
    target_with_articles: tuple[str, list[int]],
) -> None:
    target, ids = target_with_articles
    outcomes = _race(target, "stance", ids)
    assert outcomes == [["stored"] * TRIES, ["stored"] * TRIES]
    with Project.open(target) as project:
        for aid in ids:
            assert project.doc_labels(aid, annotator="ani")["stance:main"] in {
                "favour",
                "against",
            }
            assert len(project.all_doc_labels(aid)) == 1


def test_seconds_added_at_the_same_moment_are_all_counted(
    target_with_articles: tuple[str, list[int]],
) -> None:
    target, ids = target_with_articles
    outcomes = _race(target, "status", ids)
    assert outcomes == [["stored"] * TRIES, ["stored"] * TRIES]
    with Project.open(target) as project:
        assert [project.progress(aid, annotator="ani").seconds for aid in ids] == [3.0] * TRIES
