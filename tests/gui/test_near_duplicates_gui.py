"""Near-duplicates in the window: the list's column and filter, the line above the article,
and the D key that walks the group, with real key presses."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from core.models import NewArticle
from gui.article_list_model import DUPS
from gui.main_window import MainWindow
from storage import Project
from tests.fixtures.rewrites import corpus
from tests.gui.workspace_helpers import key, open_window


@pytest.fixture
def grouped_window(qtbot, tmp_path: Path, settings: QSettings):
    articles = corpus(2, stories=1, rewrites=(3, 3), reports=(1, 1), background=4)
    path = tmp_path / "dups.tandai"
    with Project.create(path) as project:
        project.imports.store_articles(
            [NewArticle(text=a.text, title=f"{a.kind} {a.index}") for a in articles]
        )
    win = open_window(qtbot, path, settings)
    assert win.catch_up is not None
    qtbot.waitUntil(
        lambda: win.project.near_duplicates.pending_near_duplicates() == 0, timeout=20_000
    )
    qtbot.waitUntil(lambda: not win.catch_up.job.is_running(), timeout=20_000)
    yield win, articles
    win.close()
    win.project.close()


def test_the_article_names_its_near_duplicates_and_d_walks_the_group(
    qtbot, grouped_window: tuple[MainWindow, list]
) -> None:
    win, _articles = grouped_window
    groups = win.project.near_duplicates.near_duplicate_groups()
    assert len(groups) == 1 and len(groups[0]) == 4  # the original and its three rewrites
    group = groups[0]
    win.workspace.show_article(group[0])
    bar = win.workspace.near_duplicates
    assert bar.isVisible()
    assert "3 near-duplicates" in bar.text()
    seen = [win.workspace.article_id]
    for _ in range(4):
        key(qtbot, win, "d")
        seen.append(win.workspace.article_id)
    assert seen == [*group, group[0]]  # in id order, then round to the first
    loner = next(i for i in win.project.article_ids() if i not in group)
    win.workspace.show_article(loner)
    assert not bar.isVisible()
    key(qtbot, win, "d")
    assert win.workspace.article_id == loner


def test_the_list_shows_the_count_and_one_per_group_hides_the_rewrites(
    qtbot, grouped_window: tuple[MainWindow, list]
) -> None:
    win, articles = grouped_window
    dock = win.docks.articles
    assert dock is not None
    model = dock.model
    group = win.project.near_duplicates.near_duplicate_groups()[0]
    shown = {model.article_id(r): model.index(r, DUPS).data() for r in range(model.rowCount())}
    assert all(shown[i] == 3 for i in group)
    assert all(v == "" for i, v in shown.items() if i not in group)
    assert not dock.view.isColumnHidden(DUPS)  # shown once there are near-duplicates
    dock.one_per_group.click()
    qtbot.waitUntil(lambda: model.rowCount() == len(articles) - 3)
    remaining = {model.article_id(r) for r in range(model.rowCount())}
    assert group[0] in remaining and not remaining & set(group[1:])


def test_apply_my_labels_puts_them_in_the_near_duplicates_as_suggestions(
    qtbot, grouped_window: tuple[MainWindow, list]
) -> None:
    win, articles = grouped_window
    group = win.project.near_duplicates.near_duplicate_groups()[0]
    original = next(a for a in articles if a.kind == "original")
    labelled = next(i for i in group if win.project.article(i).text == original.text)
    for start, end, label in original.spans:
        win.project.labels.add_span(
            labelled, annotator="ani", layer="entity", label=label, start=start, end=end
        )
    win.workspace.show_article(labelled)
    messages: list[str] = []
    win.workspace.message.connect(messages.append)
    action = next(
        a
        for menu in win.menuBar().actions()
        for a in menu.menu().actions()
        if a.text().startswith("&Apply my labels")
    )
    action.trigger()
    assert messages and "carried to 3 near-duplicates" in messages[-1]
    key(qtbot, win, "d")
    following = win.workspace.article_id
    assert following in group and following != labelled
    pending = win.project.suggestions.suggestions(following, annotator="ani")
    carried = {s.id for s in pending if s.source == "near-duplicate"}
    assert carried
    assert carried <= {s.id for s in win.workspace.suggestions.items}  # shown on opening


def test_a_carried_stance_shows_beside_the_keys_g_accepts_it_and_ctrl_z_undoes_it(
    qtbot, grouped_window: tuple[MainWindow, list]
) -> None:
    from PySide6.QtCore import Qt

    win, _articles = grouped_window
    group = win.project.near_duplicates.near_duplicate_groups()[0]
    labelled, accepted, rejected = group[0], group[1], group[2]
    win.workspace.show_article(labelled)
    key(qtbot, win, "w")  # the default schema's key for stance main: against
    assert win.project.labels.doc_labels(labelled, annotator="ani") == {"stance:main": "against"}
    messages: list[str] = []
    win.workspace.message.connect(messages.append)
    win.workspace.apply_labels_to_near_duplicates()
    assert "3 stances carried (3 new)" in messages[-1]

    stance = win.workspace.label_bar.stance
    key(qtbot, win, "d")
    assert win.workspace.article_id == accepted
    shown = stance.proposals["main"].text()
    assert shown == "near-duplicate: against 100% · G accepts, Shift+G rejects"
    assert win.project.labels.doc_labels(accepted, annotator="ani") == {}  # shown, not stored
    key(qtbot, win, "g")
    assert win.project.labels.doc_labels(accepted, annotator="ani") == {"stance:main": "against"}
    with Project.open(win.project.target) as other:  # a second connection: it is stored
        assert other.labels.doc_label_origins(accepted, annotator="ani") == {
            "stance:main": "suggestion:near-duplicate"
        }
    assert stance.buttons[("main", "against")].isChecked()
    assert stance.proposals["main"].text() == ""  # decided: no proposal
    key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert win.project.labels.doc_labels(accepted, annotator="ani") == {}
    assert not stance.buttons[("main", "against")].isChecked()
    assert stance.proposals["main"].text() == shown

    key(qtbot, win, "d")
    assert win.workspace.article_id == rejected
    key(qtbot, win, "G", Qt.KeyboardModifier.ShiftModifier)
    assert stance.proposals["main"].text() == ""
    assert win.project.labels.doc_labels(rejected, annotator="ani") == {}
    assert win.project.suggestions.doc_suggestions(rejected, annotator="ani") == []
    key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stance.proposals["main"].text() == shown
