"""Team work in the app: Project ▸ Assign… (with a preview of the counts per annotator),
Project ▸ Team progress, and File ▸ Merge work packages….

Each dialog is a thin form over ``storage.Project`` (``plan_assignment``/``assign``/
``reassign``, ``team_stats``, ``merge_package``): the same calls as the command line. Anything
that reads or writes many rows runs in a background :class:`gui.workers.Job`, so the window
stays responsive on a large project.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.assign import AssignError, AssignPlan, parse_annotators
from core.query import ArticleFilter
from core.team import PROJECT_ROW, TeamStats, row_cells
from gui.job_dialog import JobDialog
from gui.workers import Job, JobControl
from storage import Project, ProjectError

#: Typing pauses this long before the preview is computed again.
PREVIEW_DELAY_MS = 300


def _cell(text: str, *, right: bool = True) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class _Background:
    """Keeps at most one background job of a dialog and drops results of stale ones."""

    def __init__(self, owner: QWidget, project: Project) -> None:
        self.owner = owner
        self.project = project
        self.serial = 0
        self.jobs: set[Job] = set()

    def run(
        self,
        work: Callable[[JobControl], Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None],
    ) -> None:
        self.serial += 1
        serial = self.serial
        job = Job(work, cleanup=self.project.end_thread, owner=self.owner)
        job.succeeded.connect(lambda result: serial == self.serial and done(result))
        job.failed.connect(lambda message: serial == self.serial and failed(message))
        self.jobs.add(job)
        job.finished.connect(lambda: self.jobs.discard(job))
        job.start()

    def wait(self, msecs: int = 30_000) -> None:
        for job in list(self.jobs):
            job.wait(msecs)


class AssignDialog(QDialog):
    """Share unassigned articles out; the table previews what each annotator would get."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Assign articles")
        self.resize(560, 560)
        self.project = project
        self.background = _Background(self, project)
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
        self.move_button.clicked.connect(self.move)

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
                self.table.setItem(row, col, _cell(text, right=col > 0))
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

    def move(self) -> None:
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


TEAM_COLUMNS = [
    "Annotator",
    "Assigned",
    "Done",
    "Skipped",
    "Flagged",
    "Remaining",
    "Median s / article",
    "Labels / hour",
    "Last active (UTC)",
]


class TeamDialog(QDialog):
    """Project ▸ Team progress: per annotator and for the whole project."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Team progress")
        self.resize(860, 360)
        self.project = project
        self.background = _Background(self, project)
        self.table = QTableWidget(0, len(TEAM_COLUMNS))
        self.table.setHorizontalHeaderLabels(TEAM_COLUMNS)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.note = QLabel()
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(refresh, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.note.setText("Counting…")
        project = self.project
        self.background.run(
            lambda _c: project.team.team_stats(),
            self._show,
            lambda message: self.note.setText(message),
        )

    def _show(self, stats: TeamStats) -> None:
        rows = stats.all_rows()
        self.table.setRowCount(len(rows))
        for row, r in enumerate(rows):
            cells = row_cells(r, missing="–")
            if r.annotator == PROJECT_ROW:
                cells[0] = "Whole project"
            for col, text in enumerate(cells):
                item = _cell(text, right=col > 0)
                if r.annotator == PROJECT_ROW:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, col, item)
        self.note.setText(
            "Remaining: held and not finished. The whole project adds the annotators up "
            "(an article held by two counts twice)."
        )

    def done(self, result: int) -> None:
        self.background.wait()
        super().done(result)


def choose_packages(parent: QWidget) -> list[Path]:
    paths, _ = QFileDialog.getOpenFileNames(
        parent, "Merge work packages", "", "Work packages (*.tandai)"
    )
    return [Path(p) for p in paths]


class MergeDialog(JobDialog):
    """Merge the chosen packages one after another in the background; each one is one
    transaction, so a refused or cancelled package changes nothing."""

    def __init__(self, project: Project, paths: list[Path], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Merge work packages")
        self.resize(640, 380)
        self.project = project
        self.paths = paths
        self.merged = 0
        self.add_labels = QCheckBox("Add labels a package has and the project lacks")
        self.phase_label = QLabel(f"{len(paths)} package{'s' if len(paths) != 1 else ''} chosen")
        self.bar = QProgressBar()
        self.bar.setRange(0, len(paths))
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setPlainText("\n".join(str(p) for p in paths))
        self.merge_button = QPushButton("Merge")
        self.merge_button.setDefault(True)
        self.cancel_button = QPushButton("Close")
        self.merge_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.merge_button)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.add_labels)
        layout.addWidget(self.phase_label)
        layout.addWidget(self.bar)
        layout.addWidget(self.log, 1)
        layout.addLayout(row)

    def start(self) -> None:
        self.merge_button.setEnabled(False)
        self.add_labels.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self.log.clear()
        project, paths, add = self.project, list(self.paths), self.add_labels.isChecked()

        def work(control: JobControl) -> int:
            merged = 0
            for i, path in enumerate(paths):
                if control.cancelled:
                    break
                control.progress(i, len(paths), f"Merging {path.name}…")
                try:
                    report = project.team.merge_package(path, add_labels=add)
                except ProjectError as exc:
                    control.progress(i + 1, len(paths), f"! {exc}")
                    continue
                merged += 1
                control.progress(i + 1, len(paths), report.summary())
            return merged

        self.run_job(work, cleanup=project.end_thread)

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.bar.setValue(done)
        if text.startswith("Merging "):
            self.phase_label.setText(text)
        else:
            self.log.appendPlainText(text)

    def _on_done(self, result: object) -> None:
        self.merged = int(result)  # type: ignore[call-overload]
        self.phase_label.setText(f"Merged {self.merged} of {len(self.paths)} packages.")

    def _on_failed(self, message: str) -> None:
        self.phase_label.setText(message)

    def _on_finished(self) -> None:
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)


class PackageDialog(JobDialog):
    """Project ▸ Write work packages…: one ``NAME.tandai`` per annotator into a folder,
    written in the background (each file appears whole or not at all)."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Write work packages")
        self.resize(620, 380)
        self.project = project
        self.written: list[Path] = []
        held = project.team.assignment_counts()
        self.people = QTableWidget(len(held), 2)
        self.people.setHorizontalHeaderLabels(["Annotator", "Articles"])
        self.people.verticalHeader().hide()
        self.people.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for row, (name, count) in enumerate(held.items()):
            item = _cell(name, right=False)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.people.setItem(row, 0, item)
            self.people.setItem(row, 1, _cell(f"{count:,}"))
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("Folder to write the packages into")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.phase_label = QLabel(
            "Each package holds the annotator's articles, the schema, the guidelines, the "
            "suggestion rules and pending suggestions, and this project's id."
            if held
            else "Nobody holds articles yet: assign them first (Project ▸ Assign…)."
        )
        self.phase_label.setWordWrap(True)
        self.bar = QProgressBar()
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.write_button = QPushButton("Write")
        self.write_button.setDefault(True)
        self.write_button.setEnabled(bool(held))
        self.cancel_button = QPushButton("Close")
        self.write_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.write_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.people, 1)
        layout.addLayout(folder_row)
        layout.addWidget(self.phase_label)
        layout.addWidget(self.bar)
        layout.addWidget(self.log, 1)
        layout.addLayout(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Write work packages into")
        if folder:
            self.folder.setText(folder)

    def chosen(self) -> list[str]:
        return [
            self.people.item(row, 0).text()
            for row in range(self.people.rowCount())
            if self.people.item(row, 0).checkState() == Qt.CheckState.Checked
        ]

    def start(self) -> None:
        names, folder = self.chosen(), self.folder.text().strip()
        if not names or not folder:
            self.phase_label.setText("Choose a folder and at least one annotator.")
            return
        self.write_button.setEnabled(False)
        self.cancel_button.setText("Cancel")
        project = self.project

        def work(control: JobControl) -> list[Path]:
            written: list[Path] = []
            for name in names:
                if control.cancelled:
                    break

                def on_progress(who: str, done: int, total: int) -> None:
                    control.progress(done, total, f"Writing {who}'s package…")

                for item in project.team.write_packages(
                    folder, annotators=[name], on_progress=on_progress
                ):
                    written.append(item.path)
                    control.progress(item.articles, item.articles, item.summary())
            return written

        self.run_job(work, cleanup=project.end_thread)

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        if text.startswith("Writing "):
            self.phase_label.setText(text)
        else:
            self.log.appendPlainText(text)

    def _on_done(self, result: object) -> None:
        self.written = list(result)  # type: ignore[call-overload]
        self.phase_label.setText(
            f"Wrote {len(self.written)} package{'s' if len(self.written) != 1 else ''}: give "
            "each annotator theirs, then File ▸ Merge work packages… brings them back."
        )

    def _on_failed(self, message: str) -> None:
        self.phase_label.setText(message)

    def _on_finished(self) -> None:
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)
        self.write_button.setEnabled(True)
