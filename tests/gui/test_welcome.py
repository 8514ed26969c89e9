"""The welcome panel opens a project, creates one from files, or reopens a recent one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog

from gui.project_actions import RecentProjects
from gui.welcome import WelcomeChoice, WelcomeDialog
from tests.gui.file_dialogs import answer_file_dialogs, type_file_name


def settings_in(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "tandai.ini"), QSettings.Format.IniFormat)


def touch(path: Path) -> Path:
    path.write_text("x", encoding="utf-8")
    return path


def test_recent_projects_are_listed_newest_first_and_one_opens_on_activation(
    qtbot, tmp_path: Path
) -> None:
    settings = settings_in(tmp_path)
    older, newer = touch(tmp_path / "older.tandai"), touch(tmp_path / "newer.tandai")
    recent = RecentProjects(settings)
    recent.add(older)
    recent.add(newer)
    dialog = WelcomeDialog(settings=settings)
    qtbot.addWidget(dialog)

    items = [dialog.recent.item(i) for i in range(dialog.recent.count())]
    assert [i.data(Qt.ItemDataRole.UserRole) for i in items] == [
        str(newer.resolve()),
        str(older.resolve()),
    ]
    dialog.recent.itemActivated.emit(items[1])

    assert dialog.result() == WelcomeDialog.DialogCode.Accepted
    assert dialog.choice == WelcomeChoice(older.resolve())


def test_without_recent_projects_the_list_says_so_and_offers_nothing(qtbot, tmp_path: Path) -> None:
    dialog = WelcomeDialog(settings=settings_in(tmp_path))
    qtbot.addWidget(dialog)
    assert dialog.recent.count() == 1
    item = dialog.recent.item(0)
    assert item.text() == "No recent projects yet"
    assert not item.flags() & Qt.ItemFlag.ItemIsEnabled
    assert dialog.sample_button.isHidden()


def test_new_project_from_files_asks_for_files_then_where_the_project_goes(
    qtbot, tmp_path: Path
) -> None:
    first, second = touch(tmp_path / "a.jsonl"), touch(tmp_path / "b.csv")
    dialog = WelcomeDialog(settings=settings_in(tmp_path))
    qtbot.addWidget(dialog)

    def pick_files(files: QFileDialog) -> None:
        type_file_name(files, tmp_path, f'"{first.name}" "{second.name}"')

    answer_file_dialogs(pick_files, lambda save: type_file_name(save, tmp_path, "news"))
    dialog.create_button.click()

    assert dialog.choice is not None
    assert dialog.choice.create is True
    assert dialog.choice.path == tmp_path / "news.tandai"
    assert sorted(p.name for p in dialog.choice.files) == ["a.jsonl", "b.csv"]


def test_the_sample_button_opens_the_sample_project(qtbot, tmp_path: Path) -> None:
    sample = touch(tmp_path / "sample.tandai")
    dialog = WelcomeDialog(settings=settings_in(tmp_path), sample_path=sample)
    qtbot.addWidget(dialog)
    dialog.sample_button.click()
    assert dialog.choice == WelcomeChoice(sample)
