"""Reading CSV and TSV: rows under a header, each with the line where it starts."""

from __future__ import annotations

from pathlib import Path

from core.readers import Problem, RawRecord
from tests.core.reader_helpers import ENCODING_HINT, read, write


def test_csv_rows_are_keyed_by_the_header_with_the_line_where_each_row_starts(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "a.csv",
        'id, title ,text\n1,Satu,"baris satu\nbaris dua\n\nbaris empat"\n'
        '\n,,\n2,Dua,"kata ""kutip"""\n',
    )

    assert read(path) == [
        RawRecord(
            f"{path}:2",
            {"id": "1", "title": "Satu", "text": "baris satu\nbaris dua\n\nbaris empat"},
        ),
        RawRecord(f"{path}:8", {"id": "2", "title": "Dua", "text": 'kata "kutip"'}),
    ]


def test_a_csv_row_with_the_wrong_number_of_fields_is_reported_and_later_rows_read(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "a.csv", "a,b,c,d,text\n1,2,3,4,ok\n1,2,oops\n5\n1,2,3,4,lagi\n")

    assert read(path) == [
        RawRecord(f"{path}:2", {"a": "1", "b": "2", "c": "3", "d": "4", "text": "ok"}),
        Problem(f"{path}:3", "row has 3 fields, the header has 5"),
        Problem(f"{path}:4", "row has 1 field, the header has 5"),
        RawRecord(f"{path}:5", {"a": "1", "b": "2", "c": "3", "d": "4", "text": "lagi"}),
    ]


def test_a_csv_field_of_10_mb_is_read(tmp_path: Path) -> None:
    body = "kata, " * 1_800_000  # 10.8 MB, commas inside the quoted field
    path = write(tmp_path / "a.csv", f'title,text\nBesar,"{body}"\nKecil,x\n')

    assert read(path) == [
        RawRecord(f"{path}:2", {"title": "Besar", "text": body}),
        RawRecord(f"{path}:3", {"title": "Kecil", "text": "x"}),
    ]


def test_a_tsv_file_is_split_on_tabs_only(tmp_path: Path) -> None:
    path = write(tmp_path / "a.tsv.gz", "title\ttext\nA, B\tsatu, dua\n")

    assert read(path) == [RawRecord(f"{path}:2", {"title": "A, B", "text": "satu, dua"})]


def test_a_csv_file_with_a_bom_and_windows_newlines_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", '\ufefftext,title\r\n"a\r\nb",T\r\nc,U\r\n')

    assert read(path) == [
        RawRecord(f"{path}:2", {"text": "a\r\nb", "title": "T"}),
        RawRecord(f"{path}:4", {"text": "c", "title": "U"}),
    ]


def test_a_csv_file_with_a_latin1_byte_is_one_problem_at_its_line_and_yields_nothing(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "a.csv", "title,text\nA,satu\nB,jalan-jalan ke café\n".encode("latin-1")
    )

    assert read(path) == [
        Problem(f"{path}:3", f"not valid UTF-8 (byte 0xe9 at column 21); {ENCODING_HINT}")
    ]
    assert str(read(path)[0]).startswith(f"{path}:3: not valid UTF-8 (byte 0xe9")


def test_a_csv_file_with_a_header_only_and_an_empty_one_say_why_they_hold_no_records(
    tmp_path: Path,
) -> None:
    header_only = write(tmp_path / "a.csv", "title,text\n")
    empty = write(tmp_path / "b.csv", "\n\n")

    assert read(header_only) == [
        Problem(str(header_only), "no records: the file holds only a header row")
    ]
    assert read(empty) == [Problem(str(empty), "empty file: no header row and no records")]


def test_a_csv_header_naming_a_column_twice_is_reported_and_no_row_is_taken(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "a.csv", "text,text,title\nsatu,dua,judul\n")

    assert read(path) == [
        Problem(
            f"{path}:1",
            "the header names 'text' twice (columns 1 and 2); rename one: nothing of this"
            " file was imported",
        )
    ]
