"""The status bar's permanent fields: what this sitting did ("12 done this session, 3 s per
article"), when the last edit was committed, n of N done for this annotator, annotator,
language."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget


class WorkspaceStatus(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress = QLabel()
        self.annotator = QLabel()
        self.language = QLabel()
        self.session = QLabel()
        self.saved = QLabel("Nothing to save yet")
        self._done = 0
        self._seconds = 0.0
        for label in (self.session, self.saved, self.language, self.annotator, self.progress):
            label.setContentsMargins(8, 0, 8, 0)
            self.addPermanentWidget(label)

    def show_progress(self, done: int, total: int) -> None:
        self.progress.setText(f"{done:,} of {total:,} done")

    def show_annotator(self, name: str) -> None:
        self.annotator.setText(f"Annotator: {name}")

    def show_language(self, lang: str | None) -> None:
        self.language.setText(f"Language: {lang or 'pending'}")

    def count_done(self, seconds: float) -> None:
        """One more article marked done in this sitting, after ``seconds`` on it."""
        self._done += 1
        self._seconds += seconds
        pace = self._seconds / self._done
        self.session.setText(f"{self._done:,} done this session, {pace:,.0f} s/article")

    def show_saved(self, when: dt.datetime | None = None) -> None:
        """Called after an edit is committed to the project (never before)."""
        when = when or dt.datetime.now()
        self.saved.setText(f"Saved {when:%H:%M:%S}")
