"""The stance panel: one line per stance target, one keyed button per option."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QToolButton, QVBoxLayout, QWidget

from core.models import DocSuggestion
from core.schema import Schema
from gui.flow_layout import FlowLabel, FlowLayout


def proposal_text(source: str, value: str, confidence: float, key: str) -> str:
    keys = f"{key.upper()} accepts, Shift+{key.upper()} rejects"
    return f"{source}: {value} {confidence:.0%} · {keys}"


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
    """Shows the chosen value of each target at once; a click asks for a change. A target's
    name, options and the proposal (a near-duplicate's or the model's) wrap onto more lines in
    a narrow window."""

    optionClicked = Signal(str, str)  # target, value

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows = QVBoxLayout(self)
        self._rows.setContentsMargins(0, 0, 0, 0)
        self._rows.setSpacing(2)
        self.buttons: dict[tuple[str, str], QToolButton] = {}
        self.proposals: dict[str, FlowLabel] = {}
        self._longest: dict[str, str] = {}  # per target: the longest proposal it may show
        #: Once something has proposed, each target keeps room for a proposal: one going (a
        #: stance chosen) or coming back (undo) never wraps the line anew and moves the
        #: text below. Without proposals no room is spent.
        self._proposing = False

    def set_schema(self, schema: Schema) -> None:
        while self._rows.count():
            item = self._rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.buttons.clear()
        self.proposals.clear()
        self._longest.clear()
        for target in schema.stance_targets:
            row = QWidget()
            line = FlowLayout(row)
            name = FlowLabel(f"Stance · {target.name}:")
            if target.description:
                name.setText(f"Stance · {target.name} ({target.description}):")
                name.setToolTip(target.description)
            line.addWidget(name)
            for option in target.options:
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
                line.addWidget(button)
                self.buttons[(target.name, option.value)] = button
            proposal = FlowLabel()
            proposal.setStyleSheet("color: #5d4037; font-style: italic; padding-left: 6px;")
            line.addWidget(proposal)
            self.proposals[target.name] = proposal
            longest = max((o.value for o in target.options), key=len, default="")
            source = max(_WHY, key=len)
            self._longest[target.name] = proposal_text(source, longest, 1.0, "M")  # a wide key
            self._rows.addWidget(row)
        self._reserve(self._proposing)
        self.setVisible(bool(schema.stance_targets))

    def set_proposals(self, proposals: dict[str, DocSuggestion], key: str) -> None:
        """The proposal per target (a stance carried from a near-duplicate, or the model's)
        beside its keys, with its source and confidence; never a label until accepted with
        ``key`` (rejected with Shift+``key``)."""
        if proposals and not self._proposing:
            self._reserve(True)
        for target, label in self.proposals.items():
            found = proposals.get(target)
            if found is None:
                label.clear()
                label.setToolTip("")
                continue
            label.setText(proposal_text(found.source, found.value, found.score, key))
            label.setToolTip(
                f"{_WHY.get(found.source, found.source)} proposes {found.value} "
                f"({_CONFIDENCE.get(found.source, 'confidence')} {found.score:.2f}); "
                f"press {key.upper()} to choose it, Shift+{key.upper()} to turn it down"
            )

    def _reserve(self, on: bool) -> None:
        self._proposing = on
        for target, label in self.proposals.items():
            label.reserve = self._longest[target] if on else ""
            label.updateGeometry()

    def set_values(self, values: dict[str, str]) -> None:
        """``values`` maps target name to chosen option (from the ``stance:<target>`` labels)."""
        for (target, value), button in self.buttons.items():
            button.setChecked(values.get(target) == value)
