"""The full-text index merged into one segment after a pass that at least doubles it: the
same hits as before, a pass that adds less leaves the segments alone, and a stop between two
merge steps leaves a valid index that still finds everything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import storage.search_index as search_index
from core.models import NewArticle
from core.query import ArticleFilter
from storage import ImportProgress, Project
from tests.faults.helpers import run_cli


def _word(n: int) -> str:
    """A word of letters only, one per article (digits would tokenize apart; the last word
    of a search stands for the words it begins)."""
    return "kata" + "".join("abcdefghij"[int(d)] for d in str(n)) + "z"  # no prefix of another


def _texts(first: int, count: int) -> list[tuple[str, str]]:
    """Titles and texts: "berita" in all, "genap" in the even ones, one word of their own
    and 40 more of their own (so that the index spans many pages); emoji, CJK Extension B,
    right-to-left text and CRLF around them."""
    out = []
    for n in range(first, first + count):
        even = " genap" if n % 2 == 0 else ""
        more = " ".join(_word(10_000 + 40 * n + k) for k in range(40))
        text = f"Berita 😀 hari ini{even}\r\n𠮷野 {_word(n)} שלום עולם\r\n{more} akhir"
        out.append((f"Judul {n}", text))
    return out


def _store(project: Project, texts: list[tuple[str, str]], **kwargs: object) -> int:
    project.imports.store_articles(NewArticle(text=t, title=h) for h, t in texts)
    return project.imports.index_pending(**kwargs)  # type: ignore[arg-type]


def _segments(project: Project) -> int:
    return project.db.execute_sql("SELECT COUNT(DISTINCT segid) FROM article_fts_idx").fetchone()[0]


def _hits(project: Project, word: str) -> list[int]:
    return [a.id for a in project.list_articles(ArticleFilter(text=word), limit=10_000)]


def _check_hits(project: Project, count: int) -> None:
    everything = list(range(1, count + 1))
    assert sorted(_hits(project, "berita")) == everything
    assert sorted(_hits(project, "genap")) == [n for n in everything if (n - 1) % 2 == 0]
    for n in (0, 7, count - 1):
        assert _hits(project, _word(n)) == [n + 1]
    assert project.count_articles(ArticleFilter(text="berita")) == count
    # FTS5's own check of the index against the articles it was given.
    project.db.execute_sql("INSERT INTO article_fts (article_fts) VALUES ('integrity-check')")


def test_a_pass_that_doubles_the_index_leaves_one_segment_with_the_same_hits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_index, "INDEX_BATCH", 5)  # a segment each 5 articles
    reports: list[ImportProgress] = []
    with Project.create(tmp_path / "p.tandai") as project:
        assert _store(project, _texts(0, 60), on_progress=reports.append) == 60
        assert _segments(project) == 1
        _check_hits(project, 60)
        compacting = [(p.done, p.total) for p in reports if p.phase == "compact"]
        assert compacting and compacting[-1][0] == compacting[-1][1] > 1
        assert [done for done, _ in compacting] == sorted(done for done, _ in compacting)

        # 10 more to the 60: two segments of their own, no merge of the 60's.
        assert _store(project, _texts(60, 10)) == 10
        assert _segments(project) == 3
        _check_hits(project, 70)

        # 80 more double it again: one segment.
        assert _store(project, _texts(70, 80)) == 80
        assert _segments(project) == 1
        _check_hits(project, 150)


def test_a_stop_between_two_merge_steps_leaves_a_valid_index_and_a_later_pass_merges_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_index, "INDEX_BATCH", 3)  # 20 segments
    monkeypatch.setattr(search_index, "COMPACT_PAGES", 1)  # many small steps
    steps: list[int] = []

    def seen(p: ImportProgress) -> None:
        if p.phase == "compact":
            steps.append(p.done)

    with Project.create(tmp_path / "p.tandai") as project:
        _store(project, _texts(0, 60), on_progress=seen, should_stop=lambda: len(steps) >= 2)
        assert len(steps) == 2
        assert 1 < _segments(project) <= 20
        _check_hits(project, 60)
    with Project.open(tmp_path / "p.tandai") as project:
        _check_hits(project, 60)
        _store(project, _texts(60, 60))
        assert _segments(project) == 1
        _check_hits(project, 120)


def test_tandai_import_shows_the_merge_and_the_merged_index_finds_every_article(
    tmp_path: Path,
) -> None:
    # 1,500 articles: two index batches of 1,000, so two segments to merge (the import
    # detects languages and indexes; with --no-detect the app's catch-up would index).
    data = tmp_path / "news.jsonl"
    data.write_text(
        "".join(
            json.dumps({"id": f"n{n}", "title": title, "text": text}, ensure_ascii=False) + "\n"
            for n, (title, text) in enumerate(_texts(0, 1500))
        ),
        "utf-8",
    )
    done = run_cli("import", str(tmp_path / "p.tandai"), str(data), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    merging = [line for line in done.stderr.splitlines() if line.startswith("compacting")]
    assert merging and "100.0%" in merging[-1] and merging[-1].split()[-1] == "pages"
    with Project.open(tmp_path / "p.tandai") as project:
        assert _segments(project) == 1
        _check_hits(project, 1500)
