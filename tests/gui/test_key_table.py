"""The one key table: it runs the keys, lists them in the keyboard map and labels the menus,
so the three never disagree; a schema key wins over the workspace's and the suggestions'."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent

from core.schema import EntityLabel, Schema, StanceOption, StanceTarget
from gui.key_table import KeyMap, key_table
from gui.main_window import MainWindow
from tests.gui.workspace_helpers import key

NO = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


def press(k: Qt.Key, text: str = "", mods: Qt.KeyboardModifier = NO) -> QKeyEvent:
    return QKeyEvent(QEvent.Type.KeyPress, k, mods, text)


def recording_map(schema: Schema, *, selection: bool = False) -> tuple[KeyMap, list[tuple]]:
    ran: list[tuple] = []
    names = {row.action for row in key_table(schema) if row.action}
    actions = {name: (lambda *args, n=name: ran.append((n, *args))) for name in names}
    return KeyMap(key_table(schema), actions, has_selection=lambda: selection), ran


SCHEMA = Schema(
    entity_labels=(EntityLabel("PER", "#f4a3a3", "1"), EntityLabel("GPE", "#b6d7a8", "j")),
    boilerplate_key="b",
    stance_targets=(StanceTarget("main", (StanceOption("favour", "a"),)),),
)


def test_a_schema_key_wins_over_the_workspace_and_suggestion_keys_of_the_same_letter(
    qapp,
) -> None:
    keys, ran = recording_map(SCHEMA)
    for event in (
        press(Qt.Key.Key_J, "j"),
        press(Qt.Key.Key_J, "J", SHIFT),
        press(Qt.Key.Key_A, "a"),
        press(Qt.Key.Key_A, "A", SHIFT),  # Shift+A would accept all: "a" is the schema's
        press(Qt.Key.Key_K, "k"),
        press(Qt.Key.Key_X, "X", SHIFT),
        press(Qt.Key.Key_N, "n"),
    ):
        assert keys.handle(event)
    assert ran == [
        ("label", "GPE"),
        ("label", "GPE"),
        ("set_stance", "main", "favour"),
        ("set_stance", "main", "favour"),
        ("previous_article",),
        ("reject_all",),
        ("next_suggestion",),
    ]
    shown = dict(keys.help_rows())
    assert shown["J"] == "label GPE" and shown["A"] == "stance main: favour"
    assert "next article" not in [does for key_, does in keys.help_rows() if key_ == "J"]
    assert "Shift+A" not in shown  # it never runs, so it is not listed
    assert keys.shown_keys("next_article") == "Alt+→"  # J went to the label


def test_chords_special_keys_and_shift_b_on_a_selection(qapp) -> None:
    keys, ran = recording_map(SCHEMA, selection=True)
    assert keys.handle(press(Qt.Key.Key_Return, "\r", CTRL))
    assert keys.handle(press(Qt.Key.Key_Z, "", CTRL | SHIFT))
    assert keys.handle(press(Qt.Key.Key_Z, "", CTRL))
    assert keys.handle(press(Qt.Key.Key_Y, "", CTRL))
    assert keys.handle(press(Qt.Key.Key_Left, "", ALT))
    assert keys.handle(press(Qt.Key.Key_Delete, "\x7f"))
    assert keys.handle(press(Qt.Key.Key_Escape, "\x1b"))
    assert keys.handle(press(Qt.Key.Key_B, "B", SHIFT))
    assert not keys.handle(press(Qt.Key.Key_Delete, "", CTRL))  # left to the widget
    assert not keys.handle(press(Qt.Key.Key_Right, "", SHIFT))  # extends the selection
    assert not keys.handle(press(Qt.Key.Key_Q, "q", CTRL))
    assert [r[0] for r in ran] == [
        "done_and_next",
        "redo",
        "undo",
        "redo",
        "previous_article",
        "delete_selected",
        "escape",
        "mark_selection_boilerplate",
    ]
    no_selection, ran = recording_map(SCHEMA, selection=False)
    assert no_selection.handle(press(Qt.Key.Key_B, "B", SHIFT))
    assert ran == [("toggle_boilerplate",)]  # Shift+B with nothing selected: whole lines


def test_menus_show_the_keys_the_key_table_gives_their_action(qtbot, window: MainWindow) -> None:
    article_menu = next(
        a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Article"
    )
    texts = [a.text() for a in article_menu.actions() if a.text()]
    assert texts == [
        "&Done, next to do\tCtrl+Enter",
        "&Skip\tS",
        "&Flag with a note…\tF",
        "&Next article\tJ, Alt+→",
        "&Previous article\tK, Alt+←",
        "Next near-&duplicate\tD",
        "&Apply my labels to its near-duplicates",  # a menu action, no key
    ]
    assert window.actions_.keymap.text() == "&Keyboard map\t?"
    shown = dict(window.workspace.key_help())
    for text in (t for t in texts if "\t" in t):
        for one in text.split("\t")[1].split(", "):
            assert one in shown  # every key a menu names is in the keyboard map


def test_a_menu_entry_runs_the_same_action_as_its_key(qtbot, window: MainWindow) -> None:
    first = window.workspace.article_id
    key(qtbot, window, "j")
    second = window.workspace.article_id
    assert second != first
    next(
        a for a in window.findChildren(type(window.actions_.keymap)) if "Previous" in a.text()
    ).trigger()
    assert window.workspace.article_id == first
