"""The window's side panels (the article list, the guidelines): their place on the screen and
the Tab order through them and the article text.

Small screens: below :data:`COMPACT_WIDTH` the guidelines become a tab beside the article
list, so the text keeps its width (side by side the two panels would leave it under 500 px
on a 1024 px screen); wider, they go back to the right. Only a tab this module made is
undone, and the layout the window remembers is the annotator's, not the small screen's.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QWidget

#: Narrower than this, the guidelines share the article list's column as a tab.
COMPACT_WIDTH = 1200
#: The guidelines' width beside the text: a column of prose.
GUIDELINES_WIDTH = 240


class SidePanels:
    """The article list and the guidelines docks of one window (either may be missing)."""

    def __init__(
        self,
        window: QMainWindow,
        articles: QDockWidget | None = None,
        guidelines: QDockWidget | None = None,
    ) -> None:
        self.window = window
        self.articles = articles
        self.guidelines = guidelines
        #: Whether this object put the guidelines behind the list's tab.
        self.compact = False

    def fit(self, *, compact: bool | None = None) -> None:
        """Tab the guidelines beside the list below COMPACT_WIDTH (or as ``compact`` says),
        put them back on the right above it."""
        window, articles, guidelines = self.window, self.articles, self.guidelines
        if articles is None or guidelines is None:
            return
        if compact is None:
            compact = window.width() < COMPACT_WIDTH
        if compact == self.compact:
            return
        horizontal = Qt.Orientation.Horizontal
        if compact:
            if guidelines in window.tabifiedDockWidgets(articles) or guidelines.isFloating():
                return  # already sharing a column, or out of the window: nothing to save
            window.tabifyDockWidget(articles, guidelines)
            articles.raise_()  # the list in front; Tab or the tab itself brings the guidelines
            column = min(articles.width(), window.width() // 3)
            window.resizeDocks([articles], [column], horizontal)
        elif guidelines in window.tabifiedDockWidgets(articles):  # not moved since by hand
            window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, guidelines)
            window.resizeDocks([guidelines], [GUIDELINES_WIDTH], horizontal)
        self.compact = compact

    def size_first(self) -> None:
        """First start: the list gets room for its titles, the guidelines a column of prose,
        the text the rest (on a 1366 px screen still a line of label buttons and ~90
        characters); on a small screen the one column of tabs a third of the window."""
        self.fit()
        width = self.window.width()
        docks = [d for d in (self.articles, self.guidelines) if d is not None and d.isVisible()]
        widths = [max(300, min(470, width * 27 // 100)), GUIDELINES_WIDTH]
        if self.compact:
            docks, widths = docks[:1], [min(400, width // 3)]
        self.window.resizeDocks(docks, widths[: len(docks)], Qt.Orientation.Horizontal)

    def focus_next(self, text: QWidget, target_of: dict[QDockWidget, QWidget], step: int) -> None:
        """Tab (``step`` 1) or Shift+Tab (-1): article list → ``text`` → guidelines → list,
        skipping a closed panel and raising one that waits behind a tab. ``target_of`` names
        the widget of each dock that takes the focus."""
        # (what holds the focus while in the pane, what takes it, the dock to raise)
        panes: list[tuple[QWidget, QWidget, QDockWidget | None]] = [(text, text, None)]
        for dock, first in ((self.articles, True), (self.guidelines, False)):
            if dock is None or not dock.toggleViewAction().isChecked():
                continue  # closed (a dock behind a tab is still checked)
            pane = (dock, target_of[dock], dock)
            if first:
                panes.insert(0, pane)
            else:
                panes.append(pane)
        here = QApplication.focusWidget()
        at = next(
            (
                i
                for i, (box, _t, _d) in enumerate(panes)
                if box is here or (here is not None and box.isAncestorOf(here))
            ),
            -1 if step > 0 else 0,
        )
        _box, target, dock = panes[(at + step) % len(panes)]
        if dock is not None:
            dock.raise_()  # a dock tabbed with another (small screens) comes to the front
        # Focus alone never scrolls the text: it is where the annotator left it.
        reason = Qt.FocusReason.TabFocusReason if step > 0 else Qt.FocusReason.BacktabFocusReason
        target.setFocus(reason)
