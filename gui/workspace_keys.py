"""The workspace's keyboard: which key does what, and the keyboard map built from it.

Keys come from the project's schema first (entity labels, boilerplate, stance options), then
the workspace's own (J/K, S, F, ?), so a schema that gives "j" to a label keeps it. Plain keys
are handled only while the article text has the focus: typing in the search box or the
guidelines never labels anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent

from core.schema import Schema

if TYPE_CHECKING:
    from gui.workspace import Workspace

NAV_NEXT, NAV_PREVIOUS, SKIP, FLAG, KEYMAP = "j", "k", "s", "f", "?"
NEAR_DUPLICATE = "d"


@dataclass(frozen=True)
class KeyBinding:
    key: str
    action: str
    run: Callable[[], None]


def build_bindings(ws: Workspace, schema: Schema) -> dict[str, KeyBinding]:
    """Lower-case key -> binding, for the plain keys of ``schema`` and of the workspace."""
    b: dict[str, KeyBinding] = {}

    def bind(key: str, action: str, run: Callable[[], None]) -> None:
        if key and key.lower() not in b:  # the schema's own keys come first
            b[key.lower()] = KeyBinding(key, action, run)

    for entity in schema.entity_labels:
        bind(entity.key, f"label {entity.name}", lambda n=entity.name: ws.label(n))
    bind(schema.boilerplate_key, "toggle boilerplate lines", ws.toggle_boilerplate)
    for target in schema.stance_targets:
        for opt in target.options:
            bind(
                opt.key,
                f"stance {target.name}: {opt.value}",
                lambda t=target.name, v=opt.value: ws.set_stance(t, v),
            )
    bind(NAV_NEXT, "next article", ws.next_article)
    bind(NAV_PREVIOUS, "previous article", ws.previous_article)
    bind(NEAR_DUPLICATE, "next near-duplicate of this article", ws.next_near_duplicate)
    bind(SKIP, "skip, open next to do", ws.skip)
    bind(FLAG, "flag with a note, open next to do", ws.flag)
    bind(KEYMAP, "show the keyboard map", ws.keymapRequested.emit)
    return b


def key_help(bindings: dict[str, KeyBinding]) -> list[tuple[str, str]]:
    """Every key and what it does, for the keyboard map."""
    rows = [(kb.key.upper() if len(kb.key) == 1 else kb.key, kb.action) for kb in bindings.values()]
    return [
        *rows,
        ("Mouse / Shift+arrows", "select text (snaps to words)"),
        ("Click a span", "select it; a label key relabels it"),
        ("Shift+B", "mark just the selection as boilerplate, not whole lines"),
        ("Delete", "remove the selected span(s)"),
        ("Esc", "clear the selection and the picked label"),
        ("Ctrl+Enter", "mark done, open next to do"),
        ("Alt+→ / Alt+←", "next / previous article"),
        ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo (also across articles)"),
        ("Ctrl++ / Ctrl+-", "zoom the text"),
    ]


def handle_key(ws: Workspace, event: QKeyEvent) -> bool:
    """Run what ``event`` means in the workspace; False leaves the key to the text widget
    (Shift+arrows extend the selection there)."""
    key, mods = event.key(), event.modifiers()
    ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
    alt = bool(mods & Qt.KeyboardModifier.AltModifier)
    shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
    if ctrl and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        ws.done_and_next()
    elif ctrl and key == Qt.Key.Key_Z:
        (ws.undo_stack.redo if shift else ws.undo_stack.undo)()
    elif ctrl and key == Qt.Key.Key_Y:
        ws.undo_stack.redo()
    elif alt and key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
        ws.next_article()
    elif alt and key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
        ws.previous_article()
    elif ctrl or alt:
        return False
    elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
        ws.delete_selected()
    elif key == Qt.Key.Key_Escape:
        ws.arm(None)
        ws.view.place_cursor(ws.view.selection()[1])
    elif (
        shift and _is_boilerplate_key(ws, event) and ws.view.selection()[1] > ws.view.selection()[0]
    ):
        ws.mark_selection_boilerplate()
    elif event.text() and event.text().lower() in ws.bindings:
        ws.bindings[event.text().lower()].run()
    else:
        return False
    return True


def _is_boilerplate_key(ws: Workspace, event: QKeyEvent) -> bool:
    key = ws.schema.boilerplate_key.lower()
    return bool(key) and event.text().lower() == key
