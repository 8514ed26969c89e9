"""Fixtures shared by the GUI tests: Qt's test paths, a real project file with four
articles (Indonesian, emoji/CJK/RTL, Arabic, plain), per-test settings, and the real main
window on it. A module that needs another project or window overrides the fixture by name.

``QT_QPA_PLATFORM=offscreen`` is set in tests/conftest.py and pytest-qt's ``qt_api`` in
pyproject.toml, so ``pytest tests/gui`` needs no environment of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths

from core.models import NewArticle
from gui.main_window import MainWindow
from storage import Project
from tests.gui.workspace_helpers import ARABIC, INDONESIAN, PLAIN, TRICKY, open_window


@pytest.fixture(autouse=True)
def qt_test_paths() -> None:
    QStandardPaths.setTestModeEnabled(True)


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "work.tandai"
    with Project.create(path) as project:
        project.store_articles(
            [
                NewArticle(text=INDONESIAN, title="Tarif Parkir Naik", source="kabar.example"),
                NewArticle(text=TRICKY, title="Uji offset 👨🏻‍🚒"),
                NewArticle(text=ARABIC, title="محطة تحلية"),
                NewArticle(text=PLAIN, title="Banjir"),
            ]
        )
    return path


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, project_path: Path, settings: QSettings) -> Iterator[MainWindow]:
    win = open_window(qtbot, project_path, settings)
    yield win
    win.close()
    win.project.close()
