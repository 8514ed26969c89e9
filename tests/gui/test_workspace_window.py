"""The window around the workspace: the list dock drives it, search words are highlighted,
the last article comes back, and the annotator names themself."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog

from gui.annotator_dialog import ask_annotator
from gui.highlighter import SEARCH_UNDERLINE
from gui.main_window import MainWindow
from tests.gui import workspace_helpers as wh
from tests.gui.workspace_helpers import INDONESIAN, PLAIN, open_window


def underlined(win: MainWindow) -> list[str]:
    doc = win.workspace.view.text.document()
    text = win.workspace.view.geometry_.text
    out = []
    block = doc.begin()
    while block.isValid():
        for r in block.layout().formats():
            if r.format.underlineColor().name() == SEARCH_UNDERLINE:
                start = block.position() + r.start
                out.append(text[start : start + r.length])
        block = block.next()
    return out


def test_typing_a_search_in_the_list_highlights_its_words_in_the_article(
    qtbot, window: MainWindow
) -> None:
    dock = window.docks.articles
    assert dock is not None
    with qtbot.waitSignal(dock.searchChanged, timeout=3000):
        qtbot.keyClicks(dock.search, "parkir")
    expected = INDONESIAN.lower().count("parkir")
    qtbot.waitUntil(lambda: len(underlined(window)) == expected, timeout=3000)
    assert {w.lower() for w in underlined(window)} == {"parkir"}


def test_activating_an_article_in_the_list_opens_it_with_the_keyboard_on_the_text(
    qtbot, window: MainWindow
) -> None:
    dock = window.docks.articles
    assert dock is not None
    target = list(window.project.article_ids())[-1]
    dock.articleActivated.emit(target)
    assert window.workspace.article_id == target
    assert window.workspace.view.text.toPlainText() == PLAIN
    assert dock.current_article_id() == target
    assert window.focusWidget() is window.workspace.view.text


def test_the_article_open_at_closing_is_opened_again_next_time(
    qtbot, window: MainWindow, project_path: Path, settings: QSettings
) -> None:
    ids = list(window.project.article_ids())
    window.workspace.show_article(ids[2])
    window.close()
    again = open_window(qtbot, project_path, settings)
    try:
        assert again.workspace.article_id == ids[2]
    finally:
        again.close()


def test_the_annotator_names_themself_in_a_dialog_offering_known_names(qtbot) -> None:
    seen: list[list[str]] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        seen.append(dialog.comboBoxItems())
        dialog.setTextValue("  Citra  ")
        dialog.accept()

    QTimer.singleShot(0, answer)
    assert ask_annotator(None, known=["ani", "budi"]) == "Citra"
    assert seen == [["ani", "budi"]]


def test_new_labels_in_the_schema_appear_in_the_label_bar_with_their_keys(
    qtbot, window: MainWindow
) -> None:
    from core.schema import Schema

    data = window.project.schema().to_dict()
    data["entity_labels"].append({"name": "PRODUCT", "colour": "#a4c2f4", "key": "8"})
    window.project.set_schema(Schema.from_dict(data))
    window.workspace.apply_schema(window.project.schema())
    assert window.workspace.label_bar.buttons["PRODUCT"].text() == "8  PRODUCT"
    start = INDONESIAN.index("Kabarberita")
    wh.drag_select(qtbot, window, start, start + len("Kabarberita"))
    wh.key(qtbot, window, "8")
    [span] = window.project.spans(window.workspace.article_id)
    assert (span.label, INDONESIAN[span.start : span.end]) == ("PRODUCT", "Kabarberita")


def test_importing_files_from_the_window_updates_the_counts_and_the_list(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    import json

    from gui.import_dialog import ImportDialog

    source = tmp_path / "more.jsonl"
    rows = [
        {"title": f"Berita {i}", "text": f"Warga desa nomor {i} memanen padi."} for i in range(3)
    ]
    source.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")

    def close_when_done() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, ImportDialog) and dialog.close_button.isVisible():
            dialog.close_button.click()
        else:
            QTimer.singleShot(50, close_when_done)

    QTimer.singleShot(50, close_when_done)
    window.import_files([source])
    assert window.status.progress.text() == "0 of 7 done"
    dock = window.docks.articles
    assert dock is not None
    assert dock.model.rowCount() == 7
