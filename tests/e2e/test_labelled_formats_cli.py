"""Labelled files from other tools through the real command line: Label Studio JSON and
CoNLL, our stance export imported back, labels mapped, labels added with `schema`."""

from __future__ import annotations

import json
from pathlib import Path

from storage import Project
from tests.e2e.test_suggest_cli import tandai

TEXT = "Joko 👨🏻‍🚒 bertemu 𠮷野 di القاهرة.\r\nSelesai."


def _at(needle: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def _entities(project: Path, annotator: str) -> set[tuple[str, str]]:
    with Project.open(project) as proj:
        out = set()
        for aid in proj.article_ids():
            text = proj.article(aid).text
            out |= {
                (s.label, text[s.start : s.end])
                for s in proj.labels.spans(aid, annotator=annotator)
            }
        return out


def test_label_studio_tasks_import_with_annotations_and_predictions(tmp_path: Path) -> None:
    def result(needle: str, label: str) -> dict:
        start, end = _at(needle)
        value = {"start": start, "end": end, "text": needle, "labels": [label]}
        return {"from_name": "label", "to_name": "text", "type": "labels", "value": value}

    task = {
        "id": 5,
        "data": {"text": TEXT},
        "annotations": [{"id": 9, "result": [result("Joko", "PER"), result("القاهرة", "GPE")]}],
        "predictions": [{"result": [result("𠮷野", "ORG")]}],
    }
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([task], ensure_ascii=False), "utf-8")
    project = tmp_path / "p.tandai"
    run = tandai("import", project, path, "--as-annotator", "ana", "--no-detect", "-q")
    assert run.returncode == 0, run.stderr
    assert "2 spans" in run.stdout
    assert _entities(project, "ana") == {("PER", "Joko"), ("GPE", "القاهرة")}
    run = tandai("import", project, path, "--as-suggestions", "ls", "--no-detect", "-q")
    assert run.returncode == 0, run.stderr
    with Project.open(project) as proj:
        (aid,) = list(proj.article_ids())
        text = proj.article(aid).text
        assert [text[s.start : s.end] for s in proj.suggestions.suggestions(aid)] == ["𠮷野"]


def test_conll_with_mapped_labels_and_a_label_added_by_schema(tmp_path: Path) -> None:
    conll = tmp_path / "ner.conll"
    conll.write_text(
        "-DOCSTART- -X- O\n\nJoko B-PERSON\ndari O\nKyiv B-PLACE\nmakan O\nRendang B-FOOD\n",
        "utf-8",
    )
    project = tmp_path / "p.tandai"
    assert tandai("import", project, conll, "--no-detect", "-q").returncode == 0
    added = tandai("schema", project, "--add-label", "FOOD", "--key", "8")
    assert added.returncode == 0, added.stderr
    shown = tandai("schema", project, "--show")
    assert "FOOD [8]" in shown.stdout
    run = tandai(
        "import", project, conll, "--as-annotator", "ana", "--no-detect", "-q",
        "--map-label", "PERSON=PER", "--map-label", "PLACE=GPE",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert _entities(project, "ana") == {("PER", "Joko"), ("GPE", "Kyiv"), ("FOOD", "Rendang")}
    again = tandai("schema", project, "--add-label", "FOOD")
    assert again.returncode == 1 and "already has" in again.stderr
    assert "Traceback" not in again.stderr


def test_a_stance_export_imported_back_gives_the_stance_labels(tmp_path: Path) -> None:
    project = tmp_path / "p.tandai"
    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps({"id": "a1", "text": TEXT}) + "\n", "utf-8")
    assert tandai("import", project, source, "--no-detect", "-q").returncode == 0
    with Project.open(project) as proj:
        (aid,) = list(proj.article_ids())
        proj.labels.set_doc_label(aid, annotator="ana", key="stance:main", value="against")
        proj.labels.set_status(aid, annotator="ana", status="done")
    out = tmp_path / "out"
    run = tandai("export", project, out, "--format", "stance")
    assert run.returncode == 0, run.stderr
    (data,) = [p for p in out.glob("*.jsonl")]
    back = tmp_path / "back.tandai"
    run = tandai("import", back, data, "--as-annotator", "budi", "--no-detect", "-q")
    assert run.returncode == 0, run.stderr
    assert "1 document labels" in run.stdout
    with Project.open(back) as proj:
        (aid,) = list(proj.article_ids())
        assert proj.labels.doc_labels(aid, annotator="budi") == {"stance:main": "against"}


def test_add_labels_grows_the_schema_and_annotator_field_splits_a_file(tmp_path: Path) -> None:
    start, end = _at("Joko")
    cairo = _at("القاهرة")
    rows = [
        {"id": "a", "text": TEXT, "who": "ana", "label": [[start, end, "PERSON"]]},
        {"id": "a", "text": TEXT, "who": "budi", "label": [[*cairo, "CITY"]]},
    ]
    path = tmp_path / "two.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    project = tmp_path / "p.tandai"
    run = tandai(
        "import", project, path, "--annotator-field", "who", "--add-labels", "--no-detect", "-q"
    )
    assert run.returncode == 0, run.stderr
    assert "Labels added to the schema: CITY, PERSON" in run.stdout
    assert _entities(project, "ana") == {("PERSON", "Joko")}
    assert _entities(project, "budi") == {("CITY", "القاهرة")}
    shown = tandai("schema", project, "--show")
    assert "PERSON" in shown.stdout and "CITY" in shown.stdout
    refused = tandai("import", project, path, "--add-labels", "--no-detect", "-q")
    assert refused.returncode == 1 and "goes with --as-annotator" in refused.stderr


def test_a_stance_dataset_goes_in_with_targets_from_a_field(tmp_path: Path) -> None:
    rows = [
        {"id": "t1", "text": "Independència ja! 🗳️", "topic": "Catalonia", "stance": "FAVOR"},
        {"id": "t2", "text": "No a la independencia.", "topic": "Catalonia", "stance": "AGAINST"},
        {"id": "t3", "text": "Hoy llueve en Madrid.", "topic": "Weather"},
    ]
    path = tmp_path / "stance.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    project = tmp_path / "p.tandai"
    run = tandai(
        "import", project, path, "--as-annotator", "ana", "--stance-target", "topic",
        "--add-labels", "--no-detect", "-q",
    )  # fmt: skip
    assert run.returncode == 2, run.stderr  # t3 has no stance value: reported, exit 2
    assert "stance Catalonia=AGAINST" in run.stdout and "stance Catalonia=FAVOR" in run.stdout
    with Project.open(project) as proj:
        stances = {
            proj.article(a).external_id: proj.labels.doc_labels(a, annotator="ana")
            for a in proj.article_ids()
        }
        options = [o.value for o in proj.schema().stance_target("Catalonia").options]
    assert stances == {
        "t1": {"stance:Catalonia": "FAVOR"},
        "t2": {"stance:Catalonia": "AGAINST"},
        "t3": {},
    }
    assert sorted(options) == ["AGAINST", "FAVOR"]
