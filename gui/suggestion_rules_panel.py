"""The "Rules & phrases" tab of the Suggestions dialog: the project's rules, and its own
boilerplate phrases and patterns, each listed with a Remove button.

A site's own prompt ("Dukung Kabar Nusa lewat Trakteer") is added here as a lexicon entry
instead of being marked by hand in every article. Adding or removing an entry re-runs the
lexicon suggester over the project, and removing a rule drops its suggestions; both run in
the dialog's background job, with its progress bar and Cancel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.suggest.lexicon import LexiconError
from gui.workers import JobControl
from storage import SuggestProgress

if TYPE_CHECKING:
    from core.suggest.rules import Rule
    from storage import Project

StartJob = Callable[[Callable[[JobControl], Any], Callable[[Any], None]], None]

#: Lexicon lists as the annotator reads them, in the order offered.
KINDS = {
    "prefixes": "Line starts with",
    "lines": "Whole line is",
    "markers": "Announces a title (marker)",
    "patterns": "Regular expression",
}
RULE_KINDS = {"prefix": "starts with", "exact": "is exactly", "regex": "matches"}


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


def _table(headers: list[str], *, stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    # Compact rows: several rules and phrases stay in view in a dialog-sized tab.
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    header = table.horizontalHeader()
    for col in range(len(headers)):
        mode = (
            QHeaderView.ResizeMode.Stretch if col == stretch else QHeaderView.ResizeMode.Interactive
        )
        header.setSectionResizeMode(col, mode)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    return table


class SuggestionRulesPanel(QWidget):
    """Lists and edits the project's rules and lexicon entries.

    ``start`` runs work in the dialog's one background job; ``report`` shows a line of
    status; ``changed`` is emitted when suggestions in the project changed (redraw).
    """

    changed = Signal()

    def __init__(
        self,
        project: Project,
        *,
        start: StartJob,
        report: Callable[[str], None],
        rule_box: QWidget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.project, self._start, self._report = project, start, report
        self.rules: list[Rule] = []
        self.entries: list[tuple[str, str]] = []
        self._busy = False

        rules_box = QGroupBox("The project's rules")
        self.rule_table = _table(["Rule", "Source name", "Pending"], stretch=0)
        self.rule_table.setColumnWidth(1, 190)
        self.rule_table.setColumnWidth(2, 80)
        self.remove_rule = QPushButton("Remove rule")
        self.remove_rule.setToolTip(
            "Forget the rule and drop its suggestions (accepted spans stay)"
        )
        rules_layout = QVBoxLayout(rules_box)
        rules_layout.addWidget(self.rule_table, 1)
        rules_layout.addLayout(self._row(self.remove_rule))

        phrase_box = QGroupBox("Your boilerplate phrases (the lexicon suggester)")
        self.kind = QComboBox()
        for kind, shown in KINDS.items():
            self.kind.addItem(shown, kind)
        self.phrase = QLineEdit()
        self.phrase.setPlaceholderText("e.g. Dukung Kabar Nusa lewat")
        self.add_phrase = QPushButton("Add")
        self.add_phrase.setEnabled(False)
        add_row = QHBoxLayout()
        add_row.addWidget(self.kind)
        add_row.addWidget(self.phrase, 1)
        add_row.addWidget(self.add_phrase)
        hint = QLabel(
            "Case is ignored. A marker line is boilerplate with the title line(s) after it; "
            "a regular expression is searched in each line (anchor it with ^ or $)."
        )
        hint.setWordWrap(True)
        self.phrase_table = _table(["Kind", "Phrase or pattern"], stretch=1)
        self.phrase_table.setColumnWidth(0, 190)
        self.remove_phrase = QPushButton("Remove phrase")
        phrase_layout = QVBoxLayout(phrase_box)
        phrase_layout.addLayout(add_row)
        phrase_layout.addWidget(hint)
        phrase_layout.addWidget(self.phrase_table, 1)
        phrase_layout.addLayout(self._row(self.remove_phrase))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if rule_box is not None:
            layout.addWidget(rule_box)
        layout.addWidget(rules_box, 1)
        layout.addWidget(phrase_box, 1)

        self.phrase.textChanged.connect(lambda t: self.add_phrase.setEnabled(bool(t.strip())))
        self.phrase.installEventFilter(self)
        self.add_phrase.clicked.connect(self.add_entry)
        self.remove_phrase.clicked.connect(self.remove_selected_entry)
        self.remove_rule.clicked.connect(self.remove_selected_rule)
        self.reload()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Return in the phrase field adds it, and goes no further: a line edit passes Return
        on to the dialog, whose default button would run every suggester."""
        if (
            watched is self.phrase
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.add_entry()
            return True
        return super().eventFilter(watched, event)

    @staticmethod
    def _row(button: QPushButton) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(button)
        return row

    # ---- lists ---------------------------------------------------------------------------

    def reload(self, pending: Mapping[str, int] | None = None) -> None:
        """Refill both lists from the project (two settings rows: quick on the UI thread);
        ``pending`` is the dialog's count per source, shown next to each rule."""
        pending = pending or {}
        self.rules = self.project.rules()
        self.rule_table.setRowCount(len(self.rules))
        for row, rule in enumerate(self.rules):
            shown = f"Line {RULE_KINDS.get(rule.kind, rule.kind)} “{rule.text}”"
            count = f"{pending[rule.source]:,}" if rule.source in pending else "–"
            for col, text in enumerate((shown, rule.source, count)):
                self.rule_table.setItem(row, col, _cell(text))
        self.entries = [
            (kind, text) for kind in KINDS for text in self.project.user_lexicon().get(kind, [])
        ]
        self.phrase_table.setRowCount(len(self.entries))
        for row, (kind, text) in enumerate(self.entries):
            self.phrase_table.setItem(row, 0, _cell(KINDS[kind]))
            self.phrase_table.setItem(row, 1, _cell(text))
        self.set_busy(self._busy)

    def set_busy(self, busy: bool) -> None:
        """No edits while a job runs: the dialog queues only one job behind the running one."""
        self._busy = busy
        self.add_phrase.setEnabled(not busy and bool(self.phrase.text().strip()))
        self.remove_rule.setEnabled(not busy and bool(self.rules))
        self.remove_phrase.setEnabled(not busy and bool(self.entries))

    # ---- rules ---------------------------------------------------------------------------

    def remove_selected_rule(self) -> None:
        row = self.rule_table.currentRow()
        if not 0 <= row < len(self.rules):
            self._report("Select a rule to remove")
            return
        rule = self.rules[row]

        def finished(dropped: int) -> None:
            self._report(f"Removed {rule.source}; {dropped:,} of its suggestions dropped")
            self.reload()
            self.changed.emit()

        self._start(lambda _c: self.project.remove_rule(rule), finished)

    # ---- lexicon -------------------------------------------------------------------------

    def add_entry(self) -> None:
        """Keep the typed phrase in the project's lexicon, then re-run the lexicon suggester."""
        kind, text = self.kind.currentData(), self.phrase.text().strip()
        if not text or not self.add_phrase.isEnabled():
            return
        try:
            added = self.project.add_lexicon_entry(kind, text)
        except LexiconError as exc:
            self._report(str(exc))
            return
        if not added:
            self._report(f"“{text}” is in the list already")
            return
        self.phrase.clear()
        self.reload()
        self._rerun(f"Added “{text}”")

    def remove_selected_entry(self) -> None:
        row = self.phrase_table.currentRow()
        if not 0 <= row < len(self.entries):
            self._report("Select a phrase to remove")
            return
        kind, text = self.entries[row]
        self.project.remove_lexicon_entry(kind, text)
        self.reload()
        self._rerun(f"Removed “{text}”")

    def _rerun(self, what: str) -> None:
        """Run the lexicon suggester over the project: new matches stored, ones no longer
        proposed removed."""
        self.set_busy(True)
        if "lexicon" in self.project.disabled_sources():
            self._report(f"{what}; the lexicon source is switched off, so nothing was run")
            self.set_busy(False)
            return

        def work(control: JobControl) -> tuple[int, int, bool]:
            def on_progress(p: SuggestProgress) -> None:
                label = "counting lines" if p.phase == "index" else "lexicon"
                control.progress(p.done, p.total, f"{label}: {p.done:,} of {p.total:,} articles")

            report = self.project.run_suggesters(
                sources=["lexicon"],
                on_progress=on_progress,
                should_stop=lambda: control.cancelled,
            )
            return report.stored["lexicon"], report.removed, report.stopped

        def finished(result: tuple[int, int, bool]) -> None:
            stored, removed, stopped = result
            tail = " (stopped early: run the suggesters to finish)" if stopped else ""
            self._report(f"{what}; lexicon suggestions: {stored:,} new, {removed:,} removed{tail}")
            self.set_busy(False)
            self.changed.emit()

        self._start(work, finished)
