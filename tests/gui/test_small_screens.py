"""Small screens (#13): the real main window resized to 1024×600 and 1366×768, offscreen.

What is compared is the layout, not pixels: every label and stance button is as wide as it
asks to be (Qt elides a squeezed button's text to "…") and lies inside the window; no two
buttons overlap, nor do the bars above the text; the text keeps a readable size; the window
accepts the size; the side panels share one column of tabs on the small screen and stand
side by side on the larger one; and the article list's title is its widest column.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings
from PySide6.QtWidgets import QApplication, QDockWidget, QToolButton, QWidget

from core.models import DocSuggestion, NewArticle
from gui.article_list_model import COLUMNS, DUPS, TITLE, UNSURE
from gui.main_window import MainWindow
from storage import Project
from tests.gui.workspace_helpers import INDONESIAN, open_window

SMALL, LAPTOP = (1024, 600), (1366, 768)


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    """The default schema (seven labels, four stance options), articles with long titles."""
    path = tmp_path / "screens.tandai"
    with Project.create(path) as project:
        project.imports.store_articles(
            [
                NewArticle(
                    text=INDONESIAN,
                    title=f"Tarif Parkir Naik 150 Persen, Pedagang Pasar Protes Keras {i}",
                    source="kabarberita.example",
                )
                for i in range(12)
            ]
        )
    return path


@pytest.fixture
def window(qtbot, project_path: Path, settings: QSettings) -> Iterator[MainWindow]:
    win = open_window(qtbot, project_path, settings)  # first start: nothing restored
    yield win
    win.close()
    win.project.close()


def resized(win: MainWindow, size: tuple[int, int]) -> None:
    win.resize(*size)
    for _ in range(10):
        QApplication.processEvents()


def box(widget: QWidget, win: MainWindow) -> QRect:
    """The widget's rectangle in the window's coordinates."""
    return QRect(widget.mapTo(win, widget.rect().topLeft()), widget.size())


def in_front(dock: QDockWidget) -> bool:
    """On screen, not covered by another dock's tab."""
    return dock.isVisible() and not dock.visibleRegion().isEmpty()


def buttons(win: MainWindow) -> list[QToolButton]:
    bar = win.workspace.label_bar
    found = [*bar.buttons.values(), bar.boilerplate, *bar.stance.buttons.values()]
    return [b for b in found if b is not None]


def assert_usable(win: MainWindow, size: tuple[int, int], *, text: tuple[int, int]) -> None:
    width, height = size
    assert win.minimumSizeHint().width() <= width and win.minimumSizeHint().height() <= height
    assert (win.width(), win.height()) == size  # the window took the size it was given
    window = win.rect()
    shown = buttons(win)
    assert len(shown) == 7 + 1 + 4  # the schema's labels, boilerplate, the stance options
    for button in shown:
        assert button.isVisible(), button.text()
        # Never elided: a button narrower than its size hint shows "…" for its text.
        assert button.width() >= button.sizeHint().width(), button.text()
        assert window.contains(box(button, win)), button.text()
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            assert not box(a, win).intersects(box(b, win)), (a.text(), b.text())
    lst = win.docks.articles
    for combo in (lst.status_box, lst.lang_box):  # "Any language", not "Any languag"
        assert combo.width() >= combo.sizeHint().width(), combo.currentText()
    ws = win.workspace
    parts = [ws.label_bar, ws.suggestions.bar, ws.view.title, ws.view.meta, ws.view.text]
    for i, a in enumerate(parts):
        for b in parts[i + 1 :]:
            assert not box(a, win).intersects(box(b, win)), (a, b)
    assert box(ws.view.text, win).bottom() < box(win.statusBar(), win).top()
    view = ws.view.text.viewport()
    assert view.width() >= text[0] and view.height() >= text[1], view.size()


def test_at_1024_by_600_the_side_panels_share_a_column_of_tabs_and_nothing_is_cut(
    window: MainWindow,
) -> None:
    resized(window, SMALL)
    lst, guidelines = window.docks
    assert guidelines in window.tabifiedDockWidgets(lst)
    assert in_front(lst) and not in_front(guidelines)
    assert_usable(window, SMALL, text=(560, 300))


def test_at_1366_by_768_the_guidelines_stand_beside_the_text_and_nothing_is_cut(
    window: MainWindow,
) -> None:
    resized(window, LAPTOP)
    lst, guidelines = window.docks
    assert guidelines not in window.tabifiedDockWidgets(lst)
    assert in_front(lst) and in_front(guidelines)
    assert box(lst, window).right() < box(window.workspace, window).left()
    assert box(window.workspace, window).right() < box(guidelines, window).left()
    assert_usable(window, LAPTOP, text=(600, 450))


def test_a_narrow_window_wraps_the_buttons_onto_more_lines_instead_of_cutting_them(
    window: MainWindow,
) -> None:
    resized(window, SMALL)  # as a hand drags the edge: first the side panels become tabs
    resized(window, (760, 600))
    assert window.width() == 760
    bar = window.workspace.label_bar
    rows = {box(b, window).top() for b in bar.buttons.values()}
    assert len(rows) > 1  # wrapped
    for button in buttons(window):
        assert button.width() >= button.sizeHint().width(), button.text()
        assert window.rect().contains(box(button, window)), button.text()


def test_growing_the_window_puts_the_guidelines_back_and_closing_small_keeps_no_tabs(
    qtbot, window: MainWindow, project_path: Path, settings: QSettings
) -> None:
    resized(window, SMALL)
    resized(window, LAPTOP)
    lst, guidelines = window.docks
    assert guidelines not in window.tabifiedDockWidgets(lst) and in_front(guidelines)
    resized(window, SMALL)
    window.close()
    window.project.close()
    again = open_window(qtbot, project_path, settings)  # the layout saved at 1024×600
    try:
        resized(again, LAPTOP)
        lst, guidelines = again.docks
        assert guidelines not in again.tabifiedDockWidgets(lst) and in_front(guidelines)
    finally:
        again.close()
        again.project.close()


@pytest.mark.parametrize("size", [SMALL, LAPTOP])
def test_the_article_title_is_the_list_s_widest_column(window: MainWindow, size) -> None:
    resized(window, size)
    header = window.docks.articles.view.horizontalHeader()
    widths = {col: header.sectionSize(col) for col in range(len(COLUMNS))}
    shown = {c: w for c, w in widths.items() if not header.isSectionHidden(c)}
    assert header.isSectionHidden(UNSURE) and header.isSectionHidden(DUPS)  # nothing to show
    assert max(shown, key=shown.__getitem__) == TITLE
    assert shown[TITLE] >= 0.33 * header.width()
    assert shown[TITLE] >= sum(w for c, w in shown.items() if c != TITLE) * 0.5


def test_a_window_closed_narrow_reopens_as_narrow(
    qtbot, window: MainWindow, project_path: Path, settings: QSettings
) -> None:
    resized(window, SMALL)
    resized(window, (760, 560))
    window.close()
    window.project.close()
    again = open_window(qtbot, project_path, settings)
    try:
        assert (again.width(), again.height()) == (760, 560)
        lst, guidelines = again.docks
        assert guidelines in again.tabifiedDockWidgets(lst)
    finally:
        again.close()
        again.project.close()


@pytest.mark.parametrize("size", [SMALL, (760, 560), LAPTOP])
def test_a_count_or_a_proposal_coming_and_going_never_moves_the_text(
    window: MainWindow, size
) -> None:
    resized(window, SMALL)
    resized(window, size)
    ws = window.workspace
    text = ws.view.text

    def top() -> int:
        for _ in range(10):  # a new height climbs one layout level per pass
            QApplication.processEvents()
        return box(text, window).top()

    where = top()
    for count in (0, 1, 12, 9_999, 0):
        ws.suggestions.bar.show_count(count)
        assert top() == where, count

    # The first proposal a stance model makes may take room (it comes with an article
    # opening); from then on a proposal going (a stance chosen) or back (undo) keeps it.
    def proposed(value: str, score: float, source: str = "model") -> dict[str, DocSuggestion]:
        return {"main": DocSuggestion(0, 0, "stance:main", value, source, score)}

    ws.label_bar.stance.set_proposals(proposed("favour", 0.61), "g")
    where = top()
    for proposals in (
        {},
        proposed("unrelated", 0.93),
        {},
        proposed("against", 1.0),
        proposed("unrelated", 0.5, "near-duplicate"),  # the longest source
    ):
        ws.label_bar.stance.set_proposals(proposals, "g")
        assert top() == where, proposals


def test_the_language_arriving_in_the_header_never_moves_the_text(
    qtbot, tmp_path: Path, settings: QSettings
) -> None:
    path = tmp_path / "url.tandai"
    with Project.create(path) as project:
        project.imports.store_articles(
            [
                NewArticle(
                    text=INDONESIAN,
                    title="Tarif Parkir Naik",
                    source="kabarberita.example",
                    url="https://kabarberita.example/news/" + "tarif-parkir-naik-" * 4 + "x",
                )
            ]
        )
    win = open_window(qtbot, path, settings)
    try:
        win.catch_up.stop()  # the language is given below, not detected
        view = win.workspace.view
        for width in range(700, 1100, 7):  # somewhere "language pending" takes a line more
            resized(win, (width, 600))
            before = box(view.text, win).top()
            pending = view.article
            view.set_article_metadata(replace(pending, lang="id"))
            QApplication.processEvents()
            assert "id" in view.meta.text()
            assert box(view.text, win).top() == before, width
            view.draw(win.workspace.open)  # the next opening starts afresh
            view.set_article_metadata(pending)
    finally:
        win.close()
        win.project.close()
