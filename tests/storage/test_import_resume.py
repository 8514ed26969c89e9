"""An import stopped where it hurts most, in real processes: frozen part-way through a
commit (what a power cut or SIGKILL leaves on disk), and killed while the languages and the
near-duplicate groups are worked out after storing. Each time the project is valid and the
same command run again completes it, with the same result as one uninterrupted run."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage import Project

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
WORDS = [
    "warga", "kota", "pasar", "banjir", "jalan", "sekolah", "rumah", "sakit", "menteri",
    "rakyat", "ekonomi", "negara", "bantuan", "dana", "pejabat", "presiden", "the",
    "government", "said", "market", "price", "flood", "school", "hospital", "people",
]  # fmt: skip


def _news(path: Path, count: int, *, seed: int, rewrites: bool = False) -> list[str]:
    """JSON Lines of random news (with emoji, CJK Extension B, RTL text and CRLF), every
    fifth one a rewrite of an earlier one when ``rewrites``; returns the ids."""
    rng = random.Random(seed)
    texts: list[str] = []
    ids = []
    with path.open("w", encoding="utf-8") as fh:
        for i in range(count):
            if rewrites and i % 5 == 4:
                text = f"Diberitakan ulang ({i}) 🔁 oleh situs lain.\r\n" + texts[rng.randrange(i)]
            else:
                body = " ".join(rng.choice(WORDS) for _ in range(120))
                text = f"Berita {i} 𠀀 שלום 🔥\r\n{body}"
            texts.append(text)
            ids.append(f"n{i}")
            fh.write(json.dumps({"id": ids[-1], "title": f"Judul {i}", "text": text}) + "\n")
    return ids


def _torn_frames(wal: Path) -> int:
    """Frames of the WAL written after its last complete commit (an unfinished commit)."""
    data = wal.read_bytes() if wal.exists() else b""
    if len(data) < 32:
        return 0
    page = struct.unpack(">I", data[8:12])[0]
    salts = data[16:24]
    after_commit = 0
    for offset in range(32, len(data) - 24 - page + 1, 24 + page):
        header = data[offset : offset + 24]
        if header[8:16] != salts:
            break
        after_commit = 0 if struct.unpack(">I", header[4:8])[0] else after_commit + 1
    return after_commit


def _tables(target: Path) -> set[str]:
    conn = sqlite3.connect(target)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()


def _title_index(target: Path) -> bool:
    """Both indexes a large import builds at the end: the title sort and the content key."""
    return {"article_title_sort", "article_content_key"} <= _tables(target)


def _check_snapshot(target: Path) -> int:
    """The file opens intact, every article has its text; returns the articles."""
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "article_text" not in tables:  # frozen while the project was being created
            return 0
        stored = conn.execute("SELECT count(*) FROM article").fetchone()[0]
        texts = conn.execute("SELECT count(*) FROM article_text").fetchone()[0]
    finally:
        conn.close()
    assert stored == texts
    return int(stored)


@pytest.mark.slow
def test_an_import_frozen_inside_its_commits_leaves_valid_files_and_a_rerun_completes(
    tmp_path: Path,
) -> None:
    """The importer is stopped (SIGSTOP) at random moments and its files copied as they are
    on disk at that instant, as a power cut or a SIGKILL would leave them, torn commits
    included; every copy opens intact and importing the file again into it completes it."""
    total = 12_000
    data = tmp_path / "news.jsonl"
    ids = _news(data, total, seed=3)
    target = tmp_path / "p.tandai"
    cmd = [sys.executable, str(ROOT / "main.py"), "import", str(target), str(data), "-q"]
    proc = subprocess.Popen(
        [*cmd, "--no-detect"], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    rng = random.Random(8)
    snapshots: list[Path] = []
    torn = 0
    while proc.poll() is None and len(snapshots) < 80:
        time.sleep(rng.uniform(0.0, 0.03))
        proc.send_signal(signal.SIGSTOP)
        try:
            if target.exists():
                copy = tmp_path / f"snap{len(snapshots)}" / "p.tandai"
                copy.parent.mkdir()
                for suffix in ("", "-wal"):
                    source = Path(f"{target}{suffix}")
                    if source.exists():
                        shutil.copyfile(source, f"{copy}{suffix}")
                torn += _torn_frames(Path(f"{copy}-wal")) > 0
                snapshots.append(copy)
        finally:
            proc.send_signal(signal.SIGCONT)
    proc.communicate(timeout=120)
    assert snapshots, "the import ended before a copy was taken"
    # 10 MB into an empty project: stored without the title sort and content-key indexes,
    # built at the end; copies taken in between lack them, and opening them builds them.
    without = [s for s in snapshots if "article_text" in _tables(s) and not _title_index(s)]
    assert without, "no copy was taken while the indexes were being deferred"
    with Project.open(without[0]):
        pass
    assert _title_index(without[0])
    # Resume a spread of them (each re-run is a whole import): the first, the last, and
    # every torn one up to a few.
    torn_ones = [s for s in snapshots if _torn_frames(Path(f"{s}-wal")) > 0][:3]
    chosen = dict.fromkeys([snapshots[0], *torn_ones, snapshots[-1]])
    for copy in snapshots:
        _check_snapshot(copy)  # opening replays the WAL's complete commits only
    for copy in chosen:
        before = _check_snapshot(copy)
        done = subprocess.run(
            [*cmd[:3], str(copy), str(data), "-q", "--no-detect"],
            env=ENV,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert f"{total - before:,} imported" in done.stdout
        assert _title_index(copy)
        with Project.open(copy) as project:
            assert project.count_articles() == total
            stored = sorted(project.article(a).external_id for a in project.article_ids())
        assert stored == sorted(ids)
    print(f"{len(snapshots)} copies, {torn} inside a commit")


def _grouping(target: Path) -> tuple[dict[str, str | None], dict[str, str]]:
    """External id -> language, and -> the external id of its group's first article."""
    conn = sqlite3.connect(target)
    try:
        langs = dict(conn.execute("SELECT external_id, lang FROM article"))
        groups = dict(
            conn.execute(
                "SELECT a.external_id, g.external_id FROM near_duplicate n"
                " JOIN article a ON a.id = n.article_id JOIN article g ON g.id = n.group_id"
            )
        )
    finally:
        conn.close()
    return langs, groups


@pytest.mark.slow
def test_an_import_killed_while_detecting_and_grouping_is_completed_by_a_rerun(
    tmp_path: Path,
) -> None:
    """SIGKILL after storing, while the languages and the near-duplicate groups are worked
    out (an import does both by default): the re-run stores nothing again and ends with
    every language and the very groups of an uninterrupted import."""
    total = 3000
    data = tmp_path / "news.jsonl"
    _news(data, total, seed=5, rewrites=True)
    whole = tmp_path / "whole.tandai"
    once = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "import", str(whole), str(data), "-q"],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert once.returncode == 0, once.stderr
    expected_langs, expected_groups = _grouping(whole)
    assert len(expected_groups) == total and None not in expected_langs.values()
    assert len(set(expected_groups.values())) < total  # the rewrites were grouped

    target = tmp_path / "p.tandai"
    cmd = [sys.executable, str(ROOT / "main.py"), "import", str(target), str(data), "-q"]
    for delay in (0.5, 1.5):
        proc = subprocess.Popen(cmd, env=ENV, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        stored = 0
        while proc.poll() is None and time.monotonic() < deadline and stored < total:
            time.sleep(0.05)
            try:
                conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True, timeout=5)
                stored = conn.execute("SELECT count(*) FROM article").fetchone()[0]
                conn.close()
            except sqlite3.OperationalError:
                continue
        time.sleep(delay)  # into the grouping or the languages
        proc.kill()
        proc.wait(timeout=30)
        assert _check_snapshot(target) == total
    langs, groups = _grouping(target)
    assert None in langs.values() or len(groups) < total, "the kills came after the end"
    done = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"0 imported, {total:,} duplicates skipped" in done.stdout
    assert _grouping(target) == (expected_langs, expected_groups)
