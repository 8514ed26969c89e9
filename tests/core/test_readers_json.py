"""Reading a .json file: records of an array or a wrapping object, each with its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.readers import Problem, RawRecord, json_kind
from tests.core.reader_helpers import ENCODING_HINT, read, write


def test_a_json_array_yields_each_object_with_the_line_where_it_starts(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.json",
        "[\n"
        '  {"text": "satu",\n'
        '   "title": "A"},\n'
        '  {"text": "dua"}, {"text": "tiga"},\n'
        "\n"
        "  {\n"
        '    "text": "empat"\n'
        "  }\n"
        "]\n",
    )

    assert read(path) == [
        RawRecord(f"{path}:2", {"text": "satu", "title": "A"}),
        RawRecord(f"{path}:4", {"text": "dua"}),
        RawRecord(f"{path}:4", {"text": "tiga"}),
        RawRecord(f"{path}:6", {"text": "empat"}),
    ]


def test_a_json_object_wrapping_articles_yields_them_with_their_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.json.gz",
        "{\n"
        '  "status": "ok",\n'
        '  "sources": [{"name": "not an article"}],\n'
        '  "articles": [\n'
        '    {"text": "satu"},\n'
        "    {\n"
        '      "text": "dua"\n'
        "    }\n"
        "  ],\n"
        '  "totalResults": 2\n'
        "}\n",
    )

    assert read(path) == [
        RawRecord(f"{path}:5", {"text": "satu"}),
        RawRecord(f"{path}:6", {"text": "dua"}),
    ]


def test_a_json_object_with_records_under_another_key_uses_its_first_list_of_objects(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "a.json",
        '{"tags": ["a", "b"],\n "hits": [\n  {"text": "satu"}],\n "more": [{"text": "x"}]}',
    )

    assert read(path) == [RawRecord(f"{path}:3", {"text": "satu"})]


def test_a_non_object_element_of_a_json_array_is_reported_and_the_others_read(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "a.json", '[\n {"text": "a"},\n "b",\n [1],\n {"text": "c"}\n]')

    assert read(path) == [
        RawRecord(f"{path}:2", {"text": "a"}),
        Problem(f"{path}:3", "expected a JSON object, got a string"),
        Problem(f"{path}:4", "expected a JSON object, got a list"),
        RawRecord(f"{path}:5", {"text": "c"}),
    ]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            '[\n {"text": "a"},\n {"text": "b"}\n {"text": "c"}\n]',
            (4, "Expecting ',' delimiter", 2),
        ),
        ('[\n {"text": "a"},\n]', (3, "Expecting value", 1)),
        ('{"articles": [{"text": "a"}]', (1, "Expecting ',' delimiter", 29)),
        ('{"articles" [{"text": "a"}]}', (1, "Expecting ':' delimiter", 13)),
        ('[{"text": "a"}]\n[]', (2, "Extra data", 1)),
        ("\n\n", (3, "Expecting value", 1)),
    ],
)
def test_an_invalid_json_file_is_one_problem_with_line_and_column_and_no_records(
    tmp_path: Path, content: str, problem: tuple[int, str, int]
) -> None:
    path = write(tmp_path / "a.json", content)
    line, message, column = problem

    assert read(path) == [Problem(f"{path}:{line}", f"invalid JSON: {message} (column {column})")]


def test_our_invalid_json_messages_match_what_json_itself_says(tmp_path: Path) -> None:
    content = '[\n {"text": "a"},\n {"text": "b"}\n {"text": "c"}\n]'
    path = write(tmp_path / "a.json", content)
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads(content)
    error = caught.value

    assert read(path) == [
        Problem(f"{path}:{error.lineno}", f"invalid JSON: {error.msg} (column {error.colno})")
    ]


def test_a_json_file_with_an_undecodable_byte_is_reported_at_the_line_of_that_byte(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "a.json", b'[\n {"text": "a"},\n {"text": "\xe0 b"}\n]')

    assert read(path) == [
        Problem(f"{path}:3", f"not valid UTF-8 (byte 0xe0 at column 12); {ENCODING_HINT}")
    ]


def test_a_json_object_holding_no_list_of_objects_is_one_record(tmp_path: Path) -> None:
    path = write(
        tmp_path / "article.json",
        '\ufeff\n{"maintext": "isi", "authors": ["A", "B"], "date_publish": null}\n',
    )

    assert read(path) == [
        RawRecord(f"{path}:2", {"maintext": "isi", "authors": ["A", "B"], "date_publish": None})
    ]


def test_an_empty_articles_list_is_reported_rather_than_silently_empty(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", '{"status": "ok",\n "articles": []}')

    assert read(path) == [Problem(f"{path}:2", "no records: the list under 'articles' is empty")]


def test_an_empty_json_array_yields_nothing(tmp_path: Path) -> None:
    assert read(write(tmp_path / "a.json", " [ ] \n")) == []


def test_a_json_document_that_is_neither_array_nor_object_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", '\n"just text"')

    assert read(path) == [Problem(f"{path}:2", "expected a JSON array of objects, got a string")]


def test_json_kind_names_values_as_messages_need_them() -> None:
    assert [json_kind(v) for v in [None, True, 1, 1.5, "s", [], {}]] == [
        "null", "a boolean", "a number", "a number", "a string", "a list", "an object",
    ]  # fmt: skip
