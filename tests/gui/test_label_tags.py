"""Labels you can read (issue #13): the label's name drawn on each span, switchable off and
remembered; a high-contrast option; the long-article highlighting that formats only what is
shown. Real key presses and real paints of the offscreen window."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from core.models import NewArticle
from gui.main_window import MainWindow
from storage import Project
from tests.gui.workspace_helpers import INDONESIAN, TRICKY, drag_select, key, open_window, utf16


def painted(win: MainWindow) -> list[tuple[int, str]]:
    text = win.workspace.view.text
    text.viewport().repaint()
    return text.painted_tags


def spaced(win: MainWindow) -> list[int]:
    """Document positions of characters widened to make room for a tag."""
    doc = win.workspace.view.text.document()
    out = []
    block = doc.begin()
    while block.isValid():
        for r in block.layout().formats():
            if r.format.fontLetterSpacing() > 0:
                out.extend(range(block.position() + r.start, block.position() + r.start + r.length))
        block = block.next()
    return out


def test_a_labelled_span_shows_its_label_name_at_its_end(qtbot, window: MainWindow) -> None:
    start = INDONESIAN.index("Suryani Halim")
    drag_select(qtbot, window, start, start + 13)
    key(qtbot, window, "1")
    assert painted(window) == [(start + 13, "PER")]
    assert spaced(window) == [start + 12]  # only the last character makes room
    assert window.workspace.view.text.toPlainText() == INDONESIAN  # the text is untouched


def test_tags_sit_at_code_point_ends_in_emoji_cjk_and_rtl_text(qtbot, window: MainWindow) -> None:
    aid = list(window.project.article_ids())[1]
    window.workspace.show_article(aid)
    for word, k in (("مرحبا بالعالم", "4"), ("𠮷野", "3"), ("Jakarta", "3")):
        start = TRICKY.index(word)
        drag_select(qtbot, window, utf16(TRICKY, start), utf16(TRICKY, start + len(word)))
        key(qtbot, window, k)
    stored = window.project.labels.spans(aid, annotator="ani")
    assert sorted(TRICKY[s.start : s.end] for s in stored) == ["Jakarta", "مرحبا بالعالم", "𠮷野"]
    # Each tag at its span's end, counted in UTF-16 as Qt paints (the emoji and 𠮷 shift it).
    assert sorted(painted(window)) == sorted((utf16(TRICKY, s.end), s.label) for s in stored)


def test_view_label_names_switches_tags_off_and_the_setting_is_remembered(
    qtbot, window: MainWindow, project_path: Path, settings: QSettings
) -> None:
    start = INDONESIAN.index("Suryani Halim")
    drag_select(qtbot, window, start, start + 13)
    key(qtbot, window, "1")
    assert painted(window)
    window.view_options.tags.trigger()
    assert painted(window) == []
    assert spaced(window) == []
    window.close()
    window.project.close()
    again = open_window(qtbot, project_path, settings)
    assert not again.view_options.tags.isChecked()
    assert painted(again) == []
    again.view_options.tags.trigger()
    assert spaced(again) == [start + 12]
    index = again.workspace.view.highlighter.index
    assert [[(t[0], t[-1]) for t in index.tags(n)] for n in range(4)] == [[], [], [(30, "PER")], []]
    again.close()
    again.project.close()


def test_high_contrast_paints_black_on_white_with_underlined_spans(
    qtbot, window: MainWindow
) -> None:
    start = INDONESIAN.index("Suryani Halim")
    drag_select(qtbot, window, start, start + 13)
    key(qtbot, window, "1")

    def span_format() -> tuple[bool, str]:
        block = window.workspace.view.text.document().findBlock(start)
        ranges = block.layout().formats()
        r = next(r for r in ranges if r.start <= start - block.position() < r.start + r.length)
        return r.format.fontUnderline(), r.format.foreground().color().name()

    assert not span_format()[0]
    window.view_options.high_contrast.trigger()
    assert span_format() == (True, "#000000")
    palette = window.workspace.view.text.palette()
    assert palette.color(QPalette.ColorRole.Base) == QColor("#ffffff")
    assert palette.color(QPalette.ColorRole.Text) == QColor("#000000")
    window.view_options.high_contrast.trigger()
    assert not span_format()[0]


def test_no_label_is_painted_in_a_colour_like_the_selection(qtbot, window: MainWindow) -> None:
    from core.palette import looks_like

    view = window.workspace.view
    selections = [
        view.text.palette().color(QPalette.ColorRole.Highlight).name(),
        QApplication.palette().color(QPalette.ColorRole.Highlight).name(),
    ]
    assert view.formats is not None
    for colour in view.formats.colours.values():
        assert not looks_like(colour, selections), colour


LONG_WORDS = 20_000


def long_project(path: Path) -> None:
    words = ["kota", "tarif", "parkir", "Jakarta", "𠮷野", "warga"]
    lines = [" ".join(words[(i + j) % 6] for j in range(40)) + "." for i in range(LONG_WORDS // 40)]
    text = "\n".join(lines)
    with Project.create(path) as project:
        project.imports.store_articles([NewArticle(text=text, title="long")])
        aid = next(iter(project.article_ids()))
        found = [m.start() for m in re.finditer("Jakarta", text)]
        for at in found[:: len(found) // 300]:  # spread over the whole text
            project.labels.add_span(
                aid, annotator="ani", layer="entity", label="GPE", start=at, end=at + 7
            )


def test_a_long_article_formats_only_the_blocks_shown_and_scrolling_formats_more(
    qtbot, tmp_path: Path, settings: QSettings
) -> None:
    path = tmp_path / "long.tandai"
    long_project(path)
    win = open_window(qtbot, path, settings)
    view = win.workspace.view
    highlighter = view.highlighter
    blocks = view.text.document().blockCount()
    painted(win)
    first = sum(highlighter.formatted(n) for n in range(blocks))
    assert 0 < first < blocks // 4  # a screenful, not the article
    bar = view.text.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: highlighter.formatted(blocks - 1))
    tags = painted(win)
    assert tags and all(label == "GPE" for _, label in tags)
    assert view.text.toPlainText() == view.geometry_.text.replace("\n", "\n")
    win.close()
    win.project.close()


def test_an_arabic_span_keeps_its_letters_joined_and_its_tag_beside_it(
    qtbot, window: MainWindow
) -> None:
    aid = next(i for i in window.project.article_ids() if window.project.article(i).text == TRICKY)
    window.workspace.show_article(aid)
    word = "مرحبا بالعالم"
    start = TRICKY.index(word)
    end = start + len(word)
    drag_select(qtbot, window, utf16(TRICKY, start), utf16(TRICKY, end))
    key(qtbot, window, "4")
    [span] = window.project.labels.spans(aid, annotator="ani")
    assert (span.start, span.end) == (start, end)
    # Letter spacing on the last Arabic letter would cut it from its word: the space after
    # the span makes the room instead.
    assert spaced(window) == [utf16(TRICKY, end)]
    assert painted(window) == [(utf16(TRICKY, end), "LOC")]
