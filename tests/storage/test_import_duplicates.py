"""How an import finds the texts a project holds already: by a 64-bit prefix of the content
hash, compared whole; in memory while a large import runs without that index; and with a
second importer of the same file at the same time."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.models import NewArticle
from core.text import content_hash, normalise_text
from storage import Project, content_hashes
from storage.content_hashes import KnownHashes, ids_by_hash

ROOT = Path(__file__).resolve().parents[2]


def test_texts_whose_hashes_share_their_first_64_bits_are_two_articles(
    project: Project,
) -> None:
    """Articles are found by a 64-bit prefix of their content hash (schema version 13), then
    compared whole: a text whose hash only starts like another's is stored, not skipped."""
    text = "Banjir merendam 𠮷 ratusan rumah di Bekasi 🌧️, kata BPBD.\nسيول في المدينة"
    whole = content_hash(text)
    forged = whole[:16] + ("1" if whole[16] == "0" else "0") + whole[17:]
    p = project.db.param
    project.db.execute_sql(
        "INSERT INTO article (external_id, content_hash, title, url, source, published, meta,"
        f" created) VALUES ('other', {p}, 'Lain', '', '', '', '{{}}', CURRENT_TIMESTAMP)",
        (forged,),
    )
    report = project.imports.store_articles([NewArticle(text=text, title="Banjir")])
    assert (report.imported, report.duplicates) == (1, 0)
    again = project.imports.store_articles([NewArticle(text=text + "\r\n", title="Lagi")])
    assert (again.imported, again.duplicates) == (0, 1)
    assert ids_by_hash(project.db.cursor(), p, [whole, forged]).keys() == {whole, forged}
    assert project.count_articles() == 2


def test_two_imports_of_one_file_at_once_store_each_text_once(
    project_target: str, tmp_path: Path
) -> None:
    """No unique index guards the content hash: each commit's check and insert are one step
    that a second importer waits for (SQLite's write lock, PostgreSQL's advisory lock), so
    two processes importing the same file at the same time store every text once."""
    Project.create(project_target).close()
    total = 40_000  # ~25 MB: commits of a second's reading each, interleaved
    path = tmp_path / "same.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(total):
            text = f"Berita {i} 🌏: " + "kata lain " * 60
            fh.write(json.dumps({"id": f"s{i}", "text": text}, ensure_ascii=False) + "\n")
    cmd = [sys.executable, str(ROOT / "main.py"), "import", project_target, str(path)]
    cmd += ["-q", "--no-detect"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=300) for proc in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    imported = [int(out.split(":")[1].split()[0].replace(",", "")) for out, _ in outputs]
    assert sum(imported) == total
    with Project.open(project_target) as project:
        assert project.count_articles() == total
        (distinct,) = project.db.execute_sql(
            "SELECT COUNT(DISTINCT content_hash) FROM article"
        ).fetchone()
        assert distinct == total


def _many(path: Path, count: int, *, repeat_every: int) -> list[str]:
    """~6 MB of JSON Lines (emoji, CJK Extension B, RTL, CRLF); every ``repeat_every``-th
    record repeats an earlier text under a new id. Returns the texts stored, once each."""
    texts: list[str] = []
    with path.open("w", encoding="utf-8") as fh:
        for i in range(count):
            if i % repeat_every == repeat_every - 1:
                text = texts[i // 3]
            else:
                text = f"Berita {i} 𠀀 שלום 🔥\r\n" + f"kata ke-{i} lain " * 80
            texts.append(text)
            fh.write(json.dumps({"id": f"m{i}", "text": text}, ensure_ascii=False) + "\n")
    return list(dict.fromkeys(normalise_text(t) for t in texts))


@pytest.mark.parametrize("limit", [None, 700])
def test_a_large_import_finds_duplicates_without_the_content_key_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int | None
) -> None:
    """An import larger than the project is stored without the content-key index (built at
    the end): duplicates inside the file, across its commits and of articles already stored
    are found all the same, in memory; past ``KNOWN_HASHES_LIMIT`` hashes the index is
    built at once and finds the rest."""
    if limit is not None:
        monkeypatch.setattr(content_hashes, "KNOWN_HASHES_LIMIT", limit)
    path = tmp_path / "many.jsonl"
    unique = _many(path, 5_000, repeat_every=7)
    with Project.create(tmp_path / "p.tandai") as project:
        project.imports.commit_bytes = 256 << 10  # ~25 commits
        project.imports.store_articles([NewArticle(text=unique[10] + "\n")])
        report = project.imports.import_files([path], detect=False)
        assert (report.imported, report.duplicates) == (len(unique) - 1, 5_000 - len(unique) + 1)
        assert project.count_articles() == len(unique)
        stored = project.db.execute_sql("SELECT content_hash FROM article").fetchall()
        assert sorted(h for (h,) in stored) == sorted(content_hash(t) for t in unique)
        names = {
            name
            for (name,) in project.db.execute_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index'"
            ).fetchall()
        }
        assert {"article_content_key", "article_title_sort"} <= names
        again = project.imports.import_files([path], detect=False)
        assert (again.imported, again.duplicates) == (0, 5_000)


def test_the_hashes_a_large_import_holds_are_not_walked_by_the_cycle_collector(
    tmp_path: Path,
) -> None:
    """Every full collection walks each container the collector tracks, and a full one came
    every few batches: held in a set, a million hashes made the storing's collections grow
    with the import (1.3 s of a million's 43 s). Held as a dict's keys (bytes only), they
    are not tracked, and they answer the same."""
    with Project.create(tmp_path / "p.tandai") as project:
        project.imports.store_articles([NewArticle(text=f"text number {i}") for i in range(50)])
        stored = [h for (h,) in project.db.execute_sql("SELECT content_hash FROM article")]
        known = KnownHashes()
        cursor = project.db.cursor()
        assert known.stored(cursor, [*stored[:3], content_hash("not stored")]) == set(stored[:3])
        assert len(known) == 50
        assert not gc.is_tracked(known._digests)
