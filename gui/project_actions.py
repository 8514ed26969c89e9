"""New / open project dialogs and the list of recent projects.

Only paths are decided here; opening, locking and window swapping are the main window's job.
Recent projects live in ``QSettings`` (like window geometry, they are the user's, not a
project's), most recent first, and a file that has gone away is never offered.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

from storage import PROJECT_SUFFIX

FILTER = f"Tandai projects (*{PROJECT_SUFFIX});;All files (*)"
RECENT_KEY = "project/recent"
MAX_RECENT = 10


def _start_dir(settings: QSettings | None) -> str:
    recent = RecentProjects(settings).paths()
    return str(recent[0].parent) if recent else str(Path.home())


def new_project_dialog(parent: QWidget | None, *, settings: QSettings | None = None) -> Path | None:
    """Ask where to create a project; the name gets ``.tandai`` if the user left it out.

    An existing file is not offered for overwriting here: the save dialog asks first, and
    ``Project.create`` refuses an existing file anyway, so nothing is ever replaced silently.
    """
    # The folder only, no "untitled" name: Qt's own dialog applies an initial name once the
    # folder has loaded, and a name chosen at once (as tests do) was sometimes replaced by it.
    name, _ = QFileDialog.getSaveFileName(parent, "New project", _start_dir(settings), FILTER)
    if not name:
        return None
    path = Path(name)
    if path.suffix != PROJECT_SUFFIX:
        path = path.with_name(path.name + PROJECT_SUFFIX)
    return path


def open_project_dialog(
    parent: QWidget | None, *, settings: QSettings | None = None
) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, "Open project", _start_dir(settings), FILTER)
    return Path(name) if name else None


class RecentProjects:
    """Recently opened project files, most recent first (at most ten)."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.settings = settings or QSettings()

    def _stored(self) -> list[str]:
        value = self.settings.value(RECENT_KEY, [])
        # QSettings hands back a lone string for a one-element list on some back ends.
        if isinstance(value, str):
            return [value] if value else []
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else []

    def _save(self, paths: list[str]) -> None:
        self.settings.setValue(RECENT_KEY, paths[:MAX_RECENT])
        self.settings.sync()

    def paths(self) -> list[Path]:
        """The recent projects that still exist."""
        return [Path(p) for p in self._stored() if Path(p).is_file()][:MAX_RECENT]

    def add(self, path: Path | str) -> None:
        """Put ``path`` first; forget entries that no longer exist."""
        key = str(Path(path).resolve())
        kept = [p for p in self._stored() if p != key and Path(p).is_file()]
        self._save([key, *kept])

    def remove(self, path: Path | str) -> None:
        key = str(Path(path).resolve())
        self._save([p for p in self._stored() if p not in (key, str(path))])
