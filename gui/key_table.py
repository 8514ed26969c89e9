"""The one key table: every key of the workspace, what it does, and where menus offer it.

:func:`key_table` builds the table for a schema as data (:class:`KeyRow`); the same rows
drive three things, so they never disagree:

- :class:`KeyMap` runs them: a key press finds the first live row that matches and calls the
  action of that name (the workspace and the suggestion overlay hand in their actions by
  name; this module knows neither);
- the keyboard map (``?``) lists the live rows (:meth:`KeyMap.help_rows`);
- the main window's menu entries show the keys of their action (:meth:`KeyMap.shown_keys`).

Order is priority. Keys from the project's schema come before the workspace's own (J/K, S,
F, ?) and before the suggestion keys (A/X/N), so a schema that gives "j" to a label keeps it,
and the later row of the same key is dropped (it would never run). Plain keys are handled
only while the article text has the focus (the text widget asks the key map first): typing
in the search box or the guidelines never labels anything. The article list asks the same
map for the few actions of :data:`LIST_ACTIONS` (J/K, Ctrl+F, /, ?), so they work there too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent

from core.schema import Schema

_MODS = {
    "Ctrl": Qt.KeyboardModifier.ControlModifier,
    "Alt": Qt.KeyboardModifier.AltModifier,
    "Shift": Qt.KeyboardModifier.ShiftModifier,
}


@dataclass(frozen=True)
class KeyRow:
    """One line of the table.

    ``keys`` are what matches: a single character (typed text, either case: "j" also takes
    Shift+J), ``Shift+<character>`` (only with Shift), or a chord of modifiers and a Qt key
    name (``Ctrl+Return``, ``Alt+Right``, ``Delete``); none for a row that only explains (the
    mouse). ``action`` names what runs, with ``args``; ``shown`` and ``does`` are the
    keyboard map's two columns. ``needs_selection``: the row applies only to a non-empty
    selection (else the next matching row does)."""

    action: str
    keys: tuple[str, ...]
    shown: str
    does: str
    args: tuple[str, ...] = ()
    needs_selection: bool = False


def _plain(key: str) -> str:
    return key.upper() if len(key) == 1 else key


CHORDS = (
    KeyRow(
        "done_and_next", ("Ctrl+Return", "Ctrl+Enter"), "Ctrl+Enter", "mark done, open next to do"
    ),
    KeyRow("redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Ctrl+Shift+Z", "redo"),
    KeyRow("undo", ("Ctrl+Z",), "Ctrl+Z", "undo (also across articles)"),
    KeyRow("next_article", ("Alt+Right", "Alt+Down"), "Alt+→", "next article"),
    KeyRow("previous_article", ("Alt+Left", "Alt+Up"), "Alt+←", "previous article"),
    KeyRow("delete_selected", ("Delete", "Backspace"), "Delete", "remove the selected span(s)"),
    KeyRow("escape", ("Escape",), "Esc", "clear the selection and the picked label"),
    KeyRow(
        "focus_search",
        ("Ctrl+F", "/"),
        "Ctrl+F, /",
        "search the articles (Esc returns to the text where it was)",
    ),
    # Shift+Tab before Tab: a keyboard sends Backtab, a test may send Tab with Shift.
    KeyRow("previous_pane", ("Backtab", "Shift+Tab"), "Shift+Tab", "previous pane"),
    KeyRow("next_pane", ("Tab",), "Tab", "next pane: article list → text → guidelines"),
)
#: Actions the article list runs from the same table (it has no text to type into); the
#: search box and the guidelines take every key as typing.
LIST_ACTIONS = (
    "next_article",
    "previous_article",
    "focus_search",
    "keymap",
    "next_pane",
    "previous_pane",
)
WORKSPACE_KEYS = (
    KeyRow("next_article", ("j",), "J", "next article"),
    KeyRow("previous_article", ("k",), "K", "previous article"),
    KeyRow("next_near_duplicate", ("d",), "D", "next near-duplicate of this article"),
    KeyRow("skip", ("s",), "S", "skip, open next to do"),
    KeyRow("flag", ("f",), "F", "flag with a note, open next to do"),
    KeyRow("keymap", ("?",), "?", "show the keyboard map"),
)
SUGGESTION_KEYS = (
    KeyRow("accept_all", ("Shift+a",), "Shift+A", "accept all suggestions in the article"),
    KeyRow("reject_all", ("Shift+x",), "Shift+X", "reject all suggestions in the article"),
    KeyRow("previous_suggestion", ("Shift+n",), "Shift+N", "previous suggestion"),
    KeyRow("accept", ("a",), "A", "accept the suggestion under the cursor (dashed underline)"),
    KeyRow("reject", ("x",), "X", "reject it (it does not come back)"),
    KeyRow("next_suggestion", ("n",), "N", "next suggestion"),
)
#: Accept the stance proposals ("guess": a near-duplicate's stance, the model's) for the
#: targets still without a stance; with Shift, reject them.
STANCE_PROPOSAL_KEY = "g"
EXPLAINED = (
    KeyRow("", (), "Mouse / Shift+arrows", "select text (snaps to words)"),
    KeyRow("", (), "Click a span", "select it; a label key relabels it"),
    KeyRow("", (), "Ctrl++ / Ctrl+-", "zoom the text"),
)


def key_table(schema: Schema) -> list[KeyRow]:
    """Every row for ``schema``, in priority order."""
    rows = list(CHORDS)
    bp = schema.boilerplate_key
    if bp and len(bp) == 1:
        rows.append(
            KeyRow(
                "mark_selection_boilerplate",
                (f"Shift+{bp}",),
                f"Shift+{bp.upper()}",
                "mark just the selection as boilerplate, not whole lines",
                needs_selection=True,
            )
        )
    for entity in schema.entity_labels:
        if entity.key:
            rows.append(
                KeyRow(
                    "label",
                    (entity.key,),
                    _plain(entity.key),
                    f"label {entity.name}",
                    (entity.name,),
                )
            )
    if bp:
        rows.append(KeyRow("toggle_boilerplate", (bp,), _plain(bp), "toggle boilerplate lines"))
    for target in schema.stance_targets:
        for opt in target.options:
            if opt.key:
                rows.append(
                    KeyRow(
                        "set_stance",
                        (opt.key,),
                        _plain(opt.key),
                        f"stance {target.name}: {opt.value}",
                        (target.name, opt.value),
                    )
                )
    if schema.stance_targets:
        # Shift+G first: a plain key's row takes its Shift form with it.
        rows.append(
            KeyRow(
                "reject_stance_proposals",
                (f"Shift+{STANCE_PROPOSAL_KEY}",),
                f"Shift+{STANCE_PROPOSAL_KEY.upper()}",
                "reject the stance proposed beside the stance keys (it does not come back)",
            )
        )
        rows.append(
            KeyRow(
                "accept_stance_proposals",
                (STANCE_PROPOSAL_KEY,),
                _plain(STANCE_PROPOSAL_KEY),
                "accept the stance proposed beside the stance keys (a near-duplicate's or "
                "the model's)",
            )
        )
    return [*rows, *WORKSPACE_KEYS, *SUGGESTION_KEYS, *EXPLAINED]


@dataclass(frozen=True)
class _Pattern:
    text: str  # lower-case typed character, or "" for a chord
    shift: bool  # Shift required
    mods: Qt.KeyboardModifier  # chord modifiers
    key: int  # chord key


def _pattern(spec: str) -> _Pattern:
    none = Qt.KeyboardModifier.NoModifier
    if len(spec) == 1:
        return _Pattern(spec.lower(), False, none, 0)
    if spec.startswith("Shift+") and len(spec) == 7:
        return _Pattern(spec[-1].lower(), True, none, 0)
    *mods, name = spec.split("+")
    flags = none
    for mod in mods:
        flags |= _MODS[mod]
    return _Pattern("", False, flags, int(getattr(Qt.Key, f"Key_{name}").value))


def live_rows(rows: Iterable[KeyRow]) -> list[tuple[KeyRow, list[_Pattern]]]:
    """The rows that can run, each with the patterns left to it: a typed key claimed by an
    earlier row is dropped from a later one (and Shift+<key> goes with the plain key)."""
    claimed: set[str] = set()
    out = []
    for row in rows:
        patterns = []
        for spec in row.keys:
            p = _pattern(spec)
            if p.text and p.text in claimed:
                continue
            patterns.append(p)
        if row.keys and not patterns:
            continue
        if not row.needs_selection:
            claimed.update(p.text for p in patterns if p.text and not p.shift)
        out.append((row, patterns))
    return out


class KeyMap:
    """Runs key presses through the table. ``actions`` maps an action name to what runs;
    a row whose action nobody handed in is inert (and not listed)."""

    def __init__(
        self,
        rows: Iterable[KeyRow],
        actions: Mapping[str, Callable[..., None]],
        *,
        has_selection: Callable[[], bool],
    ) -> None:
        self.actions = actions
        self.has_selection = has_selection
        self.rows = [
            (row, patterns)
            for row, patterns in live_rows(rows)
            if not row.keys or row.action in actions
        ]

    def handle(self, event: QKeyEvent, only: Iterable[str] | None = None) -> bool:
        """Run what ``event`` means; False leaves the key to the text widget (Shift+arrows
        extend the selection there). ``only``: run nothing but these actions."""
        row = self.match(event)
        if row is None or (only is not None and row.action not in set(only)):
            return False
        self.actions[row.action](*row.args)
        return True

    def match(self, event: QKeyEvent) -> KeyRow | None:
        mods = event.modifiers()
        chord = bool(mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier))
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        typed = event.text().lower()
        for row, patterns in self.rows:
            for p in patterns:
                if p.text:
                    hit = not chord and typed == p.text and (shift or not p.shift)
                else:
                    hit = event.key() == p.key and (mods & p.mods) == p.mods
                    # Ctrl/Alt only where the row asks for them: Ctrl+Delete is not Delete.
                    hit = hit and not (mods & ~p.mods & ~Qt.KeyboardModifier.ShiftModifier)
                if hit and (not row.needs_selection or self.has_selection()):
                    return row
        return None

    def help_rows(self) -> list[tuple[str, str]]:
        """(key, what it does) of every live row, for the keyboard map: the single keys
        first (the schema's, then the workspace's and the suggestions'), then the rest."""
        rows = [(row.shown, row.does) for row, _patterns in self.rows]
        return sorted(rows, key=lambda shown_does: len(shown_does[0]) > 1)

    def chords(self, action: str) -> list[str]:
        """The Ctrl/Alt chords of ``action`` ("Ctrl+F"): what a window-wide shortcut takes."""
        return [
            spec
            for row, _p in self.rows
            if row.action == action
            for spec in row.keys
            if spec.startswith(("Ctrl+", "Alt+"))
        ]

    def shown_keys(self, action: str) -> str:
        """The keys that run ``action``, as a menu entry shows them ("J, Alt+→": single
        keys first)."""
        shown = [row.shown for row, _p in self.rows if row.keys and row.action == action]
        return ", ".join(sorted(shown, key=lambda text: len(text) > 1))
