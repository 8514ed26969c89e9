"""A model trained on the project's labels, in the app: its suggestions accepted with A and
undone, training in the background while labelling goes on, and the dialog saying why the
model is silent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from gui.main_window import MainWindow
from storage import Project
from tests.gui import workspace_helpers as wh
from tests.gui.workspace_helpers import click_at, key, selected_text, utf16
from tests.storage.test_learning import fill

settings, qt_test_paths = wh.settings, wh.qt_test_paths


@pytest.fixture
def learned(tmp_path: Path) -> tuple[Path, list]:
    path = tmp_path / "learned.tandai"
    with Project.create(path) as project:
        articles = fill(project, done=20, total=30)
        outcome = project.learn(in_process=True)
        assert outcome.reason is None and outcome.stored == 60
    return path, articles


@pytest.fixture
def window(qtbot, learned: tuple[Path, list], settings: QSettings) -> Iterator[MainWindow]:
    win = wh.open_window(qtbot, learned[0], settings)
    yield win
    win.close()
    win.project.close()


def test_a_model_suggestion_accepted_with_a_is_stored_with_its_origin_and_undone(
    qtbot, window: MainWindow, learned: tuple[Path, list]
) -> None:
    aid, gold = learned[1][25]
    window.workspace.show_article(aid)
    text = window.project.article(aid).text
    label, start, end = gold[0]
    click_at(qtbot, window, utf16(text, max(0, start - 1)))
    key(qtbot, window, "n")
    assert selected_text(window) == text[start:end]
    key(qtbot, window, "a")
    spans = window.project.spans(aid, annotator="ani", layer="entity")
    assert [(s.label, s.start, s.end, s.origin) for s in spans] == [
        (label, start, end, "suggestion:model")
    ]
    with Project.open(window.project.target) as other:  # a second connection: it is stored
        stored = other.spans(aid, annotator="ani", layer="entity")
        assert [s.origin for s in stored] == ["suggestion:model"]
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.project.spans(aid, annotator="ani", layer="entity") == []
    pending = window.project.suggestions(aid, annotator="ani", sources=["model"])
    assert (label, start, end) in {(s.label, s.start, s.end) for s in pending}
