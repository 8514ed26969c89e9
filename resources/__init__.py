"""The one way to find bundled files, in a checkout and in a PyInstaller bundle alike.

PyInstaller places this package's data beside its frozen ``__init__`` (under the bundle's
``resources/`` folder), so a path relative to this file is right in both cases; no other code
builds resource paths on its own or looks at ``sys._MEIPASS``.
"""

from __future__ import annotations

from pathlib import Path

_ROOT = Path(__file__).resolve().parent


class MissingResource(FileNotFoundError):
    """A bundled file is not where it should be: the checkout or the build is incomplete."""


def resource_path(*parts: str) -> Path:
    """Path of a bundled resource, e.g. ``resource_path("schema", "default.json")``."""
    path = _ROOT.joinpath(*parts)
    if not path.exists():
        available = sorted(p.name for p in path.parent.iterdir()) if path.parent.is_dir() else []
        raise MissingResource(
            f"bundled resource {'/'.join(parts)!r} not found in {_ROOT}"
            + (f"; that folder has: {', '.join(available)}" if available else "")
        )
    return path
