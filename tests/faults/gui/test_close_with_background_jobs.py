"""Closing the window while background work runs: every job ends before the project
closes, nothing reads the project afterwards (it may be gone: the self-test deletes it)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from cli.selftest import _Watch
from gui.main_window import MainWindow
from gui.workers import running_jobs
from storage import Project


def _pending_project(tmp_path: Path, n: int = 2500) -> Path:
    data = tmp_path / "a.jsonl"
    words = "Pemerintah daerah mengumumkan rencana pembangunan jalan baru di kota itu"
    data.write_text(
        "".join(json.dumps({"text": f"{i} {words} {i * 7}."}) + "\n" for i in range(n)), "utf-8"
    )
    path = tmp_path / "p.tandai"
    with Project.create(path) as project:
        project.imports.import_files([data], detect=False)  # languages and index left to catch up
    return path


def test_closing_during_catch_up_leaves_no_job_and_never_reopens_the_project(
    qtbot, tmp_path: Path, capfd
) -> None:
    path = _pending_project(tmp_path)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    project = Project.open(path, exclusive=True)
    window = MainWindow(project, "ani", settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.catch_up.job is not None and window.catch_up.job.is_running())
    window.close()
    assert running_jobs() == []
    # As the self-test does: the project's folder goes away right after the window.
    for leftover in tmp_path.glob("p.tandai*"):
        leftover.unlink()
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)
    assert running_jobs() == []
    assert not path.exists(), "something reopened the closed project and created a new file"
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error" not in err, err


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_the_self_test_watch_sees_a_thread_that_raised_and_text_on_stderr() -> None:
    import sys

    with _Watch() as watch:
        worker = threading.Thread(target=lambda: 1 / 0, name="straggler")
        worker.start()
        worker.join()
    assert "straggler: ZeroDivisionError" in watch.problem()
    with _Watch() as watch:
        print("peewee.OperationalError: no such table: article", file=sys.stderr)
    assert "no such table: article" in watch.problem()
    with _Watch() as watch:
        pass
    assert watch.problem() == ""
