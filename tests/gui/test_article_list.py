"""The article list dock: lazy loading, filters, sorting, search, activation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt

from core.query import ArticleFilter
from gui.article_list import SEARCH_DELAY_MS, ArticleListDock
from gui.article_list_model import LABELS, STATUS, TITLE, ArticleListModel
from storage import Project

TEXTS = {
    "id": "Pemerintah kota mengirim bantuan kepada warga desa yang terkena banjir besar "
    "pada hari Rabu, kata pejabat senior kepada wartawan di rumah sakit.",
    "en": "The government of the city sent aid to the villagers who were hit by the great "
    "flood on Wednesday, a senior official told reporters at the hospital.",
    "de": "Die Regierung der Stadt schickte den Dorfbewohnern, die am Mittwoch vom großen "
    "Hochwasser getroffen wurden, Hilfe, sagte ein hoher Beamter im Krankenhaus.",
}
LANGS = list(TEXTS)
ANN = "ani"


def write_articles(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(count):
            lang = LANGS[i % 3]
            extra = " Kata kunci khusus: gempa." if i in (4, 13) else ""
            record = {
                "id": f"a{i}",
                "title": f"{lang.upper()} {i:02d} 👨🏻‍🚒 𠮷",
                "text": f"{TEXTS[lang]} Nomor {i}.{extra}",
                "source": f"site{i % 4}.example",
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    data = tmp_path / "articles.jsonl"
    write_articles(data, 30)
    with Project.create(tmp_path / "list.tandai") as proj:
        report = proj.imports.import_files([data])
        assert report.imported == 30
        yield proj


@pytest.fixture
def dock(qtbot, project: Project) -> ArticleListDock:
    widget = ArticleListDock(project, ANN)
    qtbot.addWidget(widget)
    widget.resize(500, 700)
    return widget


def ids_in(model: ArticleListModel) -> list[int]:
    while model.canFetchMore():
        model.fetchMore()
    return [model.article_id(r) for r in range(model.rowCount())]


def test_model_passes_qt_model_tester_while_fetching_in_small_pages(
    qtmodeltester, project: Project
) -> None:
    model = ArticleListModel(project, annotator=ANN, page=7)
    qtmodeltester.check(model)
    model.sort(LABELS, Qt.SortOrder.DescendingOrder)
    model.set_filter(ArticleFilter(annotator=ANN, langs=("en",)))
    qtmodeltester.check(model)


def test_rows_are_loaded_a_page_at_a_time_not_all_at_once(project: Project) -> None:
    model = ArticleListModel(project, annotator=ANN, page=12)
    assert model.rowCount() == 12
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 24
    model.fetchMore()
    assert model.rowCount() == 30
    assert not model.canFetchMore()


def test_scrolling_the_view_to_the_bottom_fetches_one_more_page(qtbot, project: Project) -> None:
    widget = ArticleListDock(project, ANN)
    qtbot.addWidget(widget)
    widget.model.page = 5
    widget.model.restart()
    widget.resize(400, 200)  # a few rows visible
    widget.show()
    qtbot.waitExposed(widget)
    before = widget.model.rowCount()
    assert before < 30
    widget.view.scrollToBottom()
    qtbot.waitUntil(lambda: widget.model.rowCount() > before)
    assert widget.model.rowCount() < 30


def test_status_filter_is_judged_for_the_current_annotator(
    qtbot, dock: ArticleListDock, project: Project
) -> None:
    ids = list(project.article_ids())
    project.labels.set_status(ids[0], annotator=ANN, status="done")
    project.labels.set_status(ids[1], annotator=ANN, status="flagged")
    project.labels.set_status(ids[2], annotator="budi", status="done")
    dock.status_box.setCurrentIndex(dock.status_box.findData("done"))
    assert ids_in(dock.model) == [ids[0]]
    qtbot.waitUntil(lambda: dock.count_label.text() == "1 article")
    dock.set_annotator("budi")
    assert ids_in(dock.model) == [ids[2]]
    dock.status_box.setCurrentIndex(dock.status_box.findData("todo"))
    assert ids_in(dock.model) == [i for i in ids if i != ids[2]]
    qtbot.waitUntil(lambda: dock.count_label.text() == "29 articles")


def test_language_and_source_filters_combine(dock: ArticleListDock, project: Project) -> None:
    assert {dock.lang_box.itemData(i) for i in range(1, dock.lang_box.count())} == set(LANGS)
    dock.lang_box.setCurrentIndex(dock.lang_box.findData("de"))
    rows = [dock.model.summary(r) for r in range(dock.model.rowCount())]
    assert len(rows) == 10 and {r.lang for r in rows} == {"de"}
    dock.source_box.setCurrentIndex(dock.source_box.findData("site2.example"))
    rows = [dock.model.summary(r) for r in range(dock.model.rowCount())]
    # de is i % 3 == 2, site2 is i % 4 == 2: i in 2, 14, 26
    assert sorted(r.title for r in rows) == [f"DE {i:02d} 👨🏻‍🚒 𠮷" for i in (2, 14, 26)]


def test_typing_a_search_filters_through_the_index_after_a_pause(
    qtbot, dock: ArticleListDock
) -> None:
    with qtbot.waitSignal(dock.searchChanged, timeout=SEARCH_DELAY_MS * 8) as signal:
        qtbot.keyClicks(dock.search, "gemp")
        assert dock.model.rowCount() == 30  # nothing happens while typing
    assert signal.args == [["gemp"]]
    titles = sorted(dock.model.summary(r).title for r in range(dock.model.rowCount()))
    assert titles == ["EN 13 👨🏻‍🚒 𠮷", "EN 04 👨🏻‍🚒 𠮷"][::-1]
    # a title word is found too, and words are ANDed
    dock.search.setText("DE 𠮷 Hochwasser")
    qtbot.waitUntil(lambda: dock.model.rowCount() == 10, timeout=SEARCH_DELAY_MS * 8)
    assert dock.search_terms() == ["DE", "𠮷", "Hochwasser"]


def test_clicking_a_column_header_sorts_by_it(qtbot, dock: ArticleListDock, project) -> None:
    ids = list(project.article_ids())
    for k in range(3):
        project.labels.add_span(
            ids[5], annotator=ANN, layer="entity", label="PER", start=k, end=k + 1
        )
    project.labels.add_span(ids[9], annotator=ANN, layer="entity", label="ORG", start=0, end=3)
    dock.view.sortByColumn(LABELS, Qt.SortOrder.DescendingOrder)
    assert [dock.model.article_id(r) for r in range(2)] == [ids[5], ids[9]]
    assert dock.model.data(dock.model.index(0, LABELS)) == 3
    dock.view.sortByColumn(TITLE, Qt.SortOrder.AscendingOrder)
    titles = [dock.model.summary(r).title for r in range(dock.model.rowCount())]
    assert titles == sorted(titles) and titles[0].startswith("DE 02")


def test_click_and_enter_activate_but_set_current_does_not(
    qtbot, dock: ArticleListDock, project: Project
) -> None:
    dock.show()
    qtbot.waitExposed(dock)
    ids = list(project.article_ids())
    rect = dock.view.visualRect(dock.model.index(2, TITLE))
    with qtbot.waitSignal(dock.articleActivated) as clicked:
        qtbot.mouseClick(dock.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert clicked.args == [ids[2]]
    with qtbot.assertNotEmitted(dock.articleActivated):
        dock.set_current(ids[7])
    assert dock.current_article_id() == ids[7]
    dock.view.setFocus()
    with qtbot.waitSignal(dock.articleActivated) as entered:
        qtbot.keyClick(dock.view, Qt.Key.Key_Return)
    assert entered.args == [ids[7]]


def test_refresh_article_shows_a_new_status_and_label_count(
    dock: ArticleListDock, project: Project
) -> None:
    aid = list(project.article_ids())[3]
    project.labels.set_status(aid, annotator=ANN, status="skipped")
    project.labels.add_span(aid, annotator=ANN, layer="entity", label="PER", start=0, end=3)
    row = dock.model.row_of(aid)
    assert dock.model.data(dock.model.index(row, STATUS)) == "todo"
    dock.refresh_article(aid)
    assert dock.model.data(dock.model.index(row, STATUS)) == "skipped"
    assert dock.model.data(dock.model.index(row, LABELS)) == 1


def test_reload_picks_up_new_sources_and_keeps_the_current_article(
    qtbot, dock: ArticleListDock, project: Project, tmp_path: Path
) -> None:
    ids = list(project.article_ids())
    dock.set_current(ids[1])
    more = tmp_path / "more.jsonl"
    more.write_text(
        json.dumps({"text": TEXTS["en"] + " Extra.", "source": "new.example"}) + "\n", "utf-8"
    )
    project.imports.import_files([more])
    dock.reload()
    assert dock.source_box.findData("new.example") > 0
    assert dock.current_article_id() == ids[1]
    qtbot.waitUntil(lambda: dock.count_label.text() == "31 articles")


def test_set_current_reaches_a_little_past_the_loaded_rows_but_not_the_whole_list(
    project: Project, qtbot
) -> None:
    widget = ArticleListDock(project, ANN)
    qtbot.addWidget(widget)
    widget.model.page = 2
    widget.model.restart()
    ids = list(project.article_ids())
    widget.set_current(ids[5])  # on the third page
    assert widget.current_article_id() == ids[5]
    assert widget.model.rowCount() == 6
    widget.set_current(ids[29])  # more than SEEK_PAGES further: not loaded, nothing selected
    assert widget.current_article_id() is None
    assert widget.model.rowCount() < 30


def test_a_count_arriving_after_the_dock_is_gone_is_dropped(qtbot, project: Project) -> None:
    widget = ArticleListDock(project, ANN)
    widget.status_box.setCurrentIndex(widget.status_box.findData("todo"))
    widget.wait_for_count()
    counts: list[int] = []
    widget.countChanged.connect(counts.append)
    serial = widget._count_serial
    widget.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(widget))
    widget._show_count(serial, 30)  # what a late job would deliver: no error, nothing shown
    assert counts == []


def test_a_count_past_the_quick_count_says_more_than_then_the_whole_count(
    qtbot, dock: ArticleListDock, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list counts to QUICK_COUNT first (tens of ms at a million); past it, the label says
    "more than N" at once and then gives the whole count, which alone is announced."""
    import core.query

    monkeypatch.setattr(core.query, "QUICK_COUNT", 5)
    shown: list[str] = []
    real_set_text = dock.count_label.setText

    def spy(text: str) -> None:
        shown.append(text)
        real_set_text(text)

    dock.count_label.setText = spy  # type: ignore[method-assign]
    counts: list[int] = []
    dock.countChanged.connect(counts.append)
    ids = list(project.article_ids())
    project.labels.set_status(ids[0], annotator=ANN, status="done")
    dock.status_box.setCurrentIndex(dock.status_box.findData("todo"))
    qtbot.waitUntil(lambda: dock.count_label.text() == "29 articles")
    assert "more than 5 articles, counting…" in shown
    assert counts == [29]
    shown.clear()
    dock.status_box.setCurrentIndex(dock.status_box.findData("done"))
    qtbot.waitUntil(lambda: dock.count_label.text() == "1 article")
    assert not [t for t in shown if t.startswith("more than")]
    assert counts == [29, 1]
