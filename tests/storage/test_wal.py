"""The SQLite file's layout and its write-ahead log during a bulk import: the page size of a
new project, the thread that checkpoints the log, and the index builds' settings."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from storage import Project, wal
from storage.database import PAGE_SIZE
from storage.migrations import BUILD_CACHE_KB, build_deferred_index


def _wal_thread_running() -> bool:
    return any(t.name == "tandai-wal-checkpoint" for t in threading.enumerate())


def _old_project(path: Path, page_size: int) -> None:
    """A project as an earlier release made it: another page size, then made current."""
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA page_size = {page_size}")
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("CREATE TABLE early (x)")  # fixes the page size, as an old schema did
    conn.execute("DROP TABLE early")
    conn.close()


def test_a_new_project_has_16_kb_pages_and_an_older_one_keeps_its_own(tmp_path: Path) -> None:
    with Project.create(tmp_path / "new.tandai") as project:
        assert project.db.execute_sql("PRAGMA page_size").fetchone()[0] == PAGE_SIZE == 16_384
        assert project.db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    old = tmp_path / "old.tandai"
    _old_project(old, 4096)
    with Project.open(old) as project:  # an empty file of an old release: made a project
        project.imports.store_articles([])
        assert project.db.execute_sql("PRAGMA page_size").fetchone()[0] == 4096
        assert project.count_articles() == 0


def _texts(n: int, chars: int) -> list[str]:
    return [f"Artikel {i} 𠀋 مرحبا 🙂 " + "kata " * (chars // 5) for i in range(n)]


def test_the_thread_copies_each_commit_into_the_database_file(tmp_path: Path) -> None:
    """Below the importer's own (backstop) autocheckpoint nothing but the thread copies the
    log into the database file, so the file growing shows that it did, while the importer
    went on; on leaving, the thread is gone and the default autocheckpoint is back."""
    with Project.create(tmp_path / "p.tandai") as project:
        db = project.db
        main_file = tmp_path / "p.tandai"
        before = main_file.stat().st_size
        with wal.checkpoints_alongside(db) as committed:
            assert _wal_thread_running()
            backstop = db.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0]
            assert backstop * PAGE_SIZE == wal.BACKSTOP_BYTES
            db.execute_sql("CREATE TABLE scratch (t TEXT)")
            with db.atomic():
                for text in _texts(400, 5_000):  # ~2 MB: far below the backstop
                    db.execute_sql("INSERT INTO scratch VALUES (?)", (text,))
            committed()
            deadline = time.monotonic() + 10
            while main_file.stat().st_size < before + (1 << 20) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert main_file.stat().st_size >= before + (1 << 20)
        assert not _wal_thread_running()
        assert db.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000


def test_without_the_thread_the_same_commit_stays_in_the_log(tmp_path: Path) -> None:
    """The check above can fail: with the backstop but no thread, the file does not grow."""
    with Project.create(tmp_path / "p.tandai") as project:
        db = project.db
        main_file = tmp_path / "p.tandai"
        db.execute_sql(f"PRAGMA wal_autocheckpoint = {wal.BACKSTOP_BYTES // PAGE_SIZE}")
        before = main_file.stat().st_size
        db.execute_sql("CREATE TABLE scratch (t TEXT)")
        with db.atomic():
            for text in _texts(400, 5_000):
                db.execute_sql("INSERT INTO scratch VALUES (?)", (text,))
        time.sleep(0.5)
        assert main_file.stat().st_size < before + (1 << 20)
        db.execute_sql(f"PRAGMA wal_autocheckpoint = {wal.DEFAULT_AUTOCHECKPOINT}")


def test_a_bulk_import_runs_the_thread_only_while_it_stores(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    with path.open("w", encoding="utf-8", newline="") as fh:
        for i, text in enumerate(_texts(300, 2_000)):
            fh.write(json.dumps({"id": f"a{i}", "title": f"T {i}", "text": text}) + "\r\n")
    with Project.create(tmp_path / "p.tandai") as project:
        seen: list[bool] = []
        project.imports.commit_bytes = 64 << 10  # several commits

        def during(_progress: object) -> None:
            seen.append(_wal_thread_running())

        report = project.imports.import_files([path], detect=False, on_progress=during)
        assert report.imported == 300
        assert seen and all(seen)
        assert not _wal_thread_running()
        assert project.db.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
        # The log was copied and truncated after storing: what is in it now is the import
        # batch's count written afterwards, a frame or two, not the ~700 KB of texts.
        wal_file = tmp_path / "p.tandai-wal"
        assert not wal_file.exists() or wal_file.stat().st_size <= 4 * (PAGE_SIZE + 24)
        assert project.count_articles() == 300


def test_an_index_build_gives_back_the_page_cache_and_threads(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.tandai") as project:
        db = project.db
        cache = db.execute_sql("PRAGMA cache_size").fetchone()[0]
        threads = db.execute_sql("PRAGMA threads").fetchone()[0]
        assert cache != -BUILD_CACHE_KB
        db.execute_sql('DROP INDEX "article_title_sort"')
        build_deferred_index(db, "article_title_sort")
        assert db.execute_sql("PRAGMA cache_size").fetchone()[0] == cache
        assert db.execute_sql("PRAGMA threads").fetchone()[0] == threads
        names = [r[0] for r in db.execute_sql("SELECT name FROM sqlite_master").fetchall()]
        assert "article_title_sort" in names


@pytest.mark.parametrize("page_size", [4096, 16_384])
def test_a_large_import_is_the_same_on_either_page_size(tmp_path: Path, page_size: int) -> None:
    """What is stored does not depend on the page size (an older project has 4 KB)."""
    path = tmp_path / "a.jsonl"
    texts = _texts(200, 3_000)
    with path.open("w", encoding="utf-8") as fh:
        for i, text in enumerate(texts):
            fh.write(json.dumps({"id": f"a{i}", "title": f"T {i}", "text": text}) + "\n")
    target = tmp_path / "p.tandai"
    _old_project(target, page_size)
    with Project.open(target) as project:
        assert project.db.execute_sql("PRAGMA page_size").fetchone()[0] == page_size
        report = project.imports.import_files([path], detect=False)
        assert report.imported == 200
        got = [project.article(i).text for i in range(1, 201)]
        assert got == texts


def test_the_log_stays_near_its_limit_while_an_import_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past BACKSTOP_BYTES (here 1 MB, while ~6 MB of articles are stored in ~100 KB
    commits) the importer empties the log between two commits; without that it reached
    1.9-7 MB here, SQLite starting it over only when a commit finds every frame copied."""
    monkeypatch.setattr(wal, "BACKSTOP_BYTES", 1 << 20)
    path = tmp_path / "a.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i, text in enumerate(_texts(1500, 4_000)):
            fh.write(json.dumps({"id": f"a{i}", "title": f"T {i}", "text": text}) + "\n")
    wal_file = tmp_path / "p.tandai-wal"
    largest = [0]

    def during(_progress: object) -> None:
        if wal_file.exists():
            largest[0] = max(largest[0], wal_file.stat().st_size)

    with Project.create(tmp_path / "p.tandai") as project:
        project.imports.commit_bytes = 100 << 10
        report = project.imports.import_files([path], detect=False, on_progress=during)
        assert report.imported == 1500
    assert 0 < largest[0] <= (1 << 20) + (400 << 10)  # the backstop and a commit or two
