"""Team work in the app: the Assign dialog's preview and apply, the article list's
"Assigned to me", next to do in the queue, merging packages, the Team view, and opening a
package offering its owner as annotator. Real project files, real windows, offscreen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from core.query import ArticleFilter
from gui.article_list import ALL
from gui.assign_dialog import AssignDialog
from gui.team_dialogs import MergeDialog, TeamDialog
from storage import Project
from tests.gui.workspace_helpers import open_window


def cells(table, col: int) -> list[str]:
    return [table.item(row, col).text() for row in range(table.rowCount())]


def test_assign_previews_the_counts_then_applies_them(qtbot, project_path: Path) -> None:
    with Project.open(project_path) as project:
        dialog = AssignDialog(project)
        qtbot.addWidget(dialog)
        dialog.annotators.setText("ana, budi")
        dialog.overlap.setValue(50)
        dialog.preview()
        qtbot.waitUntil(lambda: dialog.assign_button.isEnabled(), timeout=10_000)
        assert cells(dialog.table, 0) == ["ana", "budi"]
        assert cells(dialog.table, 2) == ["+3", "+3"]
        assert "4 unassigned articles match; 2 of them go to 2" in dialog.summary.text()
        assert not project.team.has_assignments()  # a preview writes nothing
        dialog.apply()
        qtbot.waitUntil(lambda: "Assigned 4 articles" in dialog.outcome.text(), timeout=10_000)
        assert project.team.assignment_counts() == {"ana": 3, "budi": 3}
        qtbot.waitUntil(lambda: "nothing to add" in dialog.summary.text(), timeout=10_000)
        dialog.move_from.setCurrentText("ana")
        dialog.move_to.setCurrentText("budi")
        dialog.reassign()
        qtbot.waitUntil(lambda: "Moved" in dialog.outcome.text(), timeout=10_000)
        assert project.team.assignment_counts() == {"budi": 4}
        dialog.annotators.setText("ana,,budi")
        dialog.preview()
        assert "empty name" in dialog.summary.text() and not dialog.assign_button.isEnabled()
        dialog.reject()


def test_the_list_shows_my_queue_first_and_all_articles_one_click_away(
    qtbot, project_path: Path, settings: QSettings
) -> None:
    with Project.open(project_path) as project:
        project.team.assign(["ani", "budi"], seed=2)
        mine = [a.id for a in project.list_articles(ArticleFilter(assigned_to="ani"))]
    win = open_window(qtbot, project_path, settings)
    dock = win.docks.articles
    assert dock is not None and not dock.scope_box.isHidden()
    assert dock.queue_only() and dock.model.rowCount() == len(mine) == 2
    assert win.workspace.article_id == mine[0]
    win.workspace.open_next_todo()
    assert win.workspace.article_id == mine[1]  # next to do stays in the queue
    dock.show_all()
    assert not dock.queue_only() and dock.model.rowCount() == 4
    win.session.set_annotator("citra")  # holds nothing: sees every article
    assert dock.scope_box.currentData() == ALL and dock.model.rowCount() == 4
    win.session.set_annotator("budi")
    assert dock.queue_only() and dock.model.rowCount() == 2
    win.close()


def test_a_project_without_assignments_has_no_scope_choice(window) -> None:
    dock = window.docks.articles
    assert dock.scope_box.isHidden() and not dock.queue_only()
    assert dock.model.rowCount() == 4


def test_merge_dialog_merges_packages_in_the_background_and_reports(
    qtbot, project_path: Path, tmp_path: Path
) -> None:
    with Project.open(project_path) as project:
        project.team.assign(["ana", "budi"])
        project.team.write_packages(tmp_path / "out")
    first = None
    with Project.open(tmp_path / "out" / "ana.tandai") as pkg:
        first = next(iter(pkg.article_ids()))
        pkg.labels.add_span(first, annotator="ana", layer="entity", label="PER", start=0, end=4)
        pkg.labels.set_status(first, annotator="ana", status="done", add_seconds=8)
    with Project.open(project_path) as project:
        dialog = MergeDialog(
            project, [tmp_path / "out" / "ana.tandai", tmp_path / "out" / "budi.tandai"]
        )
        qtbot.addWidget(dialog)
        dialog.start()
        qtbot.waitUntil(lambda: "Merged 2 of 2" in dialog.phase_label.text(), timeout=20_000)
        log = dialog.log.toPlainText()
        assert "ana, 2 articles: 1 with changed labels" in log and "budi" in log
        assert [s.label for s in project.labels.spans(first, annotator="ana")] == ["PER"]
        team = TeamDialog(project)
        qtbot.addWidget(team)
        qtbot.waitUntil(lambda: team.table.rowCount() == 3, timeout=10_000)
        assert cells(team.table, 0) == ["ana", "budi", "Whole project"]
        assert cells(team.table, 2) == ["1", "0", "1"] and cells(team.table, 6)[0] == "8"


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No])
def test_opening_a_package_offers_its_owner_as_annotator(
    qtbot, monkeypatch, project_path: Path, tmp_path: Path, settings: QSettings, answer
) -> None:
    with Project.open(project_path) as project:
        project.team.assign(["budi"])
        project.team.write_packages(tmp_path / "out")
    asked: list[str] = []

    def question(_parent, _title, text, *args):
        asked.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    win = open_window(qtbot, tmp_path / "out" / "budi.tandai", settings)
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert "budi's work package" in asked[0]
    expected = "budi" if answer == QMessageBox.StandardButton.Yes else "ani"
    assert win.session.annotator == expected
    if expected == "budi":
        assert win.docks.articles.queue_only() and win.docks.articles.model.rowCount() == 4
    win.close()


@pytest.mark.postgres
def test_on_a_server_project_each_annotator_sees_their_queue(qtbot, settings: QSettings) -> None:
    from tests.conftest import postgres_url_or_skip

    url = postgres_url_or_skip()
    with Project.create(url) as project:
        from core.models import NewArticle

        project.imports.store_articles(
            NewArticle(text=f"Berita nomor {i} hari ini.") for i in range(9)
        )
        project.team.assign(["ana", "budi", "citra"], seed=4)
        queue = [a.id for a in project.list_articles(ArticleFilter(assigned_to="budi"))]
    win = open_window(qtbot, url, settings, annotator="budi")
    dock = win.docks.articles
    assert dock.queue_only() and [dock.model.article_id(r) for r in range(3)] == queue
    assert win.workspace.article_id == queue[0]
    assert url not in str(settings.allKeys()) + str([settings.value(k) for k in settings.allKeys()])
    win.close()
    win.project.close()


def test_the_schema_editor_says_when_only_a_lead_may_save(qtbot, project_path: Path) -> None:
    from gui.schema_editor import SchemaEditorDialog

    with Project.open(project_path, user="boss") as project:
        project.edits.set_role("boss", "lead")
    with Project.open(project_path, user="ani") as project:
        dialog = SchemaEditorDialog(project)
        qtbot.addWidget(dialog)
        dialog.accept()
        assert "only a lead may edit the schema" in dialog.error_label.text()
        assert dialog.result() != dialog.DialogCode.Accepted


def test_in_a_project_with_a_lead_the_app_edits_as_its_annotator(
    qtbot, project_path: Path, settings: QSettings
) -> None:
    with Project.open(project_path, user="boss") as project:
        project.edits.set_role("boss", "lead")
        first = next(iter(project.article_ids()))
        project.labels.add_span(
            first, annotator="boss", layer="entity", label="PER", start=0, end=4
        )
    win = open_window(qtbot, project_path, settings, annotator="ani")
    assert win.project.edits.acting_as == "ani"
    win.workspace.key_actions()["done_and_next"]()  # ani's own status: allowed
    assert win.project.labels.progress(first, annotator="ani").status == "done"
    from storage import LabelError

    with pytest.raises(LabelError, match="ani may not change boss's labels"):
        win.project.labels.delete_span(win.project.labels.spans(first, annotator="boss")[0].id)
    win.session.set_annotator("boss")
    assert win.project.edits.acting_as == "boss"
    win.close()
