"""The self-test's Qt step: build the main window offscreen, proving the bundle's Qt works.

Kept apart from ``cli/selftest.py`` so that cli/ stays free of Qt: main.py hands it to the
self-test, which calls it only when the step runs. Settings live in the self-test's temporary folder and standard paths in Qt's test
mode, so the self-test never reads or writes the user's settings or data folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication

from storage import Project


def show_main_window(project: Project, *, annotator: str) -> str:
    """Show the main window on ``project``, let it paint, close it; describe what ran."""
    QStandardPaths.setTestModeEnabled(True)
    existing = QApplication.instance()  # typed as the QCoreApplication base
    app = existing if isinstance(existing, QApplication) else QApplication(["tandai-selftest"])
    from gui.main_window import MainWindow

    # Settings in the self-test's own folder: the window records "last project" and recent
    # projects, which must not point a real user at a temporary file.
    folder = Path(project.target).parent
    settings = QSettings(str(folder / "selftest-settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(project, annotator, settings=settings)
    window.show()
    for _ in range(5):
        app.processEvents()
    if not window.isVisible():
        raise RuntimeError("the main window did not become visible")
    title = window.windowTitle()
    window.close()
    app.processEvents()
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    native = native_platform_plugin(plugins)
    return (
        f"{title!r} on the {app.platformName()!r} platform, {native.name} present "
        f"(plugins in {plugins})"
    )


def native_platform_plugin(plugins: Path) -> Path:
    """The plugin a double-click loads (offscreen proves Qt runs, not that this one came
    along): xcb on Linux, windows on Windows, cocoa on macOS."""
    name = {"win32": "qwindows", "darwin": "qcocoa"}.get(sys.platform, "qxcb")
    found = sorted((plugins / "platforms").glob(f"*{name}.*"))
    if not found:
        raise RuntimeError(f"the {name} platform plugin is missing from {plugins / 'platforms'}")
    return found[0]
