"""The main window: for now the project's name and counts (the workspace is its own issue)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow

from storage import Project


class MainWindow(QMainWindow):
    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self.setWindowTitle(f"Tandai — {project.name}")
        stats = project.stats()
        langs = ", ".join(f"{k} {v}" for k, v in stats.by_lang.items())
        self.setCentralWidget(QLabel(f"{stats.articles} articles ({langs})"))
        self.resize(1100, 720)
