"""`python main.py learn` end to end: a real process trains, stores, suggests and reports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from storage import Project
from tests.storage.test_learning import fill

ROOT = Path(__file__).resolve().parents[2]


def tandai(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def test_learn_trains_stores_suggests_and_reports(tmp_path: Path) -> None:
    path = tmp_path / "p.tandai"
    with Project.create(path) as project:
        articles = fill(project, done=15, total=25)
    run = tandai("learn", path, "--layer", "entity", "-q")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("entity: trained ") and "on 15 articles" in lines[0]
    assert "held out: 15 articles in 5 folds" in lines[0]
    assert any(line.split()[:1] == ["GPE"] for line in lines)
    assert any(line.split()[:1] == ["PER"] for line in lines)
    assert "model span F1 1.00 on 15 held-out articles: suggesting" in run.stdout
    assert "looked at 10 articles not done; suggestions stored: 60" in run.stdout
    with Project.open(path) as project:
        aid, gold = articles[20]
        got = {(s.label, s.start, s.end) for s in project.suggestions(aid, sources=["model"])}
        assert got == set(gold)

    report = tandai("learn", path, "--report")
    assert report.returncode == 0, report.stderr
    assert report.stdout.startswith("entity: trained ")
    assert "span F1: 1.00" in report.stdout

    silent = tandai("learn", path, "--layer", "entity", "--min-f1", "1.5")
    assert silent.returncode == 1
    assert (
        silent.stderr.strip() == "tandai learn: the quality gate must be between 0 and 1, not 1.5"
    )
    assert "Traceback" not in silent.stderr


def test_learn_with_too_few_labels_says_so(tmp_path: Path) -> None:
    path = tmp_path / "p.tandai"
    with Project.create(path) as project:
        fill(project, done=3, total=5)
    run = tandai("learn", path, "-q")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "entity: no model: 3 done articles, a model needs at least 10",
        "stance:main: no model: 0 articles with this stance, a model needs at least 10",
    ]
    assert tandai("learn", path, "--report").stdout.strip() == (
        "no models stored; no model: 3 done articles, a model needs at least 10"
    )
