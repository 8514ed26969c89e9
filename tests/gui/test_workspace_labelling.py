"""Labelling in the workspace with simulated mouse and keys, checked in the project file."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from core.schema import Schema
from gui.main_window import MainWindow
from tests.gui.workspace_helpers import (
    INDONESIAN,
    click_at,
    drag_select,
    key,
    painted_ranges,
    point_at,
    selected_text,
    utf16,
)


def entity_texts(win: MainWindow) -> list[tuple[str, str]]:
    aid = win.workspace.article_id
    text = win.project.article(aid).text
    return [
        (s.label, text[s.start : s.end])
        for s in win.project.labels.spans(aid, annotator="ani", layer="entity")
    ]


def test_a_sloppy_mouse_selection_snaps_to_words_and_a_label_key_stores_it(
    qtbot, window: MainWindow
) -> None:
    start = INDONESIAN.index("Hendra Wiratama")
    drag_select(qtbot, window, utf16(INDONESIAN, start + 2), utf16(INDONESIAN, start + 12))
    assert selected_text(window) == "ndra Wirat"
    key(qtbot, window, "1")
    assert entity_texts(window) == [("PER", "Hendra Wiratama")]
    assert (start, start + 15, "#f4a3a3") in painted_ranges(window)


def test_shift_arrows_select_and_a_label_key_stores_the_span(qtbot, window: MainWindow) -> None:
    start = INDONESIAN.index("Suryani")
    click_at(qtbot, window, start)
    for _ in range(len("Suryani Halim")):
        key(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert selected_text(window) == "Suryani Halim"
    key(qtbot, window, "1")
    assert entity_texts(window) == [("PER", "Suryani Halim")]


def test_a_label_picked_first_turns_the_next_selection_into_a_span_at_once(
    qtbot, window: MainWindow
) -> None:
    key(qtbot, window, "6")  # no selection: DATE is picked
    assert window.workspace.label_bar.buttons["DATE"].isChecked()
    start = INDONESIAN.index("1 Januari 2025")
    drag_select(qtbot, window, start, start + len("1 Januari 2025"))
    assert entity_texts(window) == [("DATE", "1 Januari 2025")]
    window.workspace.label_bar.buttons["GPE"].click()  # a click picks another label
    place = INDONESIAN.index("Tanjung Sekar")
    drag_select(qtbot, window, place, place + len("Tanjung Sekar"))
    assert ("GPE", "Tanjung Sekar") in entity_texts(window)


def test_snapping_can_be_turned_off_in_the_project_schema(qtbot, window: MainWindow) -> None:
    schema = window.project.schema().to_dict()
    schema["snap_to_words"] = False
    window.project.set_schema(Schema.from_dict(schema))
    window.workspace.apply_schema(window.project.schema())
    start = INDONESIAN.index("Wiratama")
    drag_select(qtbot, window, start, start + 4)
    key(qtbot, window, "7")
    assert entity_texts(window) == [("MISC", "Wira")]


def test_clicking_a_span_selects_it_a_label_key_relabels_it_and_delete_removes_it(
    qtbot, window: MainWindow
) -> None:
    start = INDONESIAN.index("Suryani Halim")
    drag_select(qtbot, window, start, start + 13)
    key(qtbot, window, "1")
    click_at(qtbot, window, start + 4)
    assert selected_text(window) == "Suryani Halim"
    key(qtbot, window, "2")
    assert entity_texts(window) == [("ORG", "Suryani Halim")]
    assert (start, start + 13, "#8fd9c8") in painted_ranges(window)
    click_at(qtbot, window, start + 3)
    key(qtbot, window, Qt.Key.Key_Delete)
    assert entity_texts(window) == []
    assert not [r for r in painted_ranges(window) if r[0] == start]


def test_an_overlapping_entity_is_refused_with_a_visible_message(qtbot, window: MainWindow) -> None:
    start = INDONESIAN.index("Wali Kota Hendra")
    drag_select(qtbot, window, start, start + len("Wali Kota Hendra"))
    key(qtbot, window, "2")
    other = INDONESIAN.index("Hendra Wiratama")
    drag_select(qtbot, window, other, other + len("Hendra Wiratama"))
    key(qtbot, window, "1")
    assert entity_texts(window) == [("ORG", "Wali Kota Hendra")]
    assert window.workspace.notice.isVisible()
    assert window.workspace.notice.text().startswith(
        "Not labelled: “Hendra Wiratama” would overlap the ORG span “Wali Kota Hendra”."
    )


def test_b_marks_each_trailing_boilerplate_line_with_one_key_and_unmarks_it_again(
    qtbot, window: MainWindow
) -> None:
    aid = window.workspace.article_id
    lines = ["(luc/luc)", "Saksikan video di bawah ini:", "Next Article", "Tinggalkan komentar"]
    for line in lines:
        click_at(qtbot, window, utf16(INDONESIAN, INDONESIAN.index(line) + 3))
        key(qtbot, window, "b")
    marked = [
        INDONESIAN[s.start : s.end] for s in window.project.labels.spans(aid, layer="boilerplate")
    ]
    assert marked == lines
    start = INDONESIAN.index("Next Article")
    assert (start, start + len("Next Article"), "#eeeeee") in painted_ranges(window)
    click_at(qtbot, window, start + 1)
    key(qtbot, window, "b")
    marked = [
        INDONESIAN[s.start : s.end] for s in window.project.labels.spans(aid, layer="boilerplate")
    ]
    assert "Next Article" not in marked and len(marked) == 3


def test_b_on_a_selection_marks_every_line_it_touches_as_one_undo_step(
    qtbot, window: MainWindow
) -> None:
    aid = window.workspace.article_id
    start = INDONESIAN.index("video di bawah")
    end = INDONESIAN.index("Liar di Pasar")
    drag_select(qtbot, window, start, end)
    key(qtbot, window, "b")
    marked = [
        INDONESIAN[s.start : s.end] for s in window.project.labels.spans(aid, layer="boilerplate")
    ]
    assert marked == ["Saksikan video di bawah ini:", "Video: Antrean Parkir Liar di Pasar Besar"]
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.project.labels.spans(aid, layer="boilerplate") == []


def test_boilerplate_may_cover_an_entity(qtbot, window: MainWindow) -> None:
    aid = window.workspace.article_id
    start = INDONESIAN.index("Pasar Besar")
    drag_select(qtbot, window, start, start + len("Pasar Besar"))
    key(qtbot, window, "4")
    key(qtbot, window, "b")
    layers = sorted(s.layer for s in window.project.labels.spans(aid))
    assert layers == ["boilerplate", "entity"]


def test_stance_keys_choose_an_option_show_it_at_once_and_clear_it_again(
    qtbot, window: MainWindow
) -> None:
    aid = window.workspace.article_id
    buttons = window.workspace.label_bar.stance.buttons
    key(qtbot, window, "w")
    assert window.project.labels.doc_labels(aid, annotator="ani") == {"stance:main": "against"}
    assert buttons[("main", "against")].isChecked()
    key(qtbot, window, "e")
    assert window.project.labels.doc_labels(aid, annotator="ani") == {"stance:main": "neutral"}
    assert not buttons[("main", "against")].isChecked()
    key(qtbot, window, "e")
    assert window.project.labels.doc_labels(aid, annotator="ani") == {}
    buttons[("main", "favour")].click()
    assert window.project.labels.doc_labels(aid, annotator="ani") == {"stance:main": "favour"}


def test_hovering_a_span_shows_its_label(qtbot, window: MainWindow) -> None:
    start = INDONESIAN.index("Suryani Halim")
    drag_select(qtbot, window, start, start + 13)
    key(qtbot, window, "1")
    viewport = window.workspace.view.text.viewport()
    pos = point_at(window, start + 3) + QPoint(2, 0)
    event = QHelpEvent(QHelpEvent.Type.ToolTip, pos, viewport.mapToGlobal(pos))
    QApplication.sendEvent(viewport, event)
    assert QToolTip.text() == "PER"


def test_shift_b_marks_just_the_selected_words_as_boilerplate(qtbot, window: MainWindow) -> None:
    aid = window.workspace.article_id
    start = INDONESIAN.index("Antrean Parkir")
    drag_select(qtbot, window, start + 2, start + 10)
    key(qtbot, window, "B", Qt.KeyboardModifier.ShiftModifier)
    [span] = window.project.labels.spans(aid, layer="boilerplate")
    assert INDONESIAN[span.start : span.end] == "Antrean Parkir"


def test_clicking_a_label_button_on_a_selection_labels_it_without_picking_the_label(
    qtbot, window: MainWindow
) -> None:
    start = INDONESIAN.index("Suryani Halim")
    drag_select(qtbot, window, start, start + 13)
    button = window.workspace.label_bar.buttons["PER"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert entity_texts(window) == [("PER", "Suryani Halim")]
    assert not button.isChecked() and window.workspace.armed is None


def test_a_stance_button_shows_the_stored_value_only(qtbot, window: MainWindow) -> None:
    buttons = window.workspace.label_bar.stance.buttons
    qtbot.mouseClick(buttons[("main", "neutral")], Qt.MouseButton.LeftButton)
    assert buttons[("main", "neutral")].isChecked()
    qtbot.mouseClick(buttons[("main", "neutral")], Qt.MouseButton.LeftButton)  # clears it
    assert not any(b.isChecked() for b in buttons.values())
    assert window.project.labels.doc_labels(window.workspace.article_id, annotator="ani") == {}
