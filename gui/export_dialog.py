"""Exporting training data from the GUI: the options of ``tandai export``, progress, Cancel.

The export itself is ``Project.exports.export_dataset``, the code the CLI runs, in a
:class:`gui.workers.Job`. Cancel stops at the next article; nothing is written to the
output folder until every file is complete, so a cancelled export leaves it as it was.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.export.pipeline import ExportProgress, ExportSummary
from core.export.records import (
    CHUNKED_FORMATS,
    FORMATS,
    ExportOptions,
    ExportSelection,
    parse_split,
)
from core.models import STATUSES
from gui.job_dialog import JobDialog
from gui.workers import JobControl
from storage import Project

_PROGRESS_INTERVAL = 0.05
_PHASES = {
    "group": "Grouping near-duplicates",
    "scan": "Reading articles for the split",
    "write": "Writing",
}
#: (shown, --chunk value) for the "Long articles" choice.
_CHUNKS = [
    ("whole articles", ""),
    ("chunks of up to 250 words (for 512-piece models)", "tokens:250"),
    ("chunks of up to 100 words", "tokens:100"),
    ("one chunk a sentence", "sentences"),
]
_HELP = {
    "spans": "text + spans (Prodigy / spaCy style), stance, status, meta",
    "ner-bio": "text, tokens + IOB2 ner_tags as ClassLabel ids (Hugging Face)",
    "stance": "one line per article and stance target (SemEval-2016 style)",
    "clean": "text with boilerplate removed, entity spans remapped",
    "boilerplate-lines": "lines with 1 = boilerplate, 0 = body",
    "conll": "CoNLL-2003 text: a token and its IOB2 tag a line (spacy convert)",
    "spacy": "spaCy DocBin (.spacy) per split, for spacy train",
}


def _checklist(values: list[str]) -> QListWidget:
    """A list of checkable values; none checked means "all"."""
    widget = QListWidget()
    for value in values:
        item = QListWidgetItem(value or "(none)")
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        widget.addItem(item)
    widget.setMaximumHeight(90)
    return widget


def _checked(widget: QListWidget) -> tuple[str, ...]:
    return tuple(
        widget.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(widget.count())
        if widget.item(i).checkState() == Qt.CheckState.Checked
    )


class ExportDialog(JobDialog[ExportSummary]):
    """Choose what to export and where; ``summary`` holds the result once it has finished."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export training data")
        self.setMinimumWidth(560)
        self.project = project
        self.summary: ExportSummary | None = None
        self.error: str | None = None

        self.out_edit = QLineEdit()
        self.out_edit.setPlaceholderText("a new or empty folder (an earlier export is replaced)")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_folder)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_edit, 1)
        out_row.addWidget(browse)

        self.format_combo = QComboBox()
        for fmt in FORMATS:
            self.format_combo.addItem(f"{fmt} — {_HELP[fmt]}", fmt)
        self.tokens_check = QCheckBox(
            "Tokens in spaCy's convention (spans: add them; ner-bio: with a spaces list)"
        )
        self.clean_check = QCheckBox("Text without boilerplate (entity spans remapped)")
        self.tag_strings_check = QCheckBox("Tag names (B-PER) instead of ClassLabel ids")
        self.keep_unlabelled_check = QCheckBox("Also unfinished articles without entities")
        self.chunk_combo = QComboBox()
        for text, value in _CHUNKS:
            self.chunk_combo.addItem(text, value)
        self.license_edit = QLineEdit(str(project.get_setting("license", "") or ""))
        self.license_edit.setPlaceholderText("e.g. cc-by-4.0 (kept in the project; for the card)")
        self.format_combo.currentIndexChanged.connect(self._format_changed)

        self.status_checks: dict[str, QCheckBox] = {}
        status_row = QHBoxLayout()
        for status in STATUSES:
            box = QCheckBox(status)
            box.setChecked(status == "done")
            self.status_checks[status] = box
            status_row.addWidget(box)
        status_row.addStretch(1)

        self.annotator_list = _checklist(project.annotators())
        self.lang_list = _checklist(project.languages())
        self.source_list = _checklist(project.sources())

        self.split_check = QCheckBox("Split into")
        self.split_edit = QLineEdit("train=0.8,dev=0.1,test=0.1")
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setPrefix("seed ")
        self.split_check.toggled.connect(self.split_edit.setEnabled)
        self.split_check.toggled.connect(self.seed_spin.setEnabled)
        self.split_edit.setEnabled(False)
        self.seed_spin.setEnabled(False)
        split_row = QHBoxLayout()
        split_row.addWidget(self.split_check)
        split_row.addWidget(self.split_edit, 1)
        split_row.addWidget(self.seed_spin)

        form = QFormLayout()
        form.addRow("Output folder", out_row)
        form.addRow("Format", self.format_combo)
        form.addRow("", self.tokens_check)
        form.addRow("", self.clean_check)
        form.addRow("", self.tag_strings_check)
        form.addRow("", self.keep_unlabelled_check)
        form.addRow("Long articles", self.chunk_combo)
        form.addRow("Licence", self.license_edit)
        form.addRow("Status", status_row)
        form.addRow("Annotators", self.annotator_list)
        form.addRow("Languages", self.lang_list)
        form.addRow("Sources", self.source_list)
        form.addRow("", QLabel("Nothing ticked in a list means all of it."))
        form.addRow("Split", split_row)

        self.phase_label = QLabel("")
        self.phase_label.setWordWrap(True)
        self.phase_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.cancel_button = QPushButton("Close")
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.bar)
        layout.addWidget(self.phase_label)
        layout.addLayout(buttons)
        self._format_changed()

    # ---- options -------------------------------------------------------------------------

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export into folder", self.out_edit.text())
        if folder:
            self.out_edit.setText(folder)

    def _format_changed(self) -> None:
        fmt = self.format_combo.currentData()
        self.tokens_check.setEnabled(fmt in {"spans", "ner-bio"})
        self.clean_check.setEnabled(fmt in {"spans", "ner-bio", "stance"})
        self.tag_strings_check.setEnabled(fmt == "ner-bio")
        self.keep_unlabelled_check.setEnabled(fmt == "ner-bio")
        self.chunk_combo.setEnabled(fmt in CHUNKED_FORMATS)

    def options(self) -> ExportOptions:
        """The chosen options; raises ValueError with a message for the user."""
        fmt = self.format_combo.currentData()
        statuses = tuple(s for s, box in self.status_checks.items() if box.isChecked())
        if not statuses:
            raise ValueError("Tick at least one status.")
        split = parse_split(self.split_edit.text()) if self.split_check.isChecked() else ()
        options = ExportOptions(
            format=fmt,
            selection=ExportSelection(
                statuses=statuses,
                annotators=_checked(self.annotator_list),
                langs=_checked(self.lang_list),
                sources=_checked(self.source_list),
            ),
            tokens=self.tokens_check.isChecked() and fmt == "spans",
            token_style="spacy" if self.tokens_check.isChecked() and fmt == "ner-bio" else "words",
            clean=self.clean_check.isChecked() and self.clean_check.isEnabled(),
            split=split,
            seed=self.seed_spin.value(),
            command=f"Tandai Export dialog on {self.project.name}",
            tag_strings=self.tag_strings_check.isChecked() and fmt == "ner-bio",
            keep_unlabelled=self.keep_unlabelled_check.isChecked() and fmt == "ner-bio",
            chunk=self.chunk_combo.currentData() if fmt in CHUNKED_FORMATS else "",
        )
        options.validate()
        return options

    # ---- running -------------------------------------------------------------------------

    def start(self) -> None:
        if self.is_running():
            return
        out = self.out_edit.text().strip()
        try:
            if not out:
                raise ValueError("Choose an output folder.")
            options = self.options()
        except ValueError as exc:
            self.phase_label.setText(str(exc))
            return
        project = self.project
        licence = self.license_edit.text().strip()
        if licence != (project.get_setting("license", "") or ""):
            project.set_setting("license", licence)

        def work(control: JobControl) -> ExportSummary:
            last = 0.0

            def on_progress(p: ExportProgress) -> None:
                nonlocal last
                now = time.monotonic()
                if now - last < _PROGRESS_INTERVAL and p.done < p.total:
                    return
                last = now
                control.progress(p.done, max(p.total, p.done, 1), p.phase)

            return project.exports.export_dataset(
                Path(out), options, on_progress=on_progress, should_stop=lambda: control.cancelled
            )

        self.summary, self.error = None, None
        self.export_button.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self.phase_label.setText("Starting…")
        self.bar.setRange(0, 0)
        self.run_job(work, cleanup=project.end_thread)

    # ---- results -------------------------------------------------------------------------

    def _on_progress(self, done: int, total: int, phase: str) -> None:
        if not self.cancel_button.isEnabled():
            return
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        self.phase_label.setText(f"{_PHASES.get(phase, phase)}: {done:,} of {total:,} articles")

    def _on_done(self, summary: ExportSummary) -> None:
        self.summary = summary
        if not summary.cancelled:
            self.bar.setRange(0, 1)
            self.bar.setValue(1)
        self.phase_label.setText(summary.text())

    def _on_failed(self, message: str) -> None:
        self.error = message
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.phase_label.setText(f"The export failed: {message}")

    def _on_finished(self) -> None:
        self.export_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Close")
