"""Import into a project: files of every kind, duplicates, bad input, languages, interruption."""

from __future__ import annotations

import gc
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.memory import BULK_GC_THRESHOLD
from core.models import NewArticle
from core.query import ArticleFilter
from storage import Project

ROOT = Path(__file__).resolve().parents[2]

ARTICLES = [
    {
        "id": "id-1",
        "title": "Tentara Korut di Kursk",
        "source": "kabar.example",
        "content": "Ratusan tentara dilaporkan tewas selama pertempuran di wilayah perbatasan, kata "
        "pejabat senior yang berbicara dengan syarat anonim kepada wartawan. 🔥",
        "author": "luc",
    },
    {
        "id": "en-1",
        "headline": "Soldiers killed near border",
        "site": "news.example",
        "body": "Hundreds of soldiers were reported killed during fighting in the border region, a "
        "senior official said on Wednesday, speaking on condition of anonymity. 👨🏻‍🚒",
    },
    {
        "id": "ar-1",
        "title": "اشتباكات حدودية",
        "domain": "akhbar.example",
        "text": "قال مسؤول كبير يوم الأربعاء إن مئات الجنود قتلوا خلال القتال في المنطقة الحدودية "
        "وتحدث المسؤول شريطة عدم الكشف عن هويته.",
    },
    {
        "id": "ja-1",
        "title": "国境で戦闘",
        "source": "shimbun.example",
        "maintext": "国境地帯での戦闘で数百人の兵士が死亡したと、匿名を条件に政府高官が水曜日に語った。"
        "𠮷野家の店主も被害を受けたという。",
    },
]


def write_jsonl(path: Path, records: list[dict], *, newline: str = "\n") -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + newline for r in records), encoding="utf-8"
    )
    return path


def test_jsonl_import_maps_fields_keeps_meta_and_detects_languages(
    project: Project, tmp_path: Path
) -> None:
    report = project.imports.import_files([write_jsonl(tmp_path / "a.jsonl", ARTICLES)])
    assert (report.imported, report.duplicates, report.skipped_total) == (4, 0, 0)
    by_title = {a.title: project.article(a.id) for a in project.list_articles()}
    first = by_title["Tentara Korut di Kursk"]
    assert (first.external_id, first.source, first.lang) == ("id-1", "kabar.example", "id")
    assert first.meta == {"author": "luc"}
    assert by_title["Soldiers killed near border"].lang == "en"
    assert by_title["اشتباكات حدودية"].lang == "ar"
    assert by_title["国境で戦闘"].lang == "ja"
    assert by_title["国境で戦闘"].text == ARTICLES[3]["maintext"]
    assert project.languages() == ["ar", "en", "id", "ja"]
    assert project.count_articles(ArticleFilter(langs=("id", "en"))) == 2


def test_crlf_bom_and_astral_characters_are_stored_as_normalised(
    project: Project, tmp_path: Path
) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes("\ufeffJudul 👨🏻‍🚒\r\n\r\nBaris satu 𠮷\r\nمرحبا\r\n".encode())
    project.imports.import_files([path])
    (summary,) = project.list_articles()
    article = project.article(summary.id)
    assert (article.title, article.text) == ("Judul 👨🏻‍🚒", "Baris satu 𠮷\nمرحبا")


def test_importing_the_same_file_twice_adds_nothing(project: Project, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [*ARTICLES, ARTICLES[0] | {"id": "copy"}])
    first = project.imports.import_files([path])
    assert (first.imported, first.duplicates) == (4, 1)
    again = project.imports.import_files([path])
    assert (again.imported, again.duplicates) == (0, 5)
    assert project.count_articles() == 4


def test_bad_records_are_reported_with_file_and_line_and_the_rest_imported(
    project: Project, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.jsonl"
    lines = [
        json.dumps(ARTICLES[0]),
        '{"title": "broken", "text": ',
        json.dumps({"title": "x"}),
        json.dumps(ARTICLES[1]),
        "[1, 2]",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seen: list[str] = []
    report = project.imports.import_files(
        [path, tmp_path / "missing.jsonl"], on_problem=seen.append
    )
    assert report.imported == 2
    assert report.skipped_total == 3  # the records; the missing file is not a record
    assert report.file_problems == {"no such file or folder": 1}
    assert report.records == report.imported + report.duplicates + report.skipped_total == 5
    assert seen[0].startswith(f"{tmp_path / 'missing.jsonl'}: ")
    assert [p.split(": ")[0] for p in seen[1:]] == [f"{path}:2", f"{path}:3", f"{path}:5"]
    assert "invalid JSON" in seen[1] and "no text" in seen[2]
    assert "skipped by reason" in report.summary()


def test_stop_request_keeps_whole_commits_and_a_rerun_completes(
    project: Project, tmp_path: Path
) -> None:
    records = [{"text": f"Berita ke-{i} tentang harga beras di pasar."} for i in range(2500)]
    path = write_jsonl(tmp_path / "many.jsonl", records)
    project.imports.commit_bytes = 20_000  # a commit every ~450 records instead of every 16 MB
    calls = {"n": 0}

    def stop_after_first_commit() -> bool:
        calls["n"] += 1
        return calls["n"] > 1

    report = project.imports.import_files([path], should_stop=stop_after_first_commit, detect=False)
    assert report.cancelled and 0 < report.imported < 2500
    assert project.count_articles() == report.imported
    rerun = project.imports.import_files([path], detect=False)
    assert (rerun.imported, rerun.duplicates) == (2500 - report.imported, report.imported)
    assert project.count_articles() == 2500


@pytest.mark.slow
def test_ctrl_c_during_a_cli_import_leaves_a_valid_project_and_a_rerun_completes(
    tmp_path: Path,
) -> None:
    total = 60_000
    lines = [
        json.dumps({"id": i, "text": f"Artikel {i}: " + "kata lain " * 60}) + "\n"
        for i in range(total)
    ]
    target = tmp_path / "big.tandai"
    cmd = [sys.executable, str(ROOT / "main.py"), "import", str(target), "-", "--no-detect", "-q"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # The records come through a pipe that stays open until the import has ended, so the
    # Ctrl-C lands while it is storing or waiting for more, after its first commit, however
    # fast or slow the machine (from a file, a fast import once ended before the signal).
    # A test run started in the background of a script ignores SIGINT, and a child inherits
    # that: it starts with Ctrl-C's usual action here, as from a terminal (a handler, unlike
    # "ignore", is not inherited).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen(
            cmd, env=env, stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8"
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    assert proc.stdin is not None and proc.stderr is not None
    sent, stored = 0, 0
    deadline = time.monotonic() + 60
    while stored < 3000 and time.monotonic() < deadline:
        if sent < total // 2:
            proc.stdin.write("".join(lines[sent : sent + 1000]))
            proc.stdin.flush()
            sent += 1000
        time.sleep(0.05)
        if target.exists():
            try:
                conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True, timeout=5)
                stored = conn.execute("SELECT count(*) FROM article").fetchone()[0]
                conn.close()
            except sqlite3.OperationalError:
                continue
    assert stored >= 3000
    proc.send_signal(signal.SIGINT)
    returncode = proc.wait(timeout=60)
    err = proc.stderr.read()
    proc.stdin.close()
    proc.stderr.close()
    assert returncode == 130, err
    assert "run the same command again" in err
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = conn.execute("SELECT count(*) FROM article").fetchone()[0]
    texts = conn.execute("SELECT count(*) FROM article_text").fetchone()[0]
    conn.close()
    assert 0 < stored <= sent < total and stored == texts
    # The same command again, given every record this time.
    subprocess.run(
        cmd,
        env=env,
        input="".join(lines),
        check=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    with Project.open(target) as project:
        assert project.count_articles() == total


def test_a_lone_surrogate_in_one_line_is_reported_and_every_other_line_is_stored(
    project: Project, tmp_path: Path
) -> None:
    lines = [json.dumps({"text": f"Berita ke-{i} tentang harga beras."}) for i in range(2499)]
    lines.insert(1200, '{"text": "rusak \\ud800 di sini"}')
    path = tmp_path / "surrogate.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = project.imports.import_files([path], detect=False)

    assert (report.imported, report.skipped_total) == (2499, 1)
    assert report.problems == [
        f"{path}:1201: holds a lone surrogate escape (\\ud800), which is not text;"
        " fix the record or remove it"
    ]
    assert project.count_articles() == 2499


def test_a_record_the_database_refuses_is_retried_alone_and_the_good_ones_are_stored(
    project: Project,
) -> None:
    articles = [
        NewArticle(text=f"Berita ke-{i} tentang banjir.", origin=f"x:{i}") for i in range(50)
    ]
    # Not reachable through the readers (they report it first), but any other caller may
    # hand over a string no UTF-8 database can hold: the database refuses it.
    articles[17] = NewArticle(text="rusak \ud800 di sini", origin="x:17")
    problems: list[str] = []

    report = project.imports.store_articles(articles, on_problem=problems.append)

    assert report.imported == 49 and project.count_articles() == 49
    assert len(problems) == 1 and problems[0].startswith("x:17: cannot be stored: ")
    assert report.skipped_total == 1


def test_an_id_or_source_longer_than_its_column_is_reported_per_record(
    project: Project, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "long.jsonl",
        [
            {"id": "a", "text": "Satu berita biasa."},
            {"id": "x" * 501, "text": "Berita dengan id yang terlalu panjang."},
            {"source": "s" * 600, "text": "Berita dengan sumber yang terlalu panjang."},
            {"id": "b", "text": "Berita lain yang biasa."},
        ],
    )

    report = project.imports.import_files([path], detect=False)

    assert report.imported == 2 and project.count_articles() == 2
    assert report.problems == [
        f"{path}:2: id has 501 characters, more than the limit of 500",
        f"{path}:3: source has 600 characters, more than the limit of 500",
    ]


@pytest.mark.slow
def test_sigkill_at_any_point_of_an_import_leaves_a_valid_project_and_a_rerun_completes(
    tmp_path: Path,
) -> None:
    """Killed repeatedly at different moments (while reading, inside commits, during the
    checkpoint): every time the file is intact, articles and texts match, and the final run
    stores exactly the records of the file, once each."""
    total = 40_000
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(total):
            fh.write(json.dumps({"id": f"k{i}", "text": f"Artikel {i}: " + "kata lain " * 60}))
            fh.write("\n")
    target = tmp_path / "big.tandai"
    cmd = [sys.executable, str(ROOT / "main.py"), "import", str(target), str(path), "-q"]
    cmd.append("--no-detect")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    stored_before = 0
    for delay in (0.4, 0.9, 1.3, 1.8, 2.4):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        proc.kill()
        proc.wait(timeout=30)
        if not target.exists():
            continue
        conn = sqlite3.connect(target)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "article_text" not in tables:  # killed while the project was being created
            conn.close()
            continue
        stored = conn.execute("SELECT count(*) FROM article").fetchone()[0]
        texts = conn.execute("SELECT count(*) FROM article_text").fetchone()[0]
        conn.close()
        assert stored == texts and stored >= stored_before
        stored_before = stored
    final = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert f"{total:,} records read" in final.stdout
    conn = sqlite3.connect(target)
    ids = [r[0] for r in conn.execute("SELECT external_id FROM article")]
    conn.close()
    assert sorted(ids) == sorted(f"k{i}" for i in range(total))


def test_a_project_file_left_empty_by_a_creation_killed_at_once_opens_and_imports(
    tmp_path: Path,
) -> None:
    target = tmp_path / "killed.tandai"
    target.write_bytes(b"")  # what SQLite leaves before its first write
    path = write_jsonl(tmp_path / "a.jsonl", ARTICLES)

    with Project.open(target) as project:
        report = project.imports.import_files([path], detect=False)
        assert report.imported == len(ARTICLES) == project.count_articles()


def test_an_id_already_used_by_another_text_is_reported_and_both_are_kept(
    project: Project, tmp_path: Path
) -> None:
    first = tmp_path / "a.jsonl"
    first.write_text(json.dumps({"id": "x-9", "text": "Satu 𠮷野 teks."}) + "\n", "utf-8")
    second = tmp_path / "b.jsonl"
    second.write_text(
        json.dumps({"id": "x-9", "text": "Teks lain 👨🏻‍🚒."})
        + "\n"
        + json.dumps({"id": "y-1", "text": "A"})
        + "\n"
        + json.dumps({"id": "y-1", "text": "B"})
        + "\n",
        "utf-8",
    )
    project.imports.import_files([first], detect=False)
    seen: list[str] = []
    report = project.imports.import_files([second], detect=False, on_problem=seen.append)
    assert report.imported == 3 and report.shared_ids == 2
    assert [s.split(": ", 1)[1][:18] for s in seen] == ["id 'x-9' is alread", "id 'y-1' is alread"]
    assert seen[0].startswith(f"{second}:1") and seen[1].startswith(f"{second}:3")
    assert "2 articles imported under an id another article" in report.summary()
    assert project.count_articles() == 4


def test_a_bulk_import_gives_the_connection_back_with_full_sync(tmp_path: Path) -> None:
    """Storing runs with synchronous=NORMAL; the labels written on the same connection
    afterwards must be FULL again."""
    path = write_jsonl(tmp_path / "a.jsonl", ARTICLES)
    with Project.create(tmp_path / "p.tandai") as project:
        seen: list[int] = []

        def during(_progress: object) -> None:
            seen.append(project.db.execute_sql("PRAGMA synchronous").fetchone()[0])

        project.imports.import_files([path], detect=False, on_progress=during)
        assert seen and seen[0] == 1  # NORMAL
        assert project.db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_bulk_import_runs_the_cycle_collector_less_often_and_puts_it_back(
    tmp_path: Path,
) -> None:
    """Storing a million articles spent 2.5 s in collections that found next to nothing
    (``core.memory.fewer_collections``); the threshold must be the usual one afterwards."""
    path = write_jsonl(tmp_path / "a.jsonl", ARTICLES)
    usual = gc.get_threshold()
    with Project.create(tmp_path / "p.tandai") as project:
        seen: list[int] = []
        project.imports.import_files(
            [path], detect=False, on_progress=lambda _p: seen.append(gc.get_threshold()[0])
        )
    assert seen and set(seen) == {BULK_GC_THRESHOLD}
    assert gc.get_threshold() == usual


def test_the_catch_up_runs_the_cycle_collector_less_often_and_puts_it_back(
    tmp_path: Path,
) -> None:
    """The catch-up is a bulk phase too (``core.memory.fewer_collections``)."""
    path = write_jsonl(tmp_path / "a.jsonl", ARTICLES)
    usual = gc.get_threshold()
    with Project.create(tmp_path / "p.tandai") as project:
        project.imports.import_files([path], detect=False)
        assert gc.get_threshold() == usual
        seen: list[int] = []
        project.imports.process_pending(on_progress=lambda _p: seen.append(gc.get_threshold()[0]))
        assert project.imports.pending_languages() == 0
    assert seen and set(seen) == {BULK_GC_THRESHOLD}
    assert gc.get_threshold() == usual


@pytest.mark.slow
def test_detected_languages_wait_for_a_write_lock_held_longer_than_one_busy_timeout(
    tmp_path: Path,
) -> None:
    """The grouping beside the languages (process_pending) holds the lock for its batches:
    the languages' writes wait more than the 5 s one wait allows, and none is lost."""
    import threading

    path = write_jsonl(tmp_path / "a.jsonl", ARTICLES)
    target = tmp_path / "p.tandai"
    with Project.create(target) as project:
        project.imports.import_files([path], detect=False)
        other = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        released = threading.Timer(7.0, lambda: other.execute("COMMIT"))
        released.start()
        try:
            assert project.imports.detect_languages(workers=1) == len(ARTICLES)
        finally:
            released.join()
            other.close()
        assert project.imports.pending_languages() == 0
