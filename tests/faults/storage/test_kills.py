"""SIGKILL at random moments, on SQLite and PostgreSQL: every acknowledged label and every
acknowledged import batch is there afterwards, the file is intact, and running the import
again completes it. Real processes, real kills; two writers at once in the labelling test."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.models import NewArticle
from storage import Project
from tests.faults.helpers import ROOT

IMPORTER = """
import sys
sys.path.insert(0, sys.argv[3])
from pathlib import Path
from storage import Project

with Project.open(sys.argv[1]) as project:
    # What this connection can count is committed: an acknowledgement of stored articles.
    project.imports.import_files(
        [Path(sys.argv[2])], detect=False,
        on_progress=lambda p: print("ACK", project.count_articles(), flush=True),
    )
    print("DONE", flush=True)
"""

LABELLER = """
import random, re, sys
sys.path.insert(0, sys.argv[2])
from storage import LabelError, Project

name, seed = sys.argv[3], int(sys.argv[4])
rng = random.Random(seed)
with Project.open(sys.argv[1]) as project:
    ids = list(project.article_ids())
    print("READY", flush=True)
    while True:
        aid = rng.choice(ids)
        text = project.article(aid).text
        m = rng.choice(list(re.finditer(r"\\w+", text)))
        try:
            span = project.labels.add_span(aid, annotator=name, layer="entity", label="GPE",
                                    start=m.start(), end=m.end())
        except LabelError:
            continue  # its own earlier span is there
        print("ACK", aid, span.start, span.end, flush=True)
"""


def _acks(out: str) -> list[list[str]]:
    """Whole lines only: the kill may cut the last one short."""
    return [line.split()[1:] for line in out.split("\n")[:-1] if line.startswith("ACK ")]


def _intact(target: str) -> None:
    if "://" in target:
        return
    con = sqlite3.connect(target)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


def test_killing_an_import_keeps_every_acknowledged_batch_and_a_rerun_completes_it(
    project_target: str, tmp_path: Path
) -> None:
    n = 5000
    data = tmp_path / "a.jsonl"
    data.write_text(
        "".join(json.dumps({"id": f"r{i}", "text": f"Berita {i}: warga kota."}) + "\n" for i in range(n)),
        "utf-8",
    )  # fmt: skip
    Project.create(project_target).close()
    rng = random.Random(11)
    for _ in range(4):
        child = subprocess.Popen(
            [sys.executable, "-c", IMPORTER, project_target, str(data), str(ROOT)],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(rng.uniform(0.3, 1.2))  # the interpreter starts in ~0.2 s
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        acked = max((int(a[0]) for a in _acks(out)), default=0)
        with Project.open(project_target) as project:
            stored = project.count_articles()
        _intact(project_target)
        assert stored >= acked  # every batch the importer saw committed is there
    done = subprocess.run(
        [sys.executable, "-c", IMPORTER, project_target, str(data), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "DONE" in done.stdout, done.stderr
    with Project.open(project_target) as project:
        assert project.count_articles() == n
        assert {project.article(a).external_id for a in project.article_ids()} == {
            f"r{i}" for i in range(n)
        }


def test_two_writers_killed_at_random_moments_lose_no_acknowledged_label(
    project_target: str,
) -> None:
    rng = random.Random(5)
    words = [
        "Jakarta",
        "Surabaya",
        "Bandung",
        "Medan",
        "warga",
        "pasar",
        "kota",
        "banjir",
        "rumah",
        "berita",
    ]
    with Project.create(project_target) as project:
        project.imports.store_articles(
            [NewArticle(text=" ".join(rng.choices(words, k=300))) for _ in range(6)]
        )
    acked: set[tuple[str, int, int, int]] = set()
    for round_no in range(4):
        children = {
            name: subprocess.Popen(
                [sys.executable, "-c", LABELLER, project_target, str(ROOT), name, str(round_no)],
                stdout=subprocess.PIPE,
                text=True,
            )
            for name in ("ana", "budi")
        }
        for child in children.values():
            assert child.stdout is not None and child.stdout.readline().strip() == "READY"
        time.sleep(rng.uniform(0.2, 0.8))
        for child in children.values():
            child.send_signal(signal.SIGKILL)
        for name, child in children.items():
            out, _ = child.communicate()
            acked |= {(name, int(a), int(s), int(e)) for a, s, e in _acks(out)}
    assert len(acked) >= 20, "the writers should have labelled a good many words"
    _intact(project_target)
    with Project.open(project_target) as project:
        stored = {
            (name, s.article_id, s.start, s.end)
            for name in ("ana", "budi")
            for aid in project.article_ids()
            for s in project.labels.spans(aid, annotator=name)
        }
    missing = acked - stored
    assert not missing, f"{len(missing)} acknowledged labels lost, e.g. {sorted(missing)[:3]}"
    assert {a[0] for a in acked} == {"ana", "budi"}


pytestmark = pytest.mark.slow
