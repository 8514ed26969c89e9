"""The project a new user meets: created in their data folder and seeded with the sample.

On a first start the project is created empty and marked as waiting for its sample
(:data:`SAMPLE_PENDING`), which takes a fraction of a second, so the annotator's name is
asked and the window shown at once; :class:`gui.sample_seeding.SampleSeeder` then imports
the sample in the background. Building it first cost 2-4 s before anything appeared (issue
#13). A start that finds the mark still set (the app was closed or killed during the import)
imports again: a re-run of an interrupted import completes it.
"""

from __future__ import annotations

from pathlib import Path

from resources import resource_path
from storage import Project

#: Project setting: True while the bundled sample still has to be imported.
SAMPLE_PENDING = "sample_pending"


def sample_articles_path() -> Path:
    return resource_path("sample", "articles.jsonl")


def sample_size() -> int:
    """Articles in the bundled sample (one JSON record a line)."""
    with sample_articles_path().open(encoding="utf-8") as lines:
        return sum(1 for line in lines if line.strip())


def _create(path: Path, *, seed: bool) -> Path:
    """Create the project under a temporary name and rename it at the end, so that a start
    killed half-way never leaves a half-made project behind for later starts to open."""
    if path.exists():
        return path
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    with Project.create(partial) as project:
        if seed:
            project.imports.import_files([sample_articles_path()])
        else:
            project.set_setting(SAMPLE_PENDING, True)
    partial.replace(path)
    return path


def ensure_default_project(path: Path) -> Path:
    """Create and seed the default project unless it exists (all at once: for the welcome
    dialog's "sample project", where a window is already on screen); returns its path."""
    return _create(path, seed=True)


def create_default_project(path: Path) -> Path:
    """Create the default project empty, waiting for its sample (see the module docstring),
    unless it exists; returns its path."""
    return _create(path, seed=False)


def sample_pending(project: Project) -> bool:
    return bool(project.get_setting(SAMPLE_PENDING, False))
