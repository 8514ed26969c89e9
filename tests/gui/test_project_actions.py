"""New / open dialogs and the recent projects list (settings in a file under tmp_path)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from gui.project_actions import (
    MAX_RECENT,
    RecentProjects,
    new_project_dialog,
    open_project_dialog,
)
from storage import Project
from tests.gui.file_dialogs import answer_file_dialogs, type_file_name


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def answer_file_dialog(qtbot, path: Path | None) -> None:
    """Fill in and accept (or cancel) the file dialog that is about to open."""
    if path is None:
        answer_file_dialogs(lambda dialog: dialog.reject())
    else:
        answer_file_dialogs(lambda dialog: type_file_name(dialog, path.parent, path.name))


def make(path: Path) -> Path:
    Project.create(path).close()
    return path


def test_recent_projects_are_most_recent_first_without_repeats(settings, tmp_path) -> None:
    a, b = make(tmp_path / "a.tandai"), make(tmp_path / "b.tandai")
    recent = RecentProjects(settings)
    recent.add(a)
    recent.add(b)
    recent.add(a)
    assert recent.paths() == [a.resolve(), b.resolve()]
    # kept across instances (and restarts): it lives in the settings file
    assert RecentProjects(QSettings(settings.fileName(), QSettings.Format.IniFormat)).paths() == [
        a.resolve(),
        b.resolve(),
    ]


def test_recent_projects_forget_missing_files_and_keep_at_most_ten(settings, tmp_path) -> None:
    recent = RecentProjects(settings)
    paths = [make(tmp_path / f"p{i}.tandai") for i in range(MAX_RECENT + 3)]
    for path in paths:
        recent.add(path)
    assert len(recent.paths()) == MAX_RECENT
    assert recent.paths()[0] == paths[-1].resolve()
    os.remove(paths[-1])
    assert paths[-1].resolve() not in recent.paths()
    recent.remove(paths[-2])
    assert recent.paths()[0] == paths[-3].resolve()


def test_a_single_recent_project_survives_the_settings_round_trip(settings, tmp_path) -> None:
    only = make(tmp_path / "only.tandai")
    RecentProjects(settings).add(only)
    settings.sync()
    reread = QSettings(settings.fileName(), QSettings.Format.IniFormat)
    assert RecentProjects(reread).paths() == [only.resolve()]


def test_new_project_dialog_adds_the_tandai_suffix(qtbot, settings, tmp_path) -> None:
    answer_file_dialog(qtbot, tmp_path / "berita")
    assert new_project_dialog(None, settings=settings) == tmp_path / "berita.tandai"


def test_open_project_dialog_returns_the_chosen_file_or_none(qtbot, settings, tmp_path) -> None:
    path = make(tmp_path / "ada.tandai")
    answer_file_dialog(qtbot, path)
    assert open_project_dialog(None, settings=settings) == path
    answer_file_dialog(qtbot, None)
    assert open_project_dialog(None, settings=settings) is None
