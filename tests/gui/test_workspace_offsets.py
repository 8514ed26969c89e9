"""The Qt (UTF-16) to stored (code point) boundary: emoji with ZWJ, CJK Extension B, Arabic,
combining marks. A selection made in the widget is stored as exactly the selected string, and
is painted back over the same characters."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from core.selection import LineIndex, snap_to_words
from gui.main_window import MainWindow
from tests.gui.workspace_helpers import (
    ARABIC,
    TRICKY,
    click_at,
    drag_select,
    key,
    painted_ranges,
    selected_text,
    utf16,
)

NEEDLES = [
    ("👨🏻‍🚒", "7", "#d9d9d9"),
    ("𠮷野", "1", "#f4a3a3"),
    ("مرحبا بالعالم", "2", "#8fd9c8"),
    ("Kyïv", "3", "#b6d7a8"),
    ("cafe\u0301", "7", "#d9d9d9"),
    ("Jakarta", "3", "#b6d7a8"),
]


def open_titled(window: MainWindow, text: str) -> int:
    aid = next(i for i in window.project.article_ids() if window.project.article(i).text == text)
    window.workspace.show_article(aid)
    return aid


@pytest.mark.parametrize(("needle", "key_text", "colour"), NEEDLES)
def test_a_widget_selection_is_stored_as_exactly_the_selected_string_and_drawn_in_place(
    qtbot, window: MainWindow, needle: str, key_text: str, colour: str
) -> None:
    aid = open_titled(window, TRICKY)
    start = TRICKY.index(needle)
    s16, e16 = utf16(TRICKY, start), utf16(TRICKY, start + len(needle))
    drag_select(qtbot, window, s16, e16)
    assert selected_text(window) == needle
    key(qtbot, window, key_text)
    [span] = window.project.labels.spans(aid, annotator="ani")
    assert TRICKY[span.start : span.end] == needle
    assert (span.start, span.end) == (start, start + len(needle))
    assert (s16, e16, colour) in painted_ranges(window)


def test_every_tricky_span_together_is_painted_at_its_own_utf16_place(
    qtbot, window: MainWindow
) -> None:
    aid = open_titled(window, TRICKY)
    for needle, key_text, _ in NEEDLES:
        start = TRICKY.index(needle)
        drag_select(qtbot, window, utf16(TRICKY, start), utf16(TRICKY, start + len(needle)))
        key(qtbot, window, key_text)
    stored = [TRICKY[s.start : s.end] for s in window.project.labels.spans(aid)]
    assert stored == [n for n, _, _ in NEEDLES]
    painted = {(a, b) for a, b, _ in painted_ranges(window)}
    for needle, _, _ in NEEDLES:
        start = TRICKY.index(needle)
        assert (utf16(TRICKY, start), utf16(TRICKY, start + len(needle))) in painted


def test_clicking_a_span_after_an_emoji_selects_exactly_that_span(
    qtbot, window: MainWindow
) -> None:
    open_titled(window, TRICKY)
    start = TRICKY.index("Jakarta")
    drag_select(qtbot, window, utf16(TRICKY, start), utf16(TRICKY, start + 7))
    key(qtbot, window, "3")
    click_at(qtbot, window, utf16(TRICKY, start + 3))
    assert selected_text(window) == "Jakarta"
    assert window.workspace.view.selection() == (start, start + 7)


def test_an_arabic_article_is_laid_out_right_to_left_and_labels_by_code_point(
    qtbot, window: MainWindow
) -> None:
    aid = open_titled(window, ARABIC)
    text = window.workspace.view.text
    assert text.layoutDirection() == Qt.LayoutDirection.RightToLeft
    option = text.document().defaultTextOption()
    assert option.textDirection() == Qt.LayoutDirection.RightToLeft
    start = ARABIC.index("خالد العمري")
    drag_select(qtbot, window, start + 1, start + 8)  # from inside one word to inside the next
    key(qtbot, window, "1")
    [span] = window.project.labels.spans(aid)
    assert ARABIC[span.start : span.end] == "خالد العمري"
    window.workspace.show_article(next(window.project.article_ids()))
    assert text.layoutDirection() == Qt.LayoutDirection.LeftToRight


@pytest.mark.parametrize(
    ("text", "sel", "expected"),
    [
        ("Kota Hendra Wiratama itu", (7, 15), "Hendra Wiratama"),
        ("  spasi  ", (0, 9), "spasi"),
        ("cafe\u0301 enak", (0, 4), "cafe\u0301"),
        ("pemadam 👨🏻‍🚒 tiba", (8, 9), "👨🏻‍🚒"),
        ("ujarnya, Rabu (18/12/2024).", (9, 13), "Rabu"),
        ("Jum'at pagi", (0, 2), "Jum'at"),
    ],
)
def test_snapping_widens_to_whole_words_and_never_cuts_a_cluster(
    text: str, sel: tuple[int, int], expected: str
) -> None:
    start, end = snap_to_words(text, *sel)
    assert text[start:end] == expected


def test_a_selection_touches_the_lines_it_covers_but_not_one_it_ends_at() -> None:
    text = "satu\ndua\n\ntiga\nempat"
    lines = LineIndex(text)
    assert [text[a:b] for a, b in lines.touched_lines(1, 6)] == ["satu", "dua"]
    assert [text[a:b] for a, b in lines.touched_lines(0, 5)] == ["satu"]
    assert [text[a:b] for a, b in lines.touched_lines(6, 6)] == ["dua"]
    assert [text[a:b] for a, b in lines.touched_lines(5, 14)] == ["dua", "tiga"]
