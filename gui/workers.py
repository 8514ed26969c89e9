"""Long work off the UI thread, with progress and cancel.

A :class:`Job` runs a plain function in a ``QThread``. The function gets a :class:`JobControl`
to report progress and to ask whether the user cancelled; it never touches widgets. peewee
gives each thread its own connection, so a job may call the open ``Project`` directly (on
SQLite the write transactions are ``IMMEDIATE`` and queue behind each other); the job closes
its thread's connection when it ends.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal

from core.export.pipeline import ExportError
from core.logs import log_exception
from core.redact import mask_secrets
from gui.crash import installed_handler
from storage import Project, ProjectError


class JobControl:
    """Handed to the job's function: report progress, and stop when asked."""

    def __init__(self, report: Callable[[int, int, str], None]) -> None:
        self._report = report  # the thread's signal: the control never holds the Job
        self._cancel = threading.Event()

    def progress(self, done: int, total: int, text: str = "") -> None:
        self._report(int(done), int(total), text)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


class _Thread(QThread):
    """Runs the job's body and reports through its own signals: it never holds the Job, so
    nothing in the worker thread can keep a Job alive or be the last to drop it."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.body: Callable[[_Thread], None] | None = None

    def run(self) -> None:
        body, self.body = self.body, None
        if body is not None:
            body(self)


#: Every job not yet retired. Kept here so that (1) a Job (and its QThread) is never destroyed
#: while its thread runs, which aborts the process, and (2) a window can let all of them end
#: before it closes the project they read. Only the UI thread adds and removes entries, and it
#: removes a job only after the thread has returned, so a Job is always freed on the UI thread.
_alive: set[Job] = set()


def running_jobs() -> list[Job]:
    return [job for job in _alive if job.is_running()]


def wait_for_jobs(msecs: int = 60_000) -> bool:
    """Block until every background job has ended (they are asked to stop first by their
    owners); True if all did."""
    return all(job.wait(msecs) for job in list(_alive))


atexit.register(wait_for_jobs)


class Job(QObject):
    """Run ``fn(control)`` in a worker thread; results and errors come back as signals, on
    the UI thread.

    The worker only emits the thread's signals; the Job relays them on the UI thread. With
    ``owner``, nothing more is relayed once the owner is destroyed (a closed dialog's job may
    still be finishing), and the Job itself never has a Qt parent: a parent deleting it while
    its thread emits was a use-after-free.
    """

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(
        self,
        fn: Callable[[JobControl], Any],
        *,
        cleanup: Callable[[], None] | None = None,
        owner: QObject | None = None,
    ) -> None:
        super().__init__()
        self._orphaned = False
        self._thread = _Thread()
        self.control = JobControl(self._thread.progressed.emit)
        self._thread.body = self._make_body(fn, cleanup, self.control)
        queued = Qt.ConnectionType.QueuedConnection
        self._thread.progressed.connect(self._relay_progress, queued)
        self._thread.succeeded.connect(self._relay_success, queued)
        self._thread.failed.connect(self._relay_failure, queued)
        self._thread.finished.connect(self._ended, queued)
        if owner is not None:
            owner.destroyed.connect(self._orphan)

    @staticmethod
    def _make_body(
        fn: Callable[[JobControl], Any], cleanup: Callable[[], None] | None, control: JobControl
    ) -> Callable[[_Thread], None]:
        """The worker's body: a closure over what it needs, never over the Job."""

        def body(thread: _Thread) -> None:
            try:
                result = fn(control)
            except (ProjectError, ExportError) as exc:
                # A fault we know (full disk, read-only, busy, bad folder): its message says
                # what happened and what to do; a traceback would add nothing for anyone.
                thread.failed.emit(mask_secrets(str(exc)))
            except Exception as exc:
                handler = installed_handler()
                log = log_exception(
                    exc, where="a background job", log=handler.log if handler else None
                )
                where = f" (the details are in {log})" if log else ""
                thread.failed.emit(mask_secrets(f"{type(exc).__name__}: {exc}") + where)
            else:
                thread.succeeded.emit(result)
            finally:
                if cleanup:
                    cleanup()

        return body

    def start(self) -> None:
        _alive.add(self)
        self._thread.start()

    def cancel(self) -> None:
        self.control.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        return self._thread.wait(msecs)

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def _orphan(self) -> None:
        self._orphaned = True
        self.control.cancel()

    def _relay_progress(self, done: int, total: int, text: str) -> None:
        if not self._orphaned:
            self.progressed.emit(done, total, text)

    def _relay_success(self, result: object) -> None:
        if not self._orphaned:
            self.succeeded.emit(result)

    def _relay_failure(self, text: str) -> None:
        if not self._orphaned:
            self.failed.emit(text)

    def _ended(self) -> None:
        self._thread.wait()  # ``finished`` comes just before the thread returns
        if not self._orphaned:
            self.finished.emit()
        # Retired from the next turn of the event loop, not from inside its own slot.
        QTimer.singleShot(0, lambda job=self: _alive.discard(job))


class LatestJob:
    """A dialog's background work where only the latest request counts: results and errors
    of jobs started before it are dropped (a preview recomputed as the user types)."""

    def __init__(self, owner: QObject, project: Project) -> None:
        self.owner = owner
        self.project = project
        self.serial = 0
        self.jobs: set[Job] = set()

    def run(
        self,
        work: Callable[[JobControl], Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None],
    ) -> None:
        self.serial += 1
        serial = self.serial
        job = Job(work, cleanup=self.project.end_thread, owner=self.owner)

        # Only the latest request's result or error is handed on.
        def on_done(result: object) -> None:
            if serial == self.serial:
                done(result)

        def on_failed(message: str) -> None:
            if serial == self.serial:
                failed(message)

        job.succeeded.connect(on_done)
        job.failed.connect(on_failed)
        self.jobs.add(job)
        job.finished.connect(lambda: self.jobs.discard(job))
        job.start()

    def wait(self, msecs: int = 30_000) -> None:
        for job in list(self.jobs):
            job.wait(msecs)
