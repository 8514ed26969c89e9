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

from PySide6.QtCore import QObject, QThread, Signal

from core.export.pipeline import ExportError
from core.logs import log_exception
from core.redact import mask_secrets
from gui.crash import installed_handler
from storage import ProjectError


class JobControl:
    """Handed to the job's function: report progress, and stop when asked."""

    def __init__(self, job: Job) -> None:
        self._job = job
        self._cancel = threading.Event()

    def progress(self, done: int, total: int, text: str = "") -> None:
        self._job.progressed.emit(int(done), int(total), text)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


class _Thread(QThread):
    def __init__(self, body: Callable[[], None]) -> None:
        super().__init__()
        self._body = body

    def run(self) -> None:
        self._body()


#: Every job whose thread has not ended yet. Kept here so that (1) a Job object is not
#: destroyed while its QThread runs, which aborts the process, and (2) a window can let
#: all of them end before it closes the project they read.
_running: set[Job] = set()


def running_jobs() -> list[Job]:
    return list(_running)


def wait_for_jobs(msecs: int = 60_000) -> bool:
    """Block until every background job has ended (they are asked to stop first by their
    owners); True if all did."""
    return all(job.wait(msecs) for job in list(_running))


atexit.register(wait_for_jobs)


class Job(QObject):
    """Run ``fn(control)`` in a worker thread; results and errors come back as signals."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(
        self,
        fn: Callable[[JobControl], Any],
        *,
        cleanup: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._fn = fn
        self._cleanup = cleanup
        self.control = JobControl(self)
        self._thread = _Thread(self._run)
        self._thread.finished.connect(self.finished)

    def start(self) -> None:
        _running.add(self)
        self._thread.start()

    def cancel(self) -> None:
        self.control.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        return self._thread.wait(msecs)

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def _run(self) -> None:
        try:
            result = self._fn(self.control)
        except (ProjectError, ExportError) as exc:
            # A fault we know (full disk, read-only, busy, bad folder): its message says
            # what happened and what to do; a traceback would add nothing for anyone.
            self.failed.emit(mask_secrets(str(exc)))
        except Exception as exc:
            handler = installed_handler()
            log = log_exception(exc, where="a background job", log=handler.log if handler else None)
            where = f" (the details are in {log})" if log else ""
            self.failed.emit(mask_secrets(f"{type(exc).__name__}: {exc}") + where)
        else:
            self.succeeded.emit(result)
        finally:
            try:
                if self._cleanup:
                    self._cleanup()
            finally:
                _running.discard(self)
