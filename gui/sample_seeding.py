"""Importing the sample into a first start's empty project, after the window is shown.

The import is the ordinary one (``project.imports.import_files``) in a :class:`gui.workers.Job`,
so the window stays responsive; its progress is shown in the status bar. When it ends the
window refreshes as after any import and the project stops waiting for its sample
(gui.first_start). Cancelled or failed, the mark stays and the next start imports again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QStatusBar

from gui.first_start import SAMPLE_PENDING, sample_articles_path, sample_size
from gui.workers import Job, JobControl
from storage import ImportProgress, Project


class SampleSeeder(QObject):
    """One background import of the sample; ``done`` is emitted once it is stored."""

    done = Signal()

    def __init__(
        self,
        project: Project,
        status: QStatusBar,
        imported: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.status = status
        self.imported = imported
        self.job: Job | None = None

    def start(self) -> None:
        if self.job is not None:
            return
        project = self.project

        def work(control: JobControl) -> int:
            def on_progress(p: ImportProgress) -> None:
                if p.phase == "store" and p.total:
                    control.progress(p.done, p.total, "")

            project.imports.import_files(
                [sample_articles_path()],
                on_progress=on_progress,
                should_stop=lambda: control.cancelled,
            )
            count = project.count_articles()
            if count >= sample_size():
                # Here, not on the UI thread: a window closed meanwhile relays nothing, and
                # the next start must not import the sample again.
                project.set_setting(SAMPLE_PENDING, False)
            return count

        self.status.showMessage("Preparing the sample articles…")
        job = Job(work, cleanup=project.end_thread, owner=self)
        job.progressed.connect(self._progressed)
        job.succeeded.connect(self._stored)
        job.failed.connect(lambda text: self.status.showMessage(f"Sample not imported: {text}"))
        self.job = job
        job.start()

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _progressed(self, done: int, total: int, _text: str) -> None:
        self.status.showMessage(f"Preparing the sample articles… {done * 100 // max(total, 1)} %")

    def _stored(self, _count: object) -> None:
        self.status.showMessage("Sample articles ready", 4000)
        self.imported()
        self.done.emit()
