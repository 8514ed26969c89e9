"""Spans reach export records exactly as stored, however their labels are spelled.

The export reads each record's spans packed into one JSON array by the database
(``json_group_array`` on SQLite, ``json_agg`` on PostgreSQL) and unpacks them in Python;
these tests hold that round trip to the stored values, on both databases.
"""

from __future__ import annotations

from pathlib import Path

from core.export.records import ExportSelection
from storage import Project
from tests.storage.export_helpers import labelled_project

#: Labels that JSON must escape or that are outside the BMP, right-to-left or combining.
ODD_LABELS = ['say "hi"', "back\\slash", "tab\there", "new\nline", "𠮷", "قاهرة", "e\u0301", "😀"]


def test_span_labels_that_json_escapes_come_back_exactly_and_sorted(
    project: Project, tmp_path: Path
) -> None:
    ids = labelled_project(project, tmp_path)
    text = project.article(ids[0]).text
    added = []
    for n, label in enumerate(ODD_LABELS):
        start, end = 3 * n, 3 * n + 2  # "evidence": a layer whose labels are free text
        project.labels.add_span(
            ids[0], annotator="bob", layer="evidence", label=label, start=start, end=end
        )
        added.append((start, end, "evidence", label))
    project.labels.set_status(ids[0], annotator="bob", status="done")
    records = list(project.exports.export_records(ExportSelection(), page=1))
    bob = next(r for r in records if r.annotator == "bob")
    assert bob.spans == tuple(sorted(added))
    assert all(type(s) is tuple and type(s[0]) is int for s in bob.spans)
    assert [bob.text[s:e] for s, e, _, _ in bob.spans] == [
        text[3 * n : 3 * n + 2] for n in range(8)
    ]
    alice = next(r for r in records if r.annotator == "alice" and r.article_id == ids[0])
    assert [label for _, _, _, label in alice.spans] == ["PER", "GPE", "boilerplate", "boilerplate"]


def test_the_first_pass_reads_only_the_layers_it_asks_for_and_records_without_spans(
    project: Project, tmp_path: Path
) -> None:
    labelled_project(project, tmp_path)
    records = list(project.exports.export_records(ExportSelection(), layers=("boilerplate",)))
    assert [[s[2:] for s in r.spans] for r in records] == [
        [("boilerplate", "boilerplate")] * 2,
        [],
        [("boilerplate", "boilerplate")],
        [],
    ]
    none = list(project.exports.export_records(ExportSelection(), layers=()))
    assert [r.spans for r in none] == [()] * 4
