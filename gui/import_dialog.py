"""Importing files from the GUI: a dialog with phase, progress, Cancel and the summary.

The import itself is ``Project.imports.import_files``, the very code the CLI runs; here it runs in a
:class:`gui.workers.Job` so the window keeps painting. Cancel asks the job to stop at the next
batch boundary: every article stored so far is whole, and running the same import again
completes it (duplicates are skipped).
"""

from __future__ import annotations

import functools
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.report import ImportReport
from gui.job_dialog import JobDialog
from gui.labelled_import_dialog import LabelledOptions
from gui.workers import JobControl
from storage import ImportProgress, Project

IMPORT_FILTER = (
    "Article files (*.jsonl *.ndjson *.json *.csv *.tsv *.txt *.conll *.gz);;All files (*)"
)
#: Problems listed in the dialog; the summary counts them all by reason.
SHOWN_PROBLEMS = 200
#: Progress reaches the window at most this often: more would only queue paint events.
_PROGRESS_INTERVAL = 0.05
_SCALE = 1000  # the bar counts in tenths of a percent: byte totals overflow a Qt int

_PHASES = {
    "store": "Reading and storing",
    "languages": "Detecting languages",
    "index": "Indexing for search",
    "compact": "Compacting the search index",
}


def choose_import_files(parent: QWidget | None) -> list[Path]:
    """Ask for one or more files to import (an empty list if the user cancels)."""
    names, _ = QFileDialog.getOpenFileNames(parent, "Import articles", "", IMPORT_FILTER)
    return [Path(n) for n in names]


def progress_text(p: ImportProgress) -> str:
    """What the dialog says about one progress report."""
    name = _PHASES.get(p.phase, p.phase)
    if p.phase == "store":
        return f"{name}: {p.articles:,} records read"
    return f"{name}: {p.done:,} of {p.total:,}"


class ImportDialog(JobDialog[ImportReport]):
    """Runs one import when shown; ``report`` holds its result once it has finished."""

    stopping_text = "Stopping after the current batch…"

    def __init__(
        self,
        project: Project,
        paths: list[Path],
        parent: QWidget | None = None,
        *,
        field_map: dict[str, str] | None = None,
        detect: bool = True,
        labelled: LabelledOptions | None = None,
    ) -> None:
        """``labelled``: the keyword arguments of ``Project.imports.import_labelled`` (annotator or
        suggestions, label map, ...) to import the files with their labels."""
        super().__init__(parent)
        self.setWindowTitle("Import articles")
        self.setMinimumWidth(560)
        self.project = project
        self.paths = [Path(p) for p in paths]
        self.report: ImportReport | None = None
        self.error: str | None = None
        self._field_map = field_map
        self._detect = detect
        self._labelled = labelled

        names = ", ".join(p.name for p in self.paths[:3])
        if len(self.paths) > 3:
            names += f" and {len(self.paths) - 3} more"
        self.files_label = QLabel(f"Importing {names}")
        self.files_label.setWordWrap(True)
        self.phase_label = QLabel("Starting…")
        self.bar = QProgressBar()
        self.bar.setRange(0, _SCALE)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setPlaceholderText("Problems with the input are listed here.")
        self.problems.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.buttons = QDialogButtonBox()
        self.cancel_button = QPushButton("Cancel")
        self.close_button = QPushButton("Close")
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button.hide()
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.addWidget(self.files_label)
        layout.addWidget(self.phase_label)
        layout.addWidget(self.bar)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.problems, 1)
        layout.addWidget(self.buttons)

    # ---- running -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the import (once); ``exec`` and showing the dialog call this."""
        if self.job is not None:
            return
        project, paths = self.project, self.paths
        field_map, detect = self._field_map, self._detect
        run = project.imports.import_files
        if self._labelled is not None:
            run = functools.partial(project.imports.import_labelled, **self._labelled)

        def work(control: JobControl) -> ImportReport:
            last = 0.0
            problems = 0

            def on_problem(_text: str) -> None:
                nonlocal problems
                problems += 1

            def on_progress(p: ImportProgress) -> None:
                nonlocal last
                now = time.monotonic()
                if now - last < _PROGRESS_INTERVAL and p.done < p.total:
                    return
                last = now
                part = p.done * _SCALE // p.total if p.total else 0
                text = progress_text(p)
                if problems:
                    text += f" · {problems:,} problem{'s' if problems != 1 else ''} so far"
                control.progress(part, _SCALE, f"{p.phase}\t{text}")

            return run(
                paths,
                field_map=field_map,
                on_progress=on_progress,
                on_problem=on_problem,
                should_stop=lambda: control.cancelled,
                detect=detect,
            )

        self.run_job(work, cleanup=project.end_thread)

    def exec(self) -> int:
        self.start()
        return super().exec()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.start()

    # ---- results -------------------------------------------------------------------------

    def _on_progress(self, done: int, total: int, text: str) -> None:
        phase, _, message = text.partition("\t")
        if not self.cancel_button.isEnabled():
            return  # "Stopping…" stays until the job has stopped
        self.phase_label.setText(message)
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.setWindowTitle(f"Import articles — {_PHASES.get(phase, phase).lower()}")

    def _on_done(self, report: ImportReport) -> None:
        self.report = report
        stopped = report.cancelled
        self.phase_label.setText("Stopped." if stopped else "Done.")
        if not stopped:
            self.bar.setValue(self.bar.maximum())
        self.summary_label.setText(report.summary())
        shown = report.problems[:SHOWN_PROBLEMS]
        if shown:
            more = report.problem_total - len(shown)
            tail = [f"… and {more:,} more (counted in the summary above)"] if more > 0 else []
            self.problems.setPlainText("\n".join([*shown, *tail]))

    def _on_failed(self, message: str) -> None:
        self.error = message
        self.phase_label.setText("The import failed.")
        self.summary_label.setText(
            f"{message}\nArticles stored before the failure are kept; "
            "running the same import again completes it."
        )

    def _on_finished(self) -> None:
        self.setWindowTitle("Import articles — finished")
        self.cancel_button.hide()
        self.close_button.show()
        self.close_button.setDefault(True)
        self.close_button.setFocus()
