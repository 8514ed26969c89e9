"""The project a new user meets: created in their data folder and seeded with the sample."""

from __future__ import annotations

from pathlib import Path

from resources import resource_path
from storage import Project


def sample_articles_path() -> Path:
    return resource_path("sample", "articles.jsonl")


def ensure_default_project(path: Path) -> Path:
    """Create and seed the default project unless it exists; returns its path.

    The project is built under a temporary name and renamed at the end, so a first start that
    is killed half-way never leaves a half-seeded project behind that later starts would open.
    """
    if path.exists():
        return path
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    with Project.create(partial) as project:
        project.imports.import_files([sample_articles_path()])
    partial.replace(path)
    return path
