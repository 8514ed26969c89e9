"""Training the project's models in the background while the annotator works.

One :class:`ModelTrainer` per workspace: after an article is marked done it checks whether
N new articles were done since the last training (``Project.learning.needs_retraining``) and, if so,
trains again; "Train now" in the Suggestions dialog asks the same. One training at a time.
The job's thread only reads labels and writes results in short transactions; the training
and predicting run in a spawned worker process (``Project.learning.learn``), so neither the UI thread
nor a label key waits on them.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from core.learn.record import LearnOutcome
from gui.session import Change, Session, What
from gui.workers import Job, JobControl


class _Reloads(Protocol):
    def reload(self) -> None: ...


class TrainerHost(Protocol):
    """What the trainer needs from the workspace (named here, not imported: no cycle)."""

    # Read-only (properties): the workspace's own attributes may be of narrower types.
    @property
    def session(self) -> Session: ...
    @property
    def suggestions(self) -> _Reloads: ...

    def show_stance_proposals(self) -> None: ...


class ModelTrainer(QObject):
    """Retrains the entity model in the background; tells the overlay and dialog."""

    #: A line for the Suggestions dialog: what runs, or what the model does and why.
    statusChanged = Signal(str)
    #: A training ended (its outcome); the overlay reloads the open article's suggestions.
    trained = Signal(object)
    #: True when a training starts, False when its thread has ended.
    busyChanged = Signal(bool)

    def __init__(self, workspace: TrainerHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ws = workspace
        self.project = workspace.session.project
        self.job: Job | None = None
        self.last_error = ""
        self._check = QTimer(self, singleShot=True, interval=0)
        self._check.timeout.connect(self.maybe_train)
        workspace.session.changed.connect(self._on_changed)
        self.trained.connect(lambda _outcome: workspace.suggestions.reload())
        self.trained.connect(lambda _outcome: workspace.show_stance_proposals())

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.is_running()

    def _on_changed(self, change: Change) -> None:
        if What.STATUS in change.what:
            self._check.start()  # after the key's own work has been drawn

    def maybe_train(self) -> bool:
        """Train the models that N newly labelled articles made due; True if it started."""
        if self.running:
            return False
        due = [
            name
            for name in self.project.learning.model_names()
            if self.project.learning.needs_retraining(name)
        ]
        return self.train(due) if due else False

    def train(self, names: list[str] | None = None) -> bool:
        """Train now (on demand: every model); False when a training is already running.
        The job's result is the outcome of the entity model if it was trained, else of the
        last one."""
        if self.running:
            return False
        project = self.project
        names = names or project.learning.model_names()

        def work(control: JobControl) -> LearnOutcome | None:
            outcome = None
            for name in names:
                layer, _, target = name.partition(":")

                def on_progress(text: str, done: int, total: int, n: str = name) -> None:
                    control.progress(done, total, f"{n}: {text}")

                result = project.learning.learn(
                    layer=layer,
                    target=target,
                    in_process=False,
                    should_stop=lambda: control.cancelled,
                    on_progress=on_progress,
                )
                if outcome is None or outcome.name != "entity":
                    outcome = result
                if control.cancelled:
                    break
            return outcome

        job = Job(work, cleanup=project.end_thread, owner=self)
        job.progressed.connect(self._progressed)
        job.succeeded.connect(self._succeeded)
        job.failed.connect(self._failed)
        job.finished.connect(lambda: self.busyChanged.emit(False))
        self.job = job
        self.statusChanged.emit("training…")
        self.busyChanged.emit(True)
        job.start()
        return True

    def _progressed(self, _done: int, _total: int, text: str) -> None:
        if text:
            self.statusChanged.emit(text)

    def _succeeded(self, outcome: LearnOutcome | None) -> None:
        self.statusChanged.emit(self.project.learning.model_status())
        self.trained.emit(outcome)

    def _failed(self, text: str) -> None:
        self.last_error = text
        self.statusChanged.emit(f"training failed: {text}")

    def status(self) -> str:
        if self.running:
            return "training…"
        return self.project.learning.model_status()

    def stop(self) -> None:
        """Cancel a running training and wait for it (closing the window)."""
        if self.job is not None and self.job.is_running():
            self.job.cancel()
            self.job.wait()

    def wait(self, msecs: int = 120_000) -> bool:
        return self.job.wait(msecs) if self.job is not None else True
