"""Team work in the app: Project ▸ Team progress, File ▸ Write work packages… and File ▸
Merge work packages… (Project ▸ Assign… is :mod:`gui.assign_dialog`).

Each dialog is a thin form over ``storage.Project`` (``team_stats``, ``write_packages``,
``merge_package``): the same calls as the command line. Anything
that reads or writes many rows runs in a background :class:`gui.workers.Job`, so the window
stays responsive on a large project.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.team import PROJECT_ROW, TeamStats, row_cells
from gui.job_dialog import JobDialog
from gui.workers import JobControl, LatestJob
from storage import Project, ProjectError


def table_cell(text: str, *, right: bool = True) -> QTableWidgetItem:
    """A read-only table cell, numbers right-aligned."""
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


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
        self.background = LatestJob(self, project)
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
                item = table_cell(text, right=col > 0)
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


class MergeDialog(JobDialog[int]):
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

    def _on_done(self, result: int) -> None:
        self.merged = result
        self.phase_label.setText(f"Merged {self.merged} of {len(self.paths)} packages.")

    def _on_failed(self, message: str) -> None:
        self.phase_label.setText(message)

    def _on_finished(self) -> None:
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)


class PackageDialog(JobDialog[list[Path]]):
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
            item = table_cell(name, right=False)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.people.setItem(row, 0, item)
            self.people.setItem(row, 1, table_cell(f"{count:,}"))
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
        items = (self.people.item(row, 0) for row in range(self.people.rowCount()))
        return [
            item.text()
            for item in items
            if item is not None and item.checkState() == Qt.CheckState.Checked
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

    def _on_done(self, result: list[Path]) -> None:
        self.written = list(result)
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
