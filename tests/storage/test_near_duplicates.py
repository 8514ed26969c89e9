"""Near-duplicate groups kept in the project: incremental, equal to grouping all at once."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from core.neardup import NearDuplicates, group_members
from storage import Project
from tests.fixtures.rewrites import corpus


def _write(path: Path, texts: list[str], prefix: str) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i, text in enumerate(texts):
            fh.write(json.dumps({"id": f"{prefix}{i}", "text": text}, ensure_ascii=False) + "\n")
    return path


def _by_external_id(project: Project) -> dict[str, int]:
    return {s.external_id: s.id for s in project.list_articles(limit=10_000)}


def test_groups_built_import_by_import_equal_the_grouping_of_all_at_once(
    project: Project, tmp_path: Path
) -> None:
    articles = corpus(11, stories=8, background=20)
    texts = [a.text for a in articles]
    # Three imports, each grouped before the next arrives (batches smaller than imports).
    cuts = [0, len(texts) // 3, 2 * len(texts) // 3, len(texts)]
    for n, (lo, hi) in enumerate(itertools.pairwise(cuts)):
        path = _write(tmp_path / f"part{n}.jsonl", texts[lo:hi], f"p{n}-")
        project.import_files([path], detect=False)
        assert project.pending_near_duplicates() == hi - lo
        report = project.update_near_duplicates()
        assert report.articles == hi - lo
        assert project.pending_near_duplicates() == 0
    ids = _by_external_id(project)
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
    assert project.near_duplicate_groups() == want
    assert len(want) >= 8
    first = want[0]
    assert project.near_duplicates_of(first[1]) == [first[0], *first[2:]]
    loner = next(i for i in order if not any(i in m for m in want))
    assert project.near_duplicates_of(loner) == []


def test_an_import_reports_its_near_duplicates_and_skip_leaves_them_out(
    project: Project, tmp_path: Path
) -> None:
    articles = corpus(3, stories=4, rewrites=(2, 2), reports=(0, 0), background=4)
    originals = [a for a in articles if a.kind == "original"]
    rewrites = [a for a in articles if a.kind in ("light", "spinner")]
    others = [a for a in articles if a.kind == "background"]
    first = _write(tmp_path / "first.jsonl", [a.text for a in originals + others], "o")
    report = project.import_files([first], detect=False, near_duplicates="keep")
    assert report.near_duplicates == 0
    second = _write(tmp_path / "second.jsonl", [a.text for a in rewrites], "r")
    report = project.import_files([second], detect=False, near_duplicates="skip")
    assert report.near_duplicates == len(rewrites) == 8
    assert report.imported == 0
    assert "8 near-duplicates found and skipped" in report.summary()
    assert project.count_articles() == len(originals) + len(others)
    assert project.near_duplicate_groups() == []
    report = project.import_files([second], detect=False, near_duplicates="keep")
    assert (report.imported, report.near_duplicates) == (8, 8)
    assert "8 near-duplicates found (kept)" in report.summary()
    assert len(project.near_duplicate_groups()) == 4


def test_a_split_export_keeps_every_stored_group_in_one_split(
    project: Project, tmp_path: Path
) -> None:
    from core.export.records import ExportOptions, ExportSelection, parse_split

    articles = corpus(21, stories=8, background=24)
    path = _write(tmp_path / "c.jsonl", [a.text for a in articles], "c")
    project.import_files([path], detect=False)  # left for the export to group
    assert project.pending_near_duplicates() == len(articles)
    split = parse_split("train=0.5,dev=0.25,test=0.25")
    everything = ExportSelection(statuses=())
    for seed in range(3):
        out = tmp_path / f"out{seed}"
        summary = project.export_dataset(
            out, ExportOptions(split=split, seed=seed, selection=everything)
        )
        where = {}
        for name, _ in split:
            for line in (out / f"{name}.jsonl").read_text("utf-8").splitlines():
                where[json.loads(line)["id"]] = name
        assert len(where) == len(articles)
        ids = {v: k for k, v in _by_external_id(project).items()}
        groups = project.near_duplicate_groups()
        assert len(groups) >= 8
        for members in groups:
            assert len({where[ids[m]] for m in members}) == 1
        assert summary.groups is not None
        assert summary.groups.groups == len(groups)
        assert summary.groups.largest == len(groups[0])
    assert project.pending_near_duplicates() == 0


def test_the_list_counts_near_duplicates_and_one_per_group_shows_each_group_once(
    project: Project, tmp_path: Path
) -> None:
    from core.query import ArticleFilter

    articles = corpus(5, stories=5, background=6)
    path = _write(tmp_path / "c.jsonl", [a.text for a in articles], "c")
    project.import_files([path], detect=False, near_duplicates="keep")
    groups = project.near_duplicate_groups()
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
    page, _ = project.list_sorted(one, sort="title", limit=1000)
    assert sorted(r.id for r in page) == sorted(shown)


def test_labels_carry_to_near_duplicates_as_suggestions_accepted_or_rejected_like_any(
    project: Project, tmp_path: Path
) -> None:
    articles = corpus(6, stories=1, rewrites=(4, 4), reports=(1, 1), background=3)
    path = _write(tmp_path / "c.jsonl", [a.text for a in articles], "c")
    project.import_files([path], detect=False)
    ids = _by_external_id(project)
    original = next(a for a in articles if a.kind == "original")
    source_id = ids[f"c{original.index}"]
    for start, end, label in original.spans:
        project.add_span(
            source_id, annotator="ani", layer="entity", label=label, start=start, end=end
        )
    report = project.propagate_labels(annotator="ani")
    assert report.sources == 1 and report.targets == 4
    assert report.placed > 0 and report.stored == report.placed
    # a span is placed, or not; two placed on one spot count once
    assert report.placed + report.unplaced <= 4 * len(original.spans)
    assert report.placed + report.unplaced >= 4 * len(original.spans) - 5
    assert "could not be placed" in report.summary()
    report_row = next(a for a in articles if a.kind == "report")
    assert project.suggestions(ids[f"c{report_row.index}"]) == []  # same event, not a rewrite
    rewrite = next(a for a in articles if a.kind in ("light", "spinner"))
    target = ids[f"c{rewrite.index}"]
    carried = project.suggestions(target, annotator="ani")
    assert carried and {s.source for s in carried} == {"near-duplicate"}
    gold = {(s, e, label) for s, e, label in rewrite.spans}
    assert all((s.start, s.end, s.label) in gold for s in carried)
    span = project.accept_suggestion(carried[0].id, annotator="ani")
    assert span.origin == "suggestion:near-duplicate"
    project.reject_suggestion(carried[1].id, annotator="ani")
    again = project.propagate_labels(annotator="ani", article_ids=[source_id])
    assert again.stored == 0  # stored ones are not stored twice, the rejected one stays out
    pending = project.suggestions(target, annotator="ani")
    assert len(pending) == len(carried) - 2


def test_two_processes_grouping_at_once_make_the_groups_of_one(
    project: Project, project_target: str, tmp_path: Path
) -> None:
    import subprocess
    import sys

    articles = corpus(13, stories=6, background=30)
    path = _write(tmp_path / "c.jsonl", [a.text for a in articles], "c")
    project.import_files([path], detect=False)
    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from storage import Project\n"
        "with Project.open(sys.argv[2]) as p: print(p.update_near_duplicates().articles)"
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
    assert expected and sorted(len(g) for g in project.near_duplicate_groups()) == expected
