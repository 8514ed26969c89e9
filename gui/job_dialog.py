"""A dialog that runs one long job in the background: progress, Cancel, and closing it
while the job runs means Cancel (the job stops at its next safe point; nothing is half done).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QWidget

from gui.workers import Job, JobControl

#: What the dialog's job returns: what ``_on_done`` is given.
ResultT = TypeVar("ResultT")


class JobDialog(QDialog, Generic[ResultT]):
    """Base of the import and export dialogs. A subclass provides ``phase_label``,
    ``cancel_button`` and the slots ``_on_progress``, ``_on_done``, ``_on_failed`` and
    ``_on_finished``; it calls :meth:`run_job` to start."""

    #: Shown while a cancelled job winds down.
    stopping_text = "Stopping…"
    phase_label: QLabel
    cancel_button: QPushButton

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.job: Job | None = None

    def run_job(
        self, work: Callable[[JobControl], ResultT], *, cleanup: Callable[[], None]
    ) -> None:
        # peewee gives the worker thread its own connection: ``cleanup`` closes it at the end.
        self.job = Job(work, cleanup=cleanup, owner=self)
        self.job.progressed.connect(self._on_progress)
        self.job.succeeded.connect(self._on_done)
        self.job.failed.connect(self._on_failed)
        self.job.finished.connect(self._on_finished)
        self.job.start()

    def is_running(self) -> bool:
        return self.job is not None and self.job.is_running()

    def cancel(self) -> None:
        if self.is_running():
            assert self.job is not None
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.phase_label.setText(self.stopping_text)

    def reject(self) -> None:
        if self.is_running():
            self.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_running():
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)

    def _on_progress(self, done: int, total: int, text: str) -> None:
        raise NotImplementedError

    def _on_done(self, result: ResultT) -> None:
        raise NotImplementedError

    def _on_failed(self, message: str) -> None:
        raise NotImplementedError

    def _on_finished(self) -> None:
        raise NotImplementedError
