"""The "Rules & phrases" tab of the Suggestions dialog: the annotator's own boilerplate
phrases are suggested in the articles and go away when removed; rules are listed and removed
with their suggestions. Real project file, real window, clicks and typing through Qt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QTextCharFormat

from core.models import NewArticle
from core.suggest.rules import Rule
from gui.main_window import MainWindow
from gui.suggestions_dialog import SuggestionsDialog
from storage import Project
from tests.gui import workspace_helpers as wh

PROMO = "📣 Dukung Kabar Nusa lewat Trakteer 👨🏻‍🚒"
TEXT = (
    "Warga 𠮷野 di tepi sungai mengungsi ke balai desa sejak Senin, kata kepala desa "
    "kepada wartawan di Lembah Hijau.\n\n"
    "مرحبا بالعالم cafe\u0301\n\n"
    f"{PROMO}\n\n"
    "Air mulai surut pada Selasa sore, tetapi listrik di dua dusun belum menyala lagi.\n\n"
    "Baca juga: Banjir di Hilir"
)
OTHER = "Harga cabai naik lagi di pasar induk pada pekan ini.\n\nDukung Kabar Nusa lewat Trakteer"
RULE = Rule("exact", "مرحبا بالعالم cafe\u0301")


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "rules.tandai"
    with Project.create(path) as project:
        project.store_articles(
            [
                NewArticle(text=TEXT, title="Banjir", source="kabar.example"),
                NewArticle(text=OTHER, title="Cabai", source="kabar.example"),
            ]
        )
        project.run_suggesters()
        project.apply_rule(RULE)
    return path


@pytest.fixture
def window(qtbot, project_path: Path, settings: QSettings) -> Iterator[MainWindow]:
    win = wh.open_window(qtbot, project_path, settings)
    win.workspace.show_article(next(win.project.article_ids()))
    yield win
    win.close()
    win.project.close()


@pytest.fixture
def dialog(qtbot, window: MainWindow) -> Iterator[SuggestionsDialog]:
    ws = window.workspace
    dlg = SuggestionsDialog(ws.suggestions, ws)
    qtbot.addWidget(dlg)
    dlg.show()
    settle(qtbot, dlg)
    dlg.tabs.setCurrentWidget(dlg.rules_panel)
    yield dlg
    dlg.close()


def settle(qtbot, dialog: SuggestionsDialog) -> None:
    qtbot.waitUntil(lambda: dialog.idle() and not dialog.cancel.isEnabled())


def underlined(win: MainWindow) -> list[str]:
    """The text under each dashed underline the overlay drew in the open article."""
    out = []
    for sel in win.workspace.view.text.extraSelections():
        assert sel.format.underlineStyle() == QTextCharFormat.UnderlineStyle.DashUnderline
        out.append(sel.cursor.selectedText())
    return out


def lexicon_lines(project: Project) -> list[str]:
    return [
        project.article(aid).text[s.start : s.end]
        for aid in project.article_ids()
        for s in project.suggestions(aid, sources=["lexicon"])
    ]


def rows(table) -> list[list[str]]:
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def test_a_phrase_added_in_the_panel_is_suggested_and_gone_once_removed(
    qtbot, window: MainWindow, dialog: SuggestionsDialog
) -> None:
    panel = dialog.rules_panel
    assert PROMO not in underlined(window)
    panel.kind.setCurrentIndex(panel.kind.findData("prefixes"))
    qtbot.keyClicks(panel.phrase, "Dukung Kabar Nusa")
    qtbot.mouseClick(panel.add_phrase, Qt.MouseButton.LeftButton)
    settle(qtbot, dialog)
    assert rows(panel.phrase_table) == [["Line starts with", "Dukung Kabar Nusa"]]
    assert window.project.user_lexicon() == {"prefixes": ["Dukung Kabar Nusa"]}
    assert "2 new, 0 removed" in dialog.status.text()
    # Both articles, at code-point offsets (emoji before, inside and after the words).
    assert {PROMO, "Dukung Kabar Nusa lewat Trakteer"} <= set(lexicon_lines(window.project))
    assert PROMO in underlined(window)  # drawn in the open article at once

    panel.phrase_table.selectRow(0)
    qtbot.mouseClick(panel.remove_phrase, Qt.MouseButton.LeftButton)
    settle(qtbot, dialog)
    assert rows(panel.phrase_table) == []
    assert window.project.user_lexicon() == {}
    assert "0 new, 2 removed" in dialog.status.text()
    assert PROMO not in lexicon_lines(window.project)
    assert PROMO not in underlined(window)
    assert "Baca juga: Banjir di Hilir" in underlined(window)  # the bundled lexicon stays


def test_a_bad_pattern_is_refused_with_the_reason_and_nothing_is_kept(
    qtbot, window: MainWindow, dialog: SuggestionsDialog
) -> None:
    panel = dialog.rules_panel
    panel.kind.setCurrentIndex(panel.kind.findData("patterns"))
    qtbot.keyClicks(panel.phrase, "^(Dukung")
    qtbot.keyClick(panel.phrase, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert "bad pattern" in dialog.status.text()
    assert panel.phrase.text() == "^(Dukung"  # kept for correcting
    assert rows(panel.phrase_table) == [] and window.project.user_lexicon() == {}


def test_the_projects_rules_are_listed_and_one_removed_takes_its_suggestions(
    qtbot, window: MainWindow, dialog: SuggestionsDialog
) -> None:
    panel = dialog.rules_panel
    assert rows(panel.rule_table) == [
        [f"Line is exactly “{RULE.text}”", RULE.source, "1"]  # pending for ani
    ]
    assert RULE.text in underlined(window)
    sources = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert RULE.source in sources

    panel.rule_table.selectRow(0)
    qtbot.mouseClick(panel.remove_rule, Qt.MouseButton.LeftButton)
    settle(qtbot, dialog)
    assert dialog.status.text() == f"Removed {RULE.source}; 1 of its suggestions dropped"
    assert rows(panel.rule_table) == [] and not panel.remove_rule.isEnabled()
    assert window.project.rules() == []
    aid = window.workspace.article_id
    assert window.project.suggestions(aid, sources=[RULE.source]) == []
    assert RULE.text not in underlined(window)
    sources = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert RULE.source not in sources  # the sources table was refreshed


def test_a_rule_applied_from_the_line_at_the_cursor_appears_in_the_list(
    qtbot, window: MainWindow
) -> None:
    wh.click_at(qtbot, window, wh.utf16(TEXT, TEXT.index("Banjir di Hilir")))
    ws = window.workspace
    dialog = SuggestionsDialog(ws.suggestions, ws)
    qtbot.addWidget(dialog)
    settle(qtbot, dialog)
    assert dialog.rules[0] == Rule("prefix", "Baca juga:")
    dialog.rule_choice.setCurrentIndex(0)
    dialog.apply_selected_rule()
    settle(qtbot, dialog)
    table = rows(dialog.rules_panel.rule_table)
    assert [r[1:] for r in table] == [[RULE.source, "1"], ["rule:^Baca juga:", "1"]]
    dialog.close()
