"""Project ▸ Agreement on a real team project: the figures the CLI gives, a heat map, the
stance confusion, the most disputed articles, and adjudication from the dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from gui.agreement_dialog import AgreementDialog, heat_colour
from storage import Project
from tests.storage.agreement_helpers import team_project


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "team.tandai"
    with Project.create(path) as project:
        team_project(project)
    return path


def _finished(qtbot, dialog: AgreementDialog) -> None:
    qtbot.waitUntil(
        lambda: not dialog.is_running() and dialog.refresh_button.isEnabled(), timeout=15_000
    )


def test_the_dialog_shows_the_figures_of_project_agreement(qtbot, window) -> None:
    dialog = window.show_agreement()
    _finished(qtbot, dialog)
    expected = window.project.agreement()
    assert dialog.report is not None and dialog.report.to_json() == expected.to_json()
    tops = [
        dialog.figures.topLevelItem(i).text(0) for i in range(dialog.figures.topLevelItemCount())
    ]
    assert tops == ["stance: main", "boilerplate lines", "entity (F1 exact / overlap)"]
    stance = dialog.figures.topLevelItem(0)
    assert stance.text(4) == f"{expected.stance['main'].alpha:.3f}"
    first_pair = stance.child(0)
    pair = expected.stance["main"].pairs[0]
    assert [first_pair.text(i) for i in range(4)] == [
        "ana / budi",
        "2",
        "50.0%",
        "–" if pair.kappa is None else f"{pair.kappa:.3f}",
    ]


def test_heat_map_and_confusion_follow_the_choice(qtbot, window) -> None:
    dialog = window.show_agreement()
    _finished(qtbot, dialog)
    report = dialog.report
    assert report is not None
    dialog.heat_choice.setCurrentIndex(dialog.heat_choice.findText("F1: entities"))
    ana_budi = next(p for p in report.entity.pairs if (p.a, p.b) == ("ana", "budi"))
    cell = dialog.heat.item(0, 1)
    assert cell.text() == f"{ana_budi.f1:.3f}"
    assert cell.background().color() == heat_colour(ana_budi.f1)
    assert dialog.heat.item(1, 0).text() == cell.text()  # symmetric
    assert heat_colour(1.0).green() > heat_colour(1.0).red()
    assert heat_colour(0.0).red() > heat_colour(0.0).green()
    dialog.confusion_target.setCurrentText("main")
    dialog.confusion_pair.setCurrentText("ana / budi")
    values, counts = dialog.confusion_counts()
    # a: favour/favour; b: neutral (ana) / against (budi).
    assert values == ["against", "favour", "neutral"]
    assert counts == [[0, 0, 0], [0, 1, 0], [1, 0, 0]]
    assert dialog.confusion.item(2, 0).text() == "1"


def test_a_click_on_a_disputed_article_opens_it(qtbot, window) -> None:
    dialog = window.show_agreement()
    _finished(qtbot, dialog)
    assert dialog.disputed.count() == 2
    first = dialog.disputed.item(0)
    target = first.data(Qt.ItemDataRole.UserRole)
    with qtbot.waitSignal(dialog.open_article, timeout=2000) as signal:
        rect = dialog.disputed.visualItemRect(first)
        dialog.tabs.setCurrentIndex(3)
        qtbot.mouseClick(dialog.disputed.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == [target]
    # It opens in review mode: every annotator's labels in lanes, gold being built.
    assert window.workspace.article_id == target
    assert window.workspace.in_review and window.workspace.session.annotator == "gold"
    review = window.workspace.review
    assert review is not None and review.review is not None
    assert review.review.article_id == target
    assert review.review.finishers == ("ana", "budi")


def test_adjudicate_from_the_dialog_fills_gold_and_the_review_queue(qtbot, window) -> None:
    dialog = window.show_agreement()
    _finished(qtbot, dialog)
    qtbot.mouseClick(dialog.adjudicate_button, Qt.MouseButton.LeftButton)
    _finished(qtbot, dialog)
    assert dialog.adjudication is not None
    assert (dialog.adjudication.decided, dialog.adjudication.review) == (2, 1)
    assert "2 decided (done for gold), 1 to review" in dialog.phase_label.text()
    assert len(window.project.review_queue()) == 1


def test_the_menu_entry_opens_the_dialog(qtbot, window, settings: QSettings) -> None:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Project")
    entry = next(a for a in menu.actions() if a.text() == "&Agreement…")
    entry.trigger()
    dialogs = [w for w in window.findChildren(AgreementDialog)]
    assert len(dialogs) == 1
    _finished(qtbot, dialogs[0])
    assert dialogs[0].report is not None
