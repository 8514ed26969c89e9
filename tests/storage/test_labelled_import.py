"""Labelled import into a real project: labels attached, bad ones reported, round trip."""

from __future__ import annotations

import json
from pathlib import Path

from core.export.records import ExportOptions, ExportSelection
from storage import Project
from tests.storage.export_helpers import ARTICLES, labelled_project, write_jsonl

TEXT = "Presiden Joko Widodo 👨🏻‍🚒 bertemu pejabat 𠮷野家 di القاهرة."


def at(needle: str) -> tuple[int, int]:
    start = TEXT.index(needle)
    return start, start + len(needle)


def test_export_import_export_gives_identical_files(
    project: Project, project_target: str, tmp_path: Path
) -> None:
    labelled_project(project, tmp_path)
    for fmt, tokens in (("spans", True), ("ner-bio", False)):
        project.exports.export_dataset(
            tmp_path / f"first-{fmt}", ExportOptions(format=fmt, tokens=tokens)
        )
    second_target = (
        str(tmp_path / "second.tandai") if not project_target.startswith("postgres") else None
    )
    if second_target is None:  # one PostgreSQL test database: re-import into the same project
        project.close()
        from tests.conftest import postgres_url_or_skip

        second = Project.create(postgres_url_or_skip())
    else:
        second = Project.create(second_target)
    with second:
        report = second.imports.import_labelled(
            [tmp_path / "first-spans" / "data.jsonl"], annotator="alice"
        )
        assert (report.imported, report.spans, report.labels_skipped) == (4, 9, 0)
        second.exports.export_dataset(
            tmp_path / "second", ExportOptions(format="spans", tokens=True)
        )
        second.exports.export_dataset(tmp_path / "second-bio", ExportOptions(format="ner-bio"))
    assert (tmp_path / "second" / "data.jsonl").read_bytes() == (
        tmp_path / "first-spans" / "data.jsonl"
    ).read_bytes()
    assert (tmp_path / "second-bio" / "data.jsonl").read_bytes() == (
        tmp_path / "first-ner-bio" / "data.jsonl"
    ).read_bytes()


def test_importing_the_same_labelled_file_twice_adds_nothing(
    project: Project, tmp_path: Path
) -> None:
    a, b = at("Joko Widodo")
    path = write_jsonl(
        tmp_path / "l.jsonl", [{"text": TEXT, "spans": [{"start": a, "end": b, "label": "PER"}]}]
    )
    project.imports.import_labelled([path], annotator="ann")
    again = project.imports.import_labelled([path], annotator="ann")
    assert (again.imported, again.duplicates, again.spans) == (0, 1, 0)
    (article,) = project.list_articles()
    assert [(s.label, s.start, s.end, s.origin) for s in project.labels.spans(article.id)] == [
        ("PER", a, b, "imported")
    ]
    assert project.labels.progress(article.id, annotator="ann").status == "done"


def test_labels_attach_to_an_article_that_is_already_in_the_project(
    project: Project, tmp_path: Path
) -> None:
    project.imports.import_files([write_jsonl(tmp_path / "plain.jsonl", [{"text": TEXT}])])
    a, b = at("القاهرة")
    report = project.imports.import_labelled(
        [
            write_jsonl(
                tmp_path / "l.jsonl",
                [{"text": TEXT + "\n", "label": [[a, b, "GPE"]], "stance": {"main": "favour"}}],
            )
        ],
        annotator="ann",
    )
    assert (report.imported, report.duplicates, report.spans) == (0, 1, 1)
    (article,) = project.list_articles()
    assert [
        project.article(article.id).text[s.start : s.end] for s in project.labels.spans(article.id)
    ] == ["القاهرة"]
    assert [s.origin for s in project.labels.spans(article.id)] == ["imported"]
    assert project.labels.doc_label_origins(article.id, annotator="ann") == {
        "stance:main": "imported"
    }


def test_bad_labels_are_reported_per_line_skipped_and_the_article_flagged(
    project: Project, tmp_path: Path
) -> None:
    a, b = at("Joko Widodo")
    c, d = at("𠮷野家")
    lines = [
        {"text": TEXT, "spans": [{"start": a, "end": b, "label": "PER"}]},
        {
            "text": TEXT.replace("Presiden", "Wakil"),
            "spans": [
                {"start": c - 2, "end": d - 2, "label": "ORG", "text": "𠮷野家"},
                {"start": 0, "end": 500, "label": "PER"},
                {"start": 0, "end": 5, "label": "ALIEN"},
            ],
        },
        "not an object",
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    seen: list[str] = []
    report = project.imports.import_labelled(
        [path], annotator="ann", on_problem=seen.append, flag_problems=True
    )
    assert report.imported == 2 and report.spans == 1 and report.labels_skipped == 3
    assert [s.split(": ")[0:2] for s in seen[:3]] == [
        [f"{path}:2", "span text differs from the text at its offsets"],
        [f"{path}:2", "span outside the text"],
        [f"{path}:2", "unknown label"],
    ]
    assert seen[3].startswith(f"{path}:3: ")
    flagged = [s for s in project.list_articles() if s.title == ""]
    statuses = {project.labels.progress(s.id, annotator="ann").status for s in flagged}
    assert statuses == {"done", "flagged"}
    assert all(s.start < s.end for x in flagged for s in project.labels.spans(x.id))
    assert sum(len(project.labels.spans(x.id)) for x in flagged) == 1
    done = list(project.exports.export_records(ExportSelection(statuses=("done",))))
    assert len(done) == 1


def test_labels_can_go_in_as_suggestions(project: Project, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "s.jsonl",
        [{"tokens": ["Joko", "Widodo", "datang"], "ner_tags": ["B-PER", "I-PER", "O"]}],
    )
    report = project.imports.import_labelled([path], suggestions="model-x")
    assert report.suggestions == 1 and report.spans == 0
    (article,) = project.list_articles()
    assert project.labels.spans(article.id) == []
    (suggestion,) = project.suggestions.suggestions(article.id)
    assert (suggestion.label, suggestion.start, suggestion.end, suggestion.source) == (
        "PER",
        0,
        11,
        "model-x",
    )


def test_integer_tags_are_named_by_the_labels_json_beside_the_file(
    project: Project, tmp_path: Path
) -> None:
    (tmp_path / "labels.json").write_text('["O", "B-PER", "I-PER"]', "utf-8")
    path = write_jsonl(tmp_path / "bio.jsonl", [{"tokens": ["Joko", "datang"], "ner_tags": [1, 0]}])
    report = project.imports.import_labelled([path], annotator="ann")
    assert report.spans == 1
    (article,) = project.list_articles()
    assert [(s.label, s.start, s.end) for s in project.labels.spans(article.id)] == [("PER", 0, 4)]


def test_a_label_overlapping_a_stored_entity_is_a_skipped_label_not_a_skipped_record(
    project: Project, tmp_path: Path
) -> None:
    project.imports.import_files([write_jsonl(tmp_path / "plain.jsonl", [{"text": TEXT}])])
    (article,) = project.list_articles()
    a, b = at("Joko Widodo")
    project.labels.add_span(
        article.id, annotator="ann", layer="entity", label="PER", start=a, end=b
    )
    c, d = at("Widodo")
    path = write_jsonl(tmp_path / "l.jsonl", [{"text": TEXT, "label": [[c, d, "ORG"]]}])
    seen: list[str] = []
    report = project.imports.import_labelled(
        [path], annotator="ann", on_problem=seen.append, flag_problems=True
    )
    assert (report.duplicates, report.spans, report.labels_skipped) == (1, 0, 1)
    assert report.skipped_total == 0
    assert seen == [f"{path}:1: overlaps a stored entity: ORG {c}–{d} overlaps PER {a}–{b}"]
    progress = project.labels.progress(article.id, annotator="ann")
    assert progress.status == "flagged" and "overlaps a stored entity" in progress.note


def test_the_helper_articles_are_all_distinct() -> None:
    assert len({a["text"] for a in ARTICLES}) == len(ARTICLES)


def _adds_up(report: object) -> None:
    r = report
    assert r.records == r.imported + r.duplicates + r.skipped_total  # type: ignore[attr-defined]
    assert r.labels_read == (  # type: ignore[attr-defined]
        r.spans + r.doc_labels + r.suggestions + r.labels_present + r.labels_skipped  # type: ignore[attr-defined]
    )


def test_two_records_with_one_text_and_overlapping_entities_count_a_label_not_a_record(
    project: Project, tmp_path: Path
) -> None:
    a, b = at("Joko Widodo")
    path = write_jsonl(
        tmp_path / "dup.jsonl",
        [
            {"text": TEXT, "spans": [{"start": a, "end": b, "label": "PER"}]},
            {"text": TEXT, "spans": [{"start": a + 5, "end": b, "label": "PER"}]},
        ],
    )

    report = project.imports.import_labelled([path], annotator="ana")

    assert (report.records, report.imported, report.duplicates, report.skipped_total) == (
        2,
        1,
        1,
        0,
    )
    assert (report.labels_read, report.spans, report.labels_skipped) == (2, 1, 1)
    assert report.label_reasons == {"overlaps a stored entity": 1}
    _adds_up(report)
    assert "2 records read: 1 imported, 1 duplicate skipped, 0 skipped" in report.summary()
    assert "Labels: 2 read: 1 spans and 0 document labels stored" in report.summary()
    assert "1 skipped (overlaps a stored entity 1)" in report.summary()


def test_a_labelled_record_matching_an_unlabelled_article_by_text_adds_its_labels_and_says_so(
    project: Project, tmp_path: Path
) -> None:
    project.imports.import_files(
        [write_jsonl(tmp_path / "plain.jsonl", [{"id": "a1", "text": TEXT}])]
    )
    a, b = at("Joko Widodo")
    path = write_jsonl(
        tmp_path / "l.jsonl",
        [{"id": "b7", "text": TEXT, "spans": [{"start": a, "end": b, "label": "PER"}]}],
    )

    report = project.imports.import_labelled([path], annotator="ana")

    assert (report.duplicates, report.matched, report.spans) == (1, 1, 1)
    _adds_up(report)
    assert "1 record matched existing articles by text; their labels were added" in (
        report.summary()
    )
    (article,) = project.list_articles()
    assert [(s.start, s.end) for s in project.labels.spans(article.id)] == [(a, b)]


def test_labels_of_a_record_that_would_mix_into_another_records_labels_are_refused(
    project: Project, tmp_path: Path
) -> None:
    a, b = at("Joko Widodo")
    c, d = at("القاهرة")
    path = write_jsonl(
        tmp_path / "l.jsonl",
        [
            {"id": "x1", "text": TEXT, "spans": [{"start": a, "end": b, "label": "PER"}]},
            {
                "id": "x2",
                "text": TEXT,
                "spans": [{"start": c, "end": d, "label": "GPE"}],
                "stance": {"main": "favour"},
            },
        ],
    )
    problems: list[str] = []

    report = project.imports.import_labelled([path], annotator="ana", on_problem=problems.append)

    assert (report.imported, report.duplicates, report.spans, report.matched) == (1, 1, 1, 0)
    assert report.labels_skipped == report.labels_read - 1
    _adds_up(report)
    assert len(problems) == 1 and problems[0].startswith(f"{path}:2: same text as article 'x1'")
    (article,) = project.list_articles()
    assert [(s.start, s.end) for s in project.labels.spans(article.id)] == [(a, b)]


def test_an_annotator_name_longer_than_its_column_is_refused_before_anything_is_read(
    project: Project, tmp_path: Path
) -> None:
    import pytest

    from storage import ProjectError

    path = write_jsonl(tmp_path / "l.jsonl", [{"text": TEXT, "spans": []}])

    with pytest.raises(ProjectError, match="at most 200 characters"):
        project.imports.import_labelled([path], annotator="a" * 201)
    with pytest.raises(ProjectError, match="at most 200 characters"):
        project.imports.import_labelled([path], suggestions="s" * 201)
    assert project.count_articles() == 0


def test_without_flag_problems_a_left_out_label_keeps_the_status_and_is_noted(
    project: Project, tmp_path: Path
) -> None:
    text = "Joko di Jakarta."
    path = write_jsonl(
        tmp_path / "x.jsonl",
        [{"text": text, "spans": [{"start": 0, "end": 4, "label": "PER"},
                                  {"start": 8, "end": 15, "label": "NOPE"}]}],
    )  # fmt: skip
    report = project.imports.import_labelled([path], annotator="ann")
    (article,) = project.list_articles()
    progress = project.labels.progress(article.id, annotator="ann")
    assert progress.status == "done" and "unknown label" in progress.note
    assert report.flagged == 0 and report.labels_skipped == 1 and report.spans == 1


def test_annotator_field_keeps_each_annotator_s_labels_apart(
    project: Project, tmp_path: Path
) -> None:
    text = "Joko 👨🏻‍🚒 bertemu 𠮷野 di القاهرة."
    joko, cairo = (0, 4), (text.index("القاهرة"), text.index("القاهرة") + 7)
    rows = [
        {"id": "a", "text": text, "annotator": "ana", "spans": [[*joko, "PER"]], "lang": "es"},
        {"id": "a", "text": text, "annotator": "budi", "spans": [[*cairo, "GPE"], [*joko, "ORG"]]},
        {"id": "a", "text": text, "spans": [[*joko, "PER"]]},
    ]
    path = write_jsonl(tmp_path / "two.jsonl", [{**r, "label": r.pop("spans")} for r in rows])
    report = project.imports.import_labelled([path], annotator="lead", annotator_field="annotator")
    (article,) = project.list_articles()
    got = {
        name: {(s.label, s.start) for s in project.labels.spans(article.id, annotator=name)}
        for name in ("ana", "budi", "lead")
    }
    assert got == {
        "ana": {("PER", 0)},
        "budi": {("GPE", cairo[0]), ("ORG", 0)},
        "lead": {("PER", 0)},
    }
    assert report.spans == 4
    assert project.article(article.id).lang == "es"  # the source's language is kept
