"""The real ``main()`` of main.py, in process: it starts the window on a project named on
the command line, and returns when the window is closed."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication

import main as entry
from gui.annotator_dialog import save_annotator
from gui.main_window import MainWindow


@pytest.fixture
def user_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> QSettings:
    """``QSettings()`` as main() makes it, redirected into tmp_path; names restored after."""
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "config"))
    names = QCoreApplication.applicationName(), QCoreApplication.organizationName()
    # main() installs the crash handler: the test's hooks come back afterwards.
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    QCoreApplication.setApplicationName("Tandai")
    QCoreApplication.setOrganizationName("Tandai")
    yield QSettings()
    QCoreApplication.setApplicationName(names[0])
    QCoreApplication.setOrganizationName(names[1])


def test_main_starts_the_window_on_the_named_project_and_returns_when_it_closes(
    qapp: QApplication, project_path: Path, user_settings: QSettings
) -> None:
    save_annotator(user_settings, "ani")  # a first start would ask for the name
    seen: list[tuple[str, bool, int | None]] = []

    def look_and_close() -> None:
        windows = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow)]
        for win in windows:
            seen.append((win.windowTitle(), win.isVisible(), win.workspace.article_id))
            win.close()

    QTimer.singleShot(300, look_and_close)
    assert entry.main([str(project_path)]) == 0
    assert seen == [(f"Tandai — {project_path}", True, 1)]
    assert QSettings().value("project/last") == str(project_path)
