"""The app's first start: the sample project is created in the data folder and opened."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths

from gui.first_start import ensure_default_project
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
