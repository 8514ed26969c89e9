"""A live team on the real PostgreSQL server: three annotator processes label the same
project at once, each from their own queue, and nothing is lost or duplicated.

Two annotators holding the same article (the overlap) is defined as: each labels it under
their own name, neither sees nor changes the other's labels, and both sets are kept (that is
what agreement is measured on). One annotator working from two processes at once (two
windows, two machines) is serialised per article by the edit path: the same span is stored
once, the other attempt is refused as already labelled.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from core.models import NewArticle
from core.query import ArticleFilter
from storage import Project
from tests.conftest import postgres_url_or_skip

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres

WORKER = textwrap.dedent(
    r"""
    import sys
    sys.path.insert(0, sys.argv[1])
    from storage import LabelError, Project
    url, name, rounds = sys.argv[2], sys.argv[3], int(sys.argv[4])
    stored = refused = 0
    with Project.open(url) as project:
        for _ in range(rounds):
            # Next to do in their own queue; every article gets two spans, a stance, done.
            aid = project.next_todo_id(name, queue=True)
            if aid is None:
                break
            for start, end in ((0, 6), (8, 14)):
                try:
                    project.add_span(aid, annotator=name, layer="entity", label="PER",
                                     start=start, end=end)
                    stored += 1
                except LabelError:
                    refused += 1  # the same person in another process was first
            project.set_doc_label(aid, annotator=name, key="stance:main", value="neutral")
            project.set_status(aid, annotator=name, status="done", add_seconds=1.0)
    print(stored, refused)
    """
)


def test_three_annotators_label_one_server_project_at_once(tmp_path: Path) -> None:
    url = postgres_url_or_skip()
    with Project.create(url) as project:
        project.store_articles(
            NewArticle(text=f"Artikel {i:03d} tentang banjir di kota.", title=f"A{i}")
            for i in range(60)
        )
        project.assign(["ana", "budi", "citra"], overlap=0.5, per_overlap=2, seed=11)
        queues = {
            n: {a.id for a in project.list_articles(ArticleFilter(assigned_to=n), limit=1000)}
            for n in ("ana", "budi", "citra")
        }
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    # ana works from two processes at once (two windows): her queue is raced for.
    names = ["ana", "budi", "citra", "ana"]
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(ROOT), url, name, "500"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    stored = {}
    for name, (out, _) in zip(names, outputs, strict=True):
        s, _refused = map(int, out.split())
        stored[name] = stored.get(name, 0) + s
    with Project.open(url) as project:
        for name, queue in queues.items():
            spans = [s for aid in queue for s in project.spans(aid, annotator=name)]
            keys = [(s.article_id, s.start, s.end) for s in spans]
            assert len(keys) == len(set(keys)) == 2 * len(queue), name  # none lost, none twice
            assert stored[name] == len(spans)  # every span a process was told was stored
            assert all(project.progress(a, annotator=name).status == "done" for a in queue)
            assert project.team_stats().rows[0].remaining == 0
            outside = set(project.article_ids()) - queue
            assert not any(project.spans(a, annotator=name) for a in outside)
        shared = queues["ana"] & queues["budi"] | queues["ana"] & queues["citra"]
        shared |= queues["budi"] & queues["citra"]
        assert len(shared) == 30
        for aid in shared:  # two holders: both sets kept, each under its own name
            assert len({s.annotator for s in project.spans(aid)}) == 2
            assert len(project.spans(aid)) == 4
        rows = {r.annotator: r for r in project.team_stats().rows}
        assert all(rows[n].done == len(queues[n]) for n in queues)
