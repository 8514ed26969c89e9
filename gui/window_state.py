"""Window size, position and dock layout, remembered between starts (in ``QSettings``).

Kept apart from the project's preferences: where a window sits belongs to this machine's
screen, not to the project. Qt's own ``saveGeometry``/``saveState`` blobs are stored as they
are; ``restoreGeometry`` already moves a window back onto a screen that still exists.
Docks and toolbars need an ``objectName`` for Qt to find them again.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

GEOMETRY_KEY = "window/geometry"
STATE_KEY = "window/state"
#: Bump when the docks change so much that an old layout would be wrong: it is then ignored.
#: 0 is Qt's default, so layouts saved by a plain ``saveState()`` under these keys still load.
LAYOUT_VERSION = 0


def save_window(window: QMainWindow, settings: QSettings, *, version: int = LAYOUT_VERSION) -> None:
    """Remember where ``window`` is and how its docks and toolbars are laid out."""
    settings.setValue(GEOMETRY_KEY, window.saveGeometry())
    settings.setValue(STATE_KEY, window.saveState(version))
    settings.sync()


def restore_window(
    window: QMainWindow, settings: QSettings, *, version: int = LAYOUT_VERSION
) -> bool:
    """Put ``window`` back as it was saved; False (window untouched) when nothing was saved.

    Call it after the docks exist and before ``show()``, so the window appears once, in place.
    """
    geometry = settings.value(GEOMETRY_KEY)
    state = settings.value(STATE_KEY)
    restored = False
    if isinstance(geometry, QByteArray | bytes) and geometry:
        restored = window.restoreGeometry(QByteArray(geometry))
    if isinstance(state, QByteArray | bytes) and state:
        # False for a layout saved under another version: the window keeps its defaults.
        restored = window.restoreState(QByteArray(state), version) and restored
    return restored
