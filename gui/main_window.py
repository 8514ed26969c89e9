"""The main window: composes the workspace, the docks, the menus and the status bar.

It decides nothing about annotating (that is gui.workspace) and holds no label logic; it wires
panels together and owns the open project, which it can swap for another (``open_project``).
"""

from __future__ import annotations

import getpass
import hashlib
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
    QShowEvent,
    QUndoGroup,
)
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from gui.about import show_about
from gui.agreement_dialog import AgreementDialog
from gui.annotator_dialog import ask_annotator, save_annotator, saved_annotator
from gui.article_list import ArticleListDock
from gui.assign_dialog import AssignDialog
from gui.catch_up import CatchUp
from gui.export_dialog import ExportDialog
from gui.file_drops import FileDrops
from gui.first_start import ensure_default_project
from gui.guidelines_panel import GuidelinesDock
from gui.import_dialog import ImportDialog, choose_import_files
from gui.keymap_dialog import KeymapDialog
from gui.labelled_import_dialog import LabelledImportOptions, LabelledOptions
from gui.paths import default_project_path
from gui.project_actions import RecentProjects, new_project_dialog, open_project_dialog
from gui.sample_seeding import SampleSeeder
from gui.schema_editor import SchemaEditorDialog
from gui.session import Change, Session
from gui.side_panels import SidePanels
from gui.status_bar import WorkspaceStatus
from gui.team_dialogs import (
    MergeDialog,
    PackageDialog,
    TeamDialog,
    choose_packages,
)
from gui.view_options import add_view_options
from gui.welcome import WelcomeDialog
from gui.window_state import restore_window, save_window
from gui.workers import wait_for_jobs
from gui.workspace import Workspace
from storage import Project, ProjectError


class Docks(NamedTuple):
    articles: ArticleListDock | None
    guidelines: GuidelinesDock | None


class Actions(NamedTuple):
    undo: QAction
    redo: QAction
    done_next: QAction
    zoom_in: QAction
    zoom_out: QAction
    keymap: QAction


class MainWindow(QMainWindow):
    """One project at a time; ``open_project`` closes the old one and opens another."""

    def __init__(
        self,
        project: Project,
        annotator: str | None = None,
        *,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        self.annotator = annotator or saved_annotator(self.settings) or getpass.getuser()
        self.undo_group = QUndoGroup(self)
        self.status = WorkspaceStatus()
        self.setStatusBar(self.status)
        self.project: Project = project
        self.session: Session
        self.workspace: Workspace
        self.docks = Docks(None, None)
        self.keymap_dialog: KeymapDialog | None = None
        self.catch_up: CatchUp | None = None
        self.panels = SidePanels(self)  # where the docks go on a small screen; Tab's order
        # A dock tabbed with another shows its tab at the top, where its title would be.
        self.setTabPosition(Qt.DockWidgetArea.AllDockWidgetAreas, QTabWidget.TabPosition.North)
        self.actions_ = self._build_menus()
        self._attach(project)
        self.resize(1280, 820)
        self._sized = restore_window(self, self.settings)
        # A window restored narrow is compact before it shows: side by side, the panels'
        # minimum widths would make it wider than it was left.
        self.panels.fit()
        self._closed = False
        self.drops = FileDrops(self, open_project=self.open_project, import_files=self.import_files)

    # ---- project life ----------------------------------------------------------------------

    def _attach(self, project: Project) -> None:
        """Build the session, workspace and docks for ``project`` and open an article."""
        self.project = project
        self.setWindowTitle(f"Tandai — {project.name}")
        if Path(project.target).is_file():
            self.settings.setValue("project/last", project.target)
            RecentProjects(self.settings).add(project.target)
        self._act_as(self.annotator)
        self.session = Session(project, self.annotator, self)
        self.workspace = Workspace(self.session)
        self.view_options.apply(self.workspace.view)
        self.undo_group.addStack(self.workspace.undo_stack)
        self.undo_group.setActiveStack(self.workspace.undo_stack)
        self.setCentralWidget(self.workspace)
        self.docks = self._build_docks()
        self.panels = SidePanels(self, self.docks.articles, self.docks.guidelines)
        if self.isVisible():  # another project opened in a small window (else: on showing)
            self.panels.fit()
        ws = self.workspace
        ws.articleOpened.connect(self._article_opened)
        self.session.changed.connect(self._changed)
        ws.progressChanged.connect(self._show_progress)
        ws.keymapRequested.connect(self.show_keymap)
        self._label_menus()
        ws.message.connect(lambda text: self.status.showMessage(text, 6000))
        ws.doneCounted.connect(self.status.count_done)
        self.session.annotatorChanged.connect(self._annotator_changed)
        self._total = project.count_articles()
        self.status.show_annotator(self.annotator)
        self._show_progress()
        self.catch_up = CatchUp(project, self)
        self.catch_up.progressed.connect(lambda text: self.status.showMessage(text, 4000))
        self.catch_up.languagesDetected.connect(self._languages_detected)
        self.catch_up.done.connect(self._caught_up)
        QTimer.singleShot(0, self.catch_up.start)  # after the first paint
        QTimer.singleShot(0, self._offer_package_owner)
        articles = self.docks.articles
        queue = articles is not None and articles.queue_only()
        first = self._last_article() or project.navigation.next_todo_id(self.annotator, queue=queue)
        first = first or project.navigation.first_article_id()
        if first is not None:
            ws.show_article(first)
        else:
            self.status.show_language(None)
            self.status.showMessage("This project has no articles yet: import some (File menu)")

    def _last_article_key(self) -> str:
        # Per project file; hashed because QSettings reads "/" in a key as a group separator.
        return "lastArticle/" + hashlib.sha1(self.project.target.encode()).hexdigest()[:16]

    def _last_article(self) -> int | None:
        """The article that was open when this project was last closed, if it still exists."""
        value = self.settings.value(self._last_article_key(), 0)
        if not isinstance(value, (int, str)):  # an INI file gives a string, others an int
            return None
        try:
            article_id = int(value)
        except (TypeError, ValueError):
            return None
        if article_id <= 0:
            return None
        found = self.project.navigation.next_article_id(article_id - 1)
        return article_id if found == article_id else None

    def _languages_detected(self) -> None:
        """The open article's header, direction and status bar, and the list's language
        column and filter, say the language detected in the background."""
        self.workspace.refresh_metadata()
        self._show_language()
        if self.docks.articles is not None:
            self.docks.articles.reload()

    def _caught_up(self) -> None:
        self.status.showMessage(
            "Languages, search index, suggestions and near-duplicates are up to date", 4000
        )
        self.workspace.suggestions.reload()
        if self.workspace.article_id is not None:
            self.workspace.near_duplicates.show_for(self.workspace.article_id)
        if self.docks.articles is not None:
            self.docks.articles.reload()
        self.workspace.refresh_metadata()
        self._show_language()

    def _show_language(self) -> None:
        """The open article's language in the status bar (no article open: left as it is)."""
        article = self.workspace.view.article
        if article is not None:
            self.status.show_language(article.lang)

    def _stop_background(self) -> None:
        """Every background job on this project ends before it closes (a count still running
        would otherwise reopen a closed, perhaps deleted, project)."""
        if self.catch_up is not None:
            self.catch_up.stop()
        self.workspace.trainer.stop()
        wait_for_jobs()

    def _detach(self) -> None:
        self._stop_background()
        self.panels = SidePanels(self)
        for dock in self.docks:
            if dock is not None:
                self.removeDockWidget(dock)
                dock.deleteLater()
        self.docks = Docks(None, None)
        self.undo_group.removeStack(self.workspace.undo_stack)
        self.workspace.deleteLater()
        self.session.deleteLater()

    def open_project(self, path: str | Path) -> bool:
        """Switch to another project; the current one stays open if the new one fails."""
        try:
            new = Project.open(path, exclusive=True)
        except ProjectError as exc:
            QMessageBox.warning(self, "Tandai", str(exc))
            return False
        old = self.project
        self._detach()
        old.close()
        self._attach(new)
        return True

    def new_project(self) -> None:
        path = new_project_dialog(self, settings=self.settings)
        if path is None:
            return
        try:
            Project.create(path).close()
        except ProjectError as exc:
            QMessageBox.warning(self, "Tandai", str(exc))
            return
        self.open_project(path)

    def choose_project(self) -> None:
        path = open_project_dialog(self, settings=self.settings)
        if path is not None:
            self.open_project(path)

    def welcome(self) -> None:
        """Open, create-from-files, a recent project or the sample, from one dialog."""
        dialog = WelcomeDialog(self, settings=self.settings, sample_path=default_project_path())
        if not dialog.exec() or dialog.choice is None:
            return
        choice = dialog.choice
        try:
            if choice.path == default_project_path():
                ensure_default_project(choice.path)
            elif choice.create:
                Project.create(choice.path).close()
        except ProjectError as exc:
            QMessageBox.warning(self, "Tandai", str(exc))
            return
        if self.open_project(choice.path) and choice.files:
            self.import_files(list(choice.files))

    def import_labelled_files(self, paths: list[Path] | None = None) -> None:
        """Files with labels: ask whose they are and how to map them, then import."""
        paths = paths or choose_import_files(self)
        if not paths:
            return
        ask = LabelledImportOptions(self.session.annotator, self)
        if ask.exec() != QDialog.DialogCode.Accepted:
            return
        self.import_files(paths, labelled=ask.options())

    def import_files(
        self, paths: list[Path] | None = None, *, labelled: LabelledOptions | None = None
    ) -> None:
        paths = paths or choose_import_files(self)
        if not paths:
            return
        ImportDialog(self.project, paths, self, labelled=labelled).exec()
        self.imported()

    def seed_sample(self) -> None:
        """First start: the sample's articles, imported in the background (gui.sample_seeding)."""
        self.sample_seeder = SampleSeeder(self.project, self.status, self.imported, self)
        self.sample_seeder.start()

    def imported(self) -> None:
        """After an import: catch up, count, list and open what came in."""
        if self.catch_up is not None:
            self.catch_up.start()  # what a stopped import left undone
        self._total = self.project.count_articles()
        self._show_progress()
        if self.docks.articles is not None:
            self.docks.articles.reload()
        if self.workspace.article_id is None:
            self.workspace.open_next_todo()

    def assign(self) -> None:
        AssignDialog(self.project, self).exec()
        self._team_changed()

    def merge_packages(self, paths: list[Path] | None = None) -> None:
        paths = paths or choose_packages(self)
        if paths:
            MergeDialog(self.project, paths, self).exec()
            self._team_changed()
            if self.workspace.article_id is not None:  # merged labels may be on it
                self.workspace.show_article(self.workspace.article_id)

    def _team_changed(self) -> None:
        """Assignments or merged labels changed: the list's scope, rows and the counts."""
        self._show_progress()
        if self.docks.articles is not None:
            self.docks.articles.reload()

    def _offer_package_owner(self) -> None:
        """A work package is labelled by the annotator it was made for: offer to switch."""
        if self._closed:
            return  # queued before the window closed: its project is closed (maybe gone)
        info = self.project.team.package_info()
        if info is None or info.annotator == self.annotator:
            return
        answer = QMessageBox.question(
            self,
            "Tandai",
            f"This is {info.annotator}'s work package (from {info.project_name}). Its labels "
            f"go back into that project as {info.annotator}'s.\n\nLabel as {info.annotator}? "
            f"(You are {self.annotator} now.)",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.session.set_annotator(info.annotator)

    def edit_schema(self) -> None:
        if SchemaEditorDialog(self.project, self).exec() == QDialog.DialogCode.Accepted:
            self.workspace.apply_schema(self.project.schema())
            self._label_menus()
            if self.docks.articles is not None:
                self.docks.articles.reload()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in RecentProjects(self.settings).paths():
            action = self.recent_menu.addAction(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_project(p))
        self.recent_menu.setEnabled(True)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._sized:  # first start: room for the list's columns, the text in the middle
            self._sized = True
            QTimer.singleShot(0, self._size_docks)

    def _size_docks(self) -> None:
        if self._closed:
            return  # queued before the window closed
        # The guidelines stay in view on first start (without project guidelines they list
        # the labels and keys); View ▸ Guidelines hides them and the window remembers.
        self.panels.size_first()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.panels.fit()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.panels.fit(compact=False)  # remember the annotator's layout, not the small screen's
        save_window(self, self.settings)
        self._closed = True
        self._stop_background()
        self.project.close()
        super().closeEvent(event)

    # ---- composition -----------------------------------------------------------------------

    def _build_docks(self) -> Docks:
        articles = ArticleListDock(self.project, self.annotator, self)
        articles.articleActivated.connect(self.workspace.show_article)
        # A new model: new uncertainties in the list's column.
        self.workspace.trainer.trained.connect(lambda _outcome: articles.reload())
        articles.searchChanged.connect(self.workspace.view.set_search_words)
        articles.key_handler = self.workspace.handle_list_key
        articles.searchLeft.connect(self.workspace.view.text.setFocus)
        self.workspace.searchRequested.connect(articles.focus_search)
        self.workspace.paneRequested.connect(self.focus_next_pane)
        self.workspace.list_filter = articles.current_filter
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, articles)
        guidelines = GuidelinesDock(self.project, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, guidelines)
        # Reading the guidelines is not typing: J/K, Ctrl+F, / and ? work there too (the
        # Markdown editor, a text field, keeps every key).
        guidelines.browser.installEventFilter(self)
        for dock in (articles, guidelines):
            self._dock_toggles.addAction(dock.toggleViewAction())
        return Docks(articles=articles, guidelines=guidelines)

    def _build_menus(self) -> Actions:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._add(file_menu, "&Welcome…", self.welcome)
        self._add(file_menu, "&New project…", self.new_project, QKeySequence.StandardKey.New)
        self._add(file_menu, "&Open project…", self.choose_project, QKeySequence.StandardKey.Open)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        self._add(file_menu, "&Import files…", lambda: self.import_files(), "Ctrl+I")
        self._add(file_menu, "Import &labelled files…", lambda: self.import_labelled_files())
        self._add(file_menu, "&Export…", lambda: ExportDialog(self.project, self).exec(), "Ctrl+E")
        self._add(file_menu, "&Merge work packages…", lambda: self.merge_packages())
        file_menu.addSeparator()
        self._add(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit = bar.addMenu("&Edit")
        undo = self.undo_group.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_group.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit.addActions([undo, redo])
        edit.addSeparator()
        self._add(edit, "&Schema…", self.edit_schema)
        article = bar.addMenu("&Article")
        # Plain keys and Ctrl+Enter belong to the article text (gui.key_table), so that typing
        # in the guidelines or the search box never marks an article done; the menu entries
        # run the same actions and show the keys the key table gives them (_label_menus).
        self._keyed: list[tuple[QAction, str, str]] = []
        done_next = self._add_keyed(article, "&Done, next to do", "done_and_next")
        self._add_keyed(article, "&Skip", "skip")
        self._add_keyed(article, "&Flag with a note…", "flag")
        article.addSeparator()
        self._add_keyed(article, "&Next article", "next_article")
        self._add_keyed(article, "&Previous article", "previous_article")
        article.addSeparator()
        self._add_keyed(article, "Next near-&duplicate", "next_near_duplicate")
        self._add(
            article,
            "&Apply my labels to its near-duplicates",
            lambda: self.workspace.apply_labels_to_near_duplicates(),
        )
        view = bar.addMenu("&View")
        zoom_in = self._add(view, "Zoom &in", lambda: self.workspace.view.zoom(1))
        zoom_in.setShortcuts(
            [QKeySequence(QKeySequence.StandardKey.ZoomIn), QKeySequence("Ctrl+=")]
        )
        zoom_out = self._add(
            view,
            "Zoom &out",
            lambda: self.workspace.view.zoom(-1),
            QKeySequence.StandardKey.ZoomOut,
        )
        # Ctrl+F from anywhere (the guidelines, the filters); / only where typing is not text.
        self._add_keyed(view, "&Find articles", "focus_search")
        view.addSeparator()
        self.view_options = add_view_options(
            view, self.settings, self, lambda: getattr(self.__dict__.get("workspace"), "view", None)
        )
        view.addSeparator()
        self._dock_toggles = view
        project_menu = bar.addMenu("&Project")
        self._add(project_menu, "A&ssign…", self.assign)
        self._add(
            project_menu,
            "&Write work packages…",
            lambda: PackageDialog(self.project, self).exec(),
        )
        self._add(project_menu, "&Team progress", lambda: TeamDialog(self.project, self).exec())
        project_menu.addSeparator()
        self._add(project_menu, "&Agreement…", self.show_agreement)
        self._add(project_menu, "&Review queue", lambda: self.workspace.enter_review())
        self._add(project_menu, "&Leave review mode", lambda: self.workspace.leave_review())
        people = bar.addMenu("A&nnotator")
        self._add(people, "&Switch annotator…", self.switch_annotator)
        help_menu = bar.addMenu("&Help")
        keymap = self._add_keyed(help_menu, "&Keyboard map", "keymap")
        self._add(help_menu, "&About Tandai", lambda: show_about(self))
        return Actions(undo, redo, done_next, zoom_in, zoom_out, keymap)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Read through __dict__, as the attribute may not be set yet; no guidelines dock
        # while one project gives way to another.
        docks: Docks | None = self.__dict__.get("docks")
        guidelines = docks.guidelines if docks is not None else None
        if (
            guidelines is not None
            and watched is guidelines.browser
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and self.workspace.handle_list_key(event)
        ):
            return True
        return super().eventFilter(watched, event)

    def focus_next_pane(self, step: int = 1) -> None:
        """Tab (``step`` 1) or Shift+Tab (-1): article list → text → guidelines → list."""
        articles, guidelines = self.docks
        targets: dict[QDockWidget, QWidget] = {}
        if articles is not None:
            targets[articles] = articles.view
        if guidelines is not None:
            # The stack always holds the browser and the editor: never None.
            targets[guidelines] = guidelines.stack.currentWidget() or guidelines.browser
        self.panels.focus_next(self.workspace.view.text, targets, step)

    def show_agreement(self) -> AgreementDialog:
        """Project ▸ Agreement: figures computed in the background; a disputed article
        opens in review mode."""
        dialog = AgreementDialog(self.project, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_article.connect(lambda aid: self.workspace.enter_review(aid))
        dialog.show()
        dialog.start()
        return dialog

    def _add_keyed(self, menu: QMenu, text: str, action: str) -> QAction:
        """A menu entry that runs a key-table action of the workspace (no shortcut of its
        own: the key goes to the article text)."""
        entry = self._add(menu, text, lambda: self.workspace.key_actions()[action]())
        self._keyed.append((entry, text, action))
        return entry

    def _label_menus(self) -> None:
        """Show in each keyed menu entry the keys the key table gives its action now (the
        schema decides some of them)."""
        for entry, text, action in self._keyed:
            keys = self.workspace.keys.shown_keys(action)
            entry.setText(f"{text}\t{keys}" if keys else text)
            if action == "focus_search":  # the one keyed entry that works from anywhere
                chords = self.workspace.keys.chords(action)
                entry.setShortcuts([QKeySequence(k) for k in chords])

    def _add(
        self,
        menu: QMenu,
        text: str,
        slot: object,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # ---- reactions -------------------------------------------------------------------------

    def _article_opened(self, article_id: int) -> None:
        self._show_language()
        self.settings.setValue(self._last_article_key(), article_id)
        if self.docks.articles is not None:
            self.docks.articles.set_current(article_id)

    def _changed(self, change: Change) -> None:
        """Every row the change names shows its new status and label count (a project-wide
        accept names every article it touched)."""
        # Session.changed comes after the commit: "Saved" is never shown for an edit
        # that did not reach the project.
        self.status.show_saved()
        if self.docks.articles is not None:
            self.docks.articles.refresh_articles(change.article_ids)

    def _show_progress(self) -> None:
        total = self._total
        articles = self.docks.articles
        if articles is not None and articles.queue_only():  # "n of N" of their own queue
            total = self.project.team.queue_length(self.annotator)
        self.status.show_progress(self.project.labels.done_count(self.annotator), total)

    def _act_as(self, name: str) -> None:
        """In a project file the annotator is who edits (a claim the file cannot check;
        roles then decide what they may change). On a server it is the login."""
        if self.project.is_sqlite:
            self.project.edits.act_as(name)

    def _annotator_changed(self, name: str) -> None:
        self._act_as(name)
        self.annotator = name
        if not self.workspace.in_review:  # reviewing works as gold for a while only
            save_annotator(self.settings, name)
        self.status.show_annotator(name)
        if self.docks.articles is not None:
            self.docks.articles.set_annotator(name)

    def switch_annotator(self) -> None:
        name = ask_annotator(self, current=self.annotator, known=self.project.annotators())
        if name:
            self.session.set_annotator(name)

    def show_keymap(self) -> None:
        self.keymap_dialog = KeymapDialog(self.workspace.key_help(), self)
        self.keymap_dialog.show()
