"""The index's word list: a typed prefix searched as the words it stands for finds exactly
what FTS5's own prefix search finds, and the list never lacks a word of the index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import storage.index_terms as index_terms
from core.models import NewArticle
from core.query import ArticleFilter
from core.text import has_unspaced_script
from storage import Project
from storage.search import fts_match_expression, search_terms

TEXTS = [
    ("Kyïv dan Kyiv", "Banjir di Kyïv merendam 😀 rumah sakit; hospitals closed.\r\nKota"),
    ("CAFÉ Ünal", "Café kecil dekat hospital\r\nrumah sakitnya penuh 𠮷野 kata"),
    ("שלום עולם", "مرحبا بالعالم שלום hospitality رمضان 2024 ke-3 dan_lain"),
    ("Straße", "STRASSE straße ſtraße İstanbul istanbul ıslak Σίσυφος ΣΑΣ"),
    ("kosong", "x"),
]


def _store(project: Project, texts: list[tuple[str, str]]) -> None:
    project.imports.store_articles(NewArticle(text=t, title=h) for h, t in texts)
    project.imports.index_pending()


def _indexed_words(project: Project) -> set[str]:
    project.db.execute_sql(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v USING fts5vocab(main, article_fts, row)"
    )
    return {r[0] for r in project.db.execute_sql("SELECT term FROM temp.v")}


def _listed(project: Project) -> set[str]:
    return {r[0] for r in project.db.execute_sql("SELECT term FROM search_term")}


def _fts_prefix_hits(project: Project, typed: str) -> list[int]:
    """FTS5's own prefix search: the reference the word list must agree with."""
    match = fts_match_expression(typed)  # no expansion: "word"*
    rows = project.db.execute_sql(
        "SELECT rowid FROM article_fts WHERE article_fts MATCH ? ORDER BY rowid", (match,)
    )
    return [r[0] for r in rows]


def _queries() -> list[str]:
    """Every prefix of every word typed, in upper case too, and words no text has."""
    typed = {"zzz", "hospitalx", "sakitnyaa", "ǆ", "𠮷", "rumah sak", "banjir KY", "rumah"}
    for title, text in TEXTS:
        for word in search_terms(title + " " + text):
            for n in range(1, len(word) + 1):
                typed |= {word[:n], word[:n].upper()}
    return sorted(typed)


@pytest.fixture
def sqlite_project(tmp_path: Path):
    with Project.create(tmp_path / "p.tandai") as project:
        yield project


def test_the_word_list_holds_every_word_of_the_index(sqlite_project: Project) -> None:
    _store(sqlite_project, TEXTS)
    assert index_terms.is_complete(sqlite_project.db)
    assert _listed(sqlite_project) == _indexed_words(sqlite_project)
    _store(sqlite_project, [("baru", "Kata baru: jembatan ambruk")])
    assert "jembatan" in _listed(sqlite_project)
    assert _listed(sqlite_project) == _indexed_words(sqlite_project)


def test_a_prefix_finds_what_fts5s_prefix_search_finds(sqlite_project: Project) -> None:
    _store(sqlite_project, TEXTS)
    expanded = 0
    for typed in _queries():
        if not search_terms(typed) or has_unspaced_script(typed):
            continue  # unspaced scripts are searched by reading texts, not the index
        want = _fts_prefix_hits(sqlite_project, typed)
        got = sorted(r.id for r in sqlite_project.list_articles(ArticleFilter(text=typed)))
        assert got == want, typed
        words = index_terms.prefix_terms(sqlite_project.db, search_terms(typed)[-1])
        expanded += words is not None
    assert expanded > 100  # the list answered, not the fallback


def test_the_expression_names_the_words_a_prefix_stands_for(sqlite_project: Project) -> None:
    _store(sqlite_project, TEXTS)
    words = sqlite_project.text_search.prefix_words
    assert words("hosp") == ["hospital", "hospitality", "hospitals"]
    assert words("KYI") == ["kyiv"]  # folded as the index folds it: "Kyïv" is "kyiv"
    assert words("qqq") == []
    assert fts_match_expression("rumah SAK", words) == '"rumah" AND ("sakit" OR "sakitnya")'
    assert fts_match_expression("rumah qqq", words) == '"rumah" AND "qqq"'
    assert fts_match_expression("dan_lain", words) == '"dan_lain"*'  # two words to FTS5


def test_a_prefix_of_too_many_words_keeps_fts5s_prefix_search(
    sqlite_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store(sqlite_project, TEXTS)
    monkeypatch.setattr(index_terms, "MAX_PREFIX_TERMS", 2)
    assert sqlite_project.text_search.prefix_words("hosp") is None
    assert sqlite_project.text_search.prefix_words("hospitals") == ["hospitals"]
    hits = sorted(r.id for r in sqlite_project.list_articles(ArticleFilter(text="hosp")))
    assert hits == _fts_prefix_hits(sqlite_project, "hosp") and len(hits) == 3


def _as_version_13(path: Path) -> None:
    """The file as schema 13 left it: indexed, without the word list."""
    db = sqlite3.connect(path)
    with db:
        db.execute("DROP TABLE search_term")
        db.execute("DELETE FROM meta WHERE key = ?", (index_terms.COMPLETE_KEY,))
        db.execute("UPDATE meta SET value = '13' WHERE key = 'schema_version'")
    db.close()


def test_an_index_made_before_the_list_is_read_into_it_by_the_catch_up(tmp_path: Path) -> None:
    path = tmp_path / "old.tandai"
    with Project.create(path) as project:
        _store(project, TEXTS)
    _as_version_13(path)
    with Project.open(path) as project:
        assert project.imports.pending_terms()
        assert project.text_search.prefix_words("hosp") is None  # FTS5's prefix search meanwhile
        hits = sorted(r.id for r in project.list_articles(ArticleFilter(text="hosp")))
        assert hits == _fts_prefix_hits(project, "hosp") and len(hits) == 3
        project.imports.index_pending(should_stop=lambda: True)  # stopped: still incomplete
        assert project.imports.pending_terms()
        project.imports.index_pending()
        assert not project.imports.pending_terms()
        assert _listed(project) == _indexed_words(project)
        assert project.text_search.prefix_words("hosp") == ["hospital", "hospitality", "hospitals"]


def test_an_unindexed_project_starts_with_a_complete_empty_list(tmp_path: Path) -> None:
    with Project.create(tmp_path / "new.tandai") as project:
        assert not project.imports.pending_terms()
        project.imports.store_articles([NewArticle(text="Kabar dari Kursk", title="K")])
        assert project.text_search.prefix_words("kur") == []
        project.imports.index_pending()
        assert project.text_search.prefix_words("kur") == ["kursk"]
        assert [a.title for a in project.list_articles(ArticleFilter(text="kur"))] == ["K"]


def test_a_pass_that_doubles_the_index_reads_its_words_from_it_at_the_end(
    sqlite_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.search_index as search_index

    monkeypatch.setattr(search_index, "TERMS_FROM_INDEX", 2)
    monkeypatch.setattr(search_index, "INDEX_BATCH", 2)
    sqlite_project.imports.store_articles(NewArticle(text=t, title=h) for h, t in TEXTS)
    batches = iter(range(100))
    sqlite_project.imports.index_pending(should_stop=lambda: next(batches) >= 1)
    assert 0 < sqlite_project.fts_mark() < max(sqlite_project.article_ids())
    assert sqlite_project.imports.pending_terms()  # its batches listed no words
    assert sqlite_project.text_search.prefix_words("hosp") is None
    hits = sorted(r.id for r in sqlite_project.list_articles(ArticleFilter(text="ban")))
    assert hits == _fts_prefix_hits(sqlite_project, "ban") == [1]
    sqlite_project.imports.index_pending()
    assert not sqlite_project.imports.pending_terms()
    assert _listed(sqlite_project) == _indexed_words(sqlite_project)
    # A small pass after it lists its words batch by batch again.
    _store(sqlite_project, [("baru", "jembatan ambruk")])
    assert not sqlite_project.imports.pending_terms()
    assert sqlite_project.text_search.prefix_words("jemb") == ["jembatan"]


def test_the_index_merges_sixteen_segments_at_a_time_and_finds_the_same(
    sqlite_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FTS5's default (4) is set to :data:`FTS_AUTOMERGE` by the next pass, also in an index
    made with the default; after more than 16 one-article commits (each a segment) the
    index is whole and finds what it found before."""
    import storage.search_index as search_index

    setting = "SELECT v FROM article_fts_config WHERE k = 'automerge'"
    monkeypatch.setattr(search_index, "INDEX_BATCH", 1)
    _store(sqlite_project, TEXTS)
    assert sqlite_project.db.execute_sql(setting).fetchone() == (search_index.FTS_AUTOMERGE,)
    before = {typed: _fts_prefix_hits(sqlite_project, typed) for typed in ("hosp", "kyiv", "𠮷")}
    assert all(before.values())
    sqlite_project.db.execute_sql(
        "INSERT INTO article_fts (article_fts, rank) VALUES ('automerge', 4)"
    )  # as a project indexed before it
    _store(sqlite_project, [(f"t{n}", f"jembatan {n} ambruk") for n in range(40)])
    assert sqlite_project.db.execute_sql(setting).fetchone() == (search_index.FTS_AUTOMERGE,)
    sqlite_project.db.execute_sql(
        "INSERT INTO article_fts (article_fts, rank) VALUES ('integrity-check', 0)"
    )
    assert {typed: _fts_prefix_hits(sqlite_project, typed) for typed in before} == before
    assert sqlite_project.count_articles(ArticleFilter(text="ambruk")) == 40


def test_the_list_is_not_called_complete_if_a_batch_was_indexed_while_it_was_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process indexes (without listing words) while this one reads the index's
    words: what it read may lack them, so the list stays incomplete until a next reading."""
    path = tmp_path / "p.tandai"
    with Project.create(path) as project:
        _store(project, TEXTS)
    _as_version_13(path)
    reading = index_terms.indexed_words

    def indexed_meanwhile(db, chunk=50_000):
        with Project.open(path) as other:
            other.imports.store_articles([NewArticle(text="zebra lintas", title="Z")])
            with other.db.atomic():
                other.db.execute_sql(
                    "INSERT INTO article_fts (rowid, title, text) VALUES (6, 'Z', 'zebra lintas')"
                )
                index_terms.mark_incomplete(other.db)
                other.db.execute_sql("UPDATE meta SET value = '6' WHERE key = 'fts_indexed_upto'")
        yield from reading(db, chunk)

    with Project.open(path) as project:
        monkeypatch.setattr(index_terms, "indexed_words", indexed_meanwhile)
        project.imports._fill_terms(None)
        assert project.imports.pending_terms()
        monkeypatch.setattr(index_terms, "indexed_words", reading)
        project.imports.index_pending()
        assert not project.imports.pending_terms()
        assert project.text_search.prefix_words("zeb") == ["zebra"]


_INDEXER = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
import storage.search_index as search_index
from storage import Project
search_index.INDEX_BATCH = 10  # many short write transactions, for the two to interleave
go, me = Path(sys.argv[2]), int(sys.argv[4])

def wait_for(path):
    deadline = time.monotonic() + 30
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.002)

def between_batches(_progress):
    # The first process waits after its first batch until the second has done one, so
    # that both surely take part; then a pause between batches, as the app's catch-up
    # has (else one process takes the write lock back at once, each time).
    if me == 0 and not Path(f"{go}.b").exists():
        Path(f"{go}.a").touch()
        wait_for(Path(f"{go}.b"))
    elif me == 1:
        Path(f"{go}.b").touch()
    time.sleep(0.002)

with Project.open(sys.argv[1]) as project:
    Path(f"{go}.{me}").touch()  # open: ready
    wait_for(go)
    if me == 1:
        wait_for(Path(f"{go}.a"))
    print(project.imports.index_pending(on_progress=between_batches))
"""


@pytest.mark.parametrize("many", [False, True])
def test_two_processes_indexing_at_once_index_each_article_once(tmp_path: Path, many: bool) -> None:
    """Two processes index the same project at the same moment, batch by batch: each
    batch is chosen inside its write transaction, so every article is indexed once (a
    second insert of its row would fail the index), the word list equals the index's
    vocabulary, and search finds each article. ``many``: a pass that at least doubles the
    index, which lists its words from the index at the end."""
    import subprocess
    import sys
    import time

    path = tmp_path / "p.tandai"
    n = 1_200 if many else 300
    texts = [(f"Judul {i}", f"{TEXTS[i % len(TEXTS)][1]} kata{i} 𠀋{i}") for i in range(n)]
    with Project.create(path) as project:
        if not many:  # an index as large as the pass: words listed batch by batch
            _store(project, [(f"lama {i}", f"teks lama{i}") for i in range(n)])
        project.imports.store_articles(NewArticle(text=t, title=h) for h, t in texts)
    go = tmp_path / "go"
    root = str(Path(__file__).resolve().parents[2])
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _INDEXER, str(path), str(go), root, str(k)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(2)
    ]
    deadline = time.monotonic() + 60
    while not all(Path(f"{go}.{k}").exists() for k in range(2)):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    go.touch()
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    done = [int(o[0].strip()) for o in outs]
    assert sum(done) == n and min(done) > 0, done  # both took part, none twice
    with Project.open(path) as project:
        total = n * (1 if many else 2)
        assert project.imports.pending_index() == 0
        rows = project.db.execute_sql("SELECT count(*) FROM article_fts").fetchone()[0]
        assert rows == total
        project.db.execute_sql("INSERT INTO article_fts(article_fts) VALUES ('integrity-check')")
        assert not project.imports.pending_terms()
        assert _listed(project) == _indexed_words(project)
        for i in (0, n // 2, n - 1):
            hits = [r.id for r in project.list_articles(ArticleFilter(text=f"kata{i}"))]
            assert len(hits) == 1
