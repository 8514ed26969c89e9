"""``main.py agreement`` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

from core.agreement_report import describe_report
from storage import Project
from tests.e2e.test_export_cli import tandai
from tests.storage.agreement_helpers import team_project


def _project(tmp_path: Path) -> Path:
    path = tmp_path / "team.tandai"
    with Project.create(path) as project:
        team_project(project)
    return path


def test_agreement_json_has_the_issue_shape_and_the_projects_figures(tmp_path: Path) -> None:
    path = _project(tmp_path)
    run = tandai("agreement", path, "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    with Project.open(path) as project:
        assert data == json.loads(json.dumps(project.agreement.agreement().to_json()))
    assert set(data["stance"]["main"]) >= {"units", "alpha", "pairs"}
    assert {"a", "b", "units", "agreement", "kappa"} <= set(data["boilerplate"]["pairs"][0])
    assert {"a", "b", "articles", "f1", "per_label"} <= set(data["entity"]["pairs"][0])
    assert data["annotators"] == ["ana", "budi", "citra"]


def test_agreement_of_one_layer_and_named_annotators_in_words(tmp_path: Path) -> None:
    path = _project(tmp_path)
    run = tandai("agreement", path, "--layer", "stance", "--annotator", "ana, budi", "-q")
    assert run.returncode == 0, run.stderr
    assert "annotators: ana, budi; 2 articles" in run.stdout
    assert "ana / budi: 2 units, agreement 50.0%" in run.stdout
    assert "entity" not in run.stdout and "boilerplate" not in run.stdout


def test_agreement_with_an_unknown_annotator_says_so_in_one_line(tmp_path: Path) -> None:
    path = _project(tmp_path)
    run = tandai("agreement", path, "--annotator", "ana,zoe")
    assert run.returncode == 1
    assert run.stderr.strip().count("\n") == 0
    assert "no annotator called 'zoe'" in run.stderr and "Traceback" not in run.stderr


def test_adjudicate_then_export_the_gold_standard(tmp_path: Path) -> None:
    path = _project(tmp_path)
    run = tandai("adjudicate", path, "--into", "gold", "-q")
    assert run.returncode == 0, run.stderr
    assert "3 articles finished by ana, budi, citra: 2 decided (done for gold), 1 to review" in (
        run.stdout
    )
    run = tandai("export", path, tmp_path / "out", "--annotator", "gold", "-q")
    assert run.returncode == 0, run.stderr
    lines = [
        json.loads(x) for x in (tmp_path / "out" / "data.jsonl").read_text("utf-8").splitlines()
    ]
    assert [x["annotator"] for x in lines] == ["gold", "gold"]
    assert lines[0]["stance"] == {"main": "against"}
    # The card of an export of one annotator has no agreement to give ...
    assert "## Agreement" not in (tmp_path / "out" / "README.md").read_text("utf-8")
    assert {(s["start"], s["end"], s["label"]) for s in lines[0]["spans"]} == {
        (0, 11, "PER"),
        (20, 48, "boilerplate"),
    }


def test_adjudicate_refuses_a_zero_bar_in_one_line(tmp_path: Path) -> None:
    path = _project(tmp_path)
    run = tandai("adjudicate", path, "--into", "gold", "--min-agree", "0")
    assert run.returncode == 1
    assert run.stderr.strip() == "tandai adjudicate: --min-agree must be at least 1"


def test_the_card_of_an_export_gives_the_agreement_of_the_annotators_it_holds(
    tmp_path: Path,
) -> None:
    path = _project(tmp_path)
    run = tandai("export", path, tmp_path / "out", "--annotator", "ana,budi", "-q")
    assert run.returncode == 0, run.stderr
    card = (tmp_path / "out" / "README.md").read_text("utf-8")
    with Project.open(path) as project:
        expected = describe_report(project.agreement.agreement(["ana", "budi"]))
    assert "## Agreement" in card
    assert expected in card
    assert "ana / budi: 2 units, agreement 50.0%" in card
