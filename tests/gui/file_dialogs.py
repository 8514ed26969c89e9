"""Answering Qt's own file dialogs in tests, the way a person would, without hanging.

Offscreen there are no native dialogs, so the app's ``QFileDialog`` calls open Qt's widget
dialogs in a modal loop; these helpers find them, type into them and accept them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit


def answer_file_dialogs(*selections: Callable[[QFileDialog], None]) -> None:
    """Answer Qt's own file dialogs (offscreen has no native ones) in the order they come up:
    apply the next selection to each new dialog and accept it.

    A dialog that is still open on the next poll (its file list was still loading, so the
    accept did not take) gets its selection again and another accept; one that stays open
    for 20 s is rejected, so a broken dialog fails the test instead of hanging the run."""
    queue = list(selections)
    answered: list[tuple[QFileDialog, Callable[[QFileDialog], None]]] = []
    deadline = time.monotonic() + 20

    def poll() -> None:
        open_dialogs = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QFileDialog) and w.isVisible()
        ]
        for dialog in open_dialogs:
            select = next((sel for d, sel in answered if d is dialog), None)
            if select is None:
                if not queue:
                    continue
                select = queue.pop(0)
                answered.append((dialog, select))
            select(dialog)
            if not dialog.isVisible():
                continue  # the selection answered it (a cancel, say)
            if time.monotonic() > deadline:
                dialog.reject()
            else:
                dialog.accept()
        if queue or open_dialogs:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def type_file_name(dialog: QFileDialog, folder: Path, names: str) -> None:
    """What a person does: go to the folder, type the name(s) in the file name box. (Asking
    ``selectFile`` instead depends on whether the dialog has listed the folder yet.)"""
    dialog.setDirectory(str(folder))
    box = dialog.findChild(QLineEdit, "fileNameEdit")
    assert box is not None
    box.setText(names)
