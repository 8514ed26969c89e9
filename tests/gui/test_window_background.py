"""What the window does besides annotating: catching up languages and the search index in
the background, and taking files dropped on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

import storage.search_index as search_index
from core.query import ArticleFilter
from gui.file_drops import FileDrops
from gui.main_window import MainWindow
from storage import Project
from tests.gui.workspace_helpers import open_window


def drop(widget: QWidget, paths: list[Path]) -> None:
    """Drag in, then drop: Qt sends a drop only to the widget that accepted the drag."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(widget, event)


def test_languages_search_index_and_suggestions_fill_in_after_the_window_opens(
    qtbot, window: MainWindow
) -> None:
    project = window.project
    assert window.catch_up is not None
    qtbot.waitUntil(lambda: project.imports.pending_languages() == 0, timeout=15_000)
    qtbot.waitUntil(lambda: not window.catch_up.job.is_running(), timeout=15_000)
    assert project.imports.pending_index() == 0
    assert project.suggestions.pending_suggestions() == 0
    arabic = next(a.id for a in project.list_articles() if a.lang == "ar")
    text = project.article(arabic).text
    suggested = {text[s.start : s.end] for s in project.suggestions.suggestions(arabic)}
    assert "شارك هذا الخبر" in suggested  # a share prompt, from the Arabic lexicon
    assert "id" in project.languages() and "ar" in project.languages()
    assert project.count_articles(ArticleFilter(text="merendam")) == 1


def test_the_article_header_shows_the_language_once_the_background_has_detected_it(
    qtbot, window: MainWindow
) -> None:
    # The fixture's articles are stored without languages; the first one opened (in the
    # window's constructor) before the background catch-up, started after the first paint.
    meta = window.workspace.view.meta
    first = window.workspace.article_id
    assert first is not None
    qtbot.waitUntil(lambda: window.project.imports.pending_languages() == 0, timeout=15_000)
    assert window.project.article(first).lang == "id"
    qtbot.waitUntil(lambda: "language pending" not in meta.text(), timeout=15_000)
    assert meta.text().split(" · ")[-1] == "id"
    assert window.status.language.text() == "Language: id"
    assert window.workspace.article_id == first  # nothing reopened or moved


def test_the_status_line_counts_the_search_index_merge_in_pages(
    qtbot, project_path: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A segment an article: the catch-up's index pass doubles the (empty) index, then
    # merges its segments into one, and says so in the status line.
    monkeypatch.setattr(search_index, "INDEX_BATCH", 1)
    window = open_window(qtbot, project_path, settings)
    try:
        messages: list[str] = []
        window.catch_up.progressed.connect(messages.append)
        qtbot.waitUntil(lambda: window.project.imports.pending_index() == 0, timeout=15_000)
        qtbot.waitUntil(lambda: not window.catch_up.job.is_running(), timeout=15_000)
        merging = [m for m in messages if m.startswith("Compacting the search index: ")]
        assert merging and all(m.endswith(" pages") for m in merging)
        segments = window.project.db.execute_sql(
            "SELECT COUNT(DISTINCT segid) FROM article_fts_idx"
        ).fetchone()[0]
        assert segments == 1
        assert window.project.count_articles(ArticleFilter(text="merendam")) == 1
    finally:
        window.close()
        window.project.close()


def test_dropped_data_files_go_to_import_and_a_dropped_project_opens(qtbot, tmp_path: Path) -> None:
    target = QWidget()
    qtbot.addWidget(target)
    target.show()
    qtbot.waitExposed(target)
    opened: list[Path] = []
    imported: list[list[Path]] = []
    drops = FileDrops(target, open_project=opened.append, import_files=imported.append)
    data = [tmp_path / "a.jsonl", tmp_path / "b.csv"]
    drop(target, data)
    drop(target, [tmp_path / "other.tandai", tmp_path / "c.jsonl"])
    assert imported == [data]
    assert opened == [tmp_path / "other.tandai"]
    assert drops.parent() is target


def test_a_project_file_dropped_on_the_window_replaces_the_open_project(
    qtbot, project_path: Path, settings, tmp_path: Path
) -> None:
    other = tmp_path / "other.tandai"
    with Project.create(other) as project:
        source = tmp_path / "one.jsonl"
        source.write_text(json.dumps({"title": "Lain", "text": "Berita lain sama sekali."}))
        project.imports.import_files([source], detect=False)
    win = open_window(qtbot, project_path, settings)
    try:
        drop(win, [other])
        assert win.project.target == str(other)
        assert win.workspace.view.text.toPlainText() == "Berita lain sama sekali."
    finally:
        win.close()
        win.project.close()
