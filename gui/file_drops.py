"""Files dropped on the window: a project file opens, anything else is imported.

As in any desktop app, dragging files from the file manager is the quickest way in; the same
import dialog as File > Import runs (progress, cancel, problems listed by file and line).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QWidget

from storage import PROJECT_SUFFIX


def dropped_paths(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class FileDrops(QObject):
    """Event filter for a window (and its children that would swallow drops)."""

    def __init__(
        self,
        window: QWidget,
        *,
        open_project: Callable[[Path], object],
        import_files: Callable[[list[Path]], object],
    ) -> None:
        super().__init__(window)
        self._open_project = open_project
        self._import_files = import_files
        self.watch(window)

    def watch(self, widget: QWidget) -> None:
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(event, QDropEvent):  # also the drag enter and move events
            return super().eventFilter(watched, event)
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and dropped_paths(event):
            event.acceptProposedAction()
            return True
        if kind == QEvent.Type.Drop:
            paths = dropped_paths(event)
            if not paths:
                return False
            event.acceptProposedAction()
            projects = [p for p in paths if p.suffix == PROJECT_SUFFIX]
            if projects:
                self._open_project(projects[0])
            else:
                self._import_files(paths)
            return True
        return super().eventFilter(watched, event)
