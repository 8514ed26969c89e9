"""The status bar's permanent fields: n of N done for this annotator, annotator, language."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget


class WorkspaceStatus(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress = QLabel()
        self.annotator = QLabel()
        self.language = QLabel()
        for label in (self.language, self.annotator, self.progress):
            label.setContentsMargins(8, 0, 8, 0)
            self.addPermanentWidget(label)

    def show_progress(self, done: int, total: int) -> None:
        self.progress.setText(f"{done:,} of {total:,} done")

    def show_annotator(self, name: str) -> None:
        self.annotator.setText(f"Annotator: {name}")

    def show_language(self, lang: str | None) -> None:
        self.language.setText(f"Language: {lang or 'pending'}")
