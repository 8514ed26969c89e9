"""A full disk, a read-only project and another program's write lock: one clear message,
nothing half-saved, and the project still good afterwards. Real file systems and processes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import Project, ProjectBusy, StorageFault
from tests.faults.helpers import fill_disk, mounted_tmpfs, remount_read_only, run_cli


def _articles(path: Path, n: int = 3) -> Path:
    path.write_text(
        "".join(
            json.dumps({"id": f"a{i}", "text": f"Article {i}: Jakarta is a big city in Java."})
            + "\n"
            for i in range(n)
        ),
        "utf-8",
    )
    return path


def _project(path: Path, data: Path) -> None:
    with Project.create(path) as project:
        project.imports.import_files([data], detect=False)


def _first_id(project: Project) -> int:
    return next(iter(project.article_ids()))


def _intact(path: Path) -> None:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


# ---- a full disk ------------------------------------------------------------------------------


def test_labelling_on_a_full_disk_says_disk_full_and_keeps_every_saved_label(
    tmp_path: Path,
) -> None:
    with mounted_tmpfs(tmp_path / "disk", size="4m") as disk:  # an empty project: ~1 MB
        path = disk / "p.tandai"
        _project(path, _articles(tmp_path / "a.jsonl"))
        with Project.open(path) as project:
            aid = _first_id(project)
            project.labels.add_span(
                aid, annotator="ana", layer="entity", label="GPE", start=11, end=18
            )
            filler = fill_disk(disk)
            with pytest.raises(StorageFault) as caught:
                for n in range(200):  # new annotators: each write needs new pages
                    project.labels.add_span(
                        aid, annotator=f"x{n}", layer="entity", label="GPE", start=11, end=18
                    )
            message = str(caught.value)
            assert "the disk is full" in message and "was not saved" in message
            assert "cannot rollback" not in message
            filler.unlink()  # space again: the same project goes on working
            project.labels.add_span(
                aid, annotator="ana", layer="entity", label="LOC", start=0, end=7
            )
            spans = {(s.label, s.start) for s in project.labels.spans(aid, annotator="ana")}
        assert spans == {("GPE", 11), ("LOC", 0)}
        _intact(path)


def test_opening_a_project_on_a_full_disk_says_disk_full_not_disk_io_error(
    tmp_path: Path,
) -> None:
    with mounted_tmpfs(tmp_path / "disk", size="4m") as disk:  # an empty project: ~1 MB
        path = disk / "p.tandai"
        _project(path, _articles(tmp_path / "a.jsonl"))
        fill_disk(disk)
        with pytest.raises(StorageFault) as caught:
            Project.open(path).close()
        assert str(caught.value).startswith(f"{path}: the disk is full")
        assert "Free some space" in str(caught.value)


def test_an_import_onto_a_full_disk_is_one_line_and_a_rerun_completes_it(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text(
        "".join(
            json.dumps({"id": f"b{i}", "text": f"Story {i}. " + "Lorem ipsum dolor sit. " * 40})
            + "\n"
            for i in range(1500)
        ),
        "utf-8",
    )
    with mounted_tmpfs(tmp_path / "disk", size="6m") as disk:
        path = disk / "p.tandai"
        _project(path, _articles(tmp_path / "a.jsonl", 1))
        filler = disk / "filler.bin"
        filler.write_bytes(b"\0" * (5 << 20))
        done = run_cli("import", str(path), str(big), "--no-detect", "-q", cwd=tmp_path)
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "the disk is full" in done.stderr and "Free some space" in done.stderr
        assert "run the same command again to complete the import" in done.stderr
        _intact(path)
        filler.unlink()
        again = run_cli("import", str(path), str(big), "--no-detect", "-q", cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        with Project.open(path) as project:
            assert project.count_articles() == 1501


@pytest.mark.parametrize("indexed", [False, True])
def test_grouping_reads_the_project_when_the_disk_has_no_room_for_its_copy(
    tmp_path: Path, indexed: bool
) -> None:
    """The near-duplicate pass copies the grouped sketches beside the project for a run of
    many passes, or indexes their keys there for a run of many chunks; on a full disk it
    reads them from the project instead, as it always could, does not try again for the
    rest of the run, and leaves nothing behind."""
    from core.neardup import SKETCH_BYTES
    from storage.near_duplicate_index import KeyIndex
    from storage.near_duplicate_sources import GroupedSource

    pages = [([1, 2], b"\x01" * 2 * SKETCH_BYTES), ([3], b"\x02" * SKETCH_BYTES)]

    def table() -> Iterator[tuple[list[int], bytes]]:
        return iter(pages)

    with mounted_tmpfs(tmp_path / "disk", size="1m") as disk:
        roomy = GroupedSource(table, str(disk), indexed=indexed)
        made = roomy.pages(3, 100_000)  # 20 passes for a chunk of 100,000: worth a copy
        if indexed:
            assert isinstance(made, KeyIndex) and list(made.ids) == [1, 2, 3]
            assert made.sketch(2) == pages[1][1]
        else:
            assert made is not table and made is not None and not isinstance(made, KeyIndex)
            assert list(made()) == [([1, 2, 3], b"".join(block for _, block in pages))]
        roomy.close()
        fill_disk(disk)
        full = GroupedSource(table, str(disk), indexed=indexed)
        assert full.pages(3, 100_000) is table
        full.written([(4, 4, b"\x03" * SKETCH_BYTES)])
        assert full.pages(4, 100_000) is table
        full.close()
        assert sorted(p.name for p in disk.iterdir()) == ["filler.bin"]


def test_a_head_start_on_the_next_chunk_ends_quietly_when_the_disk_is_full(
    tmp_path: Path,
) -> None:
    """The next chunk's sketches wait in a temporary file beside the project while the
    current chunk is compared; a full disk ends that head start (the chunk is then sketched
    when its turn comes), and leaves nothing behind."""
    import concurrent.futures as cf

    from core.neardup import sketch_texts
    from storage.near_duplicate_sources import NextChunk

    texts = [f"kabar {k} 😀 𠮷野 مرحبا\r\nbanjir besar di kota nomor {k}" for k in range(1200)]

    def in_order(ids: list[int]) -> list[str]:
        return [texts[i] for i in ids]

    ids = list(range(len(texts)))
    with (
        mounted_tmpfs(tmp_path / "disk", size="1m") as disk,
        cf.ThreadPoolExecutor(max_workers=2) as pool,
    ):
        roomy = NextChunk(ids, in_order, pool, str(disk))
        roomy.pump()
        chunk = roomy.chunk(lambda: False, lambda n: None)
        assert chunk is not None and chunk.ids == ids
        assert chunk.sketches == sketch_texts(texts)
        fill_disk(disk)
        full = NextChunk(ids, in_order, pool, str(disk))  # a file with no name takes no room
        full.pump()
        assert full.chunk(lambda: False, lambda n: None) is None  # 460 kB of sketches: no room
        assert sorted(p.name for p in disk.iterdir()) == ["filler.bin"]


# ---- a read-only project ------------------------------------------------------------------------


def test_a_read_only_project_is_refused_at_once_with_what_to_do(tmp_path: Path) -> None:
    data = _articles(tmp_path / "a.jsonl")
    with mounted_tmpfs(tmp_path / "disk", size="4m") as disk:
        path = disk / "p.tandai"
        _project(path, data)
        remount_read_only(disk)
        done = run_cli("import", str(path), str(data), "--no-detect", cwd=tmp_path)
        assert done.returncode == 1
        assert "Traceback" not in done.stderr and "OperationalError" not in done.stderr
        assert "the project is read-only" in done.stderr
        assert "Copy it to a folder you can write to" in done.stderr
        with pytest.raises(StorageFault, match="read-only"):
            Project.open(path)


# ---- another program holds the write lock -------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sqlite3, sys, time
    con = sqlite3.connect(sys.argv[1], isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    con.execute("CREATE TABLE IF NOT EXISTS held (x)")
    print("HELD", flush=True)
    time.sleep(120)
    """
)


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "p.tandai"
    _project(path, _articles(tmp_path / "a.jsonl"))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "HELD"
        yield path
    finally:
        holder.kill()
        holder.wait()


def test_a_held_write_lock_gives_busy_within_a_bounded_wait(held: Path) -> None:
    with Project.open(held) as project:
        aid = _first_id(project)
        started = time.monotonic()
        with pytest.raises(ProjectBusy) as caught:
            project.labels.add_span(
                aid, annotator="ana", layer="entity", label="GPE", start=11, end=18
            )
        waited = time.monotonic() - started
        assert "another program holds its write lock" in str(caught.value)
        assert 3 < waited < 9, waited


def test_an_import_against_a_held_lock_is_one_line(held: Path, tmp_path: Path) -> None:
    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps({"text": "A new article about Surabaya and Bandung."}) + "\n")
    done = run_cli("import", str(held), str(more), "--no-detect", cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "project is busy" in done.stderr


def test_reading_commands_do_not_wait_for_a_checkpoint_on_close(held: Path, tmp_path: Path) -> None:
    for command in (["stats", str(held)], ["export", str(held), str(tmp_path / "out"), "-q"]):
        done = run_cli(*command, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    # The close itself, timed apart from the interpreter's start (a loaded machine):
    # folding the WAL back must not wait for the other program's lock.
    with Project.open(held) as project:
        project.stats()
        started = time.monotonic()
        project.close()
        took = time.monotonic() - started
    assert took < 1, f"close took {took:.1f} s"


def test_a_project_that_turns_read_only_while_open_says_so_and_saves_nothing(
    tmp_path: Path,
) -> None:
    """SQLite's own read-only state (``query_only``: every write refused with "attempt to
    write a readonly database", as after a remount or a permission change under it)."""
    path = tmp_path / "p.tandai"
    _project(path, _articles(tmp_path / "a.jsonl"))
    with Project.open(path) as project:
        aid = _first_id(project)
        project.db.execute_sql("PRAGMA query_only = 1")
        with pytest.raises(StorageFault) as caught:
            project.labels.add_span(
                aid, annotator="ana", layer="entity", label="GPE", start=11, end=18
            )
        assert "the project is read-only" in str(caught.value)
        assert "the change was not saved" in str(caught.value)
        project.db.execute_sql("PRAGMA query_only = 0")
        assert project.labels.spans(aid, annotator="ana") == []


def test_creating_a_project_in_a_read_only_folder_is_one_line(tmp_path: Path) -> None:
    data = _articles(tmp_path / "a.jsonl")
    with mounted_tmpfs(tmp_path / "disk", size="4m") as disk:  # an empty project: ~1 MB
        remount_read_only(disk)
        done = run_cli("import", str(disk / "new.tandai"), str(data), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"tandai import: {disk / 'new.tandai'}: cannot create the project there (the folder "
        "is read-only); choose a folder you can write to"
    ]
