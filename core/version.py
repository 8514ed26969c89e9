"""The app's version, in one place: the About dialog, the bundle and pyproject.toml use it."""

from __future__ import annotations

__version__ = "0.1.0"
