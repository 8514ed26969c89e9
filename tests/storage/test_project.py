"""Project files: create, open, refuse what is not ours, migrate, lock, settings, listing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from core.models import NewArticle
from core.query import ArticleFilter
from core.schema import Schema
from core.text import content_hash
from storage import Project, ProjectError, ProjectLocked
from storage.database import open_database
from storage.migrations import CONTENT_KEY, CURRENT_VERSION, migrate


def add(project: Project, *texts: str, source: str = "site.example") -> list[int]:
    report = project.imports.store_articles(
        NewArticle(text=t, title=f"Title {i}", source=source) for i, t in enumerate(texts)
    )
    assert report.imported == len(texts)
    return list(project.article_ids())[-len(texts) :]


def test_created_project_reopens_with_its_articles_and_schema(project_target: str) -> None:
    with Project.create(project_target) as project:
        add(project, "Satu dua tiga.", "Empat lima enam.")
        assert project.schema().entity("PER") is not None
    with Project.open(project_target) as project:
        assert project.count_articles() == 2
        assert [a.title for a in project.list_articles()] == ["Title 0", "Title 1"]


def test_creating_over_an_existing_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.tandai"
    Project.create(path).close()
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(path)


def test_opening_a_file_that_is_not_sqlite_says_so(tmp_path: Path) -> None:
    path = tmp_path / "notes.tandai"
    path.write_text("hello")
    with pytest.raises(ProjectError, match="not a Tandai project"):
        Project.open(path)
    assert path.read_text() == "hello"


def test_opening_a_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="not a Tandai project"):
        Project.open(path)


def test_missing_project_file_gives_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no such project file"):
        Project.open(tmp_path / "missing.tandai")


def test_project_from_a_newer_version_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "future.tandai"
    Project.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(CURRENT_VERSION + 5),)
    )
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="newer Tandai"):
        Project.open(path)
    assert path.read_bytes() == before


def test_version_1_file_is_migrated_after_a_copy_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "old.tandai"
    # A file as version 1 made it: the version-1 steps only, an article written as v1 wrote it.
    db = open_database(str(path), must_exist=False)
    migrate(db, name="old", upto=1)
    db.execute_sql(
        "INSERT INTO article (external_id, content_hash, title, url, source, published,"
        " meta, created) VALUES ('a1', 'h1', 'Lama', '', 'x', '', '{}', '2024-01-01')"
    )
    db.execute_sql(
        "INSERT INTO article_text (article_id, text) VALUES (1, 'Kabar lama dari Kursk')"
    )
    db.close()
    with Project.open(path) as project:
        assert project.backup_path is not None and project.backup_path.exists()
        project.imports.index_pending()
        assert [a.title for a in project.list_articles(ArticleFilter(text="kursk"))] == ["Lama"]
    backup = sqlite3.connect(project.backup_path)
    assert backup.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("1",)
    assert backup.execute("SELECT count(*) FROM article").fetchone() == (1,)
    backup.close()


def test_a_second_window_on_the_same_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.tandai"
    Project.create(path).close()
    first = Project.open(path, exclusive=True)
    try:
        with pytest.raises(ProjectLocked, match="already open"):
            Project.open(path, exclusive=True)
        with Project.open(path) as reader:  # the command line may still read it
            assert reader.count_articles() == 0
    finally:
        first.close()
    Project.open(path, exclusive=True).close()


def test_schema_and_guidelines_are_stored_in_the_project(project: Project) -> None:
    schema = Schema.from_dict(
        {
            "entity_labels": [{"name": "TOKOH", "colour": "#112233", "key": "1"}],
            "stance_targets": [
                {
                    "name": "Putin",
                    "options": [{"value": "pro", "key": "p"}, {"value": "kontra", "key": "k"}],
                }
            ],
        }
    )
    project.set_schema(schema)
    project.set_guidelines("# Pedoman\n\nTandai nama orang.")
    assert project.schema() == schema
    assert project.guidelines().startswith("# Pedoman")


def test_list_pages_by_keyset_and_filters_by_source(project: Project) -> None:
    add(project, *[f"Berita nomor {i}." for i in range(7)], source="a.example")
    add(project, "Other news.", source="b.example")
    first = project.list_articles(limit=3)
    second = project.list_articles(after_id=first[-1].id, limit=3)
    assert [a.title for a in first + second] == [f"Title {i}" for i in range(6)]
    assert project.count_articles(ArticleFilter(sources=("b.example",))) == 1
    assert project.sources() == ["a.example", "b.example"]


def test_status_filter_is_per_annotator(project: Project) -> None:
    a, b, c = add(project, "Satu.", "Dua.", "Tiga.")
    project.labels.set_status(a, annotator="ani", status="done")
    project.labels.set_status(b, annotator="budi", status="flagged", note="cek")
    ani_todo = ArticleFilter(statuses=("todo",), annotator="ani")
    assert [s.id for s in project.list_articles(ani_todo)] == [b, c]
    assert project.count_articles(ArticleFilter(statuses=("done", "flagged"))) == 2
    stats = project.stats(annotator="ani")
    assert stats.by_status == {"todo": 2, "done": 1, "skipped": 0, "flagged": 0}


def test_full_text_search_finds_words_and_prefixes(project: Project) -> None:
    add(project, "Pasukan Korea Utara di Kursk.", "Harga beras naik di Jakarta.")
    project.imports.index_pending()
    assert project.count_articles(ArticleFilter(text="kursk")) == 1
    assert project.count_articles(ArticleFilter(text="jakar")) == 1
    assert project.count_articles(ArticleFilter(text='(beras" naik*')) == 1
    assert project.count_articles(ArticleFilter(text="tidakada")) == 0


def test_search_finds_a_word_inside_text_written_without_spaces(project: Project) -> None:
    add(project, "国境地帯での戦闘で数百人の兵士が死亡した。", "Harga beras naik.")
    project.imports.index_pending()
    assert project.count_articles(ArticleFilter(text="戦闘")) == 1
    assert project.count_articles(ArticleFilter(text="𠮷野")) == 0


def test_end_thread_closes_only_the_calling_threads_connection(project_target: str) -> None:
    import threading

    with Project.create(project_target) as project:
        add(project, "Satu dua tiga.")
        seen: list[bool] = []

        def work() -> None:
            project.count_articles()  # opens this thread's own connection
            seen.append(project.db.is_closed())
            project.end_thread()
            seen.append(project.db.is_closed())

        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
        assert seen == [False, True]
        assert not project.db.is_closed()  # the main thread's connection is untouched
        assert project.count_articles() == 1


def test_version_12_drops_the_span_index_on_the_article_alone(tmp_path: Path) -> None:
    """Every stored span was written into an index on article_id alone and one on
    (article_id, annotator_id); the second answers searches by article as well."""
    path = tmp_path / "old.tandai"
    db = open_database(str(path), must_exist=False)
    migrate(db, name="old", upto=11)
    db.execute_sql('CREATE INDEX IF NOT EXISTS "span_article_id" ON "span" ("article_id")')
    db.close()

    def indexes(con: sqlite3.Connection) -> set[str]:
        rows = con.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'span'").fetchall()
        return {name for (name,) in rows if name.startswith("span_")}

    con = sqlite3.connect(path)
    assert "span_article_id" in indexes(con)
    con.close()
    with Project.open(path):
        pass
    con = sqlite3.connect(path)
    assert indexes(con) == {"span_annotator_id", "span_article_id_annotator_id"}
    plan = " ".join(
        str(row)
        for row in con.execute("EXPLAIN QUERY PLAN SELECT id FROM span WHERE article_id = 1")
    )
    assert "span_article_id_annotator_id" in plan
    con.close()


def test_version_15_drops_the_suggestion_index_on_the_article_alone(project_target: str) -> None:
    """Version 1 made it; the unique index that leads with article_id answers the same
    searches (and the foreign-key checks of a deleted article)."""
    with Project.create(project_target) as project:
        project.db.execute_sql(
            'CREATE INDEX IF NOT EXISTS "suggestion_article_id" ON "suggestion" ("article_id")'
        )
        project.db.execute_sql("UPDATE meta SET value = '14' WHERE key = 'schema_version'")
    with Project.open(project_target) as project:
        names = {index.name for index in project.db.get_indexes("suggestion")}
        assert "suggestion_article_id" not in names
        assert "suggestion_article_id_layer_label_start_end_source" in names
        if project.is_sqlite:
            plan = " ".join(
                str(row)
                for row in project.db.execute_sql(
                    "EXPLAIN QUERY PLAN SELECT id FROM suggestion WHERE article_id = 1"
                )
            )
            assert "suggestion_article_id_layer_label_start_end_source" in plan


def test_version_13_finds_articles_by_a_prefix_of_their_content_hash(tmp_path: Path) -> None:
    """The unique index on the whole hash makes way for one on its first 64 bits: articles
    stored before the migration are still found, and so still skipped as duplicates."""
    path = tmp_path / "old.tandai"
    text = "Kabar lama dari Kursk 𠮷 🔥\nخبر قديم"
    db = open_database(str(path), must_exist=False)
    migrate(db, name="old", upto=12)
    db.execute_sql(
        "INSERT INTO article (external_id, content_hash, title, url, source, published,"
        " meta, created) VALUES ('a1', ?, 'Lama', '', 'x', '', '{}', '2024-01-01')",
        (content_hash(text),),
    )
    db.execute_sql("INSERT INTO article_text (article_id, text) VALUES (1, ?)", (text,))
    db.close()
    with Project.open(path) as project:
        report = project.imports.store_articles([NewArticle(text=text + "\r\n")])
        assert (report.imported, report.duplicates) == (0, 1)
    con = sqlite3.connect(path)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "article_content_key" in names and "article_content_hash" not in names
    plan = " ".join(
        str(row)
        for row in con.execute(
            f"EXPLAIN QUERY PLAN SELECT id FROM article WHERE {CONTENT_KEY} = 'abc'"
        )
    )
    assert "article_content_key" in plan
    con.close()
