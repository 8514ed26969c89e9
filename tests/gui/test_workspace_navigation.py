"""Moving between articles, statuses, undo/redo across articles, and reopening a project."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog

from gui.main_window import MainWindow
from storage import Project
from tests.gui.workspace_helpers import (
    INDONESIAN,
    PLAIN,
    drag_select,
    key,
    open_window,
)

CTRL = Qt.KeyboardModifier.ControlModifier


def status(win: MainWindow, article_id: int) -> str:
    return win.project.progress(article_id, annotator="ani").status


def test_ctrl_enter_marks_the_article_done_and_opens_the_next_to_do(
    qtbot, window: MainWindow
) -> None:
    ids = list(window.project.article_ids())
    window.project.set_status(ids[1], annotator="ani", status="done")
    assert window.workspace.article_id == ids[0]
    assert window.statusBar().findChildren(type(window.status.progress))
    key(qtbot, window, Qt.Key.Key_Return, CTRL)
    assert status(window, ids[0]) == "done"
    assert window.workspace.article_id == ids[2]  # ids[1] was done already
    assert window.status.progress.text() == "2 of 4 done"
    assert window.status.language.text().startswith("Language: ")


def test_skip_and_flag_with_a_note_move_on_to_the_next_to_do(qtbot, window: MainWindow) -> None:
    ids = list(window.project.article_ids())
    key(qtbot, window, "s")
    assert status(window, ids[0]) == "skipped"
    assert window.workspace.article_id == ids[1]

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue("title and text do not match")
        dialog.accept()

    QTimer.singleShot(0, answer)
    key(qtbot, window, "f")
    progress = window.project.progress(ids[1], annotator="ani")
    assert (progress.status, progress.note) == ("flagged", "title and text do not match")
    assert window.workspace.article_id == ids[2]


def test_j_k_and_alt_arrows_move_without_changing_any_status(qtbot, window: MainWindow) -> None:
    ids = list(window.project.article_ids())
    key(qtbot, window, "j")
    assert window.workspace.article_id == ids[1]
    key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.workspace.article_id == ids[2]
    key(qtbot, window, "k")
    assert window.workspace.article_id == ids[1]
    key(qtbot, window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.workspace.article_id == ids[0]
    key(qtbot, window, "k")  # already at the first one
    assert window.workspace.article_id == ids[0]
    assert {status(window, i) for i in ids} == {"todo"}


def test_undo_and_redo_work_after_moving_to_another_article(qtbot, window: MainWindow) -> None:
    ids = list(window.project.article_ids())
    start = INDONESIAN.index("Suryani Halim")
    drag_select(qtbot, window, start, start + 13)
    key(qtbot, window, "1")
    key(qtbot, window, "w")
    key(qtbot, window, Qt.Key.Key_Return, CTRL)  # done, next
    assert window.workspace.article_id == ids[1]

    key(qtbot, window, Qt.Key.Key_Z, CTRL)  # undoes "done" and shows the article again
    assert window.workspace.article_id == ids[0]
    assert status(window, ids[0]) == "todo"
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert window.project.doc_labels(ids[0], annotator="ani") == {}
    key(qtbot, window, "j")
    key(qtbot, window, Qt.Key.Key_Z, CTRL)  # from another article again
    assert window.workspace.article_id == ids[0]
    assert window.project.spans(ids[0]) == []
    assert window.workspace.view.spans == []

    key(qtbot, window, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    spans = window.project.spans(ids[0])
    assert [(s.label, INDONESIAN[s.start : s.end]) for s in spans] == [("PER", "Suryani Halim")]
    window.undo_group.redo()
    window.actions_.redo.trigger()
    assert window.project.doc_labels(ids[0], annotator="ani") == {"stance:main": "against"}
    assert status(window, ids[0]) == "done"
    assert window.undo_group.activeStack().count() == 3


def test_labels_are_still_there_after_the_project_is_closed_and_opened_again(
    qtbot, window: MainWindow, project_path: Path, settings: QSettings
) -> None:
    start = INDONESIAN.index("Hendra Wiratama")
    drag_select(qtbot, window, start, start + 15)
    key(qtbot, window, "1")
    key(qtbot, window, "q")
    key(qtbot, window, Qt.Key.Key_Return, CTRL)
    window.close()
    assert window.project.db.is_closed()

    again = open_window(qtbot, project_path, settings)
    try:
        first = next(again.project.article_ids())
        spans = again.project.spans(first, annotator="ani")
        assert [(s.label, INDONESIAN[s.start : s.end]) for s in spans] == [
            ("PER", "Hendra Wiratama")
        ]
        assert again.project.doc_labels(first, annotator="ani") == {"stance:main": "favour"}
        assert again.status.progress.text() == "1 of 4 done"
        again.workspace.show_article(first)
        assert [s.label for s in again.workspace.view.spans] == ["PER"]
    finally:
        again.close()


def test_open_project_switches_to_another_file_and_releases_the_old_one(
    qtbot, window: MainWindow, project_path: Path, tmp_path: Path
) -> None:
    from core.models import NewArticle

    other = tmp_path / "other.tandai"
    with Project.create(other) as project:
        project.store_articles([NewArticle(text=PLAIN, title="Banjir")])
    old = window.project
    assert window.open_project(other)
    assert old.db.is_closed()
    assert window.workspace.view.article.text == PLAIN
    assert window.status.progress.text() == "0 of 1 done"
    with Project.open(project_path, exclusive=True):  # the old file is free again
        pass


def test_the_annotator_can_switch_and_labels_are_stored_under_each_name(
    qtbot, window: MainWindow
) -> None:
    aid = window.workspace.article_id
    key(qtbot, window, "q")
    window.session.set_annotator("budi")
    key(qtbot, window, "w")
    assert window.project.doc_labels(aid, annotator="ani") == {"stance:main": "favour"}
    assert window.project.doc_labels(aid, annotator="budi") == {"stance:main": "against"}
    assert window.status.annotator.text() == "Annotator: budi"
    assert window.settings.value("annotator/name") == "budi"


def test_question_mark_opens_the_keyboard_map_with_the_schema_keys(
    qtbot, window: MainWindow
) -> None:
    key(qtbot, window, "?")
    dialog = window.keymap_dialog
    assert dialog is not None and dialog.isVisible()
    rows = {
        dialog.table.item(r, 0).text(): dialog.table.item(r, 1).text()
        for r in range(dialog.table.rowCount())
    }
    assert rows["1"] == "label PER" and rows["B"] == "toggle boilerplate lines"
    assert rows["W"] == "stance main: against" and rows["J"] == "next article"
    assert rows["A"].startswith("accept the suggestion")
    dialog.close()


def test_ctrl_plus_and_minus_zoom_the_text(qtbot, window: MainWindow) -> None:
    text = window.workspace.view.text
    before = text.font().pointSizeF()
    window.actions_.zoom_in.trigger()
    assert text.font().pointSizeF() > before
    window.actions_.zoom_out.trigger()
    window.actions_.zoom_out.trigger()
    assert text.font().pointSizeF() < before


def test_j_and_k_walk_only_the_articles_the_list_filter_shows(qtbot, window: MainWindow) -> None:
    ids = list(window.project.article_ids())
    window.project.set_status(ids[2], annotator="ani", status="skipped")
    dock = window.docks.articles
    assert dock is not None
    dock.status_box.setCurrentIndex(dock.status_box.findData("skipped"))
    key(qtbot, window, "j")
    assert window.workspace.article_id == ids[2]
    key(qtbot, window, "j")  # nothing after it is skipped
    assert window.workspace.article_id == ids[2]
    dock.status_box.setCurrentIndex(dock.status_box.findData(None))
    key(qtbot, window, "j")
    assert window.workspace.article_id == ids[3]
