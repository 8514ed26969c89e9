"""Parsing labelled records: every supported shape, normalised offsets, bad spans named."""

from __future__ import annotations

import json
from pathlib import Path

from core.labelled import LabelledRecord, parse_labelled
from core.readers import Problem, RawRecord
from core.schema import Schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = Schema.from_dict(json.loads((ROOT / "resources/schema/default.json").read_text("utf-8")))
TEXT = "Joko 👨🏻‍🚒 bertemu 𠮷野 di القاهرة, café\u0301 Paris."


def at(needle: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def parse(fields: dict, **kw: object) -> LabelledRecord | Problem:
    return parse_labelled(RawRecord("f.jsonl:3", fields), SCHEMA, **kw)


def spans_of(result: LabelledRecord | Problem) -> set[tuple[str, str, str]]:
    assert isinstance(result, LabelledRecord), result
    text = result.article.text
    return {(s.layer, s.label, text[s.start : s.end]) for s in result.spans}


def test_our_spans_export_is_read_back_with_layers_stance_status_and_meta() -> None:
    line = {
        "id": "x-1",
        "text": TEXT,
        "title": "T",
        "lang": "id",
        "spans": [
            {"start": a, "end": b, "label": lab, "layer": layer, "text": TEXT[a:b]}
            for (a, b), lab, layer in [
                (at("Joko"), "PER", "entity"),
                (at("القاهرة"), "GPE", "entity"),
                (at("Paris."), "boilerplate", "boilerplate"),
            ]
        ],
        "stance": {"main": "against"},
        "annotator": "alice",
        "status": "skipped",
        "meta": {"author": "luc"},
    }
    result = parse(line)
    assert spans_of(result) == {
        ("entity", "PER", "Joko"),
        ("entity", "GPE", "القاهرة"),
        ("boilerplate", "boilerplate", "Paris."),
    }
    assert result.doc_labels == {"stance:main": "against"} and result.status == "skipped"
    assert result.article.meta == {"author": "luc"} and result.article.external_id == "x-1"
    assert result.problems == []


def test_prodigy_doccano_and_entities_shapes_give_the_same_spans() -> None:
    (a, b), (c, d) = at("𠮷野"), at("café\u0301 Paris")
    shapes = [
        {
            "text": TEXT,
            "spans": [
                {"start": a, "end": b, "label": "ORG"},
                {"start": c, "end": d, "label": "LOC"},
            ],
        },
        {"text": TEXT, "label": [[a, b, "ORG"], [c, d, "LOC"]]},
        {"text": TEXT, "entities": [[a, b, "ORG"], [c, d, "LOC"]]},
        {
            "text": TEXT,
            "entities": [
                {"id": 1, "start_offset": a, "end_offset": b, "label": "ORG"},
                {"id": 2, "start_offset": c, "end_offset": d, "label": "LOC"},
            ],
        },
    ]
    for shape in shapes:
        assert spans_of(parse(shape)) == {
            ("entity", "ORG", "𠮷野"),
            ("entity", "LOC", "café\u0301 Paris"),
        }


def test_tokens_and_ner_tags_become_spans_over_the_joined_tokens() -> None:
    result = parse(
        {"tokens": ["Joko", "Widodo", "ke", "𠮷野"], "ner_tags": ["B-PER", "I-PER", "O", "B-ORG"]}
    )
    assert result.article.text == "Joko Widodo ke 𠮷野"
    assert spans_of(result) == {("entity", "PER", "Joko Widodo"), ("entity", "ORG", "𠮷野")}


def test_integer_ner_tags_need_the_label_list() -> None:
    fields = {"tokens": ["Joko", "tiba"], "ner_tags": [1, 0]}
    assert isinstance(parse(fields), Problem)
    assert spans_of(parse(fields, tag_names=["O", "B-PER", "I-PER"])) == {("entity", "PER", "Joko")}


def test_crlf_and_bom_are_normalised_and_offsets_move_with_them() -> None:
    raw = "\ufeffBaris satu\r\nJoko datang\r\n"
    a, b = at("Joko", raw)
    result = parse({"text": raw, "spans": [{"start": a, "end": b, "label": "PER", "text": "Joko"}]})
    assert result.article.text == "Baris satu\nJoko datang\n"
    assert spans_of(result) == {("entity", "PER", "Joko")}


def test_bad_spans_are_named_and_left_out_while_good_ones_stay() -> None:
    a, b = at("Joko")
    units16 = len(TEXT[: TEXT.index("القاهرة")].encode("utf-16-le")) // 2
    result = parse(
        {
            "text": TEXT,
            "spans": [
                {"start": a, "end": b, "label": "PER"},
                {"start": 5, "end": 999, "label": "PER"},
                {"start": a, "end": b + 1, "label": "PER", "text": "Joko"},
                {"start": units16, "end": units16 + 7, "label": "GPE", "text": "القاهرة"},
                {"start": a, "end": b, "label": "PERSON"},
                {"start": "0", "end": 4, "label": "PER"},
                {"start": a, "end": b + 3, "label": "ORG"},
            ],
            "stance": {"main": "maybe", "nobody": "favour"},
        }
    )
    assert spans_of(result) == {("entity", "PER", "Joko")}
    kinds = [p.split(":")[0] for p in result.problems]
    assert kinds == [
        "span outside the text",
        "span text differs from the text at its offsets",
        "span text differs from the text at its offsets",
        "unknown label",
        "span offsets are not whole numbers",
        "overlapping entities",
        "unknown label",
        "unknown stance target",
    ]
    assert "UTF-16" in result.problems[2]
    assert result.doc_labels == {}


def test_class_labels_in_a_doccano_label_list_are_reported_as_not_spans() -> None:
    result = parse({"text": TEXT, "label": ["positive"]})
    assert result.spans == []
    assert result.problems[0].startswith("not a span: item 1 is 'positive'")


def test_a_rejected_prodigy_answer_and_a_record_without_text_are_refused() -> None:
    assert isinstance(parse({"text": TEXT, "spans": [], "answer": "reject"}), Problem)
    assert isinstance(parse({"spans": []}), Problem)
    assert isinstance(parse({"tokens": ["a"], "ner_tags": ["B-PER", "O"]}), Problem)


def test_unused_label_shapes_never_reach_the_article_meta() -> None:
    result = parse({"text": TEXT, "spans": [], "tokens": [], "_input_hash": 5})
    assert result.article.meta == {"_input_hash": 5}
