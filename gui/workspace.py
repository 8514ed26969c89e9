"""The annotation workspace: the article view, the label bar, and what keys and clicks do.

Each edit becomes one command on the undo stack (gui.undo_commands), applied through the
session (which commits first), so what the annotator sees is what is stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeyEvent, QUndoStack
from PySide6.QtWidgets import QInputDialog, QLabel, QVBoxLayout, QWidget

from core.models import Span
from core.query import ArticleFilter
from core.schema import Schema
from gui.article_view import ArticleView
from gui.label_bar import LabelBar
from gui.selection import clusters_intact, covering, snap_to_words
from gui.session import Change, Session
from gui.suggestions_overlay import SuggestionOverlay
from gui.undo_commands import (
    AddSpan,
    CommandContext,
    DeleteSpan,
    EditCommand,
    EditGroup,
    RelabelSpan,
    SetDocLabel,
    SetStatus,
)
from gui.workspace_keys import KeyBinding, build_bindings, handle_key, key_help
from storage import LabelError, StorageFault


def _stance(doc_labels: dict[str, str]) -> dict[str, str]:
    """Target -> value from an annotator's ``stance:<target>`` document labels."""
    return {k.split(":", 1)[1]: v for k, v in doc_labels.items() if k.startswith("stance:")}


class Workspace(QWidget):
    """The centre of the window. Signals tell the window what to refresh."""

    articleOpened = Signal(int)
    articleEdited = Signal(int)  # its spans, stance or status changed
    progressChanged = Signal()
    keymapRequested = Signal()
    message = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.undo_stack = QUndoStack(self)
        self.ctx = CommandContext(session, self.show_article, self.notify)
        self.label_bar = LabelBar()
        self.view = ArticleView()
        self.notice = QLabel()
        self.notice.setStyleSheet(
            "background: #fdecea; color: #b71c1c; border: 1px solid #e57373; padding: 4px;"
        )
        self.notice.setWordWrap(True)
        self.notice.hide()
        self._notice_timer = QTimer(self, singleShot=True, interval=6000)
        self._notice_timer.timeout.connect(self.notice.hide)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(self.label_bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.view, 1)
        self.article_id: int | None = None
        self.armed: str | None = None
        self.stance_values: dict[str, str] = {}
        self._opened_at = time.monotonic()
        self.schema: Schema = session.project.schema()
        self.bindings: dict[str, KeyBinding] = {}
        # J/K walk the articles the list shows; the window connects the list's filter here.
        self.list_filter: Callable[[], ArticleFilter | None] = lambda: None
        self.apply_schema(self.schema)
        self.view.text.key_handler = self.handle_key
        self.view.text.mouseReleased.connect(self._mouse_released)
        self.label_bar.labelClicked.connect(self._label_clicked)
        self.label_bar.boilerplateClicked.connect(self.toggle_boilerplate)
        self.label_bar.stance.optionClicked.connect(self._stance_clicked)
        session.changed.connect(self._on_changed)
        session.annotatorChanged.connect(self._on_annotator)
        # Suggestions (gui/suggestions_overlay.py): dashed marks, keys A/X/N and their bar.
        self.suggestions = SuggestionOverlay(self)

    # ---- schema and keys -----------------------------------------------------------------

    def apply_schema(self, schema: Schema) -> None:
        self.schema = schema
        self.label_bar.set_schema(schema)
        self.view.set_schema(schema)
        self.bindings = build_bindings(self, schema)
        if self.article_id is not None:
            self.show_article(self.article_id, force=True)

    def key_help(self) -> list[tuple[str, str]]:
        """Every key and what it does, for the keyboard map (suggestion keys included)."""
        return [*key_help(self.bindings), *self.suggestions.key_help()]

    def handle_key(self, event: QKeyEvent) -> bool:
        """The text widget asks here first; returns True when the key was ours."""
        return handle_key(self, event)

    # ---- articles ------------------------------------------------------------------------

    def show_article(self, article_id: int, *, force: bool = False) -> None:
        """Open an article (unless it is already open), with spans, stance and status."""
        if article_id == self.article_id and not force:
            return
        s = self.session
        article = s.project.article(article_id)
        spans, docs = s.open_state(article_id)
        self.article_id = article_id
        self._opened_at = time.monotonic()
        self.view.show_article(article, spans, status=s.progress(article_id).status)
        self.stance_values = _stance(docs)
        self.label_bar.stance.set_values(self.stance_values)
        self.view.text.setFocus()
        self.articleOpened.emit(article_id)

    def _stance_of(self, article_id: int) -> dict[str, str]:
        return _stance(self.session.stance(article_id))

    def next_article(self) -> None:
        if self.article_id is not None:
            found = self.session.project.next_article_id(self.article_id, self.list_filter())
            self._go(found, "the last article in the list")

    def previous_article(self) -> None:
        if self.article_id is not None:
            found = self.session.project.previous_article_id(self.article_id, self.list_filter())
            self._go(found, "the first article in the list")

    def open_next_todo(self) -> None:
        found = self.session.project.next_todo_id(
            self.session.annotator, after_id=self.article_id or 0
        )
        if found is None:
            self.message.emit("Nothing left to do for " + self.session.annotator)
        else:
            self.show_article(found)

    def _go(self, article_id: int | None, edge: str) -> None:
        if article_id is None:
            self.message.emit(f"This is {edge}")
        else:
            self.show_article(article_id)

    # ---- editing -------------------------------------------------------------------------

    def notify(self, text: str) -> None:
        """A visible message in the workspace (and the status bar) for a refused edit."""
        self.notice.setText(text)
        self.notice.show()
        self._notice_timer.start()
        self.message.emit(text)

    def push(self, command: EditCommand) -> bool:
        """Apply (and commit) an edit, then put it on the undo stack; refused edits are shown
        and never stacked."""
        try:
            command.apply()
        except LabelError as exc:
            self.notify(str(exc))
            return False
        except StorageFault as exc:
            # Full disk, read-only file, another program's lock: the edit is not stored,
            # so it is neither shown nor stacked, and the message says what to do.
            self.notify(str(exc))
            return False
        self.notice.hide()
        self.undo_stack.push(command)
        return True

    def arm(self, label: str | None) -> None:
        self.armed = label
        self.label_bar.set_armed(label)

    def _snapped(self) -> tuple[int, int]:
        start, end = self.view.selection()
        text = self.view.geometry_.text
        if end <= start:
            return start, start
        if self.schema.snap_to_words:
            return snap_to_words(text, start, end)
        return clusters_intact(text, start, end)

    def label(self, name: str) -> None:
        """A label key: relabel the selected span, label the selection, or pick the label
        first (the next selection then becomes a span at once)."""
        if self.article_id is None:
            return
        raw = self.view.selection()
        if raw[1] <= raw[0]:
            self.arm(None if self.armed == name else name)
            return
        start, end = self._snapped()
        if end <= start:
            return  # only whitespace was selected
        entities = [s for s in self.view.spans if s.layer == "entity"]
        same = [s for s in entities if (s.start, s.end) in (raw, (start, end))]
        if same:  # a clicked (selected) span: the key relabels it
            self._relabel(same[0], name)
            return
        clash = covering(entities, start, end)
        if clash:  # storage refuses it too; say so in the annotator's words, not offsets
            text = self.view.geometry_.text
            self.notify(
                f"Not labelled: “{text[start:end]}” would overlap the {clash[0].label} span "
                f"“{text[clash[0].start : clash[0].end]}”. Click that span and press Delete "
                "(or relabel it) first."
            )
            return
        command = AddSpan(
            self.ctx, self.article_id, layer="entity", label=name, start=start, end=end
        )
        if self.push(command):
            self.view.place_cursor(end)

    def _relabel(self, span: Span, name: str) -> None:
        if span.label != name:
            self.push(RelabelSpan(self.ctx, span, name))

    def delete_selected(self) -> None:
        if self.article_id is None:
            return
        start, end = self.view.selection()
        hit = covering(self.view.spans, start, end)
        targets = [s for s in hit if s.layer == "entity"] or hit
        if not targets:
            self.notify("No span here to remove: click a span first")
            return
        parts: list[EditCommand] = [DeleteSpan(self.ctx, s) for s in targets]
        self.push(parts[0] if len(parts) == 1 else self._group("Remove spans", parts))

    def _group(self, text: str, parts: list[EditCommand]) -> EditGroup:
        assert self.article_id is not None
        return EditGroup(self.ctx, self.article_id, text, parts)

    def toggle_boilerplate(self) -> None:
        """Mark every line touched by the selection (or the cursor's line) as boilerplate;
        if they all are already, unmark them."""
        if self.article_id is None:
            return
        start, end = self.view.selection()
        lines = self.view.geometry_.lines.touched_lines(start, end)
        if not lines:
            return
        own = [s for s in self.view.spans if s.layer == "boilerplate"]
        unmarked = [(a, b) for a, b in lines if not any(s.start <= a and b <= s.end for s in own)]
        parts: list[EditCommand]
        if unmarked:
            kind = (
                self.schema.boilerplate_kinds[0] if self.schema.boilerplate_kinds else "boilerplate"
            )
            parts = [
                AddSpan(self.ctx, self.article_id, layer="boilerplate", label=kind, start=a, end=b)
                for a, b in unmarked
            ]
            text = "Mark boilerplate"
        else:
            doomed = {s.id: s for a, b in lines for s in covering(own, a, b)}
            parts = [DeleteSpan(self.ctx, s) for s in doomed.values()]
            text = "Unmark boilerplate"
        self.push(parts[0] if len(parts) == 1 else self._group(text, parts))

    def mark_selection_boilerplate(self) -> None:
        """Mark just the selected words as boilerplate (Shift+B), not their whole lines."""
        start, end = self._snapped()
        if self.article_id is None or end <= start:
            return
        kind = self.schema.boilerplate_kinds[0] if self.schema.boilerplate_kinds else "boilerplate"
        self.push(
            AddSpan(
                self.ctx, self.article_id, layer="boilerplate", label=kind, start=start, end=end
            )
        )

    def set_stance(self, target: str, value: str) -> None:
        """Choose ``value`` for ``target``; choosing the chosen value again clears it."""
        if self.article_id is None:
            return
        previous = self.stance_values.get(target)
        new = None if previous == value else value
        self.push(
            SetDocLabel(
                self.ctx, self.article_id, key=f"stance:{target}", value=new, previous=previous
            )
        )

    def _set_status(self, status: str, note: str = "") -> bool:
        if self.article_id is None:
            return False
        previous = self.session.progress(self.article_id)
        seconds = time.monotonic() - self._opened_at
        return self.push(
            SetStatus(
                self.ctx,
                self.article_id,
                status=status,
                note=note,
                previous=previous,
                seconds=seconds,
            )
        )

    def done_and_next(self) -> None:
        if self._set_status("done"):
            self.open_next_todo()

    def skip(self) -> None:
        if self._set_status("skipped"):
            self.open_next_todo()

    def flag(self, note: str | None = None) -> None:
        """Flag with a note (asked for when not given), then open the next to do."""
        if self.article_id is None:
            return
        if note is None:
            note, ok = QInputDialog.getText(self, "Flag article", "What is wrong with it?")
            if not ok:
                return
        if self._set_status("flagged", note):
            self.open_next_todo()

    # ---- reacting ------------------------------------------------------------------------

    def _mouse_released(self) -> None:
        start, end = self.view.selection()
        if end > start:
            if self.armed:
                self.label(self.armed)
            return
        spans = self.view.spans_at(start)
        entity = [s for s in spans if s.layer == "entity"]
        if entity:  # a click on a span selects it
            self.view.select(entity[0].start, entity[0].end)

    def _label_clicked(self, name: str) -> None:
        self.label(name)
        # A click toggles the button by itself; show what is true: the picked label, if any.
        self.label_bar.set_armed(self.armed)

    def _stance_clicked(self, target: str, value: str) -> None:
        self.set_stance(target, value)
        self.label_bar.stance.set_values(self.stance_values)  # stored values, not the click

    def _on_changed(self, change: Change) -> None:
        if change.article_id == self.article_id:
            if change.what == "spans":
                self.view.set_spans(self.session.spans(change.article_id))
            elif change.what == "doc":
                self.stance_values = self._stance_of(change.article_id)
                self.label_bar.stance.set_values(self.stance_values)
            elif change.what == "status":
                self.view.set_status(self.session.progress(change.article_id).status)
        if change.what == "status":
            self.progressChanged.emit()
        self.articleEdited.emit(change.article_id)

    def _on_annotator(self, _name: str) -> None:
        # Commands belong to the annotator who made them; a new annotator starts afresh.
        self.undo_stack.clear()
        if self.article_id is not None:
            self.show_article(self.article_id, force=True)
        self.progressChanged.emit()
