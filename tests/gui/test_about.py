"""The About dialog names the version written in one place, and where the user's files are."""

from __future__ import annotations

import tomllib
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from core.version import __version__
from gui.about import about_dialog
from gui.paths import data_dir

ROOT = Path(__file__).resolve().parents[2]


def test_about_shows_the_version_and_the_data_and_log_folders(qtbot) -> None:
    QStandardPaths.setTestModeEnabled(True)
    box = about_dialog(None)
    qtbot.addWidget(box)
    assert f"Tandai {__version__}" in box.text()
    assert str(data_dir()) in box.text() and str(data_dir() / "logs") in box.text()


def test_pyproject_carries_the_same_version_as_core_version() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == __version__
