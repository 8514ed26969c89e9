"""The guidelines panel renders the project's Markdown and saves edits into the project."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gui.guidelines_panel import GuidelinesDock
from storage import Project


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    with Project.create(tmp_path / "g.tandai") as proj:
        yield proj


def test_guidelines_are_rendered_edited_and_saved_into_the_project(
    qtbot, project: Project, tmp_path: Path
) -> None:
    project.set_guidelines("# Pedoman\n\n- **PER**: orang 👨🏻‍🚒\n")
    dock = GuidelinesDock(project)
    qtbot.addWidget(dock)
    assert dock.stack.currentWidget() is dock.browser
    assert "Pedoman" in dock.browser.toPlainText() and "#" not in dock.browser.toPlainText()
    assert not dock.save_button.isEnabled()

    dock.edit_button.click()
    assert dock.stack.currentWidget() is dock.editor
    dock.editor.appendPlainText("- **GPE**: negara, kota (𠮷)")
    assert dock.save_button.isEnabled() and dock.state_label.text() == "unsaved changes"
    with qtbot.waitSignal(dock.saved):
        dock.save_button.click()
    assert dock.stack.currentWidget() is dock.browser
    assert "GPE: negara" in dock.browser.toPlainText()
    target = project.target
    project.close()
    with Project.open(target) as reopened:
        assert reopened.guidelines().endswith("- **GPE**: negara, kota (𠮷)")


def test_revert_drops_unsaved_edits_and_an_empty_project_shows_a_hint(
    qtbot, project: Project
) -> None:
    dock = GuidelinesDock(project)
    qtbot.addWidget(dock)
    assert "No guidelines yet" in dock.browser.toPlainText()
    dock.edit_button.click()
    dock.editor.setPlainText("draft")
    dock.edit_button.click()  # preview of the draft, still unsaved
    assert dock.browser.toPlainText() == "draft" and dock.is_modified()
    dock.revert_button.click()
    assert dock.markdown() == "" and not dock.is_modified()
    assert project.guidelines() == ""
