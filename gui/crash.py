"""A crash never vanishes silently: unexpected errors are logged and shown, with the log's path.

``install_crash_handler(app)`` routes uncaught exceptions (``sys.excepthook``, which PySide6
also calls for errors in slots and virtual methods) and exceptions in threads
(``threading.excepthook``) to one handler that

- appends the full traceback, time, version and platform to ``tandai.log`` in the user's
  data folder (never the install folder, which may be read-only);
- shows a dialog with the message and where the log is. Errors in other threads are handed
  to the GUI thread by a queued signal: widgets may only be touched there;
- leaves the app running: every annotator action is its own committed transaction, so the
  project on disk is intact whatever went wrong in the window.

Hard crashes that no Python code survives (a segfault, ``Fatal Python error``) are written
by ``faulthandler`` to ``fatal.log`` beside it. A windowed Windows build has no stderr, so
nothing here assumes one.
"""

from __future__ import annotations

import faulthandler
import re
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import TextIO

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

from core.logs import LOG_NAME, MAX_LOG_BYTES, format_report, write_report
from core.redact import mask_secrets
from gui.paths import APP_NAME, data_dir

__all__ = ["LOG_NAME", "MAX_LOG_BYTES", "format_report", "install_crash_handler", "write_report"]

FATAL_LOG_NAME = "fatal.log"
DIALOG_NAME = "crash_dialog"

_SAFE = (
    "Your project is safe: every label is saved the moment you make it. You can keep "
    "working, or restart Tandai if the window misbehaves."
)


_PYSIDE_PREFIX = re.compile(r"^(Error calling Python override of [\w:]+\(\): )+")


def log_folder() -> Path:
    folder = data_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class CrashHandler(QObject):
    """Logs every uncaught exception and shows one dialog at a time in the GUI thread."""

    reported = Signal(str, str, bool)  # summary, details, known fault (queued to the GUI)

    def __init__(self, app: QApplication, log: Path) -> None:
        super().__init__(app)
        self.app = app
        self.log = log
        self.dialog: QMessageBox | None = None
        self.pending = 0  # errors logged while a dialog was already open
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    # ---- the hooks -----------------------------------------------------------------------

    def excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_hook(exc_type, exc, tb)
            return
        where = "the main thread" if _in_gui_thread(self.app) else "a Qt thread"
        self._handle(exc_type, exc, tb, where=where)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        self._handle(args.exc_type, args.exc_value, args.exc_traceback, where=f"thread {name}")

    def uninstall(self) -> None:
        """Put the previous hooks back (tests; a second install replaces the first)."""
        if sys.excepthook == self.excepthook:
            sys.excepthook = self._previous_hook
        if threading.excepthook == self.thread_excepthook:
            threading.excepthook = self._previous_thread_hook

    # ---- handling ------------------------------------------------------------------------

    def _handle(
        self,
        exc_type: type[BaseException],
        exc: BaseException | None,
        tb: TracebackType | None,
        *,
        where: str,
    ) -> None:
        exc = exc if exc is not None else exc_type()
        report = format_report(exc_type, exc, tb, where=where)
        try:
            write_report(self.log, report)
        except OSError as err:  # a full disk must not hide the original error
            report += f"(could not write {self.log}: {err})\n"
        if sys.stderr is not None:
            sys.stderr.write(report)
        known = _is_project_error(exc)  # full disk, read-only, busy: its own words
        # PySide prefixes an error that crossed a virtual method once per frame it crossed.
        text = _PYSIDE_PREFIX.sub("", str(exc))
        summary = f"{exc_type.__name__}: {text}" if text and not known else text
        # Emitting from any thread: the queued connection runs _show in the GUI thread.
        self.reported.emit(mask_secrets(summary or exc_type.__name__), report, known)
        if not _event_loop_running(self.app) and _in_gui_thread(self.app):
            # Before (or after) the event loop, e.g. while the first window is being built:
            # nothing would deliver the queued signal, so show the dialog now and wait.
            self.app.sendPostedEvents(self)
            if self.dialog is not None:
                self.dialog.exec()

    @Slot(str, str, bool)
    def _show(self, summary: str, details: str, known: bool = False) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.pending += 1
            self.dialog.setInformativeText(self._informative(known))
            return
        self.pending = 0
        box = QMessageBox(self.app.activeWindow())
        box.setObjectName(DIALOG_NAME)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(f"{APP_NAME}: unexpected error")
        if known:
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle(APP_NAME)
            box.setText(summary)
        else:
            box.setText(f"Something went wrong:\n{summary}")
            box.setDetailedText(details)
        box.setInformativeText(self._informative(known))
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.dialog = box
        if _event_loop_running(self.app):
            box.open()  # not exec(): a nested loop inside an error handler invites re-entry

    def _informative(self, known: bool = False) -> str:
        more = f"\n\n{self.pending} more error(s) since; all in the log." if self.pending else ""
        if known:  # "every label is saved" would not be true of the step that failed
            return f"Labels saved before this are safe.{more}"
        return f"The full report was written to:\n{self.log}\n\n{_SAFE}{more}"


def _in_gui_thread(app: QApplication) -> bool:
    return QThread.currentThread() is app.thread()


def _event_loop_running(app: QApplication) -> bool:
    return app.thread().loopLevel() > 0


_fatal_file: TextIO | None = None


def _enable_fatal_log(folder: Path) -> Path:
    """faulthandler writes hard crashes (segfault, Fatal Python error) where users find them."""
    global _fatal_file
    path = folder / FATAL_LOG_NAME
    if _fatal_file is None or _fatal_file.closed:
        _fatal_file = path.open("a", encoding="utf-8")  # kept open: the crash writes to it
    faulthandler.enable(file=_fatal_file, all_threads=True)
    return path


_installed: CrashHandler | None = None


def install_crash_handler(
    app: QApplication, *, folder: Path | None = None, fatal_log: bool = True
) -> Path:
    """Install the hooks for ``app``; returns the log file's path (shown in the dialog).

    ``folder`` defaults to ``logs/`` in the user's data folder; ``fatal_log=False`` leaves
    faulthandler alone (pytest has its own).
    """
    global _installed
    folder = folder or log_folder()
    folder.mkdir(parents=True, exist_ok=True)
    if _installed is not None:
        _installed.uninstall()
    handler = CrashHandler(app, folder / LOG_NAME)
    sys.excepthook = handler.excepthook
    threading.excepthook = handler.thread_excepthook
    if fatal_log:
        _enable_fatal_log(folder)
    _installed = handler
    return handler.log


def installed_handler() -> CrashHandler | None:
    return _installed


def _is_project_error(exc: BaseException) -> bool:
    """A ``storage.ProjectError``, asked without importing storage: the handler is installed
    before the first question of a first start, which should not wait for the storage layer
    to load (~0.3 s); before storage is loaded, nothing can have raised one."""
    storage = sys.modules.get("storage")
    return storage is not None and isinstance(exc, storage.ProjectError)
