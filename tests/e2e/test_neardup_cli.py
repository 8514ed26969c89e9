"""`import --near-duplicates` and `propagate` end to end: real processes, a real project."""

from __future__ import annotations

import json
from pathlib import Path

from storage import Project
from tests.e2e.test_suggest_cli import tandai
from tests.fixtures.rewrites import corpus


def _jsonl(path: Path, articles: list) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for a in articles:
            fh.write(json.dumps({"id": f"a{a.index}", "text": a.text}, ensure_ascii=False) + "\n")
    return path


def test_import_reports_or_skips_near_duplicates_and_propagate_carries_labels(
    tmp_path: Path,
) -> None:
    articles = corpus(12, stories=2, rewrites=(3, 3), reports=(1, 1), background=3)
    firsts = [a for a in articles if a.kind in ("original", "report", "background")]
    rewrites = [a for a in articles if a.kind in ("light", "spinner")]
    project = tmp_path / "p.tandai"
    run = tandai("import", project, _jsonl(tmp_path / "a.jsonl", firsts), "-q", "--no-detect")
    assert run.returncode == 0 and "near-duplicate" not in run.stdout  # left to the app
    run = tandai(
        "import", project, _jsonl(tmp_path / "b.jsonl", rewrites), "-q", "--near-duplicates", "skip"
    )
    assert run.returncode == 0, run.stderr
    assert "6 near-duplicates found and skipped" in run.stdout
    run = tandai("import", project, tmp_path / "b.jsonl", "-q")
    assert "6 near-duplicates found (kept)" in run.stdout
    original = next(a for a in articles if a.kind == "original")
    with Project.open(project) as p:
        aid = next(
            s.id for s in p.list_articles(limit=100) if s.external_id == f"a{original.index}"
        )
        for start, end, label in original.spans:
            p.labels.add_span(
                aid, annotator="ani", layer="entity", label=label, start=start, end=end
            )
        p.labels.set_doc_label(aid, annotator="ani", key="stance:main", value="favour")
    run = tandai("propagate", project, "--annotator", "ani")
    assert run.returncode == 0, run.stderr
    assert "carried to 3 near-duplicates of 1 labelled article" in run.stdout
    assert "could not be placed" in run.stdout
    assert "3 stances carried (3 new)" in run.stdout
    run = tandai(
        "import", project, tmp_path / "b.jsonl", "--as-annotator", "x", "--near-duplicates", "skip"
    )
    assert run.returncode == 1 and "unlabelled articles only" in run.stderr
