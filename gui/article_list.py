"""The article list dock: filter by status, language, source and free text; sort; pick.

The dock owns its filters and its lazy model (:mod:`gui.article_list_model`); the main window
only listens to ``articleActivated`` (open this article) and ``searchChanged`` (highlight
these words), and tells it which article is current and which one changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core import query
from core.models import STATUSES
from core.query import ArticleFilter
from gui.article_list_model import (
    DUPS,
    LABELS,
    LANG,
    SOURCE,
    STATUS,
    TITLE,
    UNSURE,
    ArticleListModel,
)
from gui.workers import Job, wait_for_jobs
from storage import Project, search_terms

#: Typing pauses this long before the list is searched, so a fast typist costs one query.
SEARCH_DELAY_MS = 250
PENDING = "pending"  # the language filter's name for "not detected yet"
MINE, ALL = "mine", "all"  # the scope box: the annotator's queue, or every article
#: How many more pages set_current may fetch to find an article that is not loaded yet.
SEEK_PAGES = 5
_MOVES = (
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
    Qt.Key.Key_Return,
    Qt.Key.Key_Enter,
)
_CHORD = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


class ArticleListDock(QDockWidget):
    """Left-hand list of the project's articles."""

    articleActivated = Signal(int)
    #: Esc in the search box: back to the article text.
    searchLeft = Signal()
    searchChanged = Signal(list)
    countChanged = Signal(int)  # matching articles, once counted (-1 if counting failed)

    def __init__(self, project: Project, annotator: str, parent: QWidget | None = None) -> None:
        super().__init__("Articles", parent)
        self.setObjectName("articleListDock")
        self.project = project
        self.model = ArticleListModel(project, annotator=annotator, parent=self)
        self._terms: list[str] = []
        self._count_serial = 0

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search titles and texts…")
        self.search.setClearButtonEnabled(True)
        self.status_box = QComboBox()
        self.status_box.addItem("Any status", None)
        for status in STATUSES:
            self.status_box.addItem(status, status)
        self.lang_box = QComboBox()
        self.source_box = QComboBox()
        self.source_box.setMinimumContentsLength(8)
        self.source_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.one_per_group = QCheckBox("One per group")
        self.one_per_group.setToolTip(
            "Show one article of each group of near-duplicates (rewrites of one report)"
        )
        self.count_label = QLabel()
        # What "done, next" opens: import order, or what the model is least sure about.
        self.order_box = QComboBox()
        self.order_box.addItem("Order: imported", "imported")
        self.order_box.addItem("Order: most uncertain first", "uncertain")
        self.order_box.setToolTip(
            "Next to do: in import order, or the article the model trained on your labels is "
            "least sure about (a fifth of the picks at random)"
        )
        self.order_box.setCurrentIndex(
            max(0, self.order_box.findData(project.ordering.next_todo_order()))
        )
        self.order_box.currentIndexChanged.connect(
            lambda _i: project.ordering.set_next_todo_order(self.order_box.currentData())
        )
        # Shown once the project has assignments: an annotator sees their own queue first,
        # everything else one click away.
        self.scope_box = QComboBox()
        self.scope_box.addItem("Assigned to me", MINE)
        self.scope_box.addItem("All articles", ALL)

        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        rows = self.view.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.view.fontMetrics().height() + 6)
        header = self.view.horizontalHeader()
        # Fixed widths: ResizeToContents would measure rows, which a lazy model must avoid.
        # The title is what identifies an article: it takes what the others leave, and they
        # are as narrow as what they show ("0.42", "flagged", a two-letter language).
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(12)
        metrics = self.view.fontMetrics()
        for col, widest in (
            (SOURCE, "kabar.exa"),  # a longer source is elided; its tooltip is the row's
            (LANG, "Lang"),
            (STATUS, "flagged"),
            (LABELS, "999"),
            (UNSURE, "0.00"),
            (DUPS, "99"),
        ):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, metrics.horizontalAdvance(widest) + 12)
        # No indicator: import order until the user clicks a column header.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)

        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        # Status and language at their full width ("Any language" never cut to "Any
        # languag" in a narrow list); the source, elided past eight characters, takes the rest.
        filters.addWidget(self.status_box)
        filters.addWidget(self.lang_box)
        filters.addWidget(self.source_box, 1)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.scope_box)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.order_box)
        layout.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.one_per_group)
        layout.addLayout(bottom)
        self.setWidget(body)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self._apply_filter)
        self.search.textChanged.connect(self._debounce.start)
        for box in (self.scope_box, self.status_box, self.lang_box, self.source_box):
            box.currentIndexChanged.connect(self._apply_filter)
        self.one_per_group.toggled.connect(self._apply_filter)
        self.view.clicked.connect(self._activate)
        self.view.activated.connect(self._activate)
        #: The main window hands in the key table's list keys (J/K, Ctrl+F, /, ?).
        self.key_handler: Callable[[QKeyEvent], bool] | None = None
        self.search.installEventFilter(self)
        self.view.installEventFilter(self)
        self.model.modelReset.connect(self._update_count)
        self._open_id: int | None = None
        self.model.modelReset.connect(self._follow_open)
        self.model.layoutChanged.connect(self._follow_open)
        self.model.rowsInserted.connect(lambda *_: self._follow_open())
        for signal in (self.model.modelReset, self.model.rowsInserted, self.model.dataChanged):
            signal.connect(self._show_columns)
        self._show_columns()

        self._fill_choices()
        self._show_scope()
        self._default_scope(annotator)
        if self._queue_only():
            self._apply_filter()  # the first view is the annotator's own queue
        self._update_count()

    # ---- API for the main window ---------------------------------------------------------

    @property
    def annotator(self) -> str:
        return self.model.filter.annotator or ""

    def set_annotator(self, name: str) -> None:
        """Statuses and label counts are shown (and filtered) for this annotator, and
        "Assigned to me" is their queue."""
        current = self.current_article_id()
        flt = self.model.filter
        self._default_scope(name)
        queue = name if self._queue_only() else None
        self.model.set_filter(replace(flt, annotator=name, assigned_to=queue))
        if current is not None:
            self.set_current(current)

    def set_current(self, article_id: int) -> None:
        """Select the article's row if it is loaded (or on the next few pages, as after
        "done, next" at the end of what is loaded); emits nothing (the caller knows)."""
        self._open_id = article_id
        row = self.model.row_of(article_id)
        for _ in range(SEEK_PAGES):
            if row is not None or not self.model.canFetchMore():
                break
            self.model.fetchMore()
            row = self.model.row_of(article_id)
        selection = self.view.selectionModel()
        if row is None:
            selection.clear()
            return
        index = self.model.index(row, TITLE)
        selection.setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.view.scrollTo(index)

    def _show_columns(self, *_args: object) -> None:
        """Unsure and Dups appear once a loaded row has something to show in them (a model
        trained, near-duplicates grouped): empty, they would only narrow the titles."""
        for col in (UNSURE, DUPS):
            self.view.setColumnHidden(col, not self.model.shows_anything(col))

    def _follow_open(self) -> None:
        """The highlight is the open article's row whenever the list holds it (after a
        filter, a sort or rows read later), and no row when it does not."""
        if self._open_id is None or self.current_article_id() == self._open_id:
            return
        row = self.model.row_of(self._open_id)  # rows read already: no fetching from here
        if row is None:
            self.view.selectionModel().clear()
            return
        self.view.selectionModel().setCurrentIndex(
            self.model.index(row, TITLE),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def current_article_id(self) -> int | None:
        index = self.view.currentIndex()
        return self.model.article_id(index.row()) if index.isValid() else None

    def refresh_article(self, article_id: int) -> None:
        """Re-read that article's row (status or label count changed)."""
        self.model.refresh_articles([article_id])

    def refresh_articles(self, article_ids: Iterable[int]) -> None:
        """Re-read the rows of these articles that are loaded (one query for all of them)."""
        self.model.refresh_articles(article_ids)

    def reload(self) -> None:
        """Read everything again: after an import, a schema change, another annotator."""
        current = self.current_article_id()
        self._fill_choices()
        self._show_scope()
        flt = self._filter_from_widgets()
        if flt != self.model.filter:
            self.model.set_filter(flt)
        else:
            self.model.restart()
        if current is not None:
            self.set_current(current)

    def show_all(self) -> None:
        """Switch the list to every article of the project."""
        self.scope_box.setCurrentIndex(self.scope_box.findData(ALL))

    def queue_only(self) -> bool:
        """Whether the list shows only the annotator's own queue."""
        return self.model.filter.assigned_to is not None

    def search_terms(self) -> list[str]:
        return list(self._terms)

    def current_filter(self) -> ArticleFilter:
        return self.model.filter

    # ---- filters -------------------------------------------------------------------------

    def _fill_choices(self) -> None:
        """Languages and sources as they are now; keeps the chosen ones if they still exist."""
        for box, label, values in (
            (self.lang_box, "Any language", self._languages()),
            (self.source_box, "Any source", self.project.listing.distinct_values("source")),
        ):
            chosen = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(label, None)
            for value in values:
                box.addItem(value or "(no source)", value)
            at = box.findData(chosen) if chosen is not None else 0
            box.setCurrentIndex(max(at, 0))
            box.blockSignals(False)

    def _languages(self) -> list[str]:
        langs = self.project.listing.distinct_values("lang")
        if self.project.imports.pending_languages():
            langs.append(PENDING)
        return langs

    def _show_scope(self) -> None:
        self.scope_box.setVisible(self.project.team.has_assignments())

    def _default_scope(self, annotator: str) -> None:
        """Their own queue for an annotator who holds articles; all articles for anyone
        else (a lead, a newcomer), who would otherwise see an empty list."""
        holds = (
            self.project.team.has_assignments() and self.project.team.queue_length(annotator) > 0
        )
        self.scope_box.blockSignals(True)
        self.scope_box.setCurrentIndex(self.scope_box.findData(MINE if holds else ALL))
        self.scope_box.blockSignals(False)

    def _queue_only(self) -> bool:
        return not self.scope_box.isHidden() and self.scope_box.currentData() == MINE

    def _filter_from_widgets(self) -> ArticleFilter:
        status = self.status_box.currentData()
        lang = self.lang_box.currentData()
        source = self.source_box.currentData()
        return ArticleFilter(
            statuses=(status,) if status else (),
            annotator=self.model.filter.annotator,
            langs=(lang,) if lang else (),
            sources=(source,) if source is not None else (),
            text=self.search.text().strip(),
            one_per_group=self.one_per_group.isChecked(),
            assigned_to=self.model.filter.annotator if self._queue_only() else None,
        )

    def _apply_filter(self) -> None:
        self._debounce.stop()
        flt = self._filter_from_widgets()
        if flt != self.model.filter:
            self.model.set_filter(flt)
            if self._open_id is not None:
                self.set_current(self._open_id)
        terms = search_terms(flt.text)
        if terms != self._terms:
            self._terms = terms
            self.searchChanged.emit(terms)

    def _update_count(self) -> None:
        """Count the matching articles in the background: on a million articles a filtered
        count reads every row (~0.1 s, ~0.3 s for a word in most of them), too long for the
        UI thread on every keystroke. Counted first up to ``core.query.QUICK_COUNT`` (7–8 ms
        at a million); past it the label says so at once ("more than 10,000 articles")
        and then the whole count replaces it."""
        self._count_serial += 1
        serial, flt, project = self._count_serial, self.model.filter, self.project
        self.count_label.setText("counting…")
        quick = query.QUICK_COUNT

        def counted(total: int) -> None:
            if total <= quick:
                self._show_count(serial, total)
            elif self._shows_count(serial):
                self.count_label.setText(f"more than {quick:,} articles, counting…")
                self._count_job(serial, lambda _control: project.count_articles(flt))

        self._count_job(
            serial, lambda _control: project.count_articles(flt, at_most=quick), counted
        )

    def _count_job(
        self,
        serial: int,
        work: Callable[[object], int],
        done: Callable[[int], None] | None = None,
    ) -> None:
        job = Job(work, cleanup=self.project.end_thread)
        job.succeeded.connect(done or (lambda total: self._show_count(serial, total)))
        job.failed.connect(lambda message: self._show_count(serial, None, message))
        job.start()  # gui.workers keeps it until its thread has ended

    def _shows_count(self, serial: int) -> bool:
        """False once the filter has changed since (a newer count is coming) or the dock
        is gone."""
        return serial == self._count_serial and shiboken6.isValid(self.count_label)

    def _show_count(self, serial: int, total: int | None, error: str = "") -> None:
        if not self._shows_count(serial):
            return
        if total is None:
            self.count_label.setText(f"count failed: {error}")
        else:
            self.count_label.setText(f"{total:,} article{'s' if total != 1 else ''}")
        self.countChanged.emit(-1 if total is None else total)

    def wait_for_count(self, msecs: int = 10_000) -> None:
        """Block until the pending counts are shown (for tests and benchmarks); a quick
        count past ``core.query.QUICK_COUNT`` starts the whole count when it is shown, so
        twice."""
        for _ in range(2):
            wait_for_jobs(msecs)
            QCoreApplication.sendPostedEvents()

    def focus_search(self) -> None:
        """Ctrl+F or /: the search box, its text selected to be typed over."""
        self.show()
        self.raise_()
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        assert isinstance(event, QKeyEvent)
        if watched is self.search and event.key() == Qt.Key.Key_Escape:
            self.searchLeft.emit()
            return True
        if watched is self.view:
            if event.key() in _MOVES and not event.modifiers() & _CHORD:
                # The row moved to is opened, as a click would (after the view moved).
                QTimer.singleShot(0, lambda: self._activate(self.view.currentIndex()))
                return False
            if self.key_handler is not None and self.key_handler(event):
                return True
        return super().eventFilter(watched, event)

    def _activate(self, index: QModelIndex) -> None:
        if index.isValid():
            self.articleActivated.emit(self.model.article_id(index.row()))
