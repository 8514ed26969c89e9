"""The app under faults: a full disk while labelling, a read-only project at start, a URL
with a password at start. One clear message; nothing claimed as saved that was not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.app import run_gui
from gui.crash import installed_handler
from storage import Project
from tests.faults.helpers import SECRET, fill_disk, mounted_tmpfs, remount_read_only
from tests.gui.workspace_helpers import INDONESIAN, open_window


@pytest.fixture(autouse=True)
def test_mode_paths() -> None:
    QStandardPaths.setTestModeEnabled(True)


def _close_modals(seen: list[str]) -> QTimer:
    """Answers every modal box the app opens (recording its text), as a person would."""

    def close() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(f"{box.text()}\n{box.informativeText()}\n{box.detailedText()}")
            box.done(0)

    timer = QTimer()
    timer.timeout.connect(close)
    timer.start(50)
    return timer


def test_a_label_key_on_a_full_disk_says_disk_full_and_shows_nothing_as_saved(
    qtbot, tmp_path: Path
) -> None:
    with mounted_tmpfs(tmp_path / "disk", size="4m") as disk:  # an empty project: ~1 MB
        path = disk / "p.tandai"
        with Project.create(path) as project:
            from core.models import NewArticle

            project.imports.store_articles([NewArticle(text=INDONESIAN, title="Parkir")])
        settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
        window = open_window(qtbot, path, settings)
        window.catch_up.stop()
        ws = window.workspace
        fill_disk(disk)
        words = [m for m in re.finditer(r"\w{4,}", INDONESIAN)]
        for word in words[:5]:  # several keys: each must say the same, none may pile up
            ws.view.select(word.start(), word.end())
            QTest.keyClick(ws.view.text, "1")
            assert ws.notice.isVisible()
            assert "the disk is full" in ws.notice.text()
            assert "was not saved" in ws.notice.text()
            assert "cannot rollback" not in ws.notice.text()
        assert ws.view.spans == [] or all(s.layer != "entity" for s in ws.view.spans)
        assert ws.undo_stack.count() == 0
        handler = installed_handler()
        assert handler is None or handler.dialog is None or not handler.dialog.isVisible()
        window.close()


def test_starting_on_a_read_only_project_is_one_clear_message(qtbot, tmp_path: Path) -> None:
    with mounted_tmpfs(tmp_path / "disk", size="2m") as disk:
        path = disk / "p.tandai"
        Project.create(path).close()
        remount_read_only(disk)
        seen: list[str] = []
        timer = _close_modals(seen)
        try:
            assert run_gui([str(path)]) == 1
        finally:
            timer.stop()
            if installed_handler() is not None:
                installed_handler().uninstall()
    assert len(seen) == 1
    assert "the project is read-only" in seen[0] and "Copy it to a folder" in seen[0]
    assert "Traceback" not in seen[0]


def test_starting_on_a_url_with_a_password_never_shows_or_logs_it(qtbot, tmp_path: Path) -> None:
    url = f"postgresql://annot:{SECRET}@127.0.0.1:1/news"
    seen: list[str] = []
    timer = _close_modals(seen)
    try:
        assert run_gui([url]) == 1
    finally:
        timer.stop()
        handler = installed_handler()
        log = handler.log if handler is not None else None
        if handler is not None:
            handler.uninstall()
    assert len(seen) == 1
    assert "postgresql://127.0.0.1:1/news: cannot connect" in seen[0]  # not "postgresql:/"
    assert SECRET not in seen[0]
    if log is not None and log.exists():
        assert SECRET not in log.read_text("utf-8")
    assert SECRET not in str(QSettings().value("project/last", ""))
    assert SECRET not in str(QSettings().value("project/recent", ""))


def test_a_storage_fault_outside_the_edit_path_is_shown_in_its_own_words(
    qtbot, tmp_path: Path
) -> None:
    """A fault reaching the crash handler (e.g. from a dialog's save) is a warning with the
    message alone: no traceback, no "every label is saved" claim, no PySide prefixes."""
    from gui.crash import install_crash_handler
    from storage import StorageFault

    install_crash_handler(QApplication.instance(), folder=tmp_path, fatal_log=False)
    handler = installed_handler()
    try:
        fault = StorageFault(
            "Error calling Python override of QPlainTextEdit::keyPressEvent(): "
            "p.tandai: the disk is full (no space left); the change was not saved."
        )
        seen: list[str] = []
        timer = _close_modals(seen)  # no event loop runs here: the handler shows it modally
        handler.excepthook(StorageFault, fault, None)
        timer.stop()
    finally:
        handler.uninstall()
    text, informative, details = seen[0].split("\n", 2)
    assert text == "p.tandai: the disk is full (no space left); the change was not saved."
    assert "every label is saved" not in informative
    assert details.strip() == ""


@pytest.mark.postgres
def test_a_server_project_with_a_password_stays_out_of_title_settings_and_recent_files(
    qtbot, tmp_path: Path
) -> None:
    from tests.conftest import postgres_url_or_skip

    head, rest = postgres_url_or_skip().split("://", 1)
    user, host = rest.split("@", 1) if "@" in rest else ("postgres", rest)
    url = f"{head}://{user}:{SECRET}@{host}"
    Project.create(url).close()
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    from gui.main_window import MainWindow

    window = MainWindow(Project.open(url), "ani", settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert SECRET not in window.windowTitle()
    window.close()
    settings.sync()
    assert SECRET not in (tmp_path / "s.ini").read_text("utf-8")


def test_a_label_key_on_a_project_turned_read_only_says_so_and_shows_nothing_as_saved(
    qtbot, tmp_path: Path
) -> None:
    from core.models import NewArticle

    path = tmp_path / "p.tandai"
    with Project.create(path) as project:
        project.imports.store_articles([NewArticle(text=INDONESIAN, title="Parkir")])
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = open_window(qtbot, path, settings)
    window.catch_up.stop()
    ws = window.workspace
    window.project.db.execute_sql("PRAGMA query_only = 1")  # SQLite refuses every write now
    word = next(re.finditer(r"\w{4,}", INDONESIAN))
    ws.view.select(word.start(), word.end())
    QTest.keyClick(ws.view.text, "1")
    assert "the project is read-only" in ws.notice.text()
    assert "was not saved" in ws.notice.text()
    assert ws.undo_stack.count() == 0
    assert not [s for s in ws.view.spans if s.layer == "entity"]
    window.project.db.execute_sql("PRAGMA query_only = 0")
    window.close()
