"""Learned suggestions follow their teacher, driven with real keys and clicks: a label
suggests its string in the other articles; undo (Ctrl+Z), Delete, relabel (another label
key) and reject (X) take that back across the project at once, and a rejected string stays
turned down for that label. Checked through a second connection to the file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from core.models import NewArticle
from gui.main_window import MainWindow
from storage import Project
from tests.gui import workspace_helpers as wh
from tests.gui.workspace_helpers import click_at, drag_select, key, selected_text, utf16

FIRST = "Presiden Donald Trump tiba di Jakarta, Rabu (18/12/2024) pagi."
SECOND = "Trump bertemu menteri, Rabu (18/12/2024) siang."
THIRD = "Kata Trump kepada wartawan: Trump tidak hadir."
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "flow.tandai"
    with Project.create(path) as project:
        project.store_articles(
            [NewArticle(text=t, title=f"Berita {i}") for i, t in enumerate((FIRST, SECOND, THIRD))]
        )
    return path


@pytest.fixture
def window(qtbot, project_path: Path, settings: QSettings) -> Iterator[MainWindow]:
    win = wh.open_window(qtbot, project_path, settings)
    win.workspace.show_article(article_with(win, FIRST))
    win.workspace.view.text.setFocus()
    yield win
    win.close()
    win.project.close()


def article_with(win: MainWindow, text: str) -> int:
    return next(a for a in win.project.article_ids() if win.project.article(a).text == text)


def learned(win: MainWindow) -> list[tuple[str, str, str]]:
    """(article text start, string, label) of every own-labels suggestion in the file."""
    out = []
    with Project.open(win.project.target) as other:
        for aid in other.article_ids():
            text = other.article(aid).text
            for s in other.suggestions(aid, sources=["own-labels"]):
                out.append((text[:5], text[s.start : s.end], s.label))
    return sorted(out)


def label_with_key(qtbot, win: MainWindow, phrase: str, label_key: str) -> int:
    """Drag over ``phrase`` in the open article, press a label key, wait for the background
    search the label starts; returns the phrase's code-point start."""
    start = FIRST.index(phrase)
    drag_select(qtbot, win, utf16(FIRST, start), utf16(FIRST, start + len(phrase)))
    assert selected_text(win) == phrase
    key(qtbot, win, label_key)
    qtbot.waitUntil(lambda: not win.workspace.suggestions.jobs)
    return start


TRUMPS = [("Kata ", "Trump", "PER"), ("Kata ", "Trump", "PER"), ("Presi", "Trump", "PER"),
          ("Trump", "Trump", "PER")]  # fmt: skip


def test_undo_of_a_label_takes_back_what_it_taught_in_every_article(
    qtbot, window: MainWindow
) -> None:
    label_with_key(qtbot, window, "Trump", "1")  # PER
    assert learned(window) == TRUMPS
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert learned(window) == []


def test_delete_of_a_label_takes_back_what_it_taught(qtbot, window: MainWindow) -> None:
    start = label_with_key(qtbot, window, "Trump", "1")
    click_at(qtbot, window, utf16(FIRST, start + 2))
    assert selected_text(window) == "Trump"
    key(qtbot, window, Qt.Key.Key_Delete)
    assert learned(window) == []


def test_relabelling_takes_back_the_old_label_and_teaches_the_new_one(
    qtbot, window: MainWindow
) -> None:
    start = label_with_key(qtbot, window, "Trump", "2")  # ORG, a mistake
    assert {lab for _t, _s, lab in learned(window)} == {"ORG"}
    click_at(qtbot, window, utf16(FIRST, start + 2))
    key(qtbot, window, "1")  # PER
    qtbot.waitUntil(lambda: not window.workspace.suggestions.jobs)
    assert learned(window) == TRUMPS


def test_a_rejected_string_leaves_every_article_and_never_comes_back(
    qtbot, window: MainWindow
) -> None:
    label_with_key(qtbot, window, "Rabu", "2")  # ORG: punctuation labelled by mistake
    assert [s for _t, s, _l in learned(window)] == ["Rabu", "Rabu"]
    window.workspace.show_article(article_with(window, SECOND))
    window.workspace.view.text.setFocus()
    click_at(qtbot, window, 0)
    key(qtbot, window, "n")
    assert selected_text(window) == "Rabu"
    key(qtbot, window, "x")
    assert learned(window) == []  # the labelled article's one too: the string is turned down
    with Project.open(window.project.target) as other:
        other.run_suggesters(sources=["own-labels"])  # the label still exists in FIRST
    assert learned(window) == []
    key(qtbot, window, Qt.Key.Key_Z, CTRL)  # undo of the reject
    assert [s for _t, s, _l in learned(window)] == ["Rabu", "Rabu"]
