"""The stance panel: one row per stance target, one keyed button per option."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QToolButton, QWidget

from core.models import DocSuggestion
from core.schema import Schema

#: Who proposes, per source, for the proposal's tooltip.
_WHY = {
    "model": "The stance model trained on this project's labels",
    "near-duplicate": "Your stance on a near-duplicate of this article (a rewrite of it)",
}
_CONFIDENCE = {
    "model": "probability",
    "near-duplicate": "share of the labelled near-duplicates",
}


class StancePanel(QWidget):
    """Shows the chosen value of each target at once; a click asks for a change."""

    optionClicked = Signal(str, str)  # target, value

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(4)
        self._grid.setVerticalSpacing(2)
        self.buttons: dict[tuple[str, str], QToolButton] = {}
        self.proposals: dict[str, QLabel] = {}

    def set_schema(self, schema: Schema) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.buttons.clear()
        self.proposals.clear()
        widest = max((len(t.options) for t in schema.stance_targets), default=0)
        for row, target in enumerate(schema.stance_targets):
            name = QLabel(f"Stance · {target.name}:")
            if target.description:
                name.setText(f"Stance · {target.name} ({target.description}):")
                name.setToolTip(target.description)
            self._grid.addWidget(name, row, 0)
            for col, option in enumerate(target.options, start=1):
                text = f"{option.key.upper()}  {option.value}" if option.key else option.value
                button = QToolButton()
                button.setText(text)
                button.setCheckable(True)
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                button.setToolTip(f"{target.name}: {option.value} (key {option.key or 'none'})")
                button.setStyleSheet(
                    "QToolButton { padding: 2px 6px; }"
                    "QToolButton:checked { background: #37474f; color: white; font-weight: bold; }"
                )
                button.clicked.connect(
                    lambda _=False, t=target.name, v=option.value: self.optionClicked.emit(t, v)
                )
                self._grid.addWidget(button, row, col)
                self.buttons[(target.name, option.value)] = button
            proposal = QLabel()
            proposal.setStyleSheet("color: #5d4037; font-style: italic; padding-left: 6px;")
            self._grid.addWidget(proposal, row, widest + 1)
            self.proposals[target.name] = proposal
        for col in range(widest + 3):
            self._grid.setColumnStretch(col, 1 if col == widest + 2 else 0)
        self.setVisible(bool(schema.stance_targets))

    def set_proposals(self, proposals: dict[str, DocSuggestion], key: str) -> None:
        """The proposal per target (a stance carried from a near-duplicate, or the model's)
        beside its keys, with its source and confidence; never a label until accepted with
        ``key`` (rejected with Shift+``key``)."""
        for target, label in self.proposals.items():
            found = proposals.get(target)
            if found is None:
                label.clear()
                label.setToolTip("")
                continue
            keys = f"{key.upper()} accepts, Shift+{key.upper()} rejects"
            label.setText(f"{found.source}: {found.value} {found.score:.0%} · {keys}")
            label.setToolTip(
                f"{_WHY.get(found.source, found.source)} proposes {found.value} "
                f"({_CONFIDENCE.get(found.source, 'confidence')} {found.score:.2f}); "
                f"press {key.upper()} to choose it, Shift+{key.upper()} to turn it down"
            )

    def set_values(self, values: dict[str, str]) -> None:
        """``values`` maps target name to chosen option (from the ``stance:<target>`` labels)."""
        for (target, value), button in self.buttons.items():
            button.setChecked(values.get(target) == value)
