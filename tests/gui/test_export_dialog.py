"""The export dialog runs a real export in the background with the CLI's options."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from gui.export_dialog import ExportDialog
from storage import Project
from tests.storage.export_helpers import labelled_project, read_jsonl


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    with Project.create(tmp_path / "exp.tandai") as proj:
        yield proj


def tick(widget, value: str) -> None:
    for i in range(widget.count()):
        if widget.item(i).data(Qt.ItemDataRole.UserRole) == value:
            widget.item(i).setCheckState(Qt.CheckState.Checked)


def test_the_dialog_exports_the_chosen_format_and_filters_into_the_folder(
    qtbot, project: Project, tmp_path: Path
) -> None:
    labelled_project(project, tmp_path)
    project.labels.set_status(project.list_articles()[0].id, annotator="bob", status="done")
    dialog = ExportDialog(project)
    qtbot.addWidget(dialog)
    dialog.out_edit.setText(str(tmp_path / "out"))
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("ner-bio"))
    tick(dialog.annotator_list, "alice")
    dialog.split_check.setChecked(True)
    dialog.split_edit.setText("train=0.5,test=0.5")
    dialog.seed_spin.setValue(4)
    assert dialog.tokens_check.isEnabled()  # ner-bio offers spaCy-convention tokens
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.summary is not None or dialog.error is not None, timeout=30_000)
    qtbot.waitUntil(lambda: not dialog.is_running())
    assert dialog.error is None and not dialog.summary.cancelled
    lines = read_jsonl(tmp_path / "out" / "train.jsonl") + read_jsonl(
        tmp_path / "out" / "test.jsonl"
    )
    assert len(lines) == 4 and {x["annotator"] for x in lines} == {"alice"}
    assert all(len(x["tokens"]) == len(x["ner_tags"]) for x in lines)
    assert (tmp_path / "out" / "labels.json").exists()
    assert "4 records" in dialog.phase_label.text()
    assert dialog.cancel_button.text() == "Close" and dialog.export_button.isEnabled()


def test_cancel_stops_the_export_and_leaves_no_files(
    qtbot, project: Project, tmp_path: Path
) -> None:
    source = tmp_path / "many.jsonl"
    with source.open("w", encoding="utf-8") as fh:
        for i in range(6000):
            fh.write(
                json.dumps({"text": f"Artikel nomor {i} tentang banjir di kota 👨🏻‍🚒."}) + "\n"
            )
    project.imports.import_files([source], detect=False)
    dialog = ExportDialog(project)
    qtbot.addWidget(dialog)
    dialog.out_edit.setText(str(tmp_path / "out"))
    dialog.status_checks["todo"].setChecked(True)
    dialog.show()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    dialog.job.progressed.connect(lambda *_: dialog.cancel_button.click())
    qtbot.waitUntil(lambda: not dialog.is_running() and dialog.summary is not None, timeout=30_000)
    assert dialog.summary.cancelled
    assert "cancelled" in dialog.phase_label.text()
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_missing_folder_or_bad_split_is_said_and_nothing_starts(
    qtbot, project: Project, tmp_path: Path
) -> None:
    dialog = ExportDialog(project)
    qtbot.addWidget(dialog)
    dialog.export_button.click()
    assert dialog.job is None and "folder" in dialog.phase_label.text()
    dialog.out_edit.setText(str(tmp_path / "out"))
    dialog.split_check.setChecked(True)
    dialog.split_edit.setText("train=0.9,test=0.2")
    dialog.export_button.click()
    assert dialog.job is None and "sum" in dialog.phase_label.text()


def test_the_dialog_chunks_long_articles_writes_tag_names_and_keeps_the_licence(
    qtbot, project: Project, tmp_path: Path
) -> None:
    labelled_project(project, tmp_path)
    dialog = ExportDialog(project)
    qtbot.addWidget(dialog)
    dialog.out_edit.setText(str(tmp_path / "out"))
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("ner-bio"))
    assert dialog.tag_strings_check.isEnabled() and dialog.chunk_combo.isEnabled()
    dialog.tag_strings_check.setChecked(True)
    dialog.chunk_combo.setCurrentIndex(dialog.chunk_combo.findData("sentences"))
    dialog.license_edit.setText("cc-by-4.0")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.summary is not None or dialog.error is not None, timeout=30_000)
    qtbot.waitUntil(lambda: not dialog.is_running())
    assert dialog.error is None
    lines = read_jsonl(tmp_path / "out" / "data.jsonl")
    assert len(lines) > 4 and all(x["id"] == f"{x['article']}#{x['id'][-1]}" for x in lines)
    assert {tag for x in lines for tag in x["ner_tags"]} >= {"O", "B-PER"}
    assert 'license: "cc-by-4.0"' in (tmp_path / "out" / "README.md").read_text("utf-8")
    assert project.get_setting("license") == "cc-by-4.0"
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("stance"))
    assert not dialog.chunk_combo.isEnabled() and not dialog.tag_strings_check.isEnabled()
    assert not dialog.tokens_check.isEnabled()
