"""Starting the app: QApplication, the project to open, the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox

from core.redact import is_postgres_url, mask_secrets
from gui.annotator_dialog import ask_annotator, save_annotator, saved_annotator
from gui.crash import install_crash_handler
from gui.paths import APP_NAME, ORG_NAME, default_project_path
from resources import resource_path

if TYPE_CHECKING:
    from storage import Project

# The main window, the storage layer and the first-start module (peewee with it) are
# imported inside run_gui, after a new user's name is asked: importing them took ~0.9 s, which
# the first question need not wait for (issue #13: ≤ 1 s to the name dialog).


def choose_project(argv: list[str], settings: QSettings) -> Path | str:
    """The file (or PostgreSQL URL) named on the command line, else the last file opened,
    else the sample project (created empty: its articles come in the background, see
    gui.first_start)."""
    if argv:
        # A URL stays a string: Path() would fold "postgresql://" into "postgresql:/".
        return argv[0] if is_postgres_url(argv[0]) else Path(argv[0])
    last = _last_project(settings)
    if last and Path(last).exists():
        return Path(last)
    from gui.first_start import create_default_project

    return create_default_project(default_project_path())


def _last_project(settings: QSettings) -> str:
    """The project file opened last, "" if none."""
    last = settings.value("project/last", "", type=str)
    return last if isinstance(last, str) else ""  # type=str: always a string


def is_first_start(argv: list[str], settings: QSettings) -> bool:
    """No project named, none opened before, no sample project yet: a new user."""
    last = _last_project(settings)
    return (
        not argv
        and not (last and Path(last).exists())
        and not default_project_path().exists()
        and not saved_annotator(settings)
    )


def _open_asking_password(target: Path | str) -> Project:
    """Open ``target``; a server that wants a password nobody gave (URL, PGPASSWORD,
    ~/.pgpass) gets one asked for, handed to libpq through PGPASSWORD, never stored."""
    from storage import PasswordNeeded, Project

    try:
        return Project.open(target, exclusive=True)
    except PasswordNeeded as exc:
        password, ok = QInputDialog.getText(
            None, APP_NAME, f"{exc}.\nPassword:", QLineEdit.EchoMode.Password
        )
        if not ok or not password:
            raise
        os.environ["PGPASSWORD"] = password
        return Project.open(target, exclusive=True)


def run_gui(argv: list[str]) -> int:
    # instance() is typed as the QCoreApplication base; any app in this process is a
    # QApplication (made here, by gui.startup_probe or by pytest-qt).
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *argv])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setWindowIcon(QIcon(str(resource_path("icons", "tandai.png"))))
    # From here on an unexpected error shows a dialog naming the log file, never vanishes.
    install_crash_handler(app)
    settings = QSettings()
    targets = [a for a in argv if not a.startswith("-")]
    if is_first_start(targets, settings):
        # A new user names themself first: nothing to wait for before the question.
        name = ask_annotator(None, known=[])
        if not name:
            return 0
        save_annotator(settings, name)
    from gui.first_start import sample_pending
    from gui.main_window import MainWindow
    from storage import ProjectError

    try:
        path = choose_project(targets, settings)
        project = _open_asking_password(path)
    except ProjectError as exc:
        QMessageBox.critical(None, APP_NAME, mask_secrets(str(exc)))
        return 1
    if isinstance(path, Path):  # a URL is never kept: it may hold a password
        settings.setValue("project/last", str(path))
    annotator: str | None = saved_annotator(settings)
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
    if sample_pending(project):
        window.seed_sample()
    try:
        return app.exec()
    finally:
        window.project.close()  # the window may have switched to another project
