"""The About dialog: which Tandai this is, on what, and where its files are kept.

The version comes from ``core.version`` (the one place it is written); the folders are
shown because "where are my projects and logs?" is the question users bring to this box.
"""

from __future__ import annotations

import platform
from html import escape

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from core.version import __version__
from gui.paths import APP_NAME, data_dir


def about_text() -> str:
    folder = data_dir()
    return (
        f"<h3>{APP_NAME} {escape(__version__)}</h3>"
        "<p>Annotate news articles: entities, boilerplate and per-target stance, saved at "
        "once in a project file and exported as JSONL training data.</p>"
        f"<p>Projects and the sample: <code>{escape(str(folder))}</code><br>"
        f"Error logs: <code>{escape(str(folder / 'logs'))}</code></p>"
        f"<p><small>Python {escape(platform.python_version())}, Qt {escape(qVersion())}, "
        f"PySide6 {escape(pyside_version)}, {escape(platform.system())} "
        f"{escape(platform.machine())}</small></p>"
    )


def about_dialog(parent: QWidget | None) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("about_dialog")
    box.setWindowTitle(f"About {APP_NAME}")
    box.setIcon(QMessageBox.Icon.Information)
    box.setText(about_text())
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


def show_about(parent: QWidget | None) -> None:
    """Help ▸ About: a modal box, closed with OK."""
    about_dialog(parent).exec()
