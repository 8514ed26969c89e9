"""Labelled files through the app: the options dialog, then the import dialog's job."""

from __future__ import annotations

import json
from pathlib import Path

from gui.import_dialog import ImportDialog
from gui.labelled_import_dialog import LabelledImportOptions
from storage import Project


def test_a_label_studio_file_goes_in_as_an_annotator_s_labels_with_a_mapped_label(
    qtbot, tmp_path: Path
) -> None:
    text = "Joko 👨🏻‍🚒 bertemu warga di القاهرة."
    cairo = text.index("القاهرة")
    result = [
        {"type": "labels", "value": {"start": 0, "end": 4, "text": "Joko", "labels": ["PERSON"]}},
        {"type": "labels", "value": {"start": cairo, "end": cairo + 7, "labels": ["CITY"]}},
    ]
    path = tmp_path / "ls.json"
    path.write_text(
        json.dumps([{"data": {"text": text}, "annotations": [{"result": result}]}]), "utf-8"
    )
    ask = LabelledImportOptions("ana")
    qtbot.addWidget(ask)
    ask.map_edit.setText("PERSON=PER")
    ask.add_labels_check.setChecked(True)
    options = ask.options()
    with Project.create(tmp_path / "p.tandai") as project:
        dialog = ImportDialog(project, [path], labelled=options, detect=False)
        qtbot.addWidget(dialog)
        dialog.start()
        qtbot.waitUntil(
            lambda: dialog.report is not None or dialog.error is not None, timeout=30_000
        )
        assert dialog.error is None
        assert "Labels added to the schema: CITY" in dialog.summary_label.text()
        (article,) = project.list_articles()
        spans = project.labels.spans(article.id, annotator="ana")
        assert {(s.label, text[s.start : s.end]) for s in spans} == {
            ("PER", "Joko"),
            ("CITY", "القاهرة"),
        }


def test_the_options_say_what_is_missing(qtbot) -> None:
    ask = LabelledImportOptions("")
    qtbot.addWidget(ask)
    ask._accept()
    assert "Name the annotator" in ask.message.text()
    ask.as_suggestions.setChecked(True)
    assert ask.options()["suggestions"] == "imported"
    ask.map_edit.setText("PERSON")
    try:
        ask.options()
    except ValueError as exc:
        assert "FROM=TO" in str(exc)
    else:
        raise AssertionError("a malformed label map was accepted")
