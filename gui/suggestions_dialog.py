"""Suggestions across the project: run the suggesters, switch sources on and off, accept or
reject everything one source proposed (after seeing how many), and make a rule from a line.

Everything that reads or writes many articles runs in the dialog's one ``gui.workers.Job``
at a time, with progress, so the window never freezes; a bulk decision is a command pushed
through the session like every edit (computed in the background, then pushed with its
result). The dialog sees the workspace's suggestions only through :class:`SuggestionsHost`
(the overlay is one). It composes two parts of its own: the "Rules & phrases" tab
(:mod:`gui.suggestion_rules_panel`, which runs its work through the dialog's ``_start``) and,
when the workspace trains a model, the model's section (:mod:`gui.model_box`, which trains
in the workspace's trainer and only tells the dialog when a training has ended).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.suggest.rules import propose_rules
from gui.learning import ModelTrainer
from gui.model_box import ModelBox
from gui.session import Session, SuggestionScope
from gui.suggestion_commands import BulkSuggestions
from gui.suggestion_rules_panel import SuggestionRulesPanel
from gui.undo_commands import CommandContext, EditCommand
from gui.workers import Job, JobControl
from storage import ALL_SOURCES, BulkResult, SuggestProgress

SOURCE, PENDING, ON = range(3)


class SuggestionsHost(Protocol):
    """What the dialog needs from the workspace's suggestions (gui.suggestions_overlay)."""

    session: Session
    ctx: CommandContext

    @property
    def article_id(self) -> int | None: ...

    def push(self, command: EditCommand) -> bool: ...

    def reload(self) -> None: ...

    def current_line(self) -> str: ...


class SuggestionsDialog(QDialog):
    def __init__(
        self,
        overlay: SuggestionsHost,
        parent: QWidget | None = None,
        *,
        trainer: ModelTrainer | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Suggestions")
        self.resize(640, 660)
        self.overlay = overlay
        self.project = overlay.session.project
        self.annotator = overlay.session.annotator
        self.job: Job | None = None
        self._finished = True
        self._queued: tuple[Callable[[JobControl], Any], Callable[[Any], None]] | None = None

        self.run_button = QPushButton("Run suggesters")
        self.new_only = QPushButton("Only new articles")
        self.k = QSpinBox()
        self.k.setRange(2, 1000)
        self.k.setValue(self.project.suggestions.repeated_min_articles())
        self.k.setToolTip("A line in at least this many articles of one source is boilerplate")
        run_row = QHBoxLayout()
        for w in (self.run_button, self.new_only, QLabel("Repeated line in ≥"), self.k):
            run_row.addWidget(w)
        run_row.addWidget(QLabel("articles"), 1)

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Source", f"Pending for {self.annotator}", "On"])
        self.table.verticalHeader().hide()
        self.table.setColumnWidth(SOURCE, 330)
        self.table.setColumnWidth(PENDING, 150)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.itemChanged.connect(self._toggled)
        self.accept_source = QPushButton("Accept all from source…")
        self.reject_source = QPushButton("Reject all from source…")
        self.load_patterns = QPushButton("Load entity patterns…")
        self.load_patterns.setToolTip(
            'Prodigy-style JSONL: {"label": "GPE", "pattern": "Kursk"} or token patterns '
            "with lower/orth"
        )
        source_row = QHBoxLayout()
        source_row.addWidget(self.accept_source)
        source_row.addWidget(self.reject_source)
        source_row.addStretch(1)
        source_row.addWidget(self.load_patterns)

        rule_box = QGroupBox("Rule from the line at the cursor")
        self.rule_choice = QComboBox()
        self.rule_count = QLabel()
        self.count_rule = QPushButton("Count matches")
        self.apply_rule = QPushButton("Apply to the project")
        rule_row = QHBoxLayout()
        for w in (self.count_rule, self.apply_rule):
            rule_row.addWidget(w)
        rule_row.addStretch(1)
        rule_layout = QVBoxLayout(rule_box)
        rule_layout.addWidget(self.rule_choice)
        rule_layout.addWidget(self.rule_count)
        rule_layout.addLayout(rule_row)

        self.progress = QProgressBar()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.cancel = QPushButton("Cancel")
        self.cancel.setEnabled(False)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        sources = QWidget()
        sources_layout = QVBoxLayout(sources)
        sources_layout.addLayout(run_row)
        sources_layout.addWidget(self.table, 1)
        sources_layout.addLayout(source_row)
        self.model_box: ModelBox | None = None
        if trainer is not None:
            self.model_box = ModelBox(self.project, trainer=trainer)
            self.model_box.changed.connect(self.refresh)  # a training ended: recount
            sources_layout.addWidget(self.model_box)
        self.rules_panel = SuggestionRulesPanel(
            self.project, start=self._start, report=self.status.setText, rule_box=rule_box
        )
        self.rules_panel.changed.connect(self.overlay.reload)
        self.rules_panel.changed.connect(self.refresh)
        self.tabs = QTabWidget()
        self.tabs.addTab(sources, "Sources")
        self.tabs.addTab(self.rules_panel, "Rules && phrases")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(progress_row)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

        self.run_button.clicked.connect(lambda: self.run(only_new=False))
        self.new_only.clicked.connect(lambda: self.run(only_new=True))
        self.k.valueChanged.connect(self.project.suggestions.set_repeated_min_articles)
        self.accept_source.clicked.connect(lambda: self.decide_source(accept=True))
        self.reject_source.clicked.connect(lambda: self.decide_source(accept=False))
        self.load_patterns.clicked.connect(self.choose_patterns)
        self.count_rule.clicked.connect(self.count_selected_rule)
        self.apply_rule.clicked.connect(self.apply_selected_rule)
        self.cancel.clicked.connect(lambda: self.job and self.job.cancel())
        self._fill_rules()
        self.refresh()

    # ---- jobs ----------------------------------------------------------------------------

    def _start(self, fn: Callable[[JobControl], Any], done: Callable[[Any], None]) -> None:
        """Run ``fn`` off the UI thread; ``done`` gets its result on the UI thread. One job at
        a time: a job asked for while another runs starts when that one has finished."""
        if self.job is not None and (self.job.is_running() or not self._finished):
            self._queued = (fn, done)
            return
        self._queued = None
        self._busy(True)
        job = Job(fn, cleanup=self.project.end_thread, owner=self)
        job.progressed.connect(self._progressed)
        job.succeeded.connect(done)
        job.failed.connect(lambda text: self.status.setText(f"Failed: {text}"))
        job.finished.connect(lambda j=job: self._job_finished(j))
        self.job = job
        self._finished = False
        job.start()

    def _job_finished(self, job: Job) -> None:
        # A job's results (succeeded) always arrive before its finished signal.
        if job is not self.job:
            return
        self._finished = True
        self._busy(False)
        if self._queued is not None:
            self._start(*self._queued)

    def _busy(self, busy: bool) -> None:
        for w in (
            self.run_button,
            self.new_only,
            self.accept_source,
            self.reject_source,
            self.load_patterns,
        ):
            w.setEnabled(not busy)
        for w in (self.count_rule, self.apply_rule):
            w.setEnabled(not busy and self.rule_choice.count() > 0)
        self.rules_panel.set_busy(busy)
        self.cancel.setEnabled(busy)
        if not busy:
            self.progress.setRange(0, 1)
            self.progress.setValue(1)

    def _progressed(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        if text:
            self.status.setText(text)

    def wait(self) -> None:
        """Block until the running job ends (tests, closing)."""
        if self.job is not None:
            self.job.wait()

    def idle(self) -> bool:
        """No job running and none queued."""
        return (self.job is None or self._finished) and self._queued is None

    def done(self, result: int) -> None:
        if self.model_box is not None:
            self.model_box.detach()
        if self.job is not None and self.job.is_running():
            self.job.cancel()
            self.job.wait()
        super().done(result)

    # ---- sources -------------------------------------------------------------------------

    def refresh(self) -> None:
        annotator = self.annotator

        def work(_control: JobControl) -> tuple[dict[str, int], dict[str, int]]:
            return (
                self.project.suggestions.suggestion_counts(annotator=annotator),
                self.project.suggestions.suggestion_counts(),
            )

        self._start(work, self._fill_table)

    def _fill_table(self, counts: tuple[dict[str, int], dict[str, int]]) -> None:
        pending, stored = counts
        self.rules_panel.reload(pending)
        disabled = set(self.project.suggestions.disabled_sources())
        rules = [r.source for r in self.project.suggestions.rules()]
        names = list(dict.fromkeys([*ALL_SOURCES, *rules, *stored, *disabled]))
        self.table.blockSignals(True)
        self.table.setRowCount(len(names))
        for row, name in enumerate(names):
            source = QTableWidgetItem(name)
            source.setFlags(source.flags() & ~Qt.ItemFlag.ItemIsEditable)
            count = QTableWidgetItem(f"{pending.get(name, 0):,}")
            count.setFlags(count.flags() & ~Qt.ItemFlag.ItemIsEditable)
            on = QTableWidgetItem()
            on.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            on.setCheckState(Qt.CheckState.Unchecked if name in disabled else Qt.CheckState.Checked)
            for col, item in ((SOURCE, source), (PENDING, count), (ON, on)):
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        if self.table.currentRow() < 0 and names:
            self.table.selectRow(0)

    def _toggled(self, item: QTableWidgetItem) -> None:
        if item.column() != ON:
            return
        name = self._cell(item.row(), SOURCE)
        self.project.suggestions.set_source_enabled(
            name, item.checkState() == Qt.CheckState.Checked
        )
        self.overlay.reload()

    def selected_source(self) -> str | None:
        row = self.table.currentRow()
        return None if row < 0 else self._cell(row, SOURCE)

    def _cell(self, row: int, col: int) -> str:
        """A cell's text ("" if it has no item: _fill_table fills every row whole)."""
        item = self.table.item(row, col)
        return item.text() if item is not None else ""

    def run(self, *, only_new: bool) -> None:
        def work(control: JobControl) -> str:
            def on_progress(p: SuggestProgress) -> None:
                label = "counting lines" if p.phase == "index" else "suggesting"
                control.progress(p.done, p.total, f"{label}: {p.done:,} of {p.total:,} articles")

            report = self.project.suggestions.run_suggesters(
                only_new=only_new, on_progress=on_progress, should_stop=lambda: control.cancelled
            )
            return report.summary()

        def finished(summary: str) -> None:
            self.status.setText(summary)
            self.overlay.reload()
            self.refresh()

        self._start(work, finished)

    def decide_source(self, *, accept: bool, confirm: bool = True) -> None:
        """Accept or reject all pending suggestions of the selected source, after showing
        how many; one undo step takes them all back."""
        source = self.selected_source()
        if source is None:
            return
        annotator = self.annotator
        # The count the table shows (computed off the UI thread by refresh()).
        pending = int(self._cell(self.table.currentRow(), PENDING).replace(",", "") or "0")
        verb = "Accept" if accept else "Reject"
        if not pending:
            self.status.setText(f"Nothing pending from {source}")
            return
        if confirm:
            answer = QMessageBox.question(
                self,
                "Suggestions",
                f"{verb} {pending:,} suggestions from {source} across the project for "
                f"{annotator}? (Undo takes them all back.)",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        scope: SuggestionScope = {"source": source}

        session = self.overlay.session

        def work(_control: JobControl) -> BulkResult:
            return session.decide_all(accept=accept, annotator=annotator, scope=scope)

        def finished(result: BulkResult) -> None:
            command = BulkSuggestions(
                self.overlay.ctx,
                self.overlay.article_id or 0,
                accept=accept,
                scope=scope,
                text=f"{verb} {result.done:,} suggestions from {source}",
                done=result,
            )
            self.overlay.push(command)  # done already: committed, stacked, then broadcast
            skipped = f" ({result.skipped:,} skipped: overlap)" if result.skipped else ""
            self.status.setText(f"{verb}ed {result.done:,} from {source}{skipped}")
            self.refresh()

        self._start(work, finished)

    def choose_patterns(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Entity patterns", "", "Patterns (*.jsonl *.json *.txt);;All files (*)"
        )
        if path:
            self.add_patterns(Path(path))

    def add_patterns(self, path: Path) -> None:
        """Add a pattern file's entries to the project, then suggest them everywhere."""
        try:
            lines = path.read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            self.status.setText(f"{path.name}: cannot read: {exc}")
            return
        added, problems = self.project.suggestions.load_patterns(lines)
        note = f"; {len(problems)} lines skipped ({problems[0]})" if problems else ""
        self.status.setText(f"{added:,} patterns added from {path.name}{note}")
        if added:
            self.run_sources(["patterns"])

    def run_sources(self, sources: list[str]) -> None:
        def finished(summary: str) -> None:
            self.status.setText(self.status.text() + " — " + summary)
            self.overlay.reload()
            self.refresh()

        self._start(
            lambda _c: self.project.suggestions.run_suggesters(sources=sources).summary(), finished
        )

    # ---- rules ---------------------------------------------------------------------------

    def _fill_rules(self) -> None:
        line = self.overlay.current_line()
        self.rules = propose_rules(line) if line else []
        self.rule_choice.clear()
        for rule in self.rules:
            shown = "starts with" if rule.kind == "prefix" else "is exactly"
            self.rule_choice.addItem(f"Line {shown} “{rule.text}”")
        enabled = bool(self.rules)
        self.count_rule.setEnabled(enabled)
        self.apply_rule.setEnabled(enabled)
        if not enabled:
            self.rule_count.setText("Put the cursor on a boilerplate line first")

    def _rule(self):
        index = self.rule_choice.currentIndex()
        return self.rules[index] if 0 <= index < len(self.rules) else None

    def count_selected_rule(self) -> None:
        rule = self._rule()
        if rule is None:
            return

        def finished(counts: tuple[int, int]) -> None:
            lines, articles = counts
            self.rule_count.setText(f"Matches {lines:,} lines in {articles:,} articles")

        self._start(lambda _c: self.project.suggestions.count_rule_matches(rule), finished)

    def apply_selected_rule(self) -> None:
        rule = self._rule()
        if rule is None:
            return

        def finished(stored: int) -> None:
            self.rule_count.setText(
                f"{stored:,} new suggestions from {rule.source}; accept them all from the table"
            )
            self.overlay.reload()
            self.refresh()

        self._start(lambda _c: self.project.suggestions.apply_rule(rule), finished)
