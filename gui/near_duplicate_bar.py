"""The line above the article that names its near-duplicates, and the key that visits them.

"3 near-duplicates: Title A · Title B · Title C": rewrites of one report (kept by the
project, see storage.near_duplicates), each a link that opens it. Hidden when the article
has none (or has not been grouped yet). The key (``D``) walks the group in id order and
comes back round to the first.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from storage import Project

#: Titles named in the line; the rest are counted ("and 5 more").
SHOWN = 6


class NearDuplicateBar(QLabel):
    """Shows the open article's near-duplicates; ``openRequested`` asks to open one."""

    openRequested = Signal(int)

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.article_id: int | None = None
        self.others: list[int] = []
        self.setObjectName("nearDuplicateBar")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.setStyleSheet(
            "background: #fff8e1; color: #5d4037; border: 1px solid #ffcc80; padding: 3px;"
        )
        self.linkActivated.connect(lambda link: self.openRequested.emit(int(link)))
        self.hide()

    def show_for(self, article_id: int) -> None:
        """Read the article's group (two small queries) and show or hide the line."""
        self.article_id = article_id
        self.others = self.project.near_duplicates_of(article_id)
        if not self.others:
            self.hide()
            return
        rows = self.project.summaries(self.others[:SHOWN], annotator=None)
        links = " · ".join(
            f'<a href="{r.id}">{html.escape(r.title or f"(untitled #{r.id})")}</a>' for r in rows
        )
        more = len(self.others) - len(rows)
        n = len(self.others)
        self.setText(
            f"<b>{n} near-duplicate{'s' if n != 1 else ''}</b>: {links}"
            + (f" and {more} more" if more > 0 else "")
            + " &nbsp;<i>(D: next)</i>"
        )
        self.setToolTip("Rewrites of the same report found in this project; D opens the next one")
        self.show()

    def next_id(self) -> int | None:
        """The group's next article after the open one, in id order (round to the first)."""
        if self.article_id is None or not self.others:
            return None
        later = [i for i in self.others if i > self.article_id]
        return later[0] if later else self.others[0]
