"""`python main.py suggest` end to end: real processes, a real project file, real JSONL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from storage import Project

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "fixtures" / "boilerplate_gold.jsonl"


def tandai(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_suggest_then_accept_boilerplate_labels_every_gold_boilerplate_line(
    tmp_path: Path,
) -> None:
    project = tmp_path / "p.tandai"
    assert tandai("import", project, GOLD, "--no-detect", "-q").returncode == 0
    run = tandai("suggest", project)
    assert run.returncode == 0, run.stderr
    assert "24 articles looked at" in run.stdout
    assert "suggesting" in run.stderr  # the progress bar
    accept = tandai("suggest", project, "--no-run", "--accept", "boilerplate", "--annotator", "ani")
    assert accept.returncode == 0, accept.stderr
    assert "accepted for ani" in accept.stdout
    # Accepting is not reviewing: statuses stay todo, and the user is told what that means.
    assert "statuses unchanged: 24 todo articles hold ani's labels" in accept.stdout

    gold = {g["id"]: g for g in map(json.loads, GOLD.read_text("utf-8").splitlines())}
    with Project.open(project) as proj:
        tp = fp = fn = 0
        for aid in proj.article_ids():
            article = proj.article(aid)
            labels = gold[article.external_id]["labels"]
            spans = proj.labels.spans(aid, annotator="ani", layer="boilerplate")
            assert all(s.origin.startswith("suggestion:") for s in spans)
            pos = 0
            for line, label in zip(article.text.split("\n"), labels, strict=True):
                if line.strip():
                    hit = any(s.start < pos + len(line) and s.end > pos for s in spans)
                    tp += hit and label
                    fp += hit and not label
                    fn += label and not hit
                pos += len(line) + 1
    assert tp / (tp + fp) >= 0.95 and tp / (tp + fn) >= 0.90


def test_patterns_rules_and_bad_arguments_from_the_command_line(tmp_path: Path) -> None:
    project = tmp_path / "p.tandai"
    articles = tmp_path / "a.jsonl"
    articles.write_text(
        "\n".join(
            json.dumps(
                {"id": str(n), "text": f"Pasukan tiba di Kursk hari ke-{n}.\nBaca juga: X{n}"}
            )
            for n in range(3)
        ),
        encoding="utf-8",
    )
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text('{"label": "GPE", "pattern": "Kursk"}\n{"oops": 1}\n', encoding="utf-8")
    assert tandai("import", project, articles, "--no-detect", "-q").returncode == 0
    run = tandai("suggest", project, "--patterns", patterns, "--rule-prefix", "Baca juga:", "-q")
    assert run.returncode == 0, run.stderr
    assert "1 patterns added" in run.stdout
    assert "line 2" in run.stderr
    assert "^Baca juga: matches 3 lines in 3 articles" in run.stdout
    with Project.open(project) as proj:
        sources = {
            s.source for aid in proj.article_ids() for s in proj.suggestions.suggestions(aid)
        }
    assert {"patterns", "rule:^Baca juga:", "lexicon"} <= sources
    refused = tandai("suggest", project, "--accept", "entity")
    assert refused.returncode == 1 and "--annotator" in refused.stderr
