"""Project ▸ Assign…: share unassigned articles out among annotators, with a preview of the
counts per annotator, and move one annotator's unfinished articles to another.

A thin form over ``storage.Project`` (``plan_assignment``/``assign``/``reassign``): the same
calls as ``tandai assign``. The preview is worked out in the background as the user types.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from core.assign import AssignError, AssignPlan, parse_annotators
from core.query import ArticleFilter
from gui.team_dialogs import table_cell
from gui.workers import LatestJob
from storage import Project

#: Typing pauses this long before the preview is computed again.
PREVIEW_DELAY_MS = 300


class AssignDialog(QDialog):
    """Share unassigned articles out; the table previews what each annotator would get."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Assign articles")
        self.resize(560, 560)
        self.project = project
        self.background = LatestJob(self, project)
        self.plan: AssignPlan | None = None
        held = project.team.assignment_counts()

        self.annotators = QLineEdit(", ".join(held or project.annotators()))
        self.annotators.setPlaceholderText("ana, budi, citra")
        self.overlap = QDoubleSpinBox()
        self.overlap.setRange(0, 100)
        self.overlap.setSuffix(" %")
        self.overlap.setDecimals(0)
        self.per_overlap = QSpinBox()
        self.per_overlap.setRange(2, 20)
        self.seed = QSpinBox()
        self.seed.setRange(0, 1_000_000)
        self.lang = QComboBox()
        self.lang.addItem("Any language", None)
        for lang in project.languages():
            self.lang.addItem(lang, lang)
        self.source = QComboBox()
        self.source.addItem("Any source", None)
        for source in project.sources():
            self.source.addItem(source or "(no source)", source)
        self.todo_only = QCheckBox("Only articles nobody has finished")

        form = QFormLayout()
        form.addRow("Annotators:", self.annotators)
        form.addRow("Overlap (given to several):", self.overlap)
        form.addRow("Annotators per overlapping article:", self.per_overlap)
        form.addRow("Seed:", self.seed)
        form.addRow("Language:", self.lang)
        form.addRow("Source:", self.source)
        form.addRow("", self.todo_only)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        #: What the last Assign or Move did (or why it was refused).
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Annotator", "Holds now", "New", "After"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        self.move_from = QComboBox()
        self.move_to = QComboBox()
        self.move_button = QPushButton("Move unfinished")
        move_row = QHBoxLayout()
        move_row.addWidget(QLabel("From"))
        move_row.addWidget(self.move_from, 1)
        move_row.addWidget(QLabel("to"))
        move_row.addWidget(self.move_to, 1)
        move_row.addWidget(self.move_button)
        move_box = QGroupBox("Reassign an annotator's unfinished articles")
        move_box.setLayout(move_row)
        self._fill_people()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.assign_button = self.buttons.addButton(
            "Assign", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.assign_button.setEnabled(False)
        self.buttons.rejected.connect(self.reject)
        self.assign_button.clicked.connect(self.apply)
        self.move_button.clicked.connect(self.reassign)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Preview: what each annotator would get"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(move_box)
        layout.addWidget(self.outcome)
        layout.addWidget(self.buttons)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(PREVIEW_DELAY_MS)
        self._debounce.timeout.connect(self.preview)
        self.annotators.textChanged.connect(self._debounce.start)
        for spin in (self.overlap, self.per_overlap, self.seed):
            spin.valueChanged.connect(self._debounce.start)
        for box in (self.lang, self.source):
            box.currentIndexChanged.connect(self._debounce.start)
        self.todo_only.toggled.connect(self._debounce.start)
        self.preview()

    def _fill_people(self) -> None:
        held = self.project.team.assignment_counts()
        names = sorted(set(held) | set(self.project.annotators()))
        for box, choices in ((self.move_from, sorted(held)), (self.move_to, names)):
            box.clear()
            box.addItems(choices)
        if self.move_to.count() > 1 and self.move_to.currentText() == self.move_from.currentText():
            self.move_to.setCurrentIndex(1)
        self.move_button.setEnabled(bool(held))

    def _arguments(self) -> dict[str, Any]:
        lang, source = self.lang.currentData(), self.source.currentData()
        return {
            "annotators": parse_annotators(self.annotators.text()),
            "overlap": self.overlap.value() / 100,
            "per_overlap": self.per_overlap.value(),
            "seed": self.seed.value(),
            "flt": ArticleFilter(
                langs=(lang,) if lang else (),
                sources=(source,) if source is not None else (),
                statuses=("todo",) if self.todo_only.isChecked() else (),
            ),
        }

    def preview(self) -> None:
        """Compute the plan in the background; the table shows it when it arrives."""
        self._debounce.stop()
        self.assign_button.setEnabled(False)
        try:
            args = self._arguments()
        except AssignError as exc:
            self.summary.setText(str(exc))
            self.table.setRowCount(0)
            return
        self.summary.setText("Computing…")
        project = self.project
        self.background.run(
            lambda _c: (project.team.plan_assignment(**args), project.team.assignment_counts()),
            self._show_plan,
            lambda message: self.summary.setText(message),
        )

    def _show_plan(self, result: tuple[AssignPlan, dict[str, int]]) -> None:
        plan, held = result
        self.plan = plan
        names = list(plan.new_counts)
        names += [n for n in held if n not in plan.new_counts]
        self.table.setRowCount(len(names))
        for row, name in enumerate(names):
            new = plan.new_counts.get(name, 0)
            now = held.get(name, 0)
            cells = [name, f"{now:,}", f"+{new:,}", f"{now + new:,}"]
            for col, text in enumerate(cells):
                self.table.setItem(row, col, table_cell(text, right=col > 0))
        if plan.articles:
            self.summary.setText(
                f"{plan.articles:,} unassigned articles match; {plan.overlapping:,} of them go "
                f"to {self.per_overlap.value()} annotators each ({len(plan.pairs):,} assignments)."
            )
        else:
            self.summary.setText("Every matching article is assigned already: nothing to add.")
        self.assign_button.setEnabled(bool(plan.pairs))

    def apply(self) -> None:
        try:
            args = self._arguments()
        except AssignError as exc:
            self.outcome.setText(str(exc))
            return
        self.assign_button.setEnabled(False)
        self.outcome.setText("Assigning…")
        project = self.project
        self.background.run(lambda _c: project.team.assign(**args), self._assigned, self._failed)

    def _assigned(self, plan: AssignPlan) -> None:
        self.outcome.setText(
            f"Assigned {plan.articles:,} articles ({len(plan.pairs):,} assignments)."
        )
        self._fill_people()
        self.preview()

    def reassign(self) -> None:
        source, target = self.move_from.currentText(), self.move_to.currentText()
        project = self.project
        self.outcome.setText(f"Moving {source}'s unfinished articles to {target}…")
        self.background.run(
            lambda _c: project.team.reassign(source, target),
            lambda moved: self._moved(moved, source, target),
            self._failed,
        )

    def _moved(self, moved: int, source: str, target: str) -> None:
        self._fill_people()
        self.preview()
        self.outcome.setText(f"Moved {moved:,} unfinished articles from {source} to {target}.")

    def _failed(self, message: str) -> None:
        self.outcome.setText(message)
        self.assign_button.setEnabled(self.plan is not None and bool(self.plan.pairs))

    def done(self, result: int) -> None:
        self.background.wait()
        super().done(result)
