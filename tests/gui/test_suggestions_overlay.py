"""Suggestions in the workspace: drawn as dashed underlines, decided with keys, undoable,
and decided per source across the project from the dialog — all checked in the file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QTextCharFormat

from gui.main_window import MainWindow
from gui.suggestions_dialog import SuggestionsDialog
from storage import Project
from tests.gui import workspace_helpers as wh
from tests.gui.workspace_helpers import INDONESIAN, TRICKY, click_at, key, selected_text, utf16


@pytest.fixture
def suggested(project_path: Path) -> Path:
    with Project.open(project_path) as project:
        project.suggestions.run_suggesters()
        tricky = next(a for a in project.article_ids() if project.article(a).text == TRICKY)
        start = TRICKY.index("Jakarta")
        project.suggestions.add_suggestions(
            tricky, [("entity", "GPE", start, start + 7, 0.8)], source="model"
        )
    return project_path


@pytest.fixture
def window(qtbot, suggested: Path, settings: QSettings) -> Iterator[MainWindow]:
    win = wh.open_window(qtbot, suggested, settings)
    win.workspace.show_article(first_with(win, INDONESIAN))
    yield win
    win.close()
    win.project.close()


def first_with(win: MainWindow, text: str) -> int:
    return next(a for a in win.project.article_ids() if win.project.article(a).text == text)


def underlined(win: MainWindow) -> list[str]:
    """The text under each dashed underline the overlay drew."""
    out = []
    for sel in win.workspace.view.text.extraSelections():
        assert sel.format.underlineStyle() == QTextCharFormat.UnderlineStyle.DashUnderline
        out.append(sel.cursor.selectedText())
    return out


def settle(qtbot, dialog: SuggestionsDialog) -> None:
    """Wait for the dialog's background job and for its results to reach the UI thread."""
    qtbot.waitUntil(lambda: dialog.idle() and not dialog.cancel.isEnabled())


def boilerplate_spans(win: MainWindow) -> list[tuple[str, str]]:
    aid = win.workspace.article_id
    text = win.project.article(aid).text
    return [
        (text[s.start : s.end], s.origin)
        for s in win.project.labels.spans(aid, annotator="ani", layer="boilerplate")
    ]


def test_pending_suggestions_are_drawn_as_dashed_underlines_not_as_labels(
    window: MainWindow,
) -> None:
    marks = set(underlined(window))
    assert {"(luc/luc)", "Saksikan video di bawah ini:", "Next Article"} <= marks
    assert "Tinggalkan komentar" in marks
    assert "suggestion" in window.workspace.suggestions.bar.summary.text()
    assert not any(r[2] for r in wh.painted_ranges(window))  # no label background yet


def test_n_jumps_to_a_suggestion_a_accepts_it_and_undo_brings_it_back(
    qtbot, window: MainWindow
) -> None:
    click_at(qtbot, window, utf16(INDONESIAN, INDONESIAN.index("(luc/luc)") - 3))
    key(qtbot, window, "n")
    assert selected_text(window) == "(luc/luc)"
    key(qtbot, window, "a")
    assert ("(luc/luc)", "suggestion:lexicon") in boilerplate_spans(window)
    assert "(luc/luc)" not in underlined(window)
    assert selected_text(window) == "Saksikan video di bawah ini:"  # on to the next one
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert boilerplate_spans(window) == []
    assert "(luc/luc)" in underlined(window)


def test_x_rejects_for_good_and_undo_forgets_the_rejection(qtbot, window: MainWindow) -> None:
    click_at(qtbot, window, utf16(INDONESIAN, INDONESIAN.index("Next Article") + 2))
    key(qtbot, window, "x")
    assert "Next Article" not in underlined(window)
    with Project.open(window.project.target) as other:  # a second connection: it is stored
        aid = window.workspace.article_id
        pending = other.suggestions.suggestions(aid, annotator="ani")
        assert "Next Article" not in [INDONESIAN[s.start : s.end] for s in pending]
        other.suggestions.run_suggesters()
        again = other.suggestions.suggestions(aid, annotator="ani")
        assert "Next Article" not in [INDONESIAN[s.start : s.end] for s in again]
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "Next Article" in underlined(window)


def test_shift_a_accepts_every_suggestion_of_the_article_in_one_undo_step(
    qtbot, window: MainWindow
) -> None:
    key(qtbot, window, "A", Qt.KeyboardModifier.ShiftModifier)
    lines = [text for text, _origin in boilerplate_spans(window)]
    assert {"(luc/luc)", "Next Article", "Tinggalkan komentar"} <= set(lines)
    assert underlined(window) == []
    assert window.workspace.undo_stack.count() == 1
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert boilerplate_spans(window) == []


def test_an_entity_suggestion_after_emoji_is_drawn_and_accepted_at_code_point_offsets(
    qtbot, window: MainWindow
) -> None:
    window.workspace.show_article(first_with(window, TRICKY))
    assert underlined(window) == ["Jakarta"]
    click_at(qtbot, window, utf16(TRICKY, TRICKY.index("Jakarta") + 3))
    key(qtbot, window, "a")
    aid = window.workspace.article_id
    [span] = window.project.labels.spans(aid, annotator="ani", layer="entity")
    assert (TRICKY[span.start : span.end], span.label, span.origin) == (
        "Jakarta",
        "GPE",
        "suggestion:model",
    )


def test_a_source_is_accepted_across_the_project_from_the_dialog_and_undone_at_once(
    qtbot, window: MainWindow
) -> None:
    ws = window.workspace
    dialog = SuggestionsDialog(ws.suggestions, ws)
    qtbot.addWidget(dialog)
    settle(qtbot, dialog)
    rows = {dialog.table.item(r, 0).text(): r for r in range(dialog.table.rowCount())}
    assert int(dialog.table.item(rows["model"], 1).text()) == 1
    dialog.table.selectRow(rows["model"])
    dialog.decide_source(accept=True, confirm=False)
    settle(qtbot, dialog)
    assert ws.undo_stack.count() == 1
    assert int(dialog.table.item(rows["model"], 1).text()) == 0  # the table was refreshed
    tricky = first_with(window, TRICKY)
    assert [s.origin for s in window.project.labels.spans(tricky, annotator="ani")] == [
        "suggestion:model"
    ]
    ws.undo_stack.undo()
    assert window.project.labels.spans(tricky, annotator="ani") == []
    dialog.close()


def test_switching_a_source_off_in_the_dialog_hides_its_marks(qtbot, window: MainWindow) -> None:
    ws = window.workspace
    dialog = SuggestionsDialog(ws.suggestions, ws)
    qtbot.addWidget(dialog)
    settle(qtbot, dialog)
    for row in range(dialog.table.rowCount()):
        if dialog.table.item(row, 0).text() in ("lexicon", "shape", "repeated"):
            dialog.table.item(row, 2).setCheckState(Qt.CheckState.Unchecked)
    assert underlined(window) == []
    assert window.project.suggestions.disabled_sources() == ["lexicon", "repeated", "shape"]
    dialog.close()


def test_a_rule_from_the_line_at_the_cursor_is_counted_then_applied(
    qtbot, window: MainWindow
) -> None:
    ws = window.workspace
    click_at(qtbot, window, utf16(INDONESIAN, INDONESIAN.index("Antrean Parkir")))
    dialog = SuggestionsDialog(ws.suggestions, ws)
    qtbot.addWidget(dialog)
    settle(qtbot, dialog)
    assert [r.source for r in dialog.rules] == [
        "rule:^Video:",
        "rule:=Video: Antrean Parkir Liar di Pasar Besar",
    ]
    dialog.rule_choice.setCurrentIndex(0)
    dialog.count_selected_rule()
    settle(qtbot, dialog)
    assert dialog.rule_count.text() == "Matches 1 lines in 1 articles"
    dialog.apply_selected_rule()
    settle(qtbot, dialog)
    aid = ws.article_id
    assert [
        s.source for s in window.project.suggestions.suggestions(aid, sources=["rule:^Video:"])
    ] == ["rule:^Video:"]
    assert window.project.suggestions.rules()[0].source == "rule:^Video:"
    dialog.close()


def test_running_the_suggesters_from_the_dialog_reports_and_redraws(
    qtbot, window: MainWindow
) -> None:
    ws = window.workspace
    key(qtbot, window, "X", Qt.KeyboardModifier.ShiftModifier)  # reject all here first
    assert underlined(window) == []
    dialog = SuggestionsDialog(ws.suggestions, ws)
    qtbot.addWidget(dialog)
    settle(qtbot, dialog)
    dialog.run(only_new=False)
    settle(qtbot, dialog)
    assert "4 articles looked at" in dialog.status.text()
    assert underlined(window) == []  # rejected ones do not come back
    dialog.close()


def test_labelling_a_name_suggests_its_other_occurrences_in_the_background(
    qtbot, window: MainWindow
) -> None:
    ws = window.workspace
    start = INDONESIAN.index("Tanjung Sekar")
    ws.view.select(start, start + len("Tanjung Sekar"))
    key(qtbot, window, "3")  # GPE
    qtbot.waitUntil(lambda: not ws.suggestions.jobs)
    qtbot.waitUntil(lambda: "Tanjung Sekar" in underlined(window))
    aid = ws.article_id
    second = INDONESIAN.index("Tanjung Sekar", start + 1)
    own = [s for s in window.project.suggestions.suggestions(aid) if s.source == "own-labels"]
    assert [(s.start, s.label) for s in own] == [(start, "GPE"), (second, "GPE")]
    pending = window.project.suggestions.suggestions(aid, annotator="ani", sources=["own-labels"])
    assert [s.start for s in pending] == [second]  # the labelled one is hers already


def test_a_pattern_file_loaded_in_the_dialog_is_suggested_in_the_open_article(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    patterns = tmp_path / "gpe.jsonl"
    patterns.write_text(
        '{"label": "PER", "pattern": [{"lower": "suryani"}, {"lower": "halim"}]}\nnot json\n',
        encoding="utf-8",
    )
    ws = window.workspace
    dialog = SuggestionsDialog(ws.suggestions, ws)
    qtbot.addWidget(dialog)
    settle(qtbot, dialog)
    dialog.add_patterns(patterns)
    settle(qtbot, dialog)
    assert "1 patterns added" in dialog.status.text() and "1 lines skipped" in dialog.status.text()
    assert "Suryani Halim" in underlined(window)
    dialog.close()


def test_an_accepted_suggestion_deleted_and_undone_comes_back_with_its_origin(
    qtbot, window: MainWindow
) -> None:
    """Undo restores a span exactly as it was: a span accepted from a suggestion stays
    ``suggestion:<source>`` after Delete and Ctrl+Z, it does not come back as ``manual``."""
    window.workspace.show_article(first_with(window, TRICKY))
    inside = utf16(TRICKY, TRICKY.index("Jakarta") + 3)
    click_at(qtbot, window, inside)
    key(qtbot, window, "a")
    aid = window.workspace.article_id

    def entities() -> list[tuple[str, str, str]]:
        spans = window.project.labels.spans(aid, annotator="ani", layer="entity")
        return [(TRICKY[s.start : s.end], s.label, s.origin) for s in spans]

    assert entities() == [("Jakarta", "GPE", "suggestion:model")]
    click_at(qtbot, window, inside)  # a click selects the span
    key(qtbot, window, Qt.Key.Key_Delete)
    assert entities() == []
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert entities() == [("Jakarta", "GPE", "suggestion:model")]
    key(
        qtbot,
        window,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert entities() == []


def test_accepting_a_source_across_the_project_refreshes_every_list_row_it_touched(
    qtbot, window: MainWindow
) -> None:
    """The change of a project-wide accept names every article it touched, so the list row
    of an article that is not open shows its new label count at once, and again after undo."""
    from gui.article_list_model import LABELS

    ws = window.workspace
    tricky = first_with(window, TRICKY)
    assert ws.article_id != tricky
    model = window.docks.articles.model

    def labels_shown() -> str:
        return str(model.data(model.index(model.row_of(tricky), LABELS)))

    before = labels_shown()
    dialog = SuggestionsDialog(ws.suggestions, ws)
    qtbot.addWidget(dialog)
    settle(qtbot, dialog)
    rows = {dialog.table.item(r, 0).text(): r for r in range(dialog.table.rowCount())}
    dialog.table.selectRow(rows["model"])
    dialog.decide_source(accept=True, confirm=False)
    settle(qtbot, dialog)
    assert len(window.project.labels.spans(tricky, annotator="ani")) == 1
    assert labels_shown() == "1" != before
    ws.undo_stack.undo()
    assert labels_shown() == before
    dialog.close()


def test_an_accepted_suggestion_deleted_and_brought_back_by_undo_keeps_its_origin(
    qtbot, window: MainWindow
) -> None:
    window.workspace.show_article(first_with(window, TRICKY))
    click_at(qtbot, window, utf16(TRICKY, TRICKY.index("Jakarta") + 3))
    key(qtbot, window, "a")
    aid = window.workspace.article_id
    [accepted] = window.project.labels.spans(aid, annotator="ani", layer="entity")
    click_at(qtbot, window, utf16(TRICKY, TRICKY.index("Jakarta") + 3))
    key(qtbot, window, Qt.Key.Key_Delete)
    assert window.project.labels.spans(aid, annotator="ani", layer="entity") == []
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.project.labels.spans(aid, annotator="ani", layer="entity") == [accepted]
    assert accepted.origin == "suggestion:model"


def test_a_long_article_full_of_suggestions_gives_qt_only_those_near_the_screen(
    qtbot, tmp_path: Path, settings: QSettings
) -> None:
    """Thousands of pending suggestions (a common string labelled): Qt walks every extra
    selection on every paint, so only those within a screen of the visible text are drawn,
    and scrolling to the end (real keys) brings the last ones in; offsets stay exact past
    emoji, CJK Extension B, right-to-left text and CRLF."""
    line = "Warga 👨🏻‍🚒 𠮷野 مرحبا Jakarta menolak tarif baru di Jakarta.\r\n"
    text = line * 400
    data = tmp_path / "long.jsonl"
    data.write_text(json.dumps({"text": text}) + "\n", "utf-8")
    path = tmp_path / "long.tandai"
    with Project.create(path) as project:
        project.imports.import_files([data], detect=False)
        aid = next(iter(project.article_ids()))
        stored = project.article(aid).text
        rows = [("entity", "GPE", m.start(), m.end(), 0.9) for m in re.finditer("Jakarta", stored)]
        assert project.suggestions.add_suggestions(aid, rows, source="model") == 800
    win = wh.open_window(qtbot, path, settings)
    try:
        win.workspace.show_article(aid)
        qtbot.waitUntil(lambda: len(underlined(win)) > 0)
        first = underlined(win)
        assert set(first) == {"Jakarta"}
        assert len(first) < 200, "every suggestion of the article was handed to Qt"
        last = rows[-1]
        text_widget = win.workspace.view.text
        text_widget.setFocus()
        qtbot.keyClick(text_widget, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        want = (utf16(stored, last[2]), utf16(stored, last[3]))
        qtbot.waitUntil(
            lambda: (
                want
                in {
                    (s.cursor.selectionStart(), s.cursor.selectionEnd())
                    for s in text_widget.extraSelections()
                }
            )
        )
        assert set(underlined(win)) == {"Jakarta"}
    finally:
        win.close()
        win.project.close()
