"""The team workflow from the command line alone, as a lead and annotators run it:
import, assign, package, label (in the packages), merge, progress."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.models import NewArticle
from storage import Project
from tests.conftest import postgres_url_or_skip

ROOT = Path(__file__).resolve().parents[2]


def tandai(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_import_assign_package_label_merge_and_progress(tmp_path: Path, backend: str) -> None:
    source = tmp_path / "news.jsonl"
    with source.open("w", encoding="utf-8") as fh:
        for i in range(50):
            text = f"Berita {i}: Joko Widodo 👨🏻‍🚒 berkunjung ke 𠮷野.\r\nBaca juga: harga {i}"
            fh.write(json.dumps({"text": text, "title": f"Berita {i}"}) + "\n")
    project = str(tmp_path / "team.tandai") if backend == "sqlite" else postgres_url_or_skip()
    if backend == "postgres":
        Project.create(project).close()  # a server database is made by its admin, then used
    run = tandai("import", project, source, "--no-detect", "-q")
    assert run.returncode == 0, run.stderr
    names = ["ana", "budi", "citra", "dewi", "eko"]
    run = tandai(
        "assign", project, "--annotators", ",".join(names), "--overlap", "0.2", "--seed", "3"
    )
    assert run.returncode == 0, run.stderr
    assert "assigned 50 articles (10 to 2 annotators each); 60 assignments" in run.stdout
    run = tandai("stats", project)
    assert "assigned per annotator:" in run.stdout and "ana" in run.stdout
    run = tandai("package", project, tmp_path / "out", "-q")
    assert run.returncode == 0, run.stderr
    packages = sorted((tmp_path / "out").glob("*.tandai"))
    assert [p.stem for p in packages] == names
    for path in packages:  # each annotator labels their first two articles, offline
        with Project.open(path) as mine:
            for aid in list(mine.article_ids())[:2]:
                mine.add_span(
                    aid, annotator=path.stem, layer="entity", label="PER", start=10, end=22
                )
                mine.set_status(aid, annotator=path.stem, status="done", add_seconds=30)
    run = tandai("merge", project, *packages)
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("2 with changed labels (+2 / -0 spans") == 5
    again = tandai("merge", project, *packages)
    assert again.stdout.count("nothing new") == 5
    run = tandai("stats", project, "--team")
    lines = {line.split()[0]: line.split() for line in run.stdout.splitlines()[1:]}
    assert lines["ana"][1:7] == ["12", "2", "0", "0", "10", "30"]
    assert lines["(project)"][1:7] == ["60", "10", "0", "0", "50", "30"]
    with Project.open(project) as done:
        assert sum(len(done.spans(a)) for a in done.article_ids()) == 10


def test_refusals_are_one_line_messages_without_a_traceback(tmp_path: Path) -> None:
    project, other = tmp_path / "a.tandai", tmp_path / "b.tandai"
    for path, text in ((project, "Satu."), (other, "Dua.")):
        with Project.create(path) as p:
            p.store_articles([NewArticle(text=text)])
    assert tandai("assign", project, "--annotators", "ana,,budi").stderr.count("\n") == 1
    run = tandai("assign", project, "--annotators", "ana", "--overlap", "0.5")
    assert run.returncode == 1 and "--per-overlap 2" in run.stderr
    assert "Traceback" not in run.stderr and run.stderr.count("\n") == 1
    assert tandai("assign", other, "--annotators", "ana").returncode == 0
    assert tandai("package", other, tmp_path / "o", "-q").returncode == 0
    run = tandai("merge", project, tmp_path / "o" / "ana.tandai")
    assert run.returncode == 1 and "a package of another project" in run.stderr
    assert "Traceback" not in run.stderr and run.stderr.count("\n") == 1
    run = tandai("package", project, tmp_path / "p")
    assert run.returncode == 1 and "nobody holds articles yet" in run.stderr


def test_a_lead_named_on_the_command_line_guards_assign_and_merge(tmp_path: Path) -> None:
    project = tmp_path / "a.tandai"
    with Project.create(project) as p:
        p.store_articles([NewArticle(text="Satu dua."), NewArticle(text="Tiga empat.")])
    assert "no roles" in tandai("role", project).stdout
    run = tandai("role", project, "lia", "lead", "--user", "lia")
    assert run.returncode == 0 and "lia: lead" in run.stdout
    run = tandai("assign", project, "--annotators", "ana", "--user", "ana")
    assert run.returncode == 1 and "only a lead may assign articles; ana is not one" in run.stderr
    run = tandai("role", project, "ana", "lead", "--user", "ana")
    assert run.returncode == 1 and "only a lead may" in run.stderr
    run = tandai("assign", project, "--annotators", "ana", "--user", "lia")
    assert run.returncode == 0, run.stderr


def test_merge_lists_labels_the_project_lacks_and_adds_them_when_asked(tmp_path: Path) -> None:
    from core.schema import Schema

    project = tmp_path / "a.tandai"
    with Project.create(project) as p:
        p.store_articles([NewArticle(text="Senjata baru diuji di Kursk.")])
        p.assign(["ana"])
        p.write_packages(tmp_path / "out")
    package = tmp_path / "out" / "ana.tandai"
    with Project.open(package) as mine:
        data = mine.schema().to_dict()
        data["entity_labels"].append({"name": "WEAPON", "colour": "#aa3300"})
        mine.set_schema(Schema.from_dict(data))
        aid = next(iter(mine.article_ids()))
        mine.add_span(aid, annotator="ana", layer="entity", label="WEAPON", start=0, end=7)
    run = tandai("merge", project, package)
    assert run.returncode == 1 and "lacks: WEAPON" in run.stderr and "--add-labels" in run.stderr
    run = tandai("merge", project, package, "--add-labels")
    assert run.returncode == 0, run.stderr
    assert "labels added to the schema: WEAPON" in run.stdout
    with Project.open(project) as p:
        assert [s.label for s in p.spans(aid)] == ["WEAPON"]
