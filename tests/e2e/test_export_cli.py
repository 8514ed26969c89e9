"""``main.py export`` and ``main.py import --as-annotator`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from storage import Project
from tests.storage.export_helpers import labelled_project, read_jsonl

ROOT = Path(__file__).resolve().parents[2]


def tandai(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_export_split_then_import_and_export_again_gives_the_same_files(tmp_path: Path) -> None:
    with Project.create(tmp_path / "a.tandai") as project:
        labelled_project(project, tmp_path)
    run = tandai(
        "export", tmp_path / "a.tandai", tmp_path / "one", "--split", "train=0.5,dev=0.25,test=0.25",
        "--seed", "9", "--tokens",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "4 records of 4 articles" in run.stdout
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert names == [".tandai-export.json", "README.md", "dev.jsonl", "test.jsonl", "train.jsonl"]
    card = (tmp_path / "one" / "README.md").read_text("utf-8")
    assert "--split train=0.5,dev=0.25,test=0.25 --seed 9" in card
    files = [tmp_path / "one" / n for n in names if n.endswith(".jsonl")]
    run = tandai("import", tmp_path / "b.tandai", *files, "--as-annotator", "alice", "-q")
    assert run.returncode == 0, run.stderr
    assert "4 imported" in run.stdout and "9 spans" in run.stdout
    run = tandai(
        "export", tmp_path / "b.tandai", tmp_path / "two", "--split", "train=0.5,dev=0.25,test=0.25",
        "--seed", "9", "--tokens", "-q",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    for name in ("train.jsonl", "dev.jsonl", "test.jsonl"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_export_filters_and_reports_bad_options(tmp_path: Path) -> None:
    with Project.create(tmp_path / "a.tandai") as project:
        labelled_project(project, tmp_path)
    run = tandai(
        "export", tmp_path / "a.tandai", tmp_path / "ar", "--lang", "ar", "--format", "stance"
    )
    assert run.returncode == 0, run.stderr
    (line,) = read_jsonl(tmp_path / "ar" / "data.jsonl")
    assert (line["id"], line["target"], line["label"]) == ("ar-1", "main", "neutral")
    assert "writing" in run.stderr  # the progress bar
    bad = tandai("export", tmp_path / "a.tandai", tmp_path / "x", "--status", "finished")
    assert bad.returncode == 1 and "unknown" in bad.stderr
    bad = tandai("export", tmp_path / "a.tandai", tmp_path / "x", "--split", "train=1.5")
    assert bad.returncode == 1 and "--split" in bad.stderr
    bad = tandai("export", tmp_path / "a.tandai", tmp_path / "x", "--annotator", "zed")
    assert bad.returncode == 1 and "no annotator called 'zed'" in bad.stderr


def test_import_reports_bad_labels_per_line(tmp_path: Path) -> None:
    path = tmp_path / "doccano.jsonl"
    lines = [
        {"text": "Joko Widodo tiba di Jakarta.", "label": [[0, 11, "PER"], [20, 27, "GPE"]]},
        {"text": "Prabowo tiba di Bandung.", "label": [[0, 7, "PERSON"], [16, 99, "GPE"]]},
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), "utf-8")
    run = tandai("import", tmp_path / "p.tandai", path, "--as-annotator", "ann")
    assert run.returncode == 2, run.stderr  # finished, with skipped labels
    assert f"{path}:2: unknown label" in run.stderr
    assert f"{path}:2: span outside the text" in run.stderr
    assert "2 spans" in run.stdout and "2 skipped" in run.stdout
