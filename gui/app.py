"""Starting the app: QApplication, the project to open, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.annotator_dialog import ask_annotator, save_annotator, saved_annotator
from gui.crash import install_crash_handler
from gui.first_start import ensure_default_project
from gui.main_window import MainWindow
from gui.paths import APP_NAME, ORG_NAME, default_project_path
from resources import resource_path
from storage import Project, ProjectError


def choose_project(argv: list[str], settings: QSettings) -> Path:
    """The file named on the command line, else the last one opened, else the sample."""
    if argv:
        return Path(argv[0])
    last = settings.value("project/last", "", type=str)
    if last and Path(last).exists():
        return Path(last)
    return ensure_default_project(default_project_path())


def run_gui(argv: list[str]) -> int:
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setWindowIcon(QIcon(str(resource_path("icons", "tandai.png"))))
    # From here on an unexpected error shows a dialog naming the log file, never vanishes.
    install_crash_handler(app)
    settings = QSettings()
    try:
        path = choose_project([a for a in argv if not a.startswith("-")], settings)
        project = Project.open(path, exclusive=True)
    except ProjectError as exc:
        QMessageBox.critical(None, APP_NAME, str(exc))
        return 1
    settings.setValue("project/last", str(path))
    annotator = saved_annotator(settings)
    if not annotator:
        # First start: the annotator names themself before any label can be made.
        annotator = ask_annotator(None, known=project.annotators())
        if not annotator:
            project.close()
            return 0
        save_annotator(settings, annotator)
    window = MainWindow(project, annotator, settings=settings)
    if settings.contains("window/geometry"):
        window.show()  # as the annotator left it
    else:
        window.showMaximized()
    try:
        return app.exec()
    finally:
        window.project.close()  # the window may have switched to another project
