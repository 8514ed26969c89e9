"""Reading JSON Lines: one record per line, a problem per bad line, streamed."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.readers import Problem, RawRecord, read_file
from tests.core.reader_helpers import ENCODING_HINT, jsonl, read, write


def test_jsonl_records_carry_their_line_numbers_and_blank_lines_are_skipped(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "a.jsonl", '{"text": "satu"}\n\n   \n{"text": "dua", "n": 2}\n')

    assert read(path) == [
        RawRecord(f"{path}:1", {"text": "satu"}),
        RawRecord(f"{path}:4", {"text": "dua", "n": 2}),
    ]


def test_a_broken_json_line_in_the_middle_is_reported_and_the_lines_after_it_are_read(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "a.jsonl",
        '{"text": "a"}\n{"text": "b" "title": "x"}\n{"text": "c"}\n{"text": "d"\n{"text": "e"}\n',
    )

    assert read(path) == [
        RawRecord(f"{path}:1", {"text": "a"}),
        Problem(f"{path}:2", "invalid JSON: Expecting ',' delimiter (column 14)"),
        RawRecord(f"{path}:3", {"text": "c"}),
        Problem(f"{path}:4", "invalid JSON: Expecting ',' delimiter (column 13)"),
        RawRecord(f"{path}:5", {"text": "e"}),
    ]


def test_a_json_line_that_is_not_an_object_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", '[1, 2]\n"teks"\nnull\n3\n{"text": "ok"}\n')

    assert read(path) == [
        Problem(f"{path}:1", "expected a JSON object, got a list"),
        Problem(f"{path}:2", "expected a JSON object, got a string"),
        Problem(f"{path}:3", "expected a JSON object, got null"),
        Problem(f"{path}:4", "expected a JSON object, got a number"),
        RawRecord(f"{path}:5", {"text": "ok"}),
    ]


def test_a_latin1_jsonl_line_is_reported_with_its_line_byte_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.jsonl",
        b'{"text": "ok"}\n{"text": "caf\xe9 au lait"}\n{"text": "lagi"}\n',
    )

    assert read(path) == [
        RawRecord(f"{path}:1", {"text": "ok"}),
        Problem(f"{path}:2", f"not valid UTF-8 (byte 0xe9 at column 14); {ENCODING_HINT}"),
        RawRecord(f"{path}:3", {"text": "lagi"}),
    ]


def test_a_latin1_jsonl_file_reads_with_its_encoding_named(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", '{"text": "café ñandú"}\n'.encode("latin-1"))

    assert read(path, encoding="latin-1") == [RawRecord(f"{path}:1", {"text": "café ñandú"})]


def test_a_utf16_jsonl_file_reads_with_its_encoding_named(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", jsonl({"text": "𠮷 a"}, {"text": "b"}).encode("utf-16"))

    assert read(path, encoding="utf-16") == [
        RawRecord(f"{path}:1", {"text": "𠮷 a"}),
        RawRecord(f"{path}:2", {"text": "b"}),
    ]


def test_a_bad_utf16_sequence_ends_the_file_saying_how_many_lines_were_read(
    tmp_path: Path,
) -> None:
    good = jsonl({"text": "a"}, {"text": "b"}).encode("utf-16-le")
    lone_surrogate = b"\x00\xd8" + '"x"}\n'.encode("utf-16-le")
    path = write(tmp_path / "a.jsonl", b"\xff\xfe" + good + lone_surrogate)

    assert read(path, encoding="utf-16") == [
        Problem(
            str(path),
            "not valid UTF-16 (byte 0x00); the rest of the file was not read; " + ENCODING_HINT,
        )
    ]


def test_a_bad_utf16_sequence_late_in_a_file_comes_after_the_lines_read_before_it(
    tmp_path: Path,
) -> None:
    good = jsonl(*({"text": f"baris {n}"} for n in range(2000))).encode("utf-16-le")
    path = write(tmp_path / "a.jsonl", b"\xff\xfe" + good + b"\x00\xd8a\x00")

    *records, problem = read(path, encoding="utf-16")

    assert records == [
        RawRecord(f"{path}:{n + 1}", {"text": f"baris {n}"}) for n in range(len(records))
    ]
    assert 0 < len(records) <= 2000
    assert problem == Problem(
        str(path),
        f"not valid UTF-16 (byte 0x00 after line {len(records)}); the rest of the file was not"
        f" read; {ENCODING_HINT}",
    )


def test_a_utf8_bom_and_windows_newlines_in_jsonl_are_accepted(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", '\ufeff{"text": "a"}\r\n{"text": "b\\r\\nc"}\r\n')

    assert read(path) == [
        RawRecord(f"{path}:1", {"text": "a"}),
        RawRecord(f"{path}:2", {"text": "b\r\nc"}),
    ]


@pytest.mark.parametrize("name", ["a.ndjson", "a.jsonl.gz", "a.ndjson.gz", "A.JSONL"])
def test_ndjson_gzipped_and_upper_case_jsonl_files_are_read_alike(
    tmp_path: Path, name: str
) -> None:
    path = write(tmp_path / name, jsonl({"text": "a"}, {"text": "b"}))

    assert read(path) == [
        RawRecord(f"{path}:1", {"text": "a"}),
        RawRecord(f"{path}:2", {"text": "b"}),
    ]


def test_a_jsonl_line_of_more_than_10_mb_is_read_whole(tmp_path: Path) -> None:
    body = "kata " * 2_200_000  # 11 MB on one line
    path = write(tmp_path / "big.jsonl", jsonl({"text": "kecil"}, {"text": body}, {"text": "x"}))

    items = read(path)

    assert [type(item) for item in items] == [RawRecord] * 3
    assert items[1] == RawRecord(f"{path}:2", {"text": body})


def test_jsonl_is_streamed_so_the_first_record_arrives_before_the_file_is_read(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "a.jsonl", jsonl(*({"text": "x" * 1000} for _ in range(5000))))
    reported: list[int] = []

    items = read_file(path, on_bytes=reported.append)
    first = next(items)

    assert first == RawRecord(f"{path}:1", {"text": "x" * 1000})
    assert reported == []  # not even the first megabyte consumed yet
    assert sum(1 for _ in items) == 4999
    assert reported[-1] == path.stat().st_size


def test_a_line_longer_than_the_limit_is_one_problem_and_the_next_line_is_read() -> None:
    import io

    from core.readers.jsonl import bounded_lines

    stream = io.BufferedReader(io.BytesIO(b'{"a": 1}\n' + b"0" * 5000 + b'\n{"b": 2}\n'))

    assert list(bounded_lines(stream, limit=100)) == [
        (1, b'{"a": 1}\n'),
        (2, None),
        (3, b'{"b": 2}\n'),
    ]


def test_lines_orjson_refuses_are_read_as_json_reads_them(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.jsonl",
        '{"text": "a", "n": NaN}\n{"text": "b", "big": 123456789012345678901234567890}\n'
        '{"text": "c \\ud83d\\ude00"}\n',
    )

    records = read(path)

    assert [r.fields["text"] for r in records] == ["a", "b", "c 😀"]  # type: ignore[union-attr]
    assert records[1].fields["big"] == 123456789012345678901234567890  # type: ignore[union-attr]


def test_an_empty_jsonl_file_says_it_holds_no_records(tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.jsonl", "")
    blank = write(tmp_path / "blank.jsonl", "\n  \n")

    assert read(empty) == [Problem(str(empty), "empty file: no records")]
    assert read(blank) == [Problem(str(blank), "empty file: no records")]
