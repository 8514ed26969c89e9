"""Suggestions in the workspace: drawn unlike labels, decided with one key.

Labels are painted by the span highlighter as backgrounds; suggestions are drawn on top as
*dashed underlines* (extra selections of the text widget, in the label's colour, grey for
boilerplate), so the two never look alike. A thin bar above the text counts what is pending
and names the keys:

    A  accept the suggestion under the cursor      X  reject it
    N  jump to the next suggestion                 Shift+A / Shift+X  all in this article

A key the schema gives to a label wins over these. Every decision is one command on the
workspace's undo stack (gui.suggestion_commands). The overlay attaches itself to a
``Workspace`` and needs nothing else from it than its public parts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QKeyEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTextEdit, QWidget

from core.models import Suggestion
from gui.session import Change
from gui.suggestion_commands import AcceptSuggestion, BulkSuggestions, RejectSuggestion
from gui.workers import Job

if TYPE_CHECKING:
    from gui.workspace import Workspace

BOILERPLATE_UNDERLINE = "#757575"
ACCEPT, REJECT, NEXT = "a", "x", "n"


def _darker(colour: str) -> QColor:
    return QColor(colour).darker(160)


class SuggestionBar(QWidget):
    """One line above the text: how many suggestions are pending, and the keys."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setStyleSheet("color: #555;")
        self.accept_all = QPushButton("Accept all in article")
        self.project = QPushButton("Suggestions…")
        for button in (self.accept_all, self.project):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the text
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.accept_all)
        layout.addWidget(self.project)

    def show_count(self, count: int) -> None:
        if count:
            self.summary.setText(
                f"{count} suggestion{'s' if count != 1 else ''} (dashed) · A accept · X reject · "
                "N next · Shift+A / Shift+X all in article"
            )
        else:
            self.summary.setText("No pending suggestions in this article")
        self.accept_all.setEnabled(bool(count))


class SuggestionOverlay(QObject):
    """Pending suggestions of the open article for the session's annotator."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace)
        self.ws = workspace
        self.view = workspace.view
        self.session = workspace.session
        self.items: list[Suggestion] = []
        self.jobs: list[Job] = []
        self._queued: list[tuple[str, str]] = []
        self._entities: set[tuple[str, str]] = set()
        self.bar = SuggestionBar()
        workspace.layout().insertWidget(1, self.bar)  # under the label bar
        self.bar.accept_all.clicked.connect(lambda: self.decide_all(accept=True))
        self.bar.project.clicked.connect(self.open_dialog)
        self.view.text.installEventFilter(self)
        self._view_tooltip = self.view.text.tooltip_for
        self.view.text.tooltip_for = self._tooltip
        workspace.articleOpened.connect(self._opened)
        self.session.changed.connect(self._on_changed)
        self.session.annotatorChanged.connect(lambda _name: self.reload())
        self.reload()

    # ---- state and drawing ---------------------------------------------------------------

    def reload(self) -> None:
        aid = self.ws.article_id
        if aid is None:
            self.items = []
        else:
            self.items = self.session.project.suggestions(aid, annotator=self.session.annotator)
        self.draw()
        # Several sources often propose the same line: count what the annotator decides on.
        self.bar.show_count(len({(g.layer, g.label, g.start, g.end) for g in self.items}))

    def draw(self) -> None:
        """Dashed underlines over the suggestions; the label highlighting stays as it is."""
        text = self.view.text
        to16 = self.view.geometry_.utf16.to_utf16
        colours = {e.name: e.colour for e in self.ws.schema.entity_labels}
        selections = []
        for sg in self.items:
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
            if sg.layer == "entity":
                fmt.setUnderlineColor(_darker(colours.get(sg.label, "#888888")))
            else:
                fmt.setUnderlineColor(QColor(BOILERPLATE_UNDERLINE))
            cursor = QTextCursor(text.document())
            cursor.setPosition(to16(sg.start))
            cursor.setPosition(to16(sg.end), QTextCursor.MoveMode.KeepAnchor)
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            selection.format = fmt
            selections.append(selection)
        text.setExtraSelections(selections)

    def at_cursor(self) -> Suggestion | None:
        """The suggestion selected, or under the cursor (the shortest one if they nest)."""
        start, end = self.view.selection()
        if end > start:
            exact = [sg for sg in self.items if (sg.start, sg.end) == (start, end)]
            hits = exact or [sg for sg in self.items if sg.start < end and sg.end > start]
        else:
            hits = [sg for sg in self.items if sg.start <= start <= sg.end]
        return min(hits, key=lambda sg: (sg.end - sg.start, sg.layer)) if hits else None

    def _tooltip(self, position16: int) -> str:
        own = self._view_tooltip(position16) if self._view_tooltip else ""
        offset = self.view.geometry_.utf16.to_code_point(position16)
        here = [sg for sg in self.items if sg.start <= offset < sg.end]
        tips = [
            f"suggested {sg.label if sg.layer == 'entity' else sg.layer} ({sg.source})"
            for sg in here
        ]
        return " · ".join(t for t in (own, *tips) if t)

    # ---- keys ----------------------------------------------------------------------------

    def key_help(self) -> list[tuple[str, str]]:
        """The suggestion keys, for the keyboard map (a schema key of the same letter wins)."""
        return [
            ("A", "accept the suggestion under the cursor (dashed underline)"),
            ("X", "reject it (it does not come back)"),
            ("N / Shift+N", "next / previous suggestion"),
            ("Shift+A / Shift+X", "accept / reject all suggestions in the article"),
        ]

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and self.handle_key(event):
            return True
        return super().eventFilter(obj, event)

    def handle_key(self, event: QKeyEvent) -> bool:
        mods = event.modifiers()
        if mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            return False
        typed = event.text()
        if not typed or typed.lower() in self.ws.bindings:
            return False  # the schema's keys come first
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        key = typed.lower()
        if key == ACCEPT:
            self.decide_all(accept=True) if shift else self.decide(accept=True)
        elif key == REJECT:
            self.decide_all(accept=False) if shift else self.decide(accept=False)
        elif key == NEXT:
            self.next_suggestion(backwards=shift)
        else:
            return False
        return True

    # ---- actions -------------------------------------------------------------------------

    def decide(self, *, accept: bool) -> None:
        sg = self.at_cursor()
        if sg is None:
            self.ws.notify("No suggestion here: press N to go to the next one")
            return
        command = AcceptSuggestion if accept else RejectSuggestion
        if self.ws.push(command(self.ws.ctx, sg)):
            self.next_suggestion(after=sg.start)

    def decide_all(self, *, accept: bool) -> None:
        aid = self.ws.article_id
        if aid is None or not self.items:
            return
        verb = "Accept" if accept else "Reject"
        self.ws.push(
            BulkSuggestions(
                self.ws.ctx,
                aid,
                accept=accept,
                scope={"article_id": aid},
                text=f"{verb} all suggestions in the article",
            )
        )

    def next_suggestion(self, *, backwards: bool = False, after: int | None = None) -> None:
        """Select the next suggestion after the cursor (wrapping round to the first)."""
        if not self.items:
            self.ws.message.emit("No pending suggestions in this article")
            return
        here = self.view.selection()[0] if after is None else after
        ordered = sorted(self.items, key=lambda sg: (sg.start, sg.end))
        if backwards:
            before = [sg for sg in ordered if sg.start < here]
            target = before[-1] if before else ordered[-1]
        else:
            later = [
                sg for sg in ordered if sg.start > here or (after is not None and sg.start == here)
            ]
            target = later[0] if later else ordered[0]
        self.view.select(target.start, target.end)
        self.view.text.ensureCursorVisible()

    def open_dialog(self) -> None:
        from gui.suggestions_dialog import SuggestionsDialog

        SuggestionsDialog(self, self.ws).exec()
        self.reload()

    def _opened(self, _article_id: int) -> None:
        self._entities = self._entity_strings()
        self.reload()

    def _entity_strings(self) -> set[tuple[str, str]]:
        text = self.view.geometry_.text
        return {(text[s.start : s.end], s.label) for s in self.view.spans if s.layer == "entity"}

    def _on_changed(self, change: Change) -> None:
        if change.article_id != self.ws.article_id:
            return
        if change.what == "spans":
            # A string labelled for the first time here: suggest it wherever else it occurs,
            # in the background (it reads every text that contains it).
            now = self._entity_strings()
            for phrase, label in now - self._entities:
                self.suggest_label(phrase, label)
            self._entities = now
        self.reload()

    def suggest_label(self, phrase: str, label: str) -> None:
        """Queue a project-wide search for a newly labelled string.

        One job at a time works through the queue: several threads scanning texts at once
        would take the interpreter lock from the UI thread and make label keys lag."""
        if (phrase, label) not in self._queued:
            self._queued.append((phrase, label))
        if not self.jobs:
            self._next_label_job()

    def _next_label_job(self) -> None:
        if not self._queued:
            return
        phrase, label = self._queued.pop(0)
        project = self.session.project
        job = Job(lambda _c: project.suggest_from_label(phrase, label), cleanup=project.end_thread)
        job.succeeded.connect(lambda stored: stored and self.reload())
        job.finished.connect(lambda: (self.jobs.remove(job), self._next_label_job()))
        self.jobs.append(job)
        job.start()
