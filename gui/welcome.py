"""The welcome panel: open a project, create one from files, or pick a recent one.

Shown from File ▸ Welcome (and wherever the main window wants a starting point). Like
``gui.project_actions`` it only decides *what* to open: the result is a :class:`WelcomeChoice`
(a project path, plus files to import when the project is new); opening, locking, importing
in a background job and swapping windows stay the main window's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.paths import APP_NAME
from gui.project_actions import RecentProjects, new_project_dialog, open_project_dialog

IMPORT_FILTER = "Articles (*.jsonl *.ndjson *.json *.csv *.tsv *.txt *.gz);;All files (*)"


@dataclass(frozen=True, slots=True)
class WelcomeChoice:
    """What the user chose: open ``path``; or, when ``create`` is set, create it and import
    ``files`` into it."""

    path: Path
    create: bool = False
    files: tuple[Path, ...] = ()


def import_files_dialog(parent: QWidget | None, *, start: str = "") -> list[Path]:
    names, _ = QFileDialog.getOpenFileNames(
        parent, "Articles to import", start or str(Path.home()), IMPORT_FILTER
    )
    return [Path(n) for n in names]


class WelcomeDialog(QDialog):
    """Three ways in; ``choice`` holds the answer once the dialog is accepted."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
        sample_path: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("welcome_dialog")
        self.setWindowTitle(f"Welcome to {APP_NAME}")
        self.settings = settings or QSettings()
        self.sample_path = sample_path
        self.choice: WelcomeChoice | None = None

        intro = QLabel(
            f"<h3>{APP_NAME}</h3>Annotate news articles: entities, boilerplate and stance. "
            "Every label is saved the moment you make it."
        )
        intro.setWordWrap(True)
        self.open_button = QPushButton("&Open a project…")
        self.open_button.setObjectName("welcome_open")
        self.create_button = QPushButton("&New project from files…")
        self.create_button.setObjectName("welcome_create")
        self.sample_button = QPushButton("Open the &sample project")
        self.sample_button.setObjectName("welcome_sample")
        self.sample_button.setVisible(sample_path is not None)
        self.recent = QListWidget()
        self.recent.setObjectName("welcome_recent")
        recent_label = QLabel("&Recent projects")
        recent_label.setBuddy(self.recent)
        close = QPushButton("Close")

        buttons = QVBoxLayout()
        for button in (self.open_button, self.create_button, self.sample_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        recent_box = QVBoxLayout()
        recent_box.addWidget(recent_label)
        recent_box.addWidget(self.recent)
        body = QHBoxLayout()
        body.addLayout(buttons)
        body.addLayout(recent_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(body)

        self.open_button.clicked.connect(self._open)
        self.create_button.clicked.connect(self._create)
        self.sample_button.clicked.connect(self._sample)
        self.recent.itemActivated.connect(self._recent_chosen)
        close.clicked.connect(self.reject)
        self._fill_recent()
        self.resize(620, 360)

    def _fill_recent(self) -> None:
        self.recent.clear()
        paths = RecentProjects(self.settings).paths()
        for path in paths:
            item = QListWidgetItem(f"{path.stem}    {path.parent}")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.recent.addItem(item)
        if not paths:
            placeholder = QListWidgetItem("No recent projects yet")
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(placeholder)
        else:
            self.recent.setCurrentRow(0)

    def _finish(self, choice: WelcomeChoice) -> None:
        self.choice = choice
        self.accept()

    def _open(self) -> None:
        path = open_project_dialog(self, settings=self.settings)
        if path is not None:
            self._finish(WelcomeChoice(path))

    def _create(self) -> None:
        """Files first (what the user has in hand), then where the new project goes."""
        files = import_files_dialog(self)
        if not files:
            return
        path = new_project_dialog(self, settings=self.settings)
        if path is not None:
            self._finish(WelcomeChoice(path, create=True, files=tuple(files)))

    def _sample(self) -> None:
        if self.sample_path is not None:
            self._finish(WelcomeChoice(self.sample_path))

    def _recent_chosen(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path:
            self._finish(WelcomeChoice(Path(path)))
