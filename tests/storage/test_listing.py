"""The sorted article list: every order pages by keyset, matches a plain sort, and is cheap."""

from __future__ import annotations

from pathlib import Path

import pytest
from playhouse.test_utils import count_queries

from core.models import NewArticle
from core.query import ArticleFilter
from storage import Project
from storage.listing import SORT_KEYS

ANN = "ani"


def seed(project: Project) -> list[int]:
    """Eleven articles with repeating titles, sources and languages, some labelled."""
    project.imports.store_articles(
        NewArticle(
            text=f"Teks berita nomor {i} tentang banjir di kota {'abc'[i % 3]}.",
            title=f"Judul {'cab'[i % 3]}",
            source=f"site{i % 4}.example",
        )
        for i in range(11)
    )
    ids = list(project.article_ids())
    p = project.db.param
    for n, aid in enumerate(ids):
        if n % 3 != 2:  # the others stay pending (NULL language), as during detection
            lang = "id" if n % 2 else "en"
            project.db.execute_sql(f"UPDATE article SET lang = {p} WHERE id = {p}", (lang, aid))
    project.labels.set_status(ids[1], annotator=ANN, status="done")
    project.labels.set_status(ids[4], annotator=ANN, status="flagged")
    project.labels.set_status(ids[6], annotator=ANN, status="skipped")
    project.labels.set_status(ids[7], annotator="budi", status="done")
    for aid, count in [(ids[2], 3), (ids[5], 1), (ids[8], 3)]:
        for k in range(count):
            project.labels.add_span(
                aid, annotator=ANN, layer="entity", label="PER", start=k * 2, end=k * 2 + 1
            )
    project.labels.add_span(ids[9], annotator="budi", layer="entity", label="ORG", start=0, end=4)
    return ids


def expected_order(project: Project, sort: str, descending: bool) -> list[int]:
    """The same order computed naively in Python from every row."""
    rows = project.listing.summaries(list(project.article_ids()), annotator=ANN)
    status_rank = {"todo": 0, "done": 1, "skipped": 2, "flagged": 3}

    def key(r):
        return {
            "id": (r.id,),
            "title": (r.title, r.id),
            "source": (r.source, r.id),
            "lang": (r.lang is not None, r.lang or "", r.id),
            "status": (status_rank[r.status], r.id),
            "labels": (r.label_count, r.id),
            "unsure": (r.uncertainty is not None, r.uncertainty or 0.0, r.id),
        }[sort]

    return [r.id for r in sorted(rows, key=key, reverse=descending)]


def read_all(project: Project, sort: str, descending: bool, limit: int) -> list[int]:
    seen, cursor = [], None
    while True:
        page, cursor = project.listing.list_sorted(
            ArticleFilter(annotator=ANN),
            sort=sort,
            descending=descending,
            after=cursor,
            limit=limit,
        )
        assert len(page) <= limit
        seen += [r.id for r in page]
        if cursor is None:
            return seen


@pytest.mark.parametrize("sort", SORT_KEYS)
@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_order_pages_through_all_articles_exactly_once_in_order(
    project: Project, sort: str, descending: bool
) -> None:
    seed(project)
    want = expected_order(project, sort, descending)
    for limit in (1, 3, 4, 100):
        assert read_all(project, sort, descending, limit) == want, f"limit {limit}"


@pytest.mark.parametrize("descending", [False, True])
def test_sorting_by_uncertainty_follows_the_learned_model_and_pages_by_keyset(
    project: Project, descending: bool
) -> None:
    from tests.storage.test_learning import fill

    articles = fill(project, done=12, total=30)
    project.learning.learn(in_process=True)
    unsure = project.ordering.uncertainties([aid for aid, _ in articles])
    assert len(set(unsure.values())) > 5  # a real spread, not one value
    want = expected_order(project, "unsure", descending)
    for limit in (1, 4, 100):
        assert read_all(project, "unsure", descending, limit) == want, f"limit {limit}"
    done = [aid for aid, _ in articles[:12]]  # no figure: done before the training
    if descending:
        assert want[0] == max(unsure, key=lambda a: (unsure[a], a))
        assert want[-12:] == done[::-1]
    else:
        assert want[:12] == done
        assert want[-1] == max(unsure, key=lambda a: (unsure[a], a))


def test_status_and_label_count_in_rows_are_those_of_the_annotator(project: Project) -> None:
    ids = seed(project)
    rows = {r.id: r for r in project.listing.list_sorted(ArticleFilter(annotator=ANN))[0]}
    assert rows[ids[1]].status == "done" and rows[ids[7]].status == "todo"
    assert rows[ids[2]].label_count == 3 and rows[ids[9]].label_count == 0
    budi = {r.id: r for r in project.listing.list_sorted(ArticleFilter(annotator="budi"))[0]}
    assert budi[ids[7]].status == "done" and budi[ids[9]].label_count == 1


def test_sorting_respects_the_filter(project: Project) -> None:
    ids = seed(project)
    flt = ArticleFilter(annotator=ANN, statuses=("todo",), sources=("site0.example",))
    page, cursor = project.listing.list_sorted(flt, sort="labels", descending=True)
    assert cursor is None
    # site0: ids 0, 4, 8; 4 is flagged; 8 has three labels and comes first descending
    assert [r.id for r in page] == [ids[8], ids[0]]


def test_text_search_with_a_sort_finds_only_matching_articles(tmp_path) -> None:
    with Project.create(tmp_path / "s.tandai") as project:
        seed(project)
        project.imports.index_pending()
        page, _ = project.listing.list_sorted(
            ArticleFilter(annotator=ANN, text="nomor 1"), sort="title", limit=50
        )
        # "1" is a prefix: nomor 1 and nomor 10
        assert sorted(r.id for r in page) == sorted(
            r.id for r in project.list_articles(ArticleFilter(text="nomor 1"))
        )
        assert len(page) == 2


def test_a_page_costs_a_fixed_number_of_queries_whatever_its_size(tmp_path) -> None:
    with Project.create(tmp_path / "q.tandai") as project:
        seed(project)
        project.annotator_id(ANN)
        for sort in SORT_KEYS:
            with count_queries() as small:
                project.listing.list_sorted(ArticleFilter(annotator=ANN), sort=sort, limit=2)
            with count_queries() as large:
                project.listing.list_sorted(ArticleFilter(annotator=ANN), sort=sort, limit=100)
            # one query per segment visited, plus five to decorate the page's rows (status,
            # label counts, titles, the model's uncertainty, near-duplicates)
            assert large.count <= 4 + 5, sort
            assert small.count <= large.count, sort


def test_unknown_sort_key_is_refused(project: Project) -> None:
    with pytest.raises(ValueError, match="unknown sort key"):
        project.listing.list_sorted(sort="colour")


def test_label_usage_counts_spans_and_doc_labels_by_name(project: Project) -> None:
    ids = seed(project)
    project.labels.set_doc_label(ids[0], annotator=ANN, key="stance:main", value="favour")
    assert project.listing.label_usage()[("entity", "PER")] == 7
    assert project.listing.label_usage()[("entity", "ORG")] == 1
    assert project.listing.doc_label_usage() == {("stance:main", "favour"): 1}


def test_sorting_by_title_reads_the_title_index_not_every_row(tmp_path) -> None:
    with Project.create(tmp_path / "i.tandai") as project:
        seed(project)
        project.db.execute_sql("ANALYZE")
        seg = project.listing._segments(ArticleFilter(), "title")[0]
        a = project.m.Article
        sql, params = (
            project.filtered(ArticleFilter()).select(a.id, seg.key).order_by(seg.key, a.id).sql()
        )
        plan = " ".join(r[3] for r in project.db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
        assert "USING INDEX article_title_sort" in plan
        assert "TEMP B-TREE" not in plan


def test_distinct_values_for_the_filter_menus_match_a_plain_distinct(project: Project) -> None:
    seed(project)
    assert project.listing.distinct_values("source") == project.sources()
    assert project.listing.distinct_values("lang") == project.languages() == ["en", "id"]
    with pytest.raises(ValueError):
        project.listing.distinct_values("title; DROP TABLE article")


def test_distinct_values_of_an_empty_project_are_empty(project: Project) -> None:
    assert project.listing.distinct_values("source") == []


def _sixty_articles(project: Project) -> list[ArticleFilter]:
    """Sixty indexed articles (emoji, CJK Extension B, RTL, CRLF), two in three with
    "banjir", every fifth done for ANN; returns free-text filters to try on them."""
    project.imports.store_articles(
        NewArticle(
            text=f"Berita {i} 😀 𠮷野 שלום\r\n" + ("banjir besar " if i % 3 else "") + "kota",
            title=f"Judul {i}",
            source=f"site{i % 4}.example",
        )
        for i in range(60)
    )
    project.imports.index_pending()
    for aid in list(project.article_ids())[::5]:
        project.labels.set_status(aid, annotator=ANN, status="done")
    return [
        ArticleFilter(annotator=ANN, text="banjir"),
        ArticleFilter(annotator=ANN, text="banjir bes", sources=("site1.example",)),
        ArticleFilter(annotator=ANN, text="kota", statuses=("done",)),
        ArticleFilter(annotator=ANN, text="tidak ada"),
        ArticleFilter(annotator=ANN, text="𠮷野 banjir"),  # by reading texts: no windows
    ]


#: (FEW_CANDIDATES, CANDIDATES_A_WINDOW, HITS_A_SEEK): the few articles other filters
#: keep asked about two at a time whatever the hits, or never (always by windows of hits).
FEW = [(1000, 2, 0), (0, 2, 100)]


@pytest.mark.parametrize("few", FEW)
@pytest.mark.parametrize("ids_window", [16_000, 8])
@pytest.mark.parametrize("descending", [False, True])
def test_a_text_filter_pages_by_windows_of_hits_and_finds_what_the_plain_query_finds(
    project: Project,
    monkeypatch: pytest.MonkeyPatch,
    descending: bool,
    ids_window: int,
    few: tuple[int, int, int],
) -> None:
    """Id-ordered pages of a free-text filter read the index window by window (tiny windows
    here, other filters leaving them short; windows past ``ids_window`` hits are ranges of
    ids rather than the ids), or, where other filters keep few articles, ask the index
    about those; every page together is the plain result."""
    import storage.listing as listing
    import storage.text_search

    monkeypatch.setattr(listing, "TEXT_WINDOW", 2)
    monkeypatch.setattr(storage.text_search, "MAX_IDS_WINDOW", ids_window)
    monkeypatch.setattr(storage.text_search, "FEW_CANDIDATES", few[0])
    monkeypatch.setattr(storage.text_search, "CANDIDATES_A_WINDOW", few[1])
    monkeypatch.setattr(storage.text_search, "HITS_A_SEEK", few[2])
    for flt in _sixty_articles(project):
        plain = sorted(r.id for r in project.list_articles(flt, limit=1000))
        assert plain or flt.text == "tidak ada"
        for sort in ("id", "status"):
            for limit in (1, 3, 7):
                seen, cursor = [], None
                while True:
                    page, cursor = project.listing.list_sorted(
                        flt, sort=sort, descending=descending, after=cursor, limit=limit
                    )
                    seen += [r.id for r in page]
                    if cursor is None:
                        break
                want = sorted(plain, reverse=descending)
                assert (seen if sort == "id" else sorted(seen, reverse=descending)) == want


@pytest.mark.parametrize("few", FEW)
@pytest.mark.parametrize("ids_window", [16_000, 3])
def test_a_count_that_stops_early_agrees_with_the_whole_count(
    project: Project, monkeypatch: pytest.MonkeyPatch, ids_window: int, few: tuple[int, int, int]
) -> None:
    """``at_most`` counts to just past it: by windows of index hits for a free-text filter
    (growing while other filters leave them short; past ``ids_window`` hits, ranges of
    ids, or the few articles other filters keep asked about), by a LIMIT otherwise; never
    more, never a different answer."""
    import storage.text_search

    monkeypatch.setattr(storage.text_search, "MAX_IDS_WINDOW", ids_window)
    monkeypatch.setattr(storage.text_search, "FEW_CANDIDATES", few[0])
    monkeypatch.setattr(storage.text_search, "CANDIDATES_A_WINDOW", few[1])
    monkeypatch.setattr(storage.text_search, "HITS_A_SEEK", few[2])
    filters = [ArticleFilter(), ArticleFilter(annotator=ANN, statuses=("todo",))]
    for flt in filters + _sixty_articles(project):
        whole = project.count_articles(flt)
        assert whole == len(list(project.article_ids(flt)))
        for at_most in (0, 1, 5, 17, 39, 100):
            assert project.count_articles(flt, at_most=at_most) == min(whole, at_most + 1)


def test_few_articles_kept_by_other_filters_are_asked_about_one_part_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The windows of the few (SQLite's index; PostgreSQL has none of them): each holds
    the hits among its part of the candidates, in order, the last reaching to the end;
    none where nothing else filters, or where other filters keep more than
    FEW_CANDIDATES."""

    with Project.create(tmp_path / "f.tandai") as project:
        _few_windows(project, monkeypatch)


def _few_windows(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    import storage.text_search

    monkeypatch.setattr(storage.text_search, "CANDIDATES_A_WINDOW", 3)
    _sixty_articles(project)
    done = ArticleFilter(annotator=ANN, text="banjir", statuses=("done",))
    # 40 hits in all: reading them costs less than asking about 12 articles one by one.
    assert project.text_search.few_windows(done, 0, descending=False) is None
    monkeypatch.setattr(storage.text_search, "HITS_A_SEEK", 3)  # 12 x 3 < 40: ask about them
    plain = sorted(r.id for r in project.list_articles(done, limit=1000))
    assert 0 < len(plain) < 12  # every fifth is done, two in three of them with the word
    for descending in (False, True):
        start = (1 << 62) if descending else 0
        windows = project.text_search.few_windows(done, start, descending=descending)
        assert windows is not None
        parts = list(windows)
        assert len(parts) == 4  # twelve done articles, three asked about at a time
        hits = [i for w in parts for i in (w.ids or ())]
        assert hits == sorted(plain, reverse=descending)
        for w in parts:
            assert all(w.low <= i < w.high for i in w.ids or ())
        assert (parts[-1].low if descending else parts[-1].high) in (0, 1 << 62)
    assert (
        project.text_search.few_windows(
            ArticleFilter(annotator=ANN, text="banjir"), 0, descending=False
        )
        is None
    )
    monkeypatch.setattr(storage.text_search, "FEW_CANDIDATES", 11)
    assert project.text_search.few_windows(done, 0, descending=False) is None


def test_the_hits_of_a_word_are_estimated_from_the_span_of_its_next_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two in three of sixty articles hold "banjir", evenly: the span of the next five hits
    stretched over the ids left gives about the number left, either way; fewer hits than
    the sample: their number exactly (SQLite's index)."""

    with Project.create(tmp_path / "e.tandai") as project:
        _estimates(project, monkeypatch)


def _estimates(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    import storage.text_search

    _sixty_articles(project)
    match = "banjir"
    monkeypatch.setattr(storage.text_search, "TEXT_SAMPLE", 5)
    ups = project.text_search._hits_estimate(match, 0, False)
    downs = project.text_search._hits_estimate(match, 1 << 62, True)
    assert 30 <= ups <= 50 and 30 <= downs <= 50
    assert 12 <= project.text_search._hits_estimate(match, 30, False) <= 28  # 20 hits past id 30
    assert project.text_search._hits_estimate(match, 57, False) == 2  # ids 59 and 60 only
    assert project.text_search._hits_estimate("tidakada", 0, False) == 0
