"""The label bar: entity labels with their colours and keys, the boilerplate tool, stance."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QToolButton, QVBoxLayout, QWidget

from core.schema import Schema
from gui.flow_layout import FlowLayout
from gui.stance_panel import StancePanel


def _text_colour(background: str) -> str:
    colour = QColor(background)
    return "#000000" if colour.lightness() > 140 else "#ffffff"


class LabelBar(QWidget):
    """Buttons never take focus, so the keyboard stays with the text after a click."""

    labelClicked = Signal(str)
    boilerplateClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The buttons wrap onto more lines when the window is narrow (gui.flow_layout):
        # never "…" instead of a label's name, never a window wider than the screen.
        self._labels = FlowLayout()
        self.stance = StancePanel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(self._labels)
        layout.addWidget(self.stance)
        self.buttons: dict[str, QToolButton] = {}
        self.boilerplate: QToolButton | None = None

    def set_schema(self, schema: Schema) -> None:
        while self._labels.count():
            item = self._labels.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.buttons.clear()
        for label in schema.entity_labels:
            button = self._button(
                f"{label.key.upper()}  {label.name}" if label.key else label.name,
                tip=f"{label.description or label.name} (key {label.key or 'none'})",
                style=(
                    f"QToolButton {{ background: {label.colour}; color: {_text_colour(label.colour)};"
                    " border: 1px solid #999; border-radius: 3px; padding: 2px 6px; }"
                    "QToolButton:checked { border: 2px solid #000; font-weight: bold; }"
                ),
            )
            button.clicked.connect(lambda _=False, name=label.name: self.labelClicked.emit(name))
            self.buttons[label.name] = button
            self._labels.addWidget(button)
        separator = QFrame()
        separator.setFrameShape(QFrame.Shape.VLine)
        # A bare line asks for no size: as tall as a button, in a gap of its own.
        separator.setFixedSize(9, QToolButton().sizeHint().height())
        self._labels.addWidget(separator)
        key = schema.boilerplate_key.upper()
        self.boilerplate = self._button(
            f"{key}  boilerplate",
            tip=f"Mark or unmark every line the selection touches as boilerplate (key {key})",
            style=(
                "QToolButton { background: #eeeeee; color: #666; text-decoration: line-through;"
                " border: 1px solid #999; border-radius: 3px; padding: 2px 8px; }"
            ),
        )
        self.boilerplate.setCheckable(False)
        self.boilerplate.clicked.connect(self.boilerplateClicked)
        self._labels.addWidget(self.boilerplate)
        self.stance.set_schema(schema)

    def _button(self, text: str, *, tip: str, style: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setCheckable(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setStyleSheet(style)
        return button

    def set_armed(self, label: str | None) -> None:
        """Show which label is picked first (the next selection becomes a span at once)."""
        for name, button in self.buttons.items():
            button.setChecked(name == label)
