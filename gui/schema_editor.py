"""Editing a project's label schema: entity labels, boilerplate, stance targets, snapping.

The dialog builds a :class:`core.schema.Schema` from its widgets and lets the schema judge
itself (``Schema.validate``); the error is shown inline and nothing is saved until it is
valid. One rule is the editor's own: **a label in use stays**. Spans and stance labels refer
to labels by name, so renaming or removing an entity label, boilerplate kind, stance target or
option that annotations already use would leave them pointing at a name the schema no longer
knows (not drawn, not exported under the new name, with no way back from the GUI). The editor
refuses that and says how many annotations use it; colour, key, description and order may
change freely, and a label nobody has used may be renamed or removed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.edits import stance_key, stance_target
from core.schema import EntityLabel, Schema, SchemaError, StanceOption, StanceTarget
from storage import Project, ProjectError

NAME, COLOUR, KEY, DESCRIPTION = range(4)
NEW_COLOUR = "#ffd54f"


def _text_colour(background: str) -> QColor:
    """Black or white, whichever reads better on ``background``."""
    colour = QColor(background)
    return QColor("black") if colour.lightnessF() > 0.5 else QColor("white")


class SchemaEditorDialog(QDialog):
    """Edit ``project``'s schema; OK saves it with ``project.set_schema`` if it is valid."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Labels and stance targets")
        self.resize(720, 640)
        self.project = project
        self.original = project.schema()
        self.saved: Schema | None = None

        # entity labels
        self.labels = QTableWidget(0, 4)
        self.labels.setHorizontalHeaderLabels(["Name", "Colour", "Key", "Description"])
        self.labels.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.labels.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.labels.verticalHeader().hide()
        header = self.labels.horizontalHeader()
        header.setSectionResizeMode(DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        self.labels.itemDoubleClicked.connect(self._on_label_double_click)
        for label in self.original.entity_labels:
            self._append_label(label)
        label_buttons = self._buttons(
            ("Add", self.add_label),
            ("Remove", self.remove_label),
            ("Colour…", lambda: self.pick_colour(self.labels.currentRow())),
            ("Up", lambda: self.move_label(-1)),
            ("Down", lambda: self.move_label(1)),
        )
        labels_box = QGroupBox("Entity labels (double-click a colour to change it)")
        box = QVBoxLayout(labels_box)
        box.addWidget(self.labels)
        box.addLayout(label_buttons)

        # boilerplate and snapping
        self.boilerplate_key = QLineEdit(self.original.boilerplate_key)
        self.boilerplate_key.setMaxLength(1)
        self.boilerplate_key.setMaximumWidth(40)
        self.boilerplate_kinds = QLineEdit(", ".join(self.original.boilerplate_kinds))
        self.boilerplate_kinds.setToolTip("Comma-separated; the first is what the B key marks")
        self.snap = QCheckBox("Selections snap to whole words")
        self.snap.setChecked(self.original.snap_to_words)
        form = QFormLayout()
        form.addRow("Boilerplate key", self.boilerplate_key)
        form.addRow("Boilerplate kinds", self.boilerplate_kinds)
        form.addRow("", self.snap)

        # stance targets and their options
        self.stance = QTreeWidget()
        self.stance.setColumnCount(3)
        self.stance.setHeaderLabels(["Target / option", "Key", "Description (targets)"])
        self.stance.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for target in self.original.stance_targets:
            self._append_target(target)
        self.stance.expandAll()
        stance_buttons = self._buttons(
            ("Add target", self.add_target),
            ("Add option", self.add_option),
            ("Remove", self.remove_stance_item),
            ("Up", lambda: self.move_stance_item(-1)),
            ("Down", lambda: self.move_stance_item(1)),
        )
        stance_box = QGroupBox("Stance targets and options (double-click to edit)")
        box = QVBoxLayout(stance_box)
        box.addWidget(self.stance)
        box.addLayout(stance_buttons)

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b71c1c; font-weight: bold;")
        self.error_label.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)

        layout = QVBoxLayout(self)
        layout.addWidget(labels_box, 3)
        layout.addLayout(form)
        layout.addWidget(stance_box, 2)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    @staticmethod
    def _buttons(*specs: tuple[str, object]) -> QHBoxLayout:
        row = QHBoxLayout()
        for text, slot in specs:
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        return row

    # ---- entity labels -------------------------------------------------------------------

    def _append_label(self, label: EntityLabel) -> int:
        row = self.labels.rowCount()
        self.labels.insertRow(row)
        self.labels.setItem(row, NAME, QTableWidgetItem(label.name))
        colour = QTableWidgetItem()
        colour.setFlags(colour.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.labels.setItem(row, COLOUR, colour)
        self.set_colour(row, label.colour)
        self.labels.setItem(row, KEY, QTableWidgetItem(label.key))
        self.labels.setItem(row, DESCRIPTION, QTableWidgetItem(label.description))
        return row

    def add_label(self) -> None:
        taken = {self._cell(r, NAME) for r in range(self.labels.rowCount())}
        name = next(f"LABEL{n}" for n in range(1, 1000) if f"LABEL{n}" not in taken)
        row = self._append_label(EntityLabel(name=name, colour=NEW_COLOUR))
        self.labels.setCurrentCell(row, NAME)
        item = self.labels.item(row, NAME)
        if item is not None:  # just made by _append_label
            self.labels.editItem(item)

    def remove_label(self) -> None:
        row = self.labels.currentRow()
        if row >= 0:
            self.labels.removeRow(row)

    def move_label(self, step: int) -> None:
        row = self.labels.currentRow()
        to = row + step
        if row < 0 or not (0 <= to < self.labels.rowCount()):
            return
        items = [self.labels.takeItem(row, c) for c in range(self.labels.columnCount())]
        self.labels.removeRow(row)
        self.labels.insertRow(to)
        for c, item in enumerate(items):
            self.labels.setItem(to, c, item)
        self.labels.setCurrentCell(to, NAME)

    def set_colour(self, row: int, colour: str) -> None:
        item = self.labels.item(row, COLOUR)
        if item is None:  # every row has one (_append_label)
            return
        item.setText(colour)
        if QColor.isValidColorName(colour):
            item.setBackground(QBrush(QColor(colour)))
            item.setForeground(QBrush(_text_colour(colour)))

    def pick_colour(self, row: int) -> None:
        if row < 0:
            return
        chosen = QColorDialog.getColor(QColor(self._cell(row, COLOUR)), self, "Label colour")
        if chosen.isValid():
            self.set_colour(row, chosen.name())

    def _on_label_double_click(self, item: QTableWidgetItem) -> None:
        if item.column() == COLOUR:
            self.pick_colour(item.row())

    def _cell(self, row: int, col: int) -> str:
        item = self.labels.item(row, col)
        return item.text().strip() if item else ""

    # ---- stance --------------------------------------------------------------------------

    def _append_target(self, target: StanceTarget) -> QTreeWidgetItem:
        item = QTreeWidgetItem([target.name, "", target.description])
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.stance.addTopLevelItem(item)
        for option in target.options:
            self._append_option(item, option)
        return item

    @staticmethod
    def _append_option(target: QTreeWidgetItem, option: StanceOption) -> QTreeWidgetItem:
        item = QTreeWidgetItem([option.value, option.key])
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        target.addChild(item)
        return item

    def _targets(self) -> list[QTreeWidgetItem]:
        """The stance targets: the tree's top-level items."""
        items = (self.stance.topLevelItem(i) for i in range(self.stance.topLevelItemCount()))
        return [item for item in items if item is not None]

    def add_target(self) -> None:
        taken = {item.text(0) for item in self._targets()}
        name = next(f"target{n}" for n in range(1, 1000) if f"target{n}" not in taken)
        options = tuple(StanceOption(v) for v in ("favour", "against", "neutral"))
        item = self._append_target(StanceTarget(name=name, options=options))
        item.setExpanded(True)
        self.stance.setCurrentItem(item)
        self.stance.editItem(item, 0)

    def add_option(self) -> None:
        current = self.stance.currentItem()
        if current is None:
            return
        target = current.parent() or current
        item = self._append_option(target, StanceOption(f"option{target.childCount() + 1}"))
        target.setExpanded(True)
        self.stance.setCurrentItem(item)
        self.stance.editItem(item, 0)

    def remove_stance_item(self) -> None:
        current = self.stance.currentItem()
        if current is None:
            return
        parent = current.parent()
        if parent is None:
            self.stance.takeTopLevelItem(self.stance.indexOfTopLevelItem(current))
        else:
            parent.removeChild(current)

    def move_stance_item(self, step: int) -> None:
        current = self.stance.currentItem()
        if current is None:
            return
        parent = current.parent()
        if parent is None:
            at = self.stance.indexOfTopLevelItem(current)
            if 0 <= at + step < self.stance.topLevelItemCount():
                self.stance.takeTopLevelItem(at)
                self.stance.insertTopLevelItem(at + step, current)
                current.setExpanded(True)
        else:
            at = parent.indexOfChild(current)
            if 0 <= at + step < parent.childCount():
                parent.takeChild(at)
                parent.insertChild(at + step, current)
        self.stance.setCurrentItem(current)

    # ---- the schema ----------------------------------------------------------------------

    def schema_from_widgets(self) -> Schema:
        """The schema as edited; raises :class:`SchemaError` if it cannot be used."""
        labels = tuple(
            EntityLabel(
                name=self._cell(r, NAME),
                colour=self._cell(r, COLOUR).lower(),
                key=self._cell(r, KEY),
                description=self._cell(r, DESCRIPTION),
            )
            for r in range(self.labels.rowCount())
        )
        targets = []
        for item in self._targets():
            children = (item.child(k) for k in range(item.childCount()))
            options = tuple(
                StanceOption(value=child.text(0).strip(), key=child.text(1).strip())
                for child in children
                if child is not None
            )
            targets.append(
                StanceTarget(
                    name=item.text(0).strip(), options=options, description=item.text(2).strip()
                )
            )
        kinds = tuple(k.strip() for k in self.boilerplate_kinds.text().split(",") if k.strip())
        schema = Schema(
            entity_labels=labels,
            boilerplate_kinds=kinds,
            boilerplate_key=self.boilerplate_key.text().strip(),
            stance_targets=tuple(targets),
            snap_to_words=self.snap.isChecked(),
            extra=dict(self.original.extra),
        )
        self._check_names(schema)
        schema.validate()
        self._check_keys(schema)
        self._check_in_use(schema)
        return schema

    @staticmethod
    def _check_names(schema: Schema) -> None:
        """Name the repeated label or key (the schema's own message lists them all)."""
        for what, values in (
            ("entity label", [e.name for e in schema.entity_labels]),
            ("key", [e.key for e in schema.entity_labels if e.key] + [schema.boilerplate_key]),
            ("stance target", [t.name for t in schema.stance_targets]),
        ):
            seen: set[str] = set()
            for value in values:
                if value in seen:
                    raise SchemaError(f"{what} {value!r} appears twice")
                seen.add(value)

    @staticmethod
    def _check_keys(schema: Schema) -> None:
        """Keys are single key presses; stance keys must not shadow label keys."""
        if not schema.boilerplate_kinds:
            raise SchemaError("boilerplate needs at least one kind")
        if not schema.boilerplate_key:
            raise SchemaError("boilerplate needs a key")
        label_keys = {e.key for e in schema.entity_labels if e.key} | {schema.boilerplate_key}
        stance_keys: list[str] = []
        for label in schema.entity_labels:
            if len(label.key) > 1:
                raise SchemaError(f"entity label {label.name!r}: a key is one character")
        for target in schema.stance_targets:
            for option in target.options:
                if not option.value:
                    raise SchemaError(f"stance target {target.name!r} has an option without a name")
                if len(option.key) > 1:
                    raise SchemaError(f"stance option {option.value!r}: a key is one character")
                if option.key:
                    stance_keys.append(option.key)
        clash = sorted(label_keys & set(stance_keys))
        if clash:
            raise SchemaError(f"key {clash[0]!r} is used both for a label and a stance option")
        if len(set(stance_keys)) != len(stance_keys):
            raise SchemaError(f"stance option keys repeat: {stance_keys}")

    def _check_in_use(self, schema: Schema) -> None:
        """Refuse to rename or remove what annotations use (see the module docstring)."""
        names = {e.name for e in schema.entity_labels}
        kinds = set(schema.boilerplate_kinds)
        for (layer, label), count in sorted(self.project.listing.label_usage().items()):
            kept = names if layer == "entity" else kinds if layer == "boilerplate" else None
            if kept is not None and label not in kept and self._known(layer, label):
                what = "entity label" if layer == "entity" else "boilerplate kind"
                raise SchemaError(
                    f"{what} {label!r} is used by {count:,} span{'s' if count != 1 else ''}: "
                    "it cannot be renamed or removed (the spans would keep the old name). "
                    "Add a new label instead, or keep this one."
                )
        options = {(stance_key(t.name), o.value) for t in schema.stance_targets for o in t.options}
        for (key, value), count in sorted(self.project.listing.doc_label_usage().items()):
            target = stance_target(key)
            if target is not None and (key, value) not in options:
                before = self.original.stance_target(target)
                if before is None or value not in {o.value for o in before.options}:
                    continue  # already unknown before this edit: not ours to judge
                raise SchemaError(
                    f"stance {target!r} = {value!r} is used by {count:,} "
                    f"article{'s' if count != 1 else ''}: that target and option cannot be "
                    "renamed or removed."
                )

    def _known(self, layer: str, label: str) -> bool:
        """Whether the schema before this edit had the label (stale names are not ours)."""
        if layer == "entity":
            return self.original.entity(label) is not None
        return label in self.original.boilerplate_kinds

    def validate(self) -> bool:
        """Check the edited schema, showing the problem inline; True if it can be saved."""
        try:
            self.schema_from_widgets()
        except SchemaError as exc:
            self.error_label.setText(str(exc))
            self.error_label.show()
            return False
        self.error_label.clear()
        self.error_label.hide()
        return True

    def accept(self) -> None:
        if not self.validate():
            return
        schema = self.schema_from_widgets()
        try:
            self.project.set_schema(schema)
        except ProjectError as exc:  # e.g. only a lead may edit the schema of this project
            self.error_label.setText(str(exc))
            self.error_label.show()
            return
        self.saved = schema
        super().accept()
