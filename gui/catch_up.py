"""Language detection, full-text indexing, suggestions and near-duplicate groups a project
still lacks, in the background.

Articles are ready to annotate as soon as they are stored; languages, the search index and
the suggesters' proposals follow. A project imported with ``--no-detect``, an import that was stopped, or the sample
seeded on first start all leave such work, and the annotator should not wait for it: this job
does it while they work and the list fills in the language column when it is done.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from gui.workers import Job, JobControl
from storage import ImportProgress, NearDuplicateProgress, Project, SuggestProgress

_PHASES = {
    "languages": "Detecting languages",
    "index": "Indexing",
    "suggest": "Looking for suggestions",
    "near-duplicates": "Grouping near-duplicates",
    "compact": "Compacting the search index",
}
#: What a phase counts, where it is not articles.
_UNITS = {_PHASES["compact"]: "pages"}


class CatchUp(QObject):
    """Runs ``project.imports.process_pending``: languages, index, suggestions, groups."""

    progressed = Signal(str)  # a line for the status bar
    #: Languages were detected (they run beside the other phases): headers and direction
    #: can follow at once, before the longer phases end.
    languagesDetected = Signal()
    done = Signal()

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.job: Job | None = None
        self._closed = False

    def needed(self) -> bool:
        project = self.project
        return bool(
            project.imports.pending_languages()
            or project.imports.pending_index()
            or project.imports.pending_terms()
            or project.suggestions.pending_suggestions()
            or project.near_duplicates.pending_near_duplicates()
        )

    def start(self) -> bool:
        """Start unless already running or nothing is pending; True if a job started."""
        if self._closed or (self.job is not None and self.job.is_running()):
            return False
        if not self.needed():
            return False
        project = self.project

        def work(control: JobControl) -> int:
            def on_progress(p: ImportProgress | SuggestProgress | NearDuplicateProgress) -> None:
                control.progress(p.done, p.total, _PHASES.get(p.phase, p.phase))

            # Languages in worker processes, the other passes in this thread meanwhile.
            return project.imports.process_pending(
                on_progress=on_progress, should_stop=lambda: control.cancelled
            )

        self.job = Job(work, cleanup=project.end_thread, owner=self)
        self.job.progressed.connect(self._progressed)
        # Queued from the job's thread: after stop() the project is closing, and "done"
        # would make the window read it again.
        self.job.succeeded.connect(lambda _n: None if self._closed else self.done.emit())
        self.job.failed.connect(lambda message: self.progressed.emit(f"Stopped: {message}"))
        self.job.start()
        return True

    def _progressed(self, done: int, total: int, text: str) -> None:
        """On the UI thread (the job relays its worker's reports): a status line, and once
        the last language is stored, ``languagesDetected``."""
        self.progressed.emit(f"{text}: {done:,} of {total:,} {_UNITS.get(text, 'articles')}")
        if text == _PHASES["languages"] and done >= total and not self._closed:
            self.languagesDetected.emit()

    def stop(self) -> None:
        """Ask the job to stop and wait for it (the project is about to close); a start
        still queued after this does nothing."""
        self._closed = True
        if self.job is not None and self.job.is_running():
            self.job.cancel()
            self.job.wait(60_000)
