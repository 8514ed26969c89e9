"""The article list as a lazy Qt table model: rows are fetched a page at a time when shown.

Like Anki's browser model it is a thin view over the database: it keeps the rows fetched so
far and a cursor to the next page, and Qt's ``canFetchMore``/``fetchMore`` protocol asks for
more as the user scrolls. Storage pages by keyset in every sort order, so the thousandth page
costs what the first does, and a project of a million articles opens with one page read.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from core.models import ArticleSummary
from core.query import ArticleFilter
from storage import ListCursor, Project

#: (header, sort key in storage.listing). The numeric columns have one-character headers
#: (named in their tooltips, HEADER_TIPS) so that the title keeps the width of the list.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Title", "title"),
    ("Source", "source"),
    ("Lang", "lang"),
    ("Status", "status"),
    ("#", "labels"),
    ("?", "unsure"),  # the learned model's uncertainty
    ("≈", ""),  # near-duplicates: not a sort order of storage
)
TITLE, SOURCE, LANG, STATUS, LABELS, UNSURE, DUPS = range(len(COLUMNS))
HEADER_TIPS = {
    LABELS: "Labels: how many spans you made in the article",
    UNSURE: "Unsure: how unsure the model trained on your labels is (0 sure, 1 lost)",
    DUPS: "Dups: how many near-duplicates (rewrites of one report) the article has",
}
PAGE = 200
ArticleIdRole = Qt.ItemDataRole.UserRole + 1

_STATUS_COLOURS = {
    "done": QColor("#2e7d32"),
    "skipped": QColor("#757575"),
    "flagged": QColor("#e65100"),
}
_Index = QModelIndex | QPersistentModelIndex
_Row = tuple  # (id, external_id, title, source, lang, status, label_count, uncertainty,
#               near_duplicates)
_ID, _EXTERNAL, _TITLE, _SOURCE, _LANG, _STATUS, _COUNT, _UNSURE, _DUPS = range(9)


def _as_row(s: ArticleSummary) -> _Row:
    # Sources, languages and statuses repeat: one string object each, not one per row.
    return (
        s.id,
        s.external_id,
        s.title,
        sys.intern(s.source),
        sys.intern(s.lang) if s.lang is not None else None,
        sys.intern(s.status),
        s.label_count,
        s.uncertainty,
        s.near_duplicates,
    )


class ArticleListModel(QAbstractTableModel):
    """Rows of the filtered, sorted article list, fetched on demand in pages of ``page``."""

    def __init__(
        self,
        project: Project,
        *,
        annotator: str,
        page: int = PAGE,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.page = page
        self._filter = ArticleFilter(annotator=annotator)
        self._sort = "id"
        self._descending = False
        # Plain tuples of str/int: the garbage collector stops tracking them, so a list
        # scrolled through a million rows does not make every collection walk them all.
        self._rows: list[_Row] = []
        self._row_of: dict[int, int] = {}
        self._cursor: ListCursor | None = None
        self._more = True
        self._fetching = False
        self._load_page()  # the first page: what any view shows at once

    # ---- what is shown -------------------------------------------------------------------

    @property
    def filter(self) -> ArticleFilter:
        return self._filter

    def set_filter(self, flt: ArticleFilter) -> None:
        """Show the articles matching ``flt`` (its annotator judges status and label count)."""
        self._filter = flt
        self.restart()

    def set_annotator(self, name: str) -> None:
        self.set_filter(replace(self._filter, annotator=name))

    def sort_key(self) -> tuple[str, bool]:
        return self._sort, self._descending

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Qt's sort request; column -1 (no sort indicator) means import order."""
        key = COLUMNS[column][1] if 0 <= column < len(COLUMNS) else "id"
        key = key or "id"  # a column storage cannot sort by shows import order
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort, self._descending):
            return
        self._sort, self._descending = key, descending
        self.restart()

    def restart(self) -> None:
        """Forget the fetched rows and read the first page again; the view asks for more."""
        self.beginResetModel()
        self._rows, self._row_of = [], {}
        self._cursor, self._more = None, True
        self._load_page()  # inside the reset: views see the first page at once, no insert
        # Listeners of modelReset may ask for more before all of them have heard of the
        # reset (Qt's model tester does); inserting rows then would interleave two changes.
        self._fetching = True
        try:
            self.endResetModel()
        finally:
            self._fetching = False

    def count(self) -> int:
        """All matching articles (a count query, not the rows fetched so far)."""
        return self.project.count_articles(self._filter)

    # ---- lazy loading --------------------------------------------------------------------

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more and not self._fetching

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more or self._fetching:
            return
        self._load_page(notify=True)

    def _load_page(self, *, notify: bool = False) -> None:
        """Append the next page; ``notify`` wraps it in insert signals (not inside a reset).

        Guarded against re-entry: a view (or the model tester) reacting to the insert may ask
        for more before this insert is finished.
        """
        self._fetching = True
        try:
            rows, cursor = self.project.listing.list_sorted(
                self._filter,
                sort=self._sort,
                descending=self._descending,
                after=self._cursor,
                limit=self.page,
            )
            self._cursor, self._more = cursor, cursor is not None
            if not rows:
                return
            first = len(self._rows)
            if notify:
                self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(_as_row(r) for r in rows)
            for n, row in enumerate(rows, start=first):
                self._row_of[row.id] = n
            if notify:
                self.endInsertRows()
        finally:
            self._fetching = False

    # ---- rows ----------------------------------------------------------------------------

    def article_id(self, row: int) -> int:
        return self._rows[row][_ID]

    def summary(self, row: int) -> ArticleSummary:
        r = self._rows[row]
        return ArticleSummary(
            id=r[_ID],
            external_id=r[_EXTERNAL],
            title=r[_TITLE],
            source=r[_SOURCE],
            lang=r[_LANG],
            status=r[_STATUS],
            label_count=r[_COUNT],
            uncertainty=r[_UNSURE],
            near_duplicates=r[_DUPS],
        )

    def shows_anything(self, column: int) -> bool:
        """Whether a loaded row has a value in the Unsure or Dups column (a project without
        a trained model or near-duplicates has none: the list can leave the column out)."""
        if column == UNSURE:
            return any(r[_UNSURE] is not None for r in self._rows)
        if column == DUPS:
            return any(r[_DUPS] for r in self._rows)
        return True

    def row_of(self, article_id: int) -> int | None:
        """The row of an article if it is loaded, else ``None``."""
        return self._row_of.get(article_id)

    def refresh_article(self, article_id: int) -> None:
        self.refresh_articles([article_id])

    def refresh_articles(self, article_ids: Iterable[int]) -> None:
        """Re-read the loaded rows of these articles (status or label count changed), in one
        read per thousand rows; articles not loaded are read when their page is. A row stays
        where it is even if it no longer matches the filter: rows moving under the user's
        eyes while they work are worse than a slightly stale list; :meth:`restart` re-sorts."""
        loaded = sorted(aid for aid in set(article_ids) if aid in self._row_of)
        for i in range(0, len(loaded), 1000):
            fresh = self.project.listing.summaries(
                loaded[i : i + 1000], annotator=self._filter.annotator
            )
            rows = []
            for summary in fresh:
                row = self._row_of.get(summary.id)
                if row is not None:
                    self._rows[row] = _as_row(summary)
                    rows.append(row)
            if rows:
                last = len(COLUMNS) - 1
                self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), last))

    # ---- Qt model API --------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(section)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == Qt.ItemDataRole.ToolTipRole and col == TITLE:
            return row[_TITLE] or None
        if role == Qt.ItemDataRole.ToolTipRole and col == DUPS and row[_DUPS]:
            n = row[_DUPS]
            return f"{n} near-duplicate{'s' if n != 1 else ''} (rewrites of one report)"
        if role == ArticleIdRole:
            return row[_ID]
        if role == Qt.ItemDataRole.ForegroundRole and col == STATUS:
            return _STATUS_COLOURS.get(row[_STATUS])
        if role == Qt.ItemDataRole.ToolTipRole and col == UNSURE:
            return "How unsure the model trained on your labels is (0 sure, 1 lost)"
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (LABELS, UNSURE, DUPS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _display(row: _Row, col: int) -> str | int:
        if col == TITLE:
            return row[_TITLE] or f"(untitled #{row[_ID]})"
        if col == SOURCE:
            return row[_SOURCE]
        if col == LANG:
            return row[_LANG] if row[_LANG] is not None else "…"
        if col == STATUS:
            return row[_STATUS]
        if col == UNSURE:
            return "" if row[_UNSURE] is None else f"{row[_UNSURE]:.2f}"
        if col == DUPS:
            return row[_DUPS] or ""
        return row[_COUNT]
