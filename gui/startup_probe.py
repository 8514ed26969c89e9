"""Measure the time to the first window: ``TANDAI_STARTUP_PROBE=1 Tandai`` prints when the
main window has been exposed and painted, then quits.

It is how the README's start-up figures are measured (``packaging/measure_startup.py`` runs
the bundle cold and warm) and how the packaging test proves that a double-click from the
bundle reaches a real window. It creates the ``QApplication`` itself, before ``gui.app`` runs
(``run_gui`` reuses an existing instance), so the app's own start-up code is untouched.

The printed time is the wall clock (``time.time()``): the caller subtracts the moment it
started the process, so the figure includes the bootloader, Python and every import.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QApplication, QMainWindow

ENV = "TANDAI_STARTUP_PROBE"


class _FirstWindowProbe(QObject):
    """Waits for the main window to be exposed, reports it once painted, quits."""

    def __init__(self, app: QApplication, target: str) -> None:
        super().__init__(app)
        self._app = app
        self._target = target
        self._seen: set[int] = set()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Expose
            and isinstance(obj, QWindow)
            and obj.isExposed()
            and id(obj) not in self._seen
        ):
            self._seen.add(id(obj))
            # Qt paints and flushes the window while handling this expose; report after it.
            QTimer.singleShot(0, lambda: self._report(obj))
        return False

    def _report(self, window: QWindow) -> None:
        shown_at = time.time()
        widget = next((w for w in self._app.topLevelWidgets() if w.windowHandle() is window), None)
        kind = type(widget).__name__ if widget is not None else type(window).__name__
        if not isinstance(widget, QMainWindow):
            # A dialog before the window (e.g. the annotator's name on a first start): say
            # so and keep waiting; the figure is the time to the main window.
            self._write(f"dialog {shown_at:.6f} {kind} title={window.title()!r}")
            return
        self._write(
            f"first-window {shown_at:.6f} {kind} main=1 "
            f"title={window.title()!r} platform={self._app.platformName()}"
        )
        self._app.quit()

    def _write(self, line: str) -> None:
        if self._target == "1" and sys.stdout is not None:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        else:
            with open(self._target, "a", encoding="utf-8") as out:
                out.write(line + "\n")


def install_startup_probe() -> None:
    """Create the application and watch for its first window (see the module text)."""
    target = os.environ.get(ENV, "")
    if not target:
        return
    existing = QApplication.instance()  # typed as the QCoreApplication base
    app = existing if isinstance(existing, QApplication) else QApplication(list(sys.argv))
    app.installEventFilter(_FirstWindowProbe(app, target))
