"""The annotation workspace: the article view, the label bar, and what keys and clicks do.

It keeps the open article as one plain :class:`core.open_article.OpenArticle`, which the
view draws. Each edit becomes one command (gui.undo_commands) pushed through the session
(:meth:`gui.session.Session.push`, which commits first and broadcasts after), so what the
annotator sees is what is stored. Keys come from the one key table (gui.key_table); the
suggestion overlay (gui.suggestions_overlay) adds its keys and sees the workspace only
through the narrow :class:`gui.suggestions_overlay.SuggestionHost`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QUndoStack
from PySide6.QtWidgets import QInputDialog, QLabel, QVBoxLayout, QWidget

from core.edits import entity_clash, stance_key, stances
from core.models import DocSuggestion, Span
from core.open_article import OpenArticle
from core.query import ArticleFilter
from core.schema import Schema
from core.selection import clusters_intact, covering, snap_to_words
from gui.article_view import ArticleView
from gui.key_table import LIST_ACTIONS, STANCE_PROPOSAL_KEY, KeyMap, key_table
from gui.label_bar import LabelBar
from gui.learning import ModelTrainer
from gui.near_duplicate_bar import NearDuplicateBar
from gui.review_mode import REVIEW_KEYS, ReviewMode
from gui.session import Change, Session, What
from gui.suggestion_commands import AcceptDocSuggestion, RejectDocSuggestion
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
from storage import GOLD, LabelError, StorageFault


class Workspace(QWidget):
    """The centre of the window. Signals tell the window what to refresh."""

    articleOpened = Signal(int)
    progressChanged = Signal()
    keymapRequested = Signal()
    #: Ctrl+F or / (gui.key_table): the main window focuses the article search.
    searchRequested = Signal()
    #: An article marked done (Ctrl+Enter), with the seconds spent on it: the session count.
    doneCounted = Signal(float)
    #: Tab / Shift+Tab (gui.key_table): the main window moves the focus to the next (+1)
    #: or previous (-1) pane.
    paneRequested = Signal(int)
    message = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.ctx = CommandContext(session, self.show_article, self.notify)
        self.label_bar = LabelBar()
        self.view = ArticleView()
        # The notice floats over the bottom of the text (it never moves the text: a click
        # aimed before it appeared still lands where aimed) and lets the mouse through.
        self.notice = QLabel(self.view)
        self.notice.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
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
        self.near_duplicates = NearDuplicateBar(session.project)
        self.near_duplicates.openRequested.connect(self.show_article)
        layout.addWidget(self.near_duplicates)
        layout.addWidget(self.view, 1)
        self.view.installEventFilter(self)
        self.open: OpenArticle | None = None
        self.armed: str | None = None
        self._opened_at = time.monotonic()
        self.schema: Schema = session.project.schema()
        # J/K walk the articles the list shows; the window connects the list's filter here.
        self.list_filter: Callable[[], ArticleFilter | None] = lambda: None
        # Suggestions (gui/suggestions_overlay.py): dashed marks, keys A/X/N and their bar.
        self.suggestions = SuggestionOverlay(self, self)
        layout.insertWidget(1, self.suggestions.bar)  # under the label bar
        self.keys = KeyMap((), {}, has_selection=self._has_selection)
        # Review mode (gui/review_mode.py): None while annotating as usual.
        self.review: ReviewMode | None = None
        # A model trained on the labels, retrained in the background (gui/learning.py).
        self.trainer = ModelTrainer(self, self)
        self.suggestions.trainer = self.trainer
        self.apply_schema(self.schema)
        self.view.text.key_handler = self.handle_key
        self.view.text.mouseReleased.connect(self._mouse_released)
        self.label_bar.labelClicked.connect(self._label_clicked)
        self.label_bar.boilerplateClicked.connect(self.toggle_boilerplate)
        self.label_bar.stance.optionClicked.connect(self._stance_clicked)
        session.changed.connect(self._on_changed)
        session.annotatorChanged.connect(self._on_annotator)

    @property
    def article_id(self) -> int | None:
        return self.open.id if self.open is not None else None

    @property
    def undo_stack(self) -> QUndoStack:
        return self.session.undo_stack

    @property
    def stance_values(self) -> dict[str, str]:
        return self.open.stance if self.open is not None else {}

    # ---- schema and keys -----------------------------------------------------------------

    def apply_schema(self, schema: Schema) -> None:
        self.schema = schema
        self.label_bar.set_schema(schema)
        self.view.set_schema(schema)
        self._build_keys()
        if self.article_id is not None:
            self.show_article(self.article_id, force=True)

    def _build_keys(self) -> None:
        rows, actions = key_table(self.schema), self.key_actions()
        if self.review is not None:
            # The review keys come first while reviewing; the others still work (edit as
            # usual), except where a review key took theirs.
            taken = {key for row in REVIEW_KEYS for key in row.keys}
            rows = [*REVIEW_KEYS, *(row for row in rows if not taken & set(row.keys))]
            actions = {**actions, **self.review.actions()}
        self.keys = KeyMap(rows, actions, has_selection=self._has_selection)

    # ---- review mode ---------------------------------------------------------------------

    @property
    def in_review(self) -> bool:
        return self.review is not None

    def enter_review(self, article_id: int | None = None) -> bool:
        """Work as gold on the review queue (or on ``article_id``), with the review panel."""
        project = self.session.project
        if article_id is None:
            queue = project.agreement.review_queue(limit=1)
            if not queue:
                self.say("The review queue is empty: run Adjudicate (Project ▸ Agreement) first")
                return False
            article_id = queue[0]
        if self.review is None:
            self.review = ReviewMode(self, reviewer=self.session.annotator)
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(layout.indexOf(self.view), self.review.panel)
            self.session.set_annotator(GOLD)
            self._build_keys()
        self.show_article(article_id, force=True)
        return True

    def leave_review(self) -> None:
        review = self.review
        if review is None:
            return
        self.review = None
        self.view.set_marks([])
        review.panel.hide()
        review.panel.deleteLater()
        self._build_keys()
        self.session.set_annotator(review.reviewer)

    def key_actions(self) -> dict[str, Callable[..., None]]:
        """What the key table's action names run here (the overlay adds its own)."""
        stack = self.session.undo_stack
        return {
            "label": self.label,
            "toggle_boilerplate": self.toggle_boilerplate,
            "mark_selection_boilerplate": self.mark_selection_boilerplate,
            "set_stance": self.set_stance,
            "done_and_next": self.done_and_next,
            "skip": self.skip,
            "flag": self.flag,
            "next_article": self.next_article,
            "previous_article": self.previous_article,
            "next_near_duplicate": self.next_near_duplicate,
            "delete_selected": self.delete_selected,
            "escape": self.escape,
            "undo": stack.undo,
            "redo": stack.redo,
            "keymap": self.keymapRequested.emit,
            "focus_search": self.searchRequested.emit,
            "next_pane": lambda: self.paneRequested.emit(1),
            "previous_pane": lambda: self.paneRequested.emit(-1),
            "accept_stance_proposals": self.accept_stance_proposals,
            "reject_stance_proposals": self.reject_stance_proposals,
            **self.suggestions.actions(),
        }

    def key_help(self) -> list[tuple[str, str]]:
        """Every key and what it does, for the keyboard map (suggestion keys included)."""
        return self.keys.help_rows()

    def handle_key(self, event: QKeyEvent) -> bool:
        """The text widget asks here first; returns True when the key was ours."""
        return self.keys.handle(event)

    def _has_selection(self) -> bool:
        start, end = self.view.selection()
        return end > start

    def escape(self) -> None:
        self.arm(None)
        self.view.place_cursor(self.view.selection()[1], keep_scroll=True)

    def handle_list_key(self, event: QKeyEvent) -> bool:
        """The article list asks here: the key table's list actions (J/K, Ctrl+F, /, ?)."""
        return self.keys.handle(event, only=LIST_ACTIONS)

    # ---- articles ------------------------------------------------------------------------

    def show_article(self, article_id: int, *, force: bool = False) -> None:
        """Open an article (unless it is already open), with spans, stance and status."""
        if article_id == self.article_id and not force:
            return
        s = self.session
        article = s.project.article(article_id)
        spans, docs = s.open_state(article_id)
        self.open = OpenArticle(article, spans, stances(docs), status=s.progress(article_id).status)
        self._opened_at = time.monotonic()
        self.view.draw(self.open)
        self.label_bar.stance.set_values(self.open.stance)
        self.show_stance_proposals()
        self.suggestions.opened()
        self.near_duplicates.show_for(article_id)
        if self.review is not None:
            self.review.load(article_id)
        self.view.text.setFocus()
        self.articleOpened.emit(article_id)

    def refresh_metadata(self) -> None:
        """Read the open article's metadata again (its language, detected in the background
        after it opened) and show it; the text, spans and scroll stay as they are."""
        if self.open is None:
            return
        article = self.session.project.article(self.open.id)
        if article != self.open.article:
            self.view.set_article_metadata(article)

    def next_article(self) -> None:
        if self.article_id is not None:
            found = self.session.project.navigation.next_article_id(
                self.article_id, self.list_filter()
            )
            self._go(found, "the last article in the list")

    def previous_article(self) -> None:
        if self.article_id is not None:
            found = self.session.project.navigation.previous_article_id(
                self.article_id, self.list_filter()
            )
            self._go(found, "the first article in the list")

    def next_near_duplicate(self) -> None:
        """Open the next article of the open one's near-duplicate group."""
        self._go(self.near_duplicates.next_id(), "an article without near-duplicates")

    def apply_labels_to_near_duplicates(self) -> None:
        """Carry my spans in this article to its near-duplicates, as suggestions there."""
        if self.article_id is None:
            return
        if not self.near_duplicates.others:
            self.message.emit("This article has no near-duplicates")
            return
        # Groups as they are (the background keeps them up to date): a group of ten takes
        # milliseconds, where grouping a fresh import first could block the window.
        report = self.session.project.near_duplicates.propagate_labels(
            annotator=self.session.annotator, article_ids=[self.article_id], group_first=False
        )
        self.message.emit(report.summary())

    def open_next_todo(self) -> None:
        # While the list shows "Assigned to me", next to do walks the annotator's queue.
        flt = self.list_filter()
        found = self.session.project.navigation.next_todo_id(
            self.session.annotator,
            after_id=self.article_id or 0,
            queue=flt is not None and flt.assigned_to is not None,
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
        self._place_notice()
        self.notice.show()
        self.notice.raise_()
        self._notice_timer.start()
        self.message.emit(text)

    def _place_notice(self) -> None:
        """Along the bottom of the text, inside it, above the scroll bar."""
        margin = 8
        text = self.view.text
        area = QRect(text.mapTo(self.view, QPoint(0, 0)), text.size())  # inside the view
        width = max(100, area.width() - 2 * margin - 16)
        height = self.notice.heightForWidth(width)
        height = height if height > 0 else self.notice.sizeHint().height()
        self.notice.setGeometry(
            area.left() + margin, area.bottom() - height - margin, width, height
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Resize:
            self._place_notice()
        return super().eventFilter(watched, event)

    def say(self, text: str) -> None:
        """A passing message in the status bar."""
        self.message.emit(text)

    def push(self, command: EditCommand) -> bool:
        """Push an edit through the session (committed, stacked, broadcast); a refused edit
        is shown and never stacked."""
        try:
            self.session.push(command)
        except LabelError as exc:
            self.notify(str(exc))
            return False
        except StorageFault as exc:
            # Full disk, read-only file, another program's lock: the edit is not stored,
            # so it is neither shown nor stacked, and the message says what to do.
            self.notify(str(exc))
            return False
        self.notice.hide()
        return True

    def arm(self, label: str | None) -> None:
        self.armed = label
        self.label_bar.set_armed(label)

    def _snapped(self) -> tuple[int, int]:
        start, end = self.view.selection()
        assert self.open is not None
        text = self.open.text
        if end <= start:
            return start, start
        if self.schema.snap_to_words:
            return snap_to_words(text, start, end)
        return clusters_intact(text, start, end)

    def label(self, name: str) -> None:
        """A label key: relabel the selected span, label the selection, or pick the label
        first (the next selection then becomes a span at once)."""
        if self.open is None:
            return
        raw = self.view.selection()
        if raw[1] <= raw[0]:
            self.arm(None if self.armed == name else name)
            return
        start, end = self._snapped()
        if end <= start:
            return  # only whitespace was selected
        entities = self.open.layer("entity")
        same = [s for s in entities if (s.start, s.end) in (raw, (start, end))]
        if same:  # a clicked (selected) span: the key relabels it
            self._relabel(same[0], name)
            return
        # The edit rule's own overlap test (core.edits), asked first so that the refusal
        # can be said in the annotator's words, not offsets; storage would refuse it too.
        clash = entity_clash(entities, start, end)
        if clash is not None:
            text = self.open.text
            self.notify(
                f"Not labelled: “{text[start:end]}” would overlap the {clash.label} span "
                f"“{text[clash.start : clash.end]}”. Click that span and press Delete "
                "(or relabel it) first."
            )
            return
        command = AddSpan(self.ctx, self.open.id, layer="entity", label=name, start=start, end=end)
        if self.push(command):
            self.view.place_cursor(end)

    def _relabel(self, span: Span, name: str) -> None:
        if span.label != name:
            self.push(RelabelSpan(self.ctx, span, name))

    def delete_selected(self) -> None:
        if self.open is None:
            return
        start, end = self.view.selection()
        hit = covering(self.open.spans, start, end)
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
        if self.open is None:
            return
        start, end = self.view.selection()
        lines = self.open.lines.touched_lines(start, end)
        if not lines:
            return
        own = self.open.layer("boilerplate")
        unmarked = [(a, b) for a, b in lines if not any(s.start <= a and b <= s.end for s in own)]
        parts: list[EditCommand]
        if unmarked:
            kind = self.schema.default_boilerplate_kind
            parts = [
                AddSpan(self.ctx, self.open.id, layer="boilerplate", label=kind, start=a, end=b)
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
        if self.article_id is None:
            return
        start, end = self._snapped()
        if end <= start:
            return
        kind = self.schema.default_boilerplate_kind
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
        done = self.push(
            SetDocLabel(
                self.ctx, self.article_id, key=stance_key(target), value=new, previous=previous
            )
        )
        if done:
            # A stance key pressed by mistake (typing in the text) must never pass unseen.
            now = f"set to {new}" if new is not None else "cleared"
            self.say(f"Stance {target} {now} · Ctrl+Z undoes it")

    def stance_proposals(self) -> dict[str, DocSuggestion]:
        """What is proposed for the open article's stance, per target without a stance yet:
        a stance carried from a near-duplicate before the model's guess (a model below its
        quality gate proposes nothing; a rejected value is not proposed again)."""
        if self.article_id is None:
            return {}
        return self.session.project.learning.stance_proposals(
            self.article_id, annotator=self.session.annotator
        )

    def show_stance_proposals(self) -> None:
        self.label_bar.stance.set_proposals(self.stance_proposals(), STANCE_PROPOSAL_KEY)

    def accept_stance_proposals(self) -> None:
        """Choose what is proposed, for every target without a stance, as one undo step."""
        self._decide_stance_proposals(AcceptDocSuggestion, "accept")

    def reject_stance_proposals(self) -> None:
        """Turn down what is proposed for every target without a stance, as one undo step."""
        self._decide_stance_proposals(RejectDocSuggestion, "reject")

    def _decide_stance_proposals(
        self, command: type[AcceptDocSuggestion | RejectDocSuggestion], verb: str
    ) -> None:
        proposals = self.stance_proposals()
        if self.article_id is None or not proposals:
            self.notify("No stance proposal for this article")
            return
        parts: list[EditCommand] = [command(self.ctx, sg) for sg in proposals.values()]
        self.push(parts[0] if len(parts) == 1 else self._group(f"{verb} stance proposal", parts))

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
        seconds = time.monotonic() - self._opened_at
        if self._set_status("done"):
            self.doneCounted.emit(seconds)
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
        """Refresh the parts of the open article the change names, then let the overlay
        follow (it reads the refreshed spans)."""
        model = self.open
        if model is not None and change.touches(model.id):
            if What.SPANS in change.what:
                model.spans = self.session.spans(model.id)
                self.view.draw_spans()
            if What.DOC in change.what:
                model.stance = stances(self.session.stance(model.id))
                self.label_bar.stance.set_values(model.stance)
                self.show_stance_proposals()
            if What.STATUS in change.what:
                self.view.set_status(self.session.progress(model.id).status)
            self.suggestions.on_changed(change)
            if self.review is not None:
                self.review.on_changed(change)
        if What.STATUS in change.what:
            self.progressChanged.emit()

    def _on_annotator(self, _name: str) -> None:
        if self.article_id is not None:
            self.show_article(self.article_id, force=True)
        self.progressChanged.emit()
