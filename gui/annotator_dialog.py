"""Who is annotating: asked on first start, kept in QSettings, switchable from the menu.

Every label is stored under its annotator, so the name is asked for before any work starts.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QInputDialog, QWidget

SETTINGS_KEY = "annotator/name"


def saved_annotator(settings: QSettings) -> str:
    return str(settings.value(SETTINGS_KEY, "", type=str) or "").strip()


def save_annotator(settings: QSettings, name: str) -> None:
    settings.setValue(SETTINGS_KEY, name.strip())
    settings.sync()


def ask_annotator(
    parent: QWidget | None, *, current: str = "", known: Sequence[str] = ()
) -> str | None:
    """Ask for a name (offering the project's known annotators); ``None`` if cancelled."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("Who is annotating?")
    dialog.setLabelText(
        "Your name (every label you make is stored under it).\n"
        "Pick one of this project's annotators or type a new name:"
    )
    dialog.setComboBoxEditable(True)
    names = list(dict.fromkeys([*([current] if current else []), *known]))
    if names:
        dialog.setComboBoxItems(names)
    dialog.setTextValue(current)
    dialog.setObjectName("annotator_dialog")
    while dialog.exec():
        name = dialog.textValue().strip()
        if name:
            return name
    return None
