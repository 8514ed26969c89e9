"""Where the app keeps the user's things: the default project, logs, settings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths

APP_NAME = "Tandai"
ORG_NAME = "Tandai"
DEFAULT_PROJECT_NAME = "sample.tandai"


def data_dir() -> Path:
    """The per-user data folder (never the install folder, which may be read-only)."""
    path = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_project_path() -> Path:
    return data_dir() / DEFAULT_PROJECT_NAME
