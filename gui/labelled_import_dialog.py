"""What to do with the labels in the files being imported: whose they are, how to map them.

The same choices as ``main.py import --as-annotator/--as-suggestions --map-label
--add-labels --annotator-field --stance-target --flag-problems``; the answer is the keyword arguments of
``Project.imports.import_labelled``, run by the ordinary import dialog.
"""

from __future__ import annotations

from typing import TypedDict

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from core.label_formats import parse_label_map


class LabelledOptions(TypedDict, total=False):
    """``import_labelled``'s keyword arguments as the dialog answers them (the type checker
    holds them to its signature where they are passed on)."""

    label_map: dict[str, str]
    add_labels: bool
    stance_target_field: str | None
    annotator: str | None
    annotator_field: str | None
    flag_problems: bool
    suggestions: str


class LabelledImportOptions(QDialog):
    """Asks how labelled files go in; :meth:`options` gives ``import_labelled``'s arguments."""

    def __init__(self, annotator: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import labelled files")
        self.as_annotator = QRadioButton("As the labels of")
        self.as_annotator.setChecked(True)
        self.annotator_edit = QLineEdit(annotator)
        self.as_suggestions = QRadioButton("As suggestions from source")
        self.source_edit = QLineEdit("imported")
        self.annotator_field_edit = QLineEdit()
        self.annotator_field_edit.setPlaceholderText(
            "optional: a field naming each record's annotator (e.g. annotator)"
        )
        self.stance_field_edit = QLineEdit()
        self.stance_field_edit.setPlaceholderText(
            "optional: a field naming each record's stance target (its value in 'stance')"
        )
        self.map_edit = QLineEdit()
        self.map_edit.setPlaceholderText("optional: PERSON=PER, PLACE=GPE")
        self.add_labels_check = QCheckBox("Add labels the schema lacks (instead of skipping them)")
        self.flag_check = QCheckBox("Set articles with a left-out label to flagged")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.as_annotator.toggled.connect(self._mode_changed)

        form = QFormLayout()
        form.addRow(self.as_annotator, self.annotator_edit)
        form.addRow(self.as_suggestions, self.source_edit)
        form.addRow("Annotator field", self.annotator_field_edit)
        form.addRow("Stance target field", self.stance_field_edit)
        form.addRow("Rename labels", self.map_edit)
        form.addRow("", self.add_labels_check)
        form.addRow("", self.flag_check)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        intro = QLabel(
            "Tandai reads its own exports, Prodigy, doccano, Label Studio (JSON, JSON-MIN, "
            "CoNLL) and tokens + ner_tags. Labels it cannot use are listed, never stored wrong."
        )
        intro.setWordWrap(True)
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._mode_changed()

    def _mode_changed(self) -> None:
        mine = self.as_annotator.isChecked()
        self.annotator_edit.setEnabled(mine)
        self.annotator_field_edit.setEnabled(mine)
        self.flag_check.setEnabled(mine)
        self.source_edit.setEnabled(not mine)

    def options(self) -> LabelledOptions:
        """``import_labelled``'s keyword arguments; ValueError says what to correct."""
        label_map = parse_label_map(
            [part.strip() for part in self.map_edit.text().split(",") if part.strip()]
        )
        out: LabelledOptions = {
            "label_map": label_map,
            "add_labels": self.add_labels_check.isChecked(),
            "stance_target_field": self.stance_field_edit.text().strip() or None,
        }
        if self.as_annotator.isChecked():
            name = self.annotator_edit.text().strip()
            field = self.annotator_field_edit.text().strip() or None
            if not name and not field:
                raise ValueError("Name the annotator the labels belong to.")
            out |= {
                "annotator": name or None,
                "annotator_field": field,
                "flag_problems": self.flag_check.isChecked(),
            }
        else:
            source = self.source_edit.text().strip()
            if not source:
                raise ValueError("Name the source of the suggestions.")
            out["suggestions"] = source
        return out

    def _accept(self) -> None:
        try:
            self.options()
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        self.accept()
