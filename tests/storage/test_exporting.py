"""Export from a real project: records, filters, files, card, splits, round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.export.card import parse_counts
from core.export.pipeline import ExportError
from core.export.records import JSONL_FORMATS, ExportOptions, ExportSelection, parse_split
from core.models import STATUSES
from storage import Project
from tests.storage.export_helpers import LABELS, labelled_project, read_jsonl, write_jsonl


def test_records_carry_each_annotators_labels_and_status_in_article_order(
    project: Project, tmp_path: Path
) -> None:
    ids = labelled_project(project, tmp_path)
    project.labels.set_status(ids[0], annotator="bob", status="flagged")
    records = list(project.exports.export_records(ExportSelection(statuses=("done", "flagged"))))
    assert [(r.article_id, r.annotator, r.status) for r in records] == [
        (ids[0], "alice", "done"),
        (ids[0], "bob", "flagged"),
        *((i, "alice", "done") for i in ids[1:]),
    ]
    first = records[0]
    assert [first.text[start:end] for start, end, _, _ in first.spans] == [
        "Joko Widodo",
        "Jakarta",
        "Saksikan video di bawah ini:",
        "(luc/luc)",
    ]
    assert first.stance == {"main": "favour"} and first.uid == "id-1"
    assert records[2].uid.startswith("tandai-") and len(records[2].uid) == 23


def test_bare_records_name_the_labels_each_record_holds_without_text_or_offsets(
    project: Project, tmp_path: Path
) -> None:
    ids = labelled_project(project, tmp_path)
    project.labels.set_status(ids[0], annotator="bob", status="flagged")
    selection = ExportSelection(statuses=("done", "flagged"))
    full = list(project.exports.export_records(selection, layers=("entity",)))
    bare = list(project.exports.export_records(selection, layers=("entity",), bare=True))
    assert [(r.article_id, r.annotator, r.status, r.uid, r.stance) for r in bare] == [
        (r.article_id, r.annotator, r.status, r.uid, r.stance) for r in full
    ]
    assert all(r.text == "" and r.meta == {} for r in bare)
    for b, f in zip(bare, full, strict=True):
        assert sorted(b.spans) == sorted({(0, 0, s[2], s[3]) for s in f.spans})


def test_filters_by_status_annotator_language_and_source(project: Project, tmp_path: Path) -> None:
    ids = labelled_project(project, tmp_path)
    project.labels.set_status(ids[1], annotator="alice", status="skipped")
    project.labels.set_status(ids[2], annotator="bob", status="done")

    def uids(**kw: object) -> list[tuple[str, str | None]]:
        return [
            (r.uid[:6], r.annotator) for r in project.exports.export_records(ExportSelection(**kw))
        ]

    assert uids() == [("id-1", "alice"), ("ar-1", "alice"), ("ar-1", "bob"), ("fr-1", "alice")]
    assert uids(annotators=("bob",)) == [("ar-1", "bob")]
    assert [
        r.title for r in project.exports.export_records(ExportSelection(statuses=("skipped",)))
    ] == ["国境で戦闘"]
    assert uids(langs=("ar",)) == [("ar-1", "alice"), ("ar-1", "bob")]
    assert uids(sources=("kabar.example",), annotators=("alice",)) == [
        ("id-1", "alice"),
        ("fr-1", "alice"),
    ]
    assert project.exports.count_export_articles(ExportSelection(langs=("ar",))) == 1
    with pytest.raises(Exception, match="no annotator called"):
        list(project.exports.export_records(ExportSelection(annotators=("nobody",))))


def test_status_all_includes_untouched_articles_once_without_an_annotator(
    project: Project, tmp_path: Path
) -> None:
    labelled_project(project, tmp_path)
    extra = tmp_path / "more.jsonl"
    extra.write_text('{"text": "Artikel baru tanpa label sama sekali di sini."}\n', "utf-8")
    project.imports.import_files([extra])
    records = list(project.exports.export_records(ExportSelection(statuses=("todo", "done"))))
    assert [(r.annotator, r.status) for r in records][-1] == (None, "todo")
    assert len(records) == 5


def test_every_format_writes_offsets_that_match_and_a_card_whose_counts_match(
    project: Project, tmp_path: Path
) -> None:
    labelled_project(project, tmp_path)
    for fmt in JSONL_FORMATS:
        out = tmp_path / fmt
        summary = project.exports.export_dataset(out, ExportOptions(format=fmt, tokens=True))
        lines = read_jsonl(out / "data.jsonl")
        assert len(lines) == summary.lines == 4
        for line in lines:
            for span in line.get("spans", []):
                assert line["text"][span["start"] : span["end"]] == span["text"]
        files = parse_counts((out / "README.md").read_text("utf-8"), "Files")
        assert files["data"]["records"] == 4 and files["data"]["lines"] == len(lines)
    spans = read_jsonl(tmp_path / "spans" / "data.jsonl")
    assert sum(len(x["spans"]) for x in spans) == len(LABELS)
    labels = parse_counts((tmp_path / "spans" / "README.md").read_text("utf-8"), "Labels")
    assert labels["GPE"] == {"data": 3} and labels["boilerplate:boilerplate"] == {"data": 3}
    assert (tmp_path / "ner-bio" / "labels.json").read_text("utf-8").startswith('["O", "B-PER"')


def test_a_split_export_is_deterministic_and_keeps_each_article_in_one_split(
    project: Project, tmp_path: Path
) -> None:
    labelled_project(project, tmp_path)
    project.labels.set_status(project.list_articles()[0].id, annotator="bob", status="done")
    options = ExportOptions(split=parse_split("train=0.5,dev=0.25,test=0.25"), seed=3)
    project.exports.export_dataset(tmp_path / "a", options)
    project.exports.export_dataset(tmp_path / "b", options)
    where: dict[str, set[str]] = {}
    for name in ("train", "dev", "test"):
        first = (tmp_path / "a" / f"{name}.jsonl").read_bytes()
        assert first == (tmp_path / "b" / f"{name}.jsonl").read_bytes()
        for line in read_jsonl(tmp_path / "a" / f"{name}.jsonl"):
            where.setdefault(line["id"], set()).add(name)
    assert len(where) == 4 and all(len(s) == 1 for s in where.values())
    card = parse_counts((tmp_path / "a" / "README.md").read_text("utf-8"), "Files")
    assert sum(row["records"] for row in card.values()) == 5


def test_a_non_empty_foreign_folder_is_refused_and_an_earlier_export_is_replaced(
    project: Project, tmp_path: Path
) -> None:
    labelled_project(project, tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me", "utf-8")
    with pytest.raises(ExportError, match="not empty"):
        project.exports.export_dataset(tmp_path / "mine", ExportOptions())
    out = tmp_path / "out"
    project.exports.export_dataset(out, ExportOptions(split=parse_split("train=0.5,test=0.5")))
    project.exports.export_dataset(out, ExportOptions())
    assert sorted(p.name for p in out.iterdir()) == [
        ".tandai-export.json",
        "README.md",
        "data.jsonl",
    ]


def test_cancelling_leaves_the_folder_without_partial_files(
    project: Project, tmp_path: Path
) -> None:
    labelled_project(project, tmp_path)
    summary = project.exports.export_dataset(
        tmp_path / "out", ExportOptions(), should_stop=lambda: True
    )
    assert summary.cancelled
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_rewrites_of_one_report_land_in_one_split_and_the_card_counts_the_group(
    project: Project, tmp_path: Path
) -> None:
    import random

    from tests.core.test_export_splits import REPORT, rewrite, unrelated

    rng = random.Random(3)
    texts = [REPORT] + [rewrite(REPORT, rng) for _ in range(6)]
    texts += [unrelated(rng) for _ in range(30)]
    records = [{"id": f"r{i:02d}", "text": t} for i, t in enumerate(texts)]
    project.imports.import_files([write_jsonl(tmp_path / "r.jsonl", records)], detect=False)
    for summary in project.list_articles(limit=100):
        project.labels.set_status(summary.id, annotator="alice", status="done")
    split = parse_split("train=0.6,dev=0.2,test=0.2")
    for seed in range(4):
        out = tmp_path / f"s{seed}"
        project.exports.export_dataset(out, ExportOptions(split=split, seed=seed))
        where = {
            line["id"]: name for name, _ in split for line in read_jsonl(out / f"{name}.jsonl")
        }
        assert len({where[f"r{i:02d}"] for i in range(7)}) == 1
        assert len(where) == 37
        assert "groups of two or more articles: 1, holding 7 articles" in (
            out / "README.md"
        ).read_text("utf-8")


def test_the_summary_and_card_say_what_the_status_filter_left_out(
    project: Project, tmp_path: Path
) -> None:
    ids = labelled_project(project, tmp_path)
    project.labels.set_status(ids[0], annotator="alice", status="todo")
    project.labels.set_status(ids[2], annotator="alice", status="flagged")
    summary = project.exports.export_dataset(tmp_path / "out", ExportOptions())
    assert summary.left_out == {"todo": (1, 4), "flagged": (1, 2)}
    assert "1 todo articles with 4 spans; 1 flagged articles with 2 spans not exported" in (
        summary.text()
    )
    card = (tmp_path / "out" / "README.md").read_text("utf-8")
    assert "Not exported (status todo): 1 articles with 4 spans" in card
    everything = project.exports.export_dataset(
        tmp_path / "all", ExportOptions(selection=ExportSelection(statuses=STATUSES))
    )
    assert everything.left_out == {}


def test_ner_bio_leaves_out_unfinished_records_without_entities_unless_asked(
    project: Project, tmp_path: Path
) -> None:
    ids = labelled_project(project, tmp_path)
    for span in project.labels.spans(ids[3], annotator="alice", layer="entity"):
        project.labels.delete_span(span.id)
    project.labels.set_status(ids[3], annotator="alice", status="todo")
    every = ExportSelection(statuses=STATUSES)
    summary = project.exports.export_dataset(
        tmp_path / "a", ExportOptions(format="ner-bio", selection=every)
    )
    assert summary.records == 3
    assert "Left out: 1 records that are not done" in (tmp_path / "a" / "README.md").read_text(
        "utf-8"
    )
    kept = project.exports.export_dataset(
        tmp_path / "b", ExportOptions(format="ner-bio", selection=every, keep_unlabelled=True)
    )
    assert kept.records == 4


def test_a_split_shares_a_rare_entity_label_out_between_the_splits(
    project: Project, tmp_path: Path
) -> None:
    rows = [
        {"id": f"r{i}", "text": f"Berita nomor {i} tentang kota 𠮷野 {i * 7}."} for i in range(40)
    ]
    project.imports.import_files([write_jsonl(tmp_path / "many.jsonl", rows)], detect=False)
    for n, article in enumerate(project.list_articles(limit=100)):
        text = project.article(article.id).text
        at = text.index("𠮷野")
        label = "EVENT" if n % 10 == 0 else "GPE"  # EVENT in 4 articles of 40
        project.labels.add_span(
            article.id, annotator="ana", layer="entity", label=label, start=at, end=at + 2
        )
        project.labels.set_status(article.id, annotator="ana", status="done")
    for seed in range(5):
        out = tmp_path / f"s{seed}"
        options = ExportOptions(
            split=(("train", 0.5), ("test", 0.5)), seed=seed, group_near_duplicates=False
        )
        project.exports.export_dataset(out, options)
        rare = {
            name: sum(
                1 for line in read_jsonl(out / f"{name}.jsonl") for s in line["spans"]
                if s["label"] == "EVENT"
            )
            for name in ("train", "test")
        }  # fmt: skip
        assert rare == {"train": 2, "test": 2}, (seed, rare)
