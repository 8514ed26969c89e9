"""Other tools' labelled shapes: Label Studio (JSON, JSON-MIN), older doccano, our stance
export, relations, label maps. Each label is kept, or named in the record's problems."""

from __future__ import annotations

import pytest

from core.label_formats import canonical_fields, parse_label_map
from core.labelled import LabelledRecord
from tests.core.test_labelled import TEXT, at, parse, spans_of


def _ls_result(needle: str, label: str, **extra: object) -> dict:
    start, end = at(needle)
    return {
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "text": needle, "labels": [label]},
        **extra,
    }


def _task(*annotations: dict, predictions: list[dict] | None = None) -> dict:
    return {
        "id": 17,
        "data": {"text": TEXT, "title": "Judul"},
        "annotations": list(annotations),
        "predictions": predictions or [],
    }


def test_a_label_studio_task_is_read_with_its_spans_and_fields() -> None:
    task = _task({"id": 1, "result": [_ls_result("Joko", "PER"), _ls_result("القاهرة", "GPE")]})
    result = parse(task)
    assert spans_of(result) == {("entity", "PER", "Joko"), ("entity", "GPE", "القاهرة")}
    assert isinstance(result, LabelledRecord)
    assert result.article.title == "Judul"
    assert result.problems == []


def test_label_studio_choices_become_stance_and_relations_are_reported() -> None:
    task = _task(
        {
            "id": 1,
            "result": [
                _ls_result("Joko", "PER"),
                {"from_name": "main", "type": "choices", "value": {"choices": ["against"]}},
                {"type": "relation", "from_id": "a", "to_id": "b"},
            ],
        }
    )
    result = parse(task)
    assert isinstance(result, LabelledRecord)
    assert result.doc_labels == {"stance:main": "against"}
    assert [p.split(":")[0] for p in result.problems] == ["relation"]


def test_only_the_latest_live_annotation_is_taken_and_the_others_are_counted() -> None:
    old = {"id": 1, "updated_at": "2024-01-01", "result": [_ls_result("Joko", "ORG")]}
    new = {"id": 2, "updated_at": "2024-02-01", "result": [_ls_result("Joko", "PER")]}
    gone = {"id": 3, "was_cancelled": True, "result": [_ls_result("Paris", "GPE")]}
    result = parse(_task(old, new, gone))
    assert spans_of(result) == {("entity", "PER", "Joko")}
    assert isinstance(result, LabelledRecord)
    kinds = sorted(p.split(":")[0] for p in result.problems)
    assert kinds == ["cancelled annotation", "other annotation"]


def test_predictions_are_read_when_importing_as_suggestions() -> None:
    task = _task(
        {"id": 1, "result": [_ls_result("Joko", "PER")]},
        predictions=[{"model_version": "v1", "result": [_ls_result("Paris", "GPE")]}],
    )
    assert spans_of(parse(task, predictions=True)) == {("entity", "GPE", "Paris")}
    assert spans_of(parse(task)) == {("entity", "PER", "Joko")}


def test_label_studio_json_min_spans_are_read() -> None:
    start, end = at("Joko")
    record = {
        "id": 4,
        "text": TEXT,
        "label": [{"start": start, "end": end, "text": "Joko", "labels": ["PER"]}],
        "annotator": 1,
    }
    assert spans_of(parse(record)) == {("entity", "PER", "Joko")}


def test_doccano_s_older_labels_key_is_read_as_spans_not_meta() -> None:
    start, end = at("Joko")
    result = parse({"text": TEXT, "labels": [[start, end, "PER"]]})
    assert spans_of(result) == {("entity", "PER", "Joko")}
    assert isinstance(result, LabelledRecord)
    assert "labels" not in result.article.meta


def test_doccano_relations_are_kept_in_meta_and_reported() -> None:
    start, end = at("Joko")
    relations = [{"from_id": 1, "to_id": 2, "type": "works_for"}]
    result = parse({"text": TEXT, "label": [[start, end, "PER"]], "relations": relations})
    assert isinstance(result, LabelledRecord)
    assert result.article.meta["relations"] == relations
    assert len(result.problems) == 1 and result.problems[0].startswith("relation:")


def test_our_stance_export_line_comes_back_as_stance() -> None:
    result = parse({"id": "a1", "target": "main", "text": TEXT, "label": "favour"})
    assert isinstance(result, LabelledRecord)
    assert result.doc_labels == {"stance:main": "favour"}
    assert result.article.text == TEXT


def test_a_label_map_renames_labels_of_every_shape_before_the_schema_check() -> None:
    start, end = at("Joko")
    mapping = {"PERSON": "PER", "PLACE": "GPE"}
    doccano = {"text": TEXT, "label": [[start, end, "PERSON"]]}
    assert spans_of(parse(doccano, label_map=mapping)) == {("entity", "PER", "Joko")}
    tokens = {"tokens": ["Joko", "di", "Paris"], "ner_tags": ["B-PERSON", "O", "B-PLACE"]}
    assert spans_of(parse(tokens, label_map=mapping)) == {
        ("entity", "PER", "Joko"),
        ("entity", "GPE", "Paris"),
    }
    unmapped = parse(doccano)
    assert isinstance(unmapped, LabelledRecord) and unmapped.spans == []
    assert unmapped.problems[0].startswith("unknown label")


def test_parse_label_map_refuses_malformed_items() -> None:
    assert parse_label_map(["PERSON=PER", " GPE = LOC "]) == {"PERSON": "PER", "GPE": "LOC"}
    with pytest.raises(ValueError, match="FROM=TO"):
        parse_label_map(["PERSON"])


def test_canonical_fields_leaves_plain_records_alone() -> None:
    record = {"text": "x", "spans": [{"start": 0, "end": 1, "label": "PER"}]}
    assert canonical_fields(record).fields == record
    assert canonical_fields(record).notes == []
