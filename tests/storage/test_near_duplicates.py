"""Near-duplicate groups kept in the project: incremental, equal to grouping all at once."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from core.neardup import NearDuplicates, group_members
from core.neardup_chunk import Chunk
from storage import Project
from storage.database import STREAM_CACHE_KIB
from tests.fixtures.rewrites import corpus
from tests.storage.neardup_helpers import by_external_id, write_texts


def test_groups_built_import_by_import_equal_the_grouping_of_all_at_once(
    project: Project, tmp_path: Path
) -> None:
    articles = corpus(11, stories=8, background=20)
    texts = [a.text for a in articles]
    # Three imports, each grouped before the next arrives (batches smaller than imports).
    cuts = [0, len(texts) // 3, 2 * len(texts) // 3, len(texts)]
    for n, (lo, hi) in enumerate(itertools.pairwise(cuts)):
        path = write_texts(tmp_path / f"part{n}.jsonl", texts[lo:hi], f"p{n}-")
        project.imports.import_files([path], detect=False)
        assert project.near_duplicates.pending_near_duplicates() == hi - lo
        report = project.near_duplicates.update_near_duplicates()
        assert report.articles == hi - lo
        assert project.near_duplicates.pending_near_duplicates() == 0
    ids = by_external_id(project)
    order = [ids[f"p{n}-{i}"] for n in range(3) for i in range(cuts[n + 1] - cuts[n])]
    finder = NearDuplicates()
    for text in texts:
        finder.add(text)
    roots = finder.groups()
    expected = {}
    for i, root in enumerate(roots):
        expected.setdefault(root, []).append(order[i])
    want = sorted(
        (sorted(m) for m in expected.values() if len(m) > 1), key=lambda m: (-len(m), m[0])
    )
    assert project.near_duplicates.near_duplicate_groups() == want
    assert len(want) >= 8
    first = want[0]
    assert project.near_duplicates.near_duplicates_of(first[1]) == [first[0], *first[2:]]
    loner = next(i for i in order if not any(i in m for m in want))
    assert project.near_duplicates.near_duplicates_of(loner) == []


def test_an_import_reports_its_near_duplicates_and_skip_leaves_them_out(
    project: Project, tmp_path: Path
) -> None:
    articles = corpus(3, stories=4, rewrites=(2, 2), reports=(0, 0), background=4)
    originals = [a for a in articles if a.kind == "original"]
    rewrites = [a for a in articles if a.kind in ("light", "spinner")]
    others = [a for a in articles if a.kind == "background"]
    first = write_texts(tmp_path / "first.jsonl", [a.text for a in originals + others], "o")
    report = project.imports.import_files([first], detect=False, near_duplicates="keep")
    assert report.near_duplicates == 0
    second = write_texts(tmp_path / "second.jsonl", [a.text for a in rewrites], "r")
    report = project.imports.import_files([second], detect=False, near_duplicates="skip")
    assert report.near_duplicates == len(rewrites) == 8
    assert report.imported == 0
    assert "8 near-duplicates found and skipped" in report.summary()
    assert project.count_articles() == len(originals) + len(others)
    assert project.near_duplicates.near_duplicate_groups() == []
    report = project.imports.import_files([second], detect=False, near_duplicates="keep")
    assert (report.imported, report.near_duplicates) == (8, 8)
    assert "8 near-duplicates found (kept)" in report.summary()
    assert len(project.near_duplicates.near_duplicate_groups()) == 4


def test_a_split_export_keeps_every_stored_group_in_one_split(
    project: Project, tmp_path: Path
) -> None:
    from core.export.records import ExportOptions, ExportSelection, parse_split

    articles = corpus(21, stories=8, background=24)
    path = write_texts(tmp_path / "c.jsonl", [a.text for a in articles], "c")
    project.imports.import_files([path], detect=False)  # left for the export to group
    assert project.near_duplicates.pending_near_duplicates() == len(articles)
    split = parse_split("train=0.5,dev=0.25,test=0.25")
    everything = ExportSelection(statuses=())
    for seed in range(3):
        out = tmp_path / f"out{seed}"
        summary = project.exports.export_dataset(
            out, ExportOptions(split=split, seed=seed, selection=everything)
        )
        where = {}
        for name, _ in split:
            for line in (out / f"{name}.jsonl").read_text("utf-8").splitlines():
                where[json.loads(line)["id"]] = name
        assert len(where) == len(articles)
        ids = {v: k for k, v in by_external_id(project).items()}
        groups = project.near_duplicates.near_duplicate_groups()
        assert len(groups) >= 8
        for members in groups:
            assert len({where[ids[m]] for m in members}) == 1
        assert summary.groups is not None
        assert summary.groups.groups == len(groups)
        assert summary.groups.largest == len(groups[0])
    assert project.near_duplicates.pending_near_duplicates() == 0


def test_the_list_counts_near_duplicates_and_one_per_group_shows_each_group_once(
    project: Project, tmp_path: Path
) -> None:
    from core.query import ArticleFilter

    articles = corpus(5, stories=5, background=6)
    path = write_texts(tmp_path / "c.jsonl", [a.text for a in articles], "c")
    project.imports.import_files([path], detect=False, near_duplicates="keep")
    groups = project.near_duplicates.near_duplicate_groups()
    rows = project.list_articles(limit=1000)
    counts = {r.id: r.near_duplicates for r in rows}
    for members in groups:
        assert all(counts[m] == len(members) - 1 for m in members)
    grouped = {m for members in groups for m in members}
    assert all(counts[r.id] == 0 for r in rows if r.id not in grouped)
    one = ArticleFilter(one_per_group=True)
    shown = [r.id for r in project.list_articles(one, limit=1000)]
    assert sorted(shown) == sorted(
        [r.id for r in rows if r.id not in grouped] + [members[0] for members in groups]
    )
    assert project.count_articles(one) == len(rows) - len(grouped) + len(groups)
    page, _ = project.listing.list_sorted(one, sort="title", limit=1000)
    assert sorted(r.id for r in page) == sorted(shown)


def test_two_processes_grouping_at_once_make_the_groups_of_one(
    project: Project, project_target: str, tmp_path: Path
) -> None:
    import subprocess
    import sys

    articles = corpus(13, stories=6, background=30)
    path = write_texts(tmp_path / "c.jsonl", [a.text for a in articles], "c")
    project.imports.import_files([path], detect=False)
    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from storage import Project\n"
        "with Project.open(sys.argv[2]) as p: print(p.near_duplicates.update_near_duplicates().articles)"
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(root), project_target],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sum(int(out) for out, _ in outputs) == len(articles)  # each article grouped once
    finder = NearDuplicates()
    for a in articles:
        finder.add(a.text)
    expected = sorted(len(m) for m in group_members(finder.groups()).values())
    assert (
        expected
        and sorted(len(g) for g in project.near_duplicates.near_duplicate_groups()) == expected
    )


def test_a_version_10_project_drops_its_key_table_and_groups_again_from_sketches(
    tmp_path: Path,
) -> None:
    from storage.database import open_database
    from storage.migrations import migrate

    texts = [a.text for a in corpus(3, stories=3, background=4)]
    path = tmp_path / "old.tandai"
    db = open_database(str(path), must_exist=False)
    migrate(db, name="old", upto=10)  # groups kept as 96 key rows an article
    for i, text in enumerate(texts, 1):
        db.execute_sql(
            "INSERT INTO article (external_id, content_hash, title, url, source, published,"
            f" meta, created) VALUES ('a{i}', 'h{i}', '', '', 'x', '', '{{}}', '2024-01-01')"
        )
        db.execute_sql("INSERT INTO article_text (article_id, text) VALUES (?, ?)", (i, text))
        db.execute_sql("INSERT INTO near_duplicate (article_id, group_id) VALUES (?, ?)", (i, i))
        db.execute_sql("INSERT INTO near_duplicate_key (key, article_id) VALUES (?, ?)", (i, i))
    db.close()
    with Project.open(path) as project:
        tables = project.db.get_tables()
        assert "near_duplicate_key" not in tables
        # The old rows held no sketch: every article waits to be grouped again.
        assert project.near_duplicates.pending_near_duplicates() == len(texts)
        project.near_duplicates.update_near_duplicates()
        finder = NearDuplicates()
        for text in texts:
            finder.add(text)
        want = sorted(sorted(i + 1 for i in m) for m in group_members(finder.groups()).values())
        assert want and sorted(project.near_duplicates.near_duplicate_groups()) == want


@pytest.mark.parametrize(("workers", "peers"), [(False, 32), (True, 32), (False, 2)])
def test_small_chunks_passes_and_writes_give_the_groups_of_one_pass(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: bool, peers: int
) -> None:
    """A million articles go in chunks, bands in passes over the grouped sketches, rows in
    several transactions, sketches made by worker processes; made tiny here, the groups
    must still equal grouping at once. With ``peers`` = 2 a key's first two holders are
    the only ones compared, whether they are grouped already or in the chunk."""
    import core.neardup
    import core.neardup_chunk
    import storage.near_duplicate_sources as sources
    import storage.near_duplicates as stored

    monkeypatch.setattr(core.neardup, "BUCKET_PEERS", peers)
    monkeypatch.setattr(core.neardup_chunk, "BUCKET_PEERS", peers)
    monkeypatch.setattr(core.neardup_chunk, "KEYSET_BUDGET", 40)  # 4 bands a pass
    monkeypatch.setattr(stored, "NEW_CHUNK", 9)
    monkeypatch.setattr(stored, "_POOL_MIN", 6 if workers else 10**9)
    monkeypatch.setattr(stored, "WRITE_ROWS", 2)  # progress must not go back when writing
    monkeypatch.setattr(stored, "_STREAM", 5)
    monkeypatch.setattr(stored, "_CACHE", 3)
    texts = [a.text for a in corpus(21, stories=5, background=12)]
    crlf = "Berita 𠮷野 القاهرة\r\nhari ini 😀 banjir besar di kota"
    texts += ["😀 🎉", crlf, crlf + " lagi"]
    project.imports.import_files([write_texts(tmp_path / "c.jsonl", texts, "c")], detect=False)
    head_starts: list[bool] = []
    take = sources.NextChunk.chunk

    def taken(self: sources.NextChunk, *args: Any) -> Chunk | None:
        chunk = take(self, *args)
        head_starts.append(chunk is not None)
        return chunk

    monkeypatch.setattr(sources.NextChunk, "chunk", taken)
    seen: list[int] = []
    report = project.near_duplicates.update_near_duplicates(
        on_progress=lambda p: seen.append(p.done)
    )
    assert report.articles == len(texts) and seen == sorted(seen) and seen[-1] == len(texts)
    # With workers, each chunk after the first that the workers sketch (6 articles or more)
    # was sketched while the one before was compared and written.
    sizes = [min(9, len(texts) - start) for start in range(9, len(texts), 9)]
    assert head_starts == ([True] * sum(size >= 6 for size in sizes) if workers else [])
    assert len(head_starts) >= 4 or not workers
    order = [by_external_id(project)[f"c{i}"] for i in range(len(texts))]
    finder = NearDuplicates()
    for text in texts:
        finder.add(text)
    want = sorted(sorted(order[i] for i in m) for m in group_members(finder.groups()).values())
    assert len(want) >= 5
    assert sorted(project.near_duplicates.near_duplicate_groups()) == want
    assert sorted([order[-2], order[-1]]) in want  # emoji, CJK Ext. B, RTL, CRLF: one group


def test_a_stop_while_the_next_chunk_is_sketched_ahead_leaves_it_whole_to_the_next_run(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run stops while the chunk after the current one is being sketched by the
    workers: nothing of that chunk is stored, nothing is left beside the project, and the
    next run groups the rest as one run would have."""
    import storage.near_duplicate_sources as sources
    import storage.near_duplicates as stored

    monkeypatch.setattr(stored, "NEW_CHUNK", 9)
    monkeypatch.setattr(stored, "_POOL_MIN", 6)
    monkeypatch.setattr(stored, "WRITE_ROWS", 3)
    texts = [a.text for a in corpus(22, stories=5, background=10)]
    project.imports.import_files([write_texts(tmp_path / "c.jsonl", texts, "c")], detect=False)
    before = sorted(p.name for p in tmp_path.iterdir())
    pumped: list[int] = []
    pump = sources.NextChunk.pump

    def counted(self: sources.NextChunk) -> None:
        pump(self)
        pumped.append(1)

    monkeypatch.setattr(sources.NextChunk, "pump", counted)
    # Stop once the chunk ahead has been fed a few times: during the first chunk's
    # candidates, before anything is written.
    first = project.near_duplicates.update_near_duplicates(should_stop=lambda: len(pumped) >= 3)
    assert first.cancelled and len(pumped) == 3 and first.articles == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    rest = project.near_duplicates.update_near_duplicates()
    assert first.articles + rest.articles == len(texts) and not rest.cancelled
    order = [by_external_id(project)[f"c{i}"] for i in range(len(texts))]
    finder = NearDuplicates()
    for text in texts:
        finder.add(text)
    want = sorted(sorted(order[i] for i in m) for m in group_members(finder.groups()).values())
    assert len(want) >= 4 and sorted(project.near_duplicates.near_duplicate_groups()) == want


@pytest.mark.parametrize("indexed", [True, False])
@pytest.mark.parametrize("peers", [32, 1])
def test_chunks_and_passes_find_exactly_the_candidate_pairs_of_one_pass(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, peers: int, indexed: bool
) -> None:
    """The pairs checked exactly, chunk by chunk against the grouped articles' keys in an
    index (a long run) or streamed past (a short one), equal those of all articles' bands at once; with ``peers`` = 1 only a key's
    first holder (grouped or in the chunk) is compared with the later ones, which leaves
    out pairs that sharing a key would have made."""
    import core.neardup
    import core.neardup_chunk
    import storage.near_duplicates as stored
    from core.neardup import SKETCH_KEYS, band_candidates, sketch_bins, sketch_texts
    from core.neardup import worth_checking as worth

    monkeypatch.setattr(core.neardup, "BUCKET_PEERS", peers)
    monkeypatch.setattr(core.neardup_chunk, "BUCKET_PEERS", peers)
    monkeypatch.setattr(core.neardup_chunk, "KEYSET_BUDGET", 13 * 7)  # 7 bands a pass
    monkeypatch.setattr(stored, "NEW_CHUNK", 13)
    monkeypatch.setattr(stored, "INDEX_FROM_CHUNKS", 2 if indexed else 99)
    monkeypatch.setattr(stored, "_STREAM", 4)
    texts = [a.text for a in corpus(5, stories=6, background=8)]
    texts += ["Berita 𠮷野 القاهرة\r\nhari ini 😀 banjir besar di kota", "😀 🎉"]
    project.imports.import_files([write_texts(tmp_path / "k.jsonl", texts, "k")], detect=False)
    order = [by_external_id(project)[f"k{i}"] for i in range(len(texts))]
    found: set[tuple[int, int]] = set()
    sources: list[str] = []
    candidates = stored.chunk_candidates

    def recording(chunk, grouped, stop):  # type: ignore[no-untyped-def]
        pairs = candidates(chunk, grouped, stop)
        found.update(pairs)
        sources.append(type(getattr(grouped, "__self__", grouped)).__name__)
        return pairs

    monkeypatch.setattr(stored, "chunk_candidates", recording)
    table_reads: list[int] = []
    from_table = stored.NearDuplicateGroups._stored_sketches

    def reading_table(groups):  # type: ignore[no-untyped-def]
        table_reads.append(1)
        return from_table(groups)

    monkeypatch.setattr(stored.NearDuplicateGroups, "_stored_sketches", reading_table)
    project.near_duplicates.update_near_duplicates()
    sketches = sketch_texts(texts)
    raw = sketches.tobytes()
    size = SKETCH_KEYS * 4
    bins = [sketch_bins(raw[k * size : (k + 1) * size]) for k in range(len(texts))]

    def one_pass() -> set[tuple[int, int]]:
        return {
            (order[j], order[i])
            for band in range(SKETCH_KEYS)
            for j, i in band_candidates(sketches[band::SKETCH_KEYS])
            if worth(bins[j], bins[i])
        }

    want = one_pass()
    assert len(want) > 20
    assert found == want
    # A long run: each chunk looks its keys up in an index made once (empty for the first)
    # and joined by each chunk. A short one: nothing grouped for the first chunk; the next
    # ones stream a copy made once and joined by each written chunk (several passes a
    # chunk). Neither reads the table again.
    if indexed:
        assert set(sources) == {"KeyIndex"}
    else:
        assert sources[0] == "NoneType" and set(sources[1:]) == {"GroupedCopy"}
    assert len(sources) == -(-len(texts) // 13) > 2 and len(table_reads) == 1
    if peers < 32:
        monkeypatch.setattr(core.neardup, "BUCKET_PEERS", 32)
        assert want < one_pass()  # the cap left pairs out


def test_grouping_streams_with_a_small_page_cache_and_puts_the_usual_one_back(
    project: Project, tmp_path: Path
) -> None:
    """The pass reads every text and sketch once a chunk: SQLite's usual 32 MB cache would
    fill with pages never read again, on top of the chunk's own peak."""
    texts = [a.text for a in corpus(5, stories=3, background=6)]
    project.imports.import_files([write_texts(tmp_path / "a.jsonl", texts, "a")], detect=False)
    db = project.db

    def cache_kib() -> int | None:
        if not project.is_sqlite:
            return None
        return -int(db.execute_sql("PRAGMA cache_size").fetchone()[0])

    usual = cache_kib()
    during: list[int | None] = []
    report = project.near_duplicates.update_near_duplicates(
        on_progress=lambda _: during.append(cache_kib())
    )
    assert report.articles == len(texts) and during
    if project.is_sqlite:
        assert usual == 32_000
        assert set(during) == {STREAM_CACHE_KIB} and usual > STREAM_CACHE_KIB
    assert cache_kib() == usual
