"""The team workflow through the app alone, on real files: a lead assigns five annotators
with a preview, writes their work packages; each annotator opens theirs (the app offers the
package's owner as annotator), labels with the keyboard and marks done; the lead merges the
packages back and reads the Team view."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from core.models import NewArticle
from gui.assign_dialog import AssignDialog
from gui.team_dialogs import MergeDialog, PackageDialog, TeamDialog
from storage import Project
from tests.gui.workspace_helpers import click_at, key, open_window

NAMES = ["ana", "budi", "citra", "dewi", "eko"]


def test_assign_package_label_merge_and_progress_in_the_app(
    qtbot, monkeypatch, tmp_path: Path, settings: QSettings
) -> None:
    path = tmp_path / "team.tandai"
    with Project.create(path) as project:
        project.imports.store_articles(
            NewArticle(
                text=f"Joko Widodo 👨🏻‍🚒 meresmikan jembatan nomor {i} di 𠮷野.", title=f"J{i}"
            )
            for i in range(20)
        )
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)

    lead = open_window(qtbot, path, settings, annotator="lead")
    assign = AssignDialog(lead.project, lead)
    assign.annotators.setText(", ".join(NAMES))
    assign.overlap.setValue(20)
    assign.preview()
    qtbot.waitUntil(lambda: assign.assign_button.isEnabled(), timeout=10_000)
    new = sorted(assign.table.item(r, 2).text() for r in range(5))
    assert new == ["+4", "+5", "+5", "+5", "+5"]  # 20 articles + 4 shared: 24 within one
    assign.apply()
    qtbot.waitUntil(lambda: "Assigned 20 articles" in assign.outcome.text(), timeout=10_000)
    assign.reject()
    packages = PackageDialog(lead.project, lead)
    packages.folder.setText(str(tmp_path / "out"))
    packages.start()
    qtbot.waitUntil(lambda: len(packages.written) == 5, timeout=20_000)
    packages.reject()
    lead.close()
    lead.project.close()

    for name in NAMES:
        win = open_window(qtbot, tmp_path / "out" / f"{name}.tandai", settings, annotator="lead")
        qtbot.waitUntil(lambda name=name, win=win: win.session.annotator == name, timeout=5000)
        assert win.docks.articles.queue_only()
        click_at(qtbot, win, 0)
        for _ in range(len("Joko Widodo")):
            key(qtbot, win, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        key(qtbot, win, "1")
        labelled = win.workspace.article_id
        win.workspace.key_actions()["done_and_next"]()
        assert win.project.labels.progress(labelled, annotator=name).status == "done"
        win.close()
        win.project.close()

    lead = open_window(qtbot, path, settings, annotator="lead")
    merge = MergeDialog(lead.project, sorted((tmp_path / "out").glob("*.tandai")), lead)
    merge.start()
    qtbot.waitUntil(lambda: "Merged 5 of 5" in merge.phase_label.text(), timeout=30_000)
    assert merge.log.toPlainText().count("1 with changed labels (+1 / -0 spans") == 5
    merge.reject()
    team = TeamDialog(lead.project, lead)
    qtbot.waitUntil(lambda: team.table.rowCount() == 6, timeout=10_000)
    done = {team.table.item(r, 0).text(): team.table.item(r, 2).text() for r in range(6)}
    assert done == {**dict.fromkeys(NAMES, "1"), "Whole project": "5"}
    for name in NAMES:
        spans = [
            s
            for aid in lead.project.article_ids()
            for s in lead.project.labels.spans(aid, annotator=name)
        ]
        text = lead.project.article(spans[0].article_id).text
        assert [(s.label, text[s.start : s.end]) for s in spans] == [("PER", "Joko Widodo")]
    team.reject()
    lead.close()
