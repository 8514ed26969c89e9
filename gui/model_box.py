"""The Suggestions dialog's section on the model trained on the project's labels (source:
model): what the model does or why it is silent, its quality gate, how often it retrains,
and Train now.

It is a box of its own because it lives by another clock than the rest of the dialog. The
suggesters, rules and patterns run in the dialog's one background job; the training runs in
the workspace's :class:`gui.learning.ModelTrainer`, which outlives the dialog and may already
be training when the dialog opens. The box only listens to the trainer and hands one thing
back: ``changed`` when a training has ended, so the dialog recounts what is pending. When the
dialog closes it calls :meth:`ModelBox.detach`, because the trainer would otherwise keep
talking to widgets that are gone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from gui.learning import ModelTrainer
    from storage import Project


class ModelBox(QGroupBox):
    """The learned model's status line and settings, and Train now.

    ``changed`` is emitted when a training has ended (the pending counts now include the
    model's suggestions).
    """

    changed = Signal()

    def __init__(
        self, project: Project, *, trainer: ModelTrainer, parent: QWidget | None = None
    ) -> None:
        super().__init__("Model trained on your labels (source: model)", parent)
        self.trainer = trainer
        self.model_status = QLabel(trainer.status())
        self.model_status.setWordWrap(True)
        self.train_now = QPushButton("Train now")
        self.train_now.setEnabled(not trainer.running)
        self.min_f1 = QDoubleSpinBox()
        self.min_f1.setRange(0.0, 1.0)
        self.min_f1.setSingleStep(0.05)
        self.min_f1.setDecimals(2)
        self.min_f1.setValue(project.learning.learn_min_score())
        self.min_f1.setToolTip("Below this held-out F1 the model stays silent")
        self.every = QSpinBox()
        self.every.setRange(1, 10_000)
        self.every.setValue(project.learning.learn_retrain_every())
        self.every.setToolTip("Train again in the background after this many newly done articles")
        row = QHBoxLayout()
        for w in (self.train_now, QLabel("Suggest from F1 ≥"), self.min_f1):
            row.addWidget(w)
        row.addWidget(QLabel("retrain every"))
        row.addWidget(self.every)
        row.addWidget(QLabel("done articles"), 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.model_status)
        layout.addLayout(row)
        self.train_now.clicked.connect(self._train_now)
        self.min_f1.valueChanged.connect(project.learning.set_learn_min_score)
        self.every.valueChanged.connect(project.learning.set_learn_retrain_every)
        trainer.statusChanged.connect(self.model_status.setText)
        trainer.busyChanged.connect(self._model_busy)

    def detach(self) -> None:
        """Stop listening to the trainer (the dialog is closing; the trainer lives on)."""
        self.trainer.statusChanged.disconnect(self.model_status.setText)
        self.trainer.busyChanged.disconnect(self._model_busy)

    def _train_now(self) -> None:
        if self.trainer.train():
            self.train_now.setEnabled(False)

    def _model_busy(self, busy: bool) -> None:
        self.train_now.setEnabled(not busy)
        if not busy:
            self.changed.emit()
