"""Keys that never surprise, pressed as an annotator would: Ctrl+F and / reach the search and
Esc comes back to the text where it was; Esc in the text keeps the scroll position; a stance
key says what it did in the status bar; from the article list, arrows and Enter open the
row, J/K and Alt+arrows move, and typing in the search box never labels anything."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from core.models import NewArticle
from gui.main_window import MainWindow
from gui.schema_editor import SchemaEditorDialog
from storage import Project
from tests.gui import workspace_helpers as wh
from tests.gui.workspace_helpers import key

LONG = "\n\n".join(
    f"Paragraf {i}: Pemerintah Kota Tanjung Sekar menaikkan tarif." for i in range(200)
)
CTRL = Qt.KeyboardModifier.ControlModifier
SEARCHED = "Daftar warga Jakarta Utara: tarif parkir naik, kata Tarigan."


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "keys.tandai"
    with Project.create(path) as project:
        project.imports.store_articles(
            [NewArticle(text=LONG, title="Panjang")]
            + [NewArticle(text=f"Berita pendek nomor {i}.", title=f"Pendek {i}") for i in range(3)]
            + [NewArticle(text=SEARCHED, title="Daftar")]
        )
    return path


@pytest.fixture
def window(qtbot, project_path: Path, settings: QSettings) -> Iterator[MainWindow]:
    win = wh.open_window(qtbot, project_path, settings)
    win.resize(1200, 700)
    ids = list(win.project.article_ids())
    win.workspace.show_article(ids[0])
    win.workspace.view.text.setFocus()
    yield win
    win.close()
    win.project.close()


def focused() -> object:
    return QApplication.focusWidget()


def scrolled_down(qtbot, win: MainWindow) -> int:
    """Put the caret at the top, then scroll away from it with the scroll bar."""
    wh.click_at(qtbot, win, 3)
    bar = win.workspace.view.text.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    return bar.value()


@pytest.mark.parametrize("keys", [("f", CTRL), ("/", Qt.KeyboardModifier.NoModifier)])
def test_ctrl_f_and_slash_reach_the_search_and_typing_there_sets_no_stance(
    qtbot, window: MainWindow, keys
) -> None:
    search = window.docks.articles.search
    key(qtbot, window, *keys)
    assert focused() is search
    qtbot.keyClicks(search, "tarif wer")  # q/w/e/r are stance keys in the text
    aid = window.workspace.article_id
    assert window.project.labels.doc_labels(aid, annotator="ani") == {}
    assert search.text() == "tarif wer"


def test_esc_in_the_search_returns_to_the_text_where_it_was(qtbot, window: MainWindow) -> None:
    where = scrolled_down(qtbot, window)
    key(qtbot, window, "f", CTRL)
    assert focused() is window.docks.articles.search
    qtbot.keyClick(window.docks.articles.search, Qt.Key.Key_Escape)
    assert focused() is window.workspace.view.text
    assert window.workspace.view.text.verticalScrollBar().value() == where


def test_esc_in_the_text_keeps_the_scroll_position(qtbot, window: MainWindow) -> None:
    where = scrolled_down(qtbot, window)
    assert where > 0
    key(qtbot, window, Qt.Key.Key_Escape)
    assert window.workspace.view.text.verticalScrollBar().value() == where


def test_a_stance_key_says_what_it_did_and_how_to_undo_it(qtbot, window: MainWindow) -> None:
    key(qtbot, window, "r")
    assert window.status.currentMessage() == "Stance main set to unrelated · Ctrl+Z undoes it"
    key(qtbot, window, "z", CTRL)
    assert window.project.labels.doc_labels(window.workspace.article_id, annotator="ani") == {}


def test_from_the_list_arrows_enter_j_and_k_open_articles(qtbot, window: MainWindow) -> None:
    dock = window.docks.articles
    ids = list(window.project.article_ids())
    dock.view.setFocus()
    dock.set_current(ids[0])
    qtbot.keyClick(dock.view, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: window.workspace.article_id == ids[1])
    qtbot.keyClick(dock.view, "j")
    assert window.workspace.article_id == ids[2]
    qtbot.keyClick(dock.view, "k")
    assert window.workspace.article_id == ids[1]
    qtbot.keyClick(dock.view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.workspace.article_id == ids[2]
    assert dock.current_article_id() == ids[2]  # the highlight follows the open article


def test_a_refused_edit_shows_its_notice_over_the_text_without_moving_it(
    qtbot, window: MainWindow
) -> None:
    text = window.workspace.view.text
    start = LONG.index("Tanjung Sekar")
    window.workspace.view.select(start, start + len("Tanjung Sekar"))
    key(qtbot, window, "1")
    QApplication.processEvents()
    before = text.mapTo(window, text.rect().topLeft())
    window.workspace.view.select(start + 8, start + len("Tanjung Sekar") + 12)
    key(qtbot, window, "2")  # overlaps the PER span: refused
    QApplication.processEvents()
    notice = window.workspace.notice
    assert notice.isVisible() and notice.text().startswith("Not labelled")
    assert text.mapTo(window, text.rect().topLeft()) == before
    centre = text.mapFromGlobal(notice.mapToGlobal(notice.rect().center()))
    inside = text.rect().contains(centre)
    assert inside  # drawn over the bottom of the text, not above it


def test_tab_cycles_list_text_guidelines(qtbot, window: MainWindow) -> None:
    window.docks.guidelines.show()
    dock = window.docks.articles
    dock.view.setFocus()
    qtbot.keyClick(dock.view, Qt.Key.Key_Tab)
    assert focused() is window.workspace.view.text
    key(qtbot, window, Qt.Key.Key_Tab)
    assert window.docks.guidelines.isAncestorOf(focused())


def tab(qtbot, backwards: bool = False) -> None:
    """A real Tab (Shift+Tab: the Backtab key a keyboard sends) on the focused widget."""
    if backwards:
        qtbot.keyClick(focused(), Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    else:
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)


def test_tab_goes_round_list_text_guidelines_and_shift_tab_goes_back(
    qtbot, window: MainWindow
) -> None:
    window.docks.guidelines.show()
    lst, text = window.docks.articles, window.workspace.view.text
    guidelines = window.docks.guidelines
    lst.view.setFocus()
    scroll = text.verticalScrollBar()
    scroll.setValue(scroll.maximum() // 2)
    where = scroll.value()
    for pane in (text, guidelines, lst, text):  # forward, round and round
        tab(qtbot)
        assert focused() is pane or pane.isAncestorOf(focused())
    for pane in (lst, guidelines, text, lst):  # Shift+Tab: the other way
        tab(qtbot, backwards=True)
        assert focused() is pane or pane.isAncestorOf(focused())
    assert scroll.value() == where  # passing through the text never scrolls it


def test_tab_skips_a_hidden_guidelines_panel_and_raises_a_tabbed_one(
    qtbot, window: MainWindow
) -> None:
    lst, text = window.docks.articles, window.workspace.view.text
    guidelines = window.docks.guidelines
    guidelines.close()
    lst.view.setFocus()
    tab(qtbot)
    tab(qtbot)
    assert focused() is lst.view
    guidelines.show()
    window.tabifyDockWidget(lst, guidelines)
    lst.raise_()
    QApplication.processEvents()
    assert not in_front(guidelines)  # behind the list's tab
    text.setFocus()
    tab(qtbot)
    assert in_front(guidelines) and guidelines.isAncestorOf(focused())
    tab(qtbot)
    assert in_front(lst) and focused() is lst.view


def in_front(dock: QWidget) -> bool:
    """Whether any of a dock is on screen (a dock behind another's tab is covered)."""
    QApplication.processEvents()
    return not dock.visibleRegion().isEmpty()


def searched_words(win: MainWindow) -> list[str]:
    """The text under every piece the highlighter painted bold (search matches)."""
    doc = win.workspace.view.text.document()
    out = []
    block = doc.begin()
    while block.isValid():
        for r in block.layout().formats():
            if r.format.fontWeight() == 700:
                out.append(block.text()[r.start : r.start + r.length])
        block = block.next()
    return out


def test_search_highlights_only_word_starts_as_the_list_counts_them(
    qtbot, window: MainWindow
) -> None:
    dock = window.docks.articles
    window.workspace.show_article(list(window.project.article_ids())[-1])
    key(qtbot, window, "f", CTRL)
    qtbot.keyClicks(dock.search, "tar")
    qtbot.waitUntil(lambda: searched_words(window) != [])
    assert searched_words(window) == ["tar", "Tar"]  # tarif, Tarigan: not Daftar, Utara


def test_the_status_bar_counts_the_session_and_says_saved_after_the_commit(
    qtbot, window: MainWindow
) -> None:
    status = window.status
    assert status.saved.text() == "Nothing to save yet"
    key(qtbot, window, Qt.Key.Key_Return, CTRL)
    with Project.open(window.project.target) as other:  # committed when it says so
        first = next(iter(other.article_ids()))
        assert other.labels.progress(first, annotator="ani").status == "done"
    assert status.saved.text().startswith("Saved ")
    key(qtbot, window, Qt.Key.Key_Return, CTRL)
    assert status.session.text().startswith("2 done this session, ")
    assert status.session.text().endswith(" s/article")


def test_first_start_shows_the_guidelines_with_the_labels_to_read(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "fresh.tandai"
    with Project.create(path) as project:  # no guidelines written yet
        project.imports.store_articles([NewArticle(text="Satu berita.", title="Satu")])
    fresh = QSettings(str(tmp_path / "fresh.ini"), QSettings.Format.IniFormat)
    win = wh.open_window(qtbot, path, fresh)
    try:
        dock = win.docks.guidelines
        qtbot.waitUntil(lambda: win._sized)
        QApplication.processEvents()
        assert dock.isVisible()
        shown = dock.browser.toPlainText()
        assert "PER: Person: a named individual" in shown
        assert "Stance toward “main”" in shown
    finally:
        win.close()
        win.project.close()


def test_no_label_colour_looks_like_the_selection(qtbot, window: MainWindow) -> None:
    text = window.workspace.view.text
    selection = text.palette().color(QPalette.ColorRole.Highlight)
    for label in window.project.schema().entity_labels:
        colour = QColor(label.colour)
        assert abs(colour.lightness() - selection.lightness()) > 100, label.name


def test_a_stance_target_description_is_edited_in_the_schema_and_shown_beside_the_keys(
    qtbot, window: MainWindow
) -> None:
    editor = SchemaEditorDialog(window.project, window)
    qtbot.addWidget(editor)
    target = editor.stance.topLevelItem(0)
    assert target.text(2) == "the article's main subject"  # the default schema explains it
    target.setText(2, "the policy the article is about")
    editor.accept()  # what the OK button runs: checked and stored
    window.workspace.apply_schema(window.project.schema())
    labels = [w.text() for w in window.workspace.label_bar.stance.findChildren(QLabel)]
    assert "Stance · main (the policy the article is about):" in labels


def test_the_list_highlight_stays_on_the_open_article_when_the_search_changes(
    qtbot, window: MainWindow
) -> None:
    dock = window.docks.articles
    ids = list(window.project.article_ids())
    window.workspace.show_article(ids[2])
    key(qtbot, window, "f", CTRL)
    qtbot.keyClicks(dock.search, "berita")
    qtbot.waitUntil(lambda: dock.model.rowCount() == 3)
    dock.wait_for_count()
    assert dock.current_article_id() == ids[2]
    qtbot.keyClick(dock.search, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dock.search, "x")  # nothing matches: no row may look open
    qtbot.waitUntil(lambda: dock.model.rowCount() == 0)
    assert dock.current_article_id() is None


def test_reading_the_guidelines_j_moves_on(qtbot, window: MainWindow) -> None:
    ids = list(window.project.article_ids())
    guidelines = window.docks.guidelines
    guidelines.show()
    guidelines.browser.setFocus()
    qtbot.keyClick(guidelines.browser, "j")
    assert window.workspace.article_id == ids[1]
