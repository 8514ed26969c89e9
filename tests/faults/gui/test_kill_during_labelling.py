"""Killing the app while it labels loses nothing it showed as saved, and never corrupts the file.

A child process runs the real workspace (offscreen) on the project and labels words with key
presses, through exactly the path a person's key takes (text widget -> workspace -> undo
command -> session -> storage.Project). After each label it has seen stored and shown, it
prints an acknowledgement. The parent SIGKILLs it at a random moment, over and over, then
checks that every acknowledged span is in the file and that SQLite finds the file intact.
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from core.models import NewArticle
from storage import Project

ROOT = Path(__file__).resolve().parents[3]
KILLS = 24

CHILD = textwrap.dedent(
    r"""
    import random, re, sys
    sys.path.insert(0, sys.argv[2])
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from storage import Project
    from gui.session import Session
    from gui.workspace import Workspace

    app = QApplication([])
    project = Project.open(sys.argv[1], exclusive=True)
    session = Session(project, "crash")
    ws = Workspace(session)
    ws.show()
    rng = random.Random(int(sys.argv[3]))
    keys = ["1", "2", "3", "4", "5", "6", "7"]
    print("READY", flush=True)
    while True:
        aid = rng.choice(list(project.article_ids()))
        ws.show_article(aid)
        text = ws.view.geometry_.text
        taken = [(s.start, s.end) for s in ws.view.spans]
        free = [m for m in re.finditer(r"\w+", text)
                if not any(a < m.end() and m.start() < b for a, b in taken)]
        for m in rng.sample(free, min(5, len(free))):
            ws.view.select(m.start(), m.end())
            QTest.keyClick(ws.view.text, rng.choice(keys))
            shown = {(s.start, s.end, s.label) for s in ws.view.spans}
            mine = [s for s in shown if s[:2] == (m.start(), m.end())]
            if mine:
                print("ACK", aid, *mine[0], flush=True)
    """
)


def _words(rng: random.Random, n: int) -> str:
    vocab = ["Jakarta", "pemadam", "👨🏻‍🚒", "𠮷野", "مرحبا", "cafe\u0301", "tarif", "parkir"]
    vocab += ["warga", "Hendra", "pasar", "Rp5.000", "kota", "banjir", "rumah", "berita"]
    lines = []
    for _ in range(n // 12):
        lines.append(" ".join(rng.choice(vocab) for _ in range(12)) + ".")
    return "\n".join(lines)


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_no_acknowledged_label(tmp_path: Path) -> None:
    rng = random.Random(20241218)
    path = tmp_path / "crash.tandai"
    with Project.create(path) as project:
        project.imports.store_articles(
            [NewArticle(text=_words(rng, 360), title=f"Artikel {i}") for i in range(12)]
        )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    acked: set[tuple[int, int, int, str]] = set()
    kills = 0
    for round_no in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), str(ROOT), str(round_no)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert child.stdout is not None
        ready = child.stdout.readline()
        assert ready.strip() == "READY", child.stderr.read() if child.stderr else ready
        time.sleep(rng.uniform(0.02, 0.6))  # kill it somewhere while it labels
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate()
        assert child.returncode == -signal.SIGKILL, err
        kills += 1
        # The kill may cut the last line short: only a whole line is an acknowledgement.
        for line in out.split("\n")[:-1]:
            parts = line.split()
            if parts and parts[0] == "ACK":
                acked.add((int(parts[1]), int(parts[2]), int(parts[3]), parts[4]))
    assert kills >= 20
    assert len(acked) >= 50, "the child should have labelled a good many words before dying"

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    with Project.open(path) as project:
        stored = {
            (s.article_id, s.start, s.end, s.label)
            for aid in project.article_ids()
            for s in project.labels.spans(aid, annotator="crash")
        }
        missing = acked - stored
        assert not missing, f"{len(missing)} acknowledged labels lost, e.g. {sorted(missing)[:3]}"
        for aid in project.article_ids():  # and whatever is stored is well-formed
            text = project.article(aid).text
            spans = project.labels.spans(aid, annotator="crash", layer="entity")
            assert all(0 <= s.start < s.end <= len(text) for s in spans)
            assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
