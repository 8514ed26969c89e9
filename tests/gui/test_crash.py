"""Unexpected errors are written to a log in the data folder and shown with the log's path."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.crash import DIALOG_NAME, install_crash_handler, installed_handler
from resources import resource_path
from storage import Project

ROOT = Path(__file__).resolve().parents[2]

# pytest-qt replaces sys.excepthook to fail tests on errors in slots; these tests are about
# our own hook, so they switch that capture off.
pytestmark = pytest.mark.qt_no_exception_capture


@pytest.fixture
def log(qapp: QApplication, tmp_path: Path) -> Iterator[Path]:
    path = install_crash_handler(qapp, folder=tmp_path / "logs", fatal_log=False)
    yield path
    handler = installed_handler()
    assert handler is not None
    if handler.dialog is not None:
        handler.dialog.close()
    handler.uninstall()


def crash_dialog() -> QMessageBox | None:
    return next(
        (
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.objectName() == DIALOG_NAME and w.isVisible()
        ),
        None,
    )


def break_the_parser() -> None:
    raise ValueError("unexpected token in article 17")


def test_an_error_in_a_slot_is_logged_and_shown_with_the_log_path(qtbot, log: Path) -> None:
    QTimer.singleShot(0, break_the_parser)
    qtbot.waitUntil(lambda: crash_dialog() is not None, timeout=3000)

    dialog = crash_dialog()
    assert "ValueError: unexpected token in article 17" in dialog.text()
    assert str(log) in dialog.informativeText()
    assert "project is safe" in dialog.informativeText()
    text = log.read_text(encoding="utf-8")
    assert "in break_the_parser" in text and "unexpected token in article 17" in text
    assert text.startswith("==== ") and "Tandai 0." in text.splitlines()[0]
    assert dialog.detailedText().strip() == text.strip()


def test_an_error_in_a_worker_thread_is_logged_and_shown_in_the_gui_thread(
    qtbot, log: Path
) -> None:
    def work() -> None:
        raise RuntimeError("disk went away")

    thread = threading.Thread(target=work, name="import-worker")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: crash_dialog() is not None, timeout=3000)

    assert "RuntimeError: disk went away" in crash_dialog().text()
    text = log.read_text(encoding="utf-8")
    assert "in thread import-worker" in text and "disk went away" in text


def test_errors_while_the_dialog_is_open_are_logged_and_counted_in_that_dialog(
    qtbot, log: Path
) -> None:
    QTimer.singleShot(0, break_the_parser)
    qtbot.waitUntil(lambda: crash_dialog() is not None, timeout=3000)
    QTimer.singleShot(0, break_the_parser)
    QTimer.singleShot(0, break_the_parser)
    qtbot.waitUntil(lambda: "2 more error(s)" in crash_dialog().informativeText(), timeout=3000)

    dialogs = [w for w in QApplication.topLevelWidgets() if w.objectName() == DIALOG_NAME]
    assert len([d for d in dialogs if d.isVisible()]) == 1
    assert log.read_text(encoding="utf-8").count("==== ") == 3


def test_the_project_keeps_every_committed_label_after_an_error(
    qtbot, log: Path, tmp_path: Path
) -> None:
    path = tmp_path / "work.tandai"
    project = Project.create(path)
    project.imports.import_files([resource_path("sample", "articles.jsonl")], detect=False)
    article = next(project.article_ids())
    project.labels.add_span(article, annotator="ani", layer="entity", label="PER", start=0, end=5)

    QTimer.singleShot(0, break_the_parser)
    qtbot.waitUntil(lambda: crash_dialog() is not None, timeout=3000)

    with Project.open(path) as second:  # another connection, as after a restart
        assert [(s.start, s.end) for s in second.labels.spans(article)] == [(0, 5)]
    project.close()


def test_a_hard_crash_is_written_to_the_fatal_log_in_the_data_folder(tmp_path: Path) -> None:
    """No Python code survives a segfault; faulthandler still leaves a trace for the user."""
    script = textwrap.dedent(
        """
        import faulthandler, sys
        sys.path.insert(0, sys.argv[1])
        from PySide6.QtWidgets import QApplication
        from gui.crash import install_crash_handler
        app = QApplication([])
        log = install_crash_handler(app)
        print(log, flush=True)
        faulthandler._sigsegv()
        """
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp_path / "data"))
    result = subprocess.run(
        [sys.executable, "-c", script, str(ROOT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    log = Path(result.stdout.strip())
    assert log.is_relative_to(tmp_path / "data")
    fatal = (log.parent / "fatal.log").read_text(encoding="utf-8")
    assert "Segmentation fault" in fatal
