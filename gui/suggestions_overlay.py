"""Suggestions in the workspace: decided with one key, counted in a bar above the text.

The view draws pending suggestions as dashed underlines (gui.article_view); this overlay
keeps the open article's suggestions up to date, turns the keys into decisions and counts
what is pending in a thin bar:

    A  accept the suggestion under the cursor      X  reject it
    N  jump to the next suggestion                 Shift+A / Shift+X  all in this article

The keys are rows of the one key table (gui.key_table); a key the schema gives to a label
wins over them. Every decision is one command pushed through the session
(gui.suggestion_commands). The overlay sees the workspace only through
:class:`SuggestionHost`, a handful of members, and offsets stay code points here: the view
converts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from core.models import Suggestion
from core.open_article import OpenArticle
from gui.article_view import ArticleView
from gui.flow_layout import FlowLabel
from gui.learning import ModelTrainer
from gui.session import Change, Session, What
from gui.suggestion_commands import AcceptSuggestion, BulkSuggestions, RejectSuggestion
from gui.suggestions_dialog import SuggestionsDialog
from gui.undo_commands import CommandContext, EditCommand
from gui.workers import Job
from storage import GOLD


class SuggestionHost(Protocol):
    """What the overlay needs from the workspace, and nothing more."""

    session: Session
    view: ArticleView
    ctx: CommandContext

    @property
    def open(self) -> OpenArticle | None: ...

    def push(self, command: EditCommand) -> bool: ...

    def notify(self, text: str) -> None: ...

    def say(self, text: str) -> None: ...


def _summary(count: int) -> str:
    return (
        f"{count:,} suggestion{'s' if count != 1 else ''} (dashed) · A accept · X reject · "
        "N next · Shift+A / Shift+X all in article"
    )


class SuggestionBar(QWidget):
    """One line above the text: how many suggestions are pending, and the keys."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A narrow window: two lines, never a wider window; as tall for one suggestion as
        # for thousands, so a count that changes never moves the text below.
        self.summary = FlowLabel(reserve=_summary(99_999))
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
            self.summary.setText(_summary(count))
        else:
            self.summary.setText("No pending suggestions in this article")
        self.accept_all.setEnabled(bool(count))


class SuggestionOverlay(QObject):
    """Pending suggestions of the open article for the session's annotator."""

    def __init__(self, host: SuggestionHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.session = host.session
        self.ctx = host.ctx
        self.view = host.view
        self.jobs: list[Job] = []
        self._queued: list[tuple[str, str]] = []
        self._entities: set[tuple[str, str]] = set()
        self.bar = SuggestionBar()
        #: The workspace's model trainer, for the dialog's model box (set by the workspace).
        self.trainer: ModelTrainer | None = None
        self.bar.accept_all.clicked.connect(lambda: self.decide_all(accept=True))
        self.bar.project.clicked.connect(self.open_dialog)
        self.session.annotatorChanged.connect(lambda _name: self.reload())
        self.bar.show_count(0)

    @property
    def items(self) -> list[Suggestion]:
        model = self.host.open
        return model.suggestions if model is not None else []

    @property
    def article_id(self) -> int | None:
        model = self.host.open
        return model.id if model is not None else None

    # ---- state ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the pending suggestions of the open article again and redraw them."""
        model = self.host.open
        if model is not None:
            model.suggestions = self.session.project.suggestions.suggestions(
                model.id, annotator=self.session.annotator
            )
            self.view.draw_suggestions()
        self.bar.show_count(model.pending_count() if model is not None else 0)

    def opened(self) -> None:
        """The workspace opened another article."""
        model = self.host.open
        self._entities = model.entity_strings() if model is not None else set()
        self.reload()

    def on_changed(self, change: Change) -> None:
        """The workspace refreshed the open article after ``change``; follow it."""
        model = self.host.open
        if model is None or not change.touches(model.id):
            return
        if What.SPANS in change.what:
            # A string labelled for the first time here: suggest it wherever else it occurs,
            # in the background (it reads every text that contains it). Not for gold: a
            # review decision is taken from the annotators' labels and must not come back to
            # them as a suggestion (and accepting 17 agreed spans would start 17 scans).
            now = model.entity_strings()
            if self.session.annotator != GOLD:
                for phrase, label in now - self._entities:
                    self.suggest_label(phrase, label)
            self._entities = now
        self.reload()

    def at_cursor(self) -> Suggestion | None:
        """The suggestion selected, or under the cursor (the shortest one if they nest)."""
        model = self.host.open
        return model.suggestion_at(*self.view.selection()) if model is not None else None

    def current_line(self) -> str:
        """The text of the line at the cursor ("" if none): what a rule could be made of."""
        model = self.host.open
        if model is None:
            return ""
        start, _end = self.view.selection()
        lines = model.lines.touched_lines(start, start)
        return model.text[lines[0][0] : lines[0][1]] if lines else ""

    # ---- actions (named in gui.key_table) ------------------------------------------------

    def actions(self) -> dict[str, Callable[..., None]]:
        return {
            "accept": lambda: self.decide(accept=True),
            "reject": lambda: self.decide(accept=False),
            "accept_all": lambda: self.decide_all(accept=True),
            "reject_all": lambda: self.decide_all(accept=False),
            "next_suggestion": self.next_suggestion,
            "previous_suggestion": lambda: self.next_suggestion(backwards=True),
        }

    def push(self, command: EditCommand) -> bool:
        return self.host.push(command)

    def decide(self, *, accept: bool) -> None:
        sg = self.at_cursor()
        if sg is None:
            self.host.notify("No suggestion here: press N to go to the next one")
            return
        command = AcceptSuggestion if accept else RejectSuggestion
        if self.push(command(self.ctx, sg)):
            self.next_suggestion(after=sg.start)

    def decide_all(self, *, accept: bool) -> None:
        aid = self.article_id
        if aid is None or not self.items:
            return
        verb = "Accept" if accept else "Reject"
        self.push(
            BulkSuggestions(
                self.ctx,
                aid,
                accept=accept,
                scope={"article_id": aid},
                text=f"{verb} all suggestions in the article",
            )
        )

    def next_suggestion(self, *, backwards: bool = False, after: int | None = None) -> None:
        """Select the next suggestion after the cursor (wrapping round to the first)."""
        model = self.host.open
        here = self.view.selection()[0] if after is None else after
        target = (
            model.next_suggestion(here, backwards=backwards, inclusive=after is not None)
            if model is not None
            else None
        )
        if target is None:
            self.host.say("No pending suggestions in this article")
            return
        self.view.select(target.start, target.end)
        self.view.text.ensureCursorVisible()

    def open_dialog(self) -> None:
        SuggestionsDialog(self, self.view, trainer=self.trainer).exec()
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
        job = Job(
            lambda _c: project.suggestions.suggest_from_label(phrase, label),
            cleanup=project.end_thread,
        )

        def succeeded(stored: object) -> None:
            if stored:
                self.reload()

        def finished() -> None:
            self.jobs.remove(job)
            self._next_label_job()

        job.succeeded.connect(succeeded)
        job.finished.connect(finished)
        self.jobs.append(job)
        job.start()
