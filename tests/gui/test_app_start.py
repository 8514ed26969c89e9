"""The app's first start: the sample project is created in the data folder and opened."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths, QTimer

from gui.first_start import (
    create_default_project,
    ensure_default_project,
    sample_pending,
    sample_size,
)
from gui.main_window import MainWindow
from storage import Project


@pytest.fixture(autouse=True)
def test_mode_paths() -> None:
    QStandardPaths.setTestModeEnabled(True)


def test_first_start_seeds_the_default_project_with_the_bundled_sample(tmp_path: Path) -> None:
    path = ensure_default_project(tmp_path / "data" / "sample.tandai")
    assert path.exists() and not path.with_name("sample.tandai.partial").exists()
    with Project.open(path) as project:
        stats = project.stats()
    assert stats.articles >= 30
    assert len([lang for lang in stats.by_lang if lang not in {"und", "pending"}]) >= 6
    assert {"id", "ar"} <= set(stats.by_lang)
    assert stats.by_lang["id"] >= 10


def test_second_start_reopens_the_project_without_seeding_again(tmp_path: Path) -> None:
    path = ensure_default_project(tmp_path / "sample.tandai")
    with Project.open(path) as project:
        project.labels.set_status(next(project.article_ids()), annotator="ani", status="done")
    ensure_default_project(path)
    with Project.open(path) as project:
        assert project.stats().by_status["done"] == 1


def test_a_first_start_creates_the_project_empty_and_waiting_for_its_sample(
    tmp_path: Path,
) -> None:
    # Building the sample before the name dialog took 2-4 s (issue #13); the project is made
    # empty, marked, and filled after the window shows.
    path = create_default_project(tmp_path / "sample.tandai")
    assert path.exists() and not path.with_name("sample.tandai.partial").exists()
    with Project.open(path) as project:
        assert project.count_articles() == 0
        assert sample_pending(project)


def test_the_sample_comes_in_the_background_while_the_window_keeps_working(
    qtbot, tmp_path: Path
) -> None:
    path = create_default_project(tmp_path / "sample.tandai")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(Project.open(path, exclusive=True), "ani", settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    ticks: list[float] = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    window.seed_sample()
    qtbot.waitSignal(window.sample_seeder.done, timeout=60_000).wait()
    timer.stop()
    assert not sample_pending(window.project)
    assert window.project.count_articles() == sample_size()
    assert window.workspace.article_id is not None  # the first article opened by itself
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) >= 2 and max(gaps) < 0.5, f"GUI thread stalled {max(gaps):.2f} s"
    window.close()


def test_a_start_that_finds_the_sample_unfinished_imports_it_again(qtbot, tmp_path: Path) -> None:
    path = create_default_project(tmp_path / "sample.tandai")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(Project.open(path, exclusive=True), "ani", settings=settings)
    qtbot.addWidget(window)
    window.seed_sample()
    assert window.sample_seeder.job is not None
    window.sample_seeder.stop()  # closed during the import
    window.close()
    with Project.open(path) as project:
        left = project.count_articles()
        assert sample_pending(project)
    assert left < sample_size()
    window = MainWindow(Project.open(path, exclusive=True), "ani", settings=settings)
    qtbot.addWidget(window)
    window.seed_sample()
    qtbot.waitSignal(window.sample_seeder.done, timeout=60_000).wait()
    assert not sample_pending(window.project)
    assert window.project.count_articles() == sample_size()
    window.close()
