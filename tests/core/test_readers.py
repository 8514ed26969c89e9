"""Reading dataset files into raw records, with a problem for each bad record or path."""

from __future__ import annotations

import gzip
import json
import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from core import readers
from core.readers import (
    PROGRESS_STEP,
    SUPPORTED_SUFFIXES,
    Problem,
    RawRecord,
    expand_paths,
    json_kind,
    read_file,
)

ENCODING_HINT = "re-run with --encoding if the file uses another encoding"
UNSUPPORTED_TAIL = "; use .jsonl, .ndjson, .json, .csv, .tsv or .txt, optionally gzipped (.gz)"
# Emoji with a ZWJ sequence, a CJK Extension B character (two UTF-16 units) and Arabic.
UNICODE_TEXT = "Halo 👩‍💻 dunia 🇮🇩\n𠮷野家 の 牛丼\nمرحبا بالعالم\u200f — selesai"

# An Indonesian content-farm article laid out like the seed article: title, blank lines,
# body, then boilerplate lines that annotators must see exactly as scraped.
SEED_BODY = (
    "Semarang, Kabar Pesisir – Banjir rob setinggi 60 sentimeter merendam ratusan rumah di "
    "pesisir utara Semarang sejak Senin pagi.\n"
    "\n"
    "“Air naik sejak subuh, kami tidak sempat menyelamatkan barang,” kata Siti Aminah, warga "
    "Tambak Lorok, Senin (9/12/2024).\n"
    "\n"
    "Badan Penanggulangan Bencana Daerah mencatat 1.250 warga mengungsi ke balai kelurahan.\n"
    "\n"
    "(luc/luc)\n"
    "\n"
    "Saksikan video di bawah ini:\n"
    "\n"
    "Warga Bertahan di Atap Rumah Saat Rob Datang\n"
    "\n"
    "\n"
    "\n"
    "\n"
    "Next Article\n"
    "\n"
    "\n"
    "\n"
    "Tinggalkan komentar\n"
    "\n"
    "Optimized by Optimole"
)
SEED_TITLE = "Banjir Rob Rendam Pesisir Utara, Ribuan Warga Mengungsi"
SEED_FILE = f"{SEED_TITLE}\n\n\n\n\n{SEED_BODY}\n\n\n"


def read(path: Path, **options: object) -> list[RawRecord | Problem]:
    return list(read_file(path, **options))  # type: ignore[arg-type]


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def jsonl(*objects: object) -> str:
    return "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in objects)


# ---- expand_paths ------------------------------------------------------------------------


def test_supported_suffixes_are_the_six_formats_and_their_gzipped_forms() -> None:
    assert SUPPORTED_SUFFIXES == (
        ".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt",
        ".jsonl.gz", ".ndjson.gz", ".json.gz", ".csv.gz", ".tsv.gz", ".txt.gz",
    )  # fmt: skip


def test_folders_are_walked_recursively_in_sorted_order_keeping_supported_files(
    tmp_path: Path,
) -> None:
    root = tmp_path / "data"
    for name in [
        "b.jsonl", "a.csv", "m.NDJSON", "sub/z.txt", "sub/deeper/c.json.gz", "sub/y.tsv",
        "README.md", "notes.gz", "LICENSE", ".hidden.jsonl", ".git/objects/x.jsonl",
    ]:  # fmt: skip
        write(root / name, "{}\n")

    files, problems = expand_paths([root])

    assert files == [
        root / "a.csv",
        root / "b.jsonl",
        root / "m.NDJSON",
        root / "sub/deeper/c.json.gz",
        root / "sub/y.tsv",
        root / "sub/z.txt",
    ]
    assert problems == []


def test_named_files_are_taken_as_given_and_unknown_suffixes_are_problems(
    tmp_path: Path,
) -> None:
    docx = write(tmp_path / "report.docx", "x")
    bare = write(tmp_path / "README", "x")
    tarball = write(tmp_path / "dump.tar.gz", "x")
    hidden = write(tmp_path / ".articles.jsonl", "{}\n")
    data = write(tmp_path / "articles.jsonl", "{}\n")

    files, problems = expand_paths([docx, hidden, bare, data, tarball])

    assert files == [hidden, data]
    assert problems == [
        Problem(str(docx), "unsupported file type (.docx)" + UNSUPPORTED_TAIL),
        Problem(str(bare), "unsupported file type (no suffix)" + UNSUPPORTED_TAIL),
        Problem(str(tarball), "unsupported file type (.tar.gz)" + UNSUPPORTED_TAIL),
    ]


def test_a_missing_path_is_a_problem_and_the_other_paths_are_still_expanded(
    tmp_path: Path,
) -> None:
    data = write(tmp_path / "a.jsonl", "{}\n")
    missing = tmp_path / "nowhere" / "b.jsonl"

    files, problems = expand_paths([missing, data])

    assert files == [data]
    assert problems == [Problem(str(missing), "no such file or folder")]
    assert str(problems[0]) == f"{missing}: no such file or folder"


def test_an_unreadable_file_is_a_problem_with_the_system_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = write(tmp_path / "locked.jsonl", "{}\n")
    fine = write(tmp_path / "fine.jsonl", "{}\n")
    real_open = Path.open

    def refusing_open(self: Path, *args: object, **kwargs: object) -> object:
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", refusing_open)

    files, problems = expand_paths([tmp_path])

    assert files == [fine]
    assert problems == [Problem(str(locked), "cannot read: Permission denied")]


def test_an_unreadable_folder_is_a_problem_with_the_system_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    write(locked / "a.jsonl", "{}\n")
    fine = write(tmp_path / "open" / "b.jsonl", "{}\n")
    real_scandir = os.scandir

    def refusing_scandir(path: os.PathLike[str]) -> object:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(readers.os, "scandir", refusing_scandir)

    files, problems = expand_paths([tmp_path])

    assert files == [fine]
    assert problems == [Problem(str(locked), "cannot read: Permission denied")]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_a_file_without_read_permission_is_a_problem(tmp_path: Path) -> None:
    locked = write(tmp_path / "locked.jsonl", "{}\n")
    locked.chmod(0)
    try:
        assert expand_paths([locked]) == (
            [],
            [Problem(str(locked), "cannot read: Permission denied")],
        )
    finally:
        locked.chmod(0o600)


def test_a_file_reached_twice_is_listed_once(tmp_path: Path) -> None:
    data = write(tmp_path / "a.jsonl", "{}\n")

    files, problems = expand_paths([data, tmp_path, data])

    assert files == [data]
    assert problems == []


def test_symlink_loops_are_walked_once_and_dead_links_only_matter_for_data_files(
    tmp_path: Path,
) -> None:
    data = write(tmp_path / "a.jsonl", "{}\n")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "dead.jsonl").symlink_to(tmp_path / "gone.jsonl")
    (tmp_path / "dead.md").symlink_to(tmp_path / "gone.md")

    files, problems = expand_paths([tmp_path])

    assert files == [data]
    assert problems == [
        Problem(str(tmp_path / "dead.jsonl"), "cannot read: No such file or directory")
    ]


# ---- JSON Lines --------------------------------------------------------------------------


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


# ---- JSON --------------------------------------------------------------------------------


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


# ---- CSV and TSV -------------------------------------------------------------------------


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


def test_a_csv_file_with_a_header_only_yields_nothing_and_an_empty_one_is_reported(
    tmp_path: Path,
) -> None:
    header_only = write(tmp_path / "a.csv", "title,text\n")
    empty = write(tmp_path / "b.csv", "\n\n")

    assert read(header_only) == []
    assert read(empty) == [Problem(str(empty), "empty file")]


# ---- plain text --------------------------------------------------------------------------


def test_a_txt_file_in_the_seed_article_layout_keeps_its_boilerplate_verbatim(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "seed.txt", SEED_FILE)

    assert read(path) == [RawRecord(str(path), {"title": SEED_TITLE, "text": SEED_BODY})]


def test_a_txt_file_with_leading_blank_lines_a_bom_and_windows_newlines_is_read(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "a.txt.gz",
        "\ufeff\r\n  \r\n  Judul  \r\n\r\n  isi menjorok\r\n\r\n\r\nakhir  \r\n \r\n",
    )

    assert read(path) == [
        RawRecord(str(path), {"title": "Judul", "text": "  isi menjorok\n\n\nakhir  "})
    ]


def test_a_txt_file_with_only_a_title_has_an_empty_text(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Judul saja\n")

    assert read(path) == [RawRecord(str(path), {"title": "Judul saja", "text": ""})]


@pytest.mark.parametrize("content", ["", "\n \n\t\n"])
def test_an_empty_txt_file_is_reported(tmp_path: Path, content: str) -> None:
    path = write(tmp_path / "a.txt", content)

    assert read(path) == [Problem(str(path), "empty file")]


def test_a_txt_file_with_a_latin1_byte_reports_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Judul\n\nisi\nna\xefve\n".encode("latin-1"))

    assert read(path) == [
        Problem(f"{path}:4", f"not valid UTF-8 (byte 0xef at column 3); {ENCODING_HINT}")
    ]


# ---- every format ------------------------------------------------------------------------


def _as_jsonl(text: str) -> str:
    return jsonl({"title": "t", "text": text})


def _as_json(text: str) -> str:
    return json.dumps([{"title": "t", "text": text}], ensure_ascii=False)


def _as_csv(text: str) -> str:
    return 'title,text\nt,"' + text.replace('"', '""') + '"\n'


def _as_tsv(text: str) -> str:
    return 'title\ttext\nt\t"' + text.replace('"', '""') + '"\n'


def _as_txt(text: str) -> str:
    return "t\n\n" + text + "\n"


WRITERS: dict[str, Callable[[str], str]] = {
    ".jsonl": _as_jsonl,
    ".ndjson": _as_jsonl,
    ".json": _as_json,
    ".csv": _as_csv,
    ".tsv": _as_tsv,
    ".txt": _as_txt,
}


@pytest.mark.parametrize("suffix", SUPPORTED_SUFFIXES)
def test_emoji_cjk_extension_b_and_arabic_survive_every_format_exactly(
    tmp_path: Path, suffix: str
) -> None:
    path = write(tmp_path / f"a{suffix}", WRITERS[suffix.removesuffix(".gz")](UNICODE_TEXT))

    (item,) = read(path)

    assert isinstance(item, RawRecord)
    assert item.fields == {"title": "t", "text": UNICODE_TEXT}


@pytest.mark.parametrize("suffix", SUPPORTED_SUFFIXES)
def test_on_bytes_ends_with_the_size_of_the_file_on_disk(tmp_path: Path, suffix: str) -> None:
    path = write(tmp_path / f"a{suffix}", WRITERS[suffix.removesuffix(".gz")]("isi"))
    reported: list[int] = []

    read(path, on_bytes=reported.append)

    assert reported == [path.stat().st_size]


@pytest.mark.parametrize("name", ["big.jsonl", "big.jsonl.gz", "big.csv", "big.json.gz"])
def test_on_bytes_reports_at_least_every_megabyte_up_to_the_file_size(
    tmp_path: Path, name: str
) -> None:
    rng = random.Random(7)
    # Random hex barely compresses, so the gzipped files are megabytes on disk too.
    texts = [rng.randbytes(2000).hex() for _ in range(2000)]
    if ".csv" in name:
        content = _as_csv("x") + "".join(f"t,{text}\n" for text in texts)
    elif ".json." in name:
        content = json.dumps([{"text": text} for text in texts], indent=1)
    else:
        content = jsonl(*({"text": text} for text in texts))
    path = write(tmp_path / name, content)
    size = path.stat().st_size
    reported: list[int] = []

    items = read(path, on_bytes=reported.append)

    assert len(items) == (2001 if ".csv" in name else 2000)
    assert size > 3 * PROGRESS_STEP
    assert reported[-1] == size
    steps = [b - a for a, b in zip([0, *reported], reported, strict=False)]
    assert all(0 <= step <= PROGRESS_STEP + 256 * 1024 for step in steps), steps


# ---- damaged and unreadable files --------------------------------------------------------


def test_a_file_that_is_not_gzip_is_reported_as_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(b'{"text": "not compressed"}\n')

    assert read(path) == [Problem(str(path), "corrupt gzip file: Not a gzipped file (b'{\"')")]


def test_a_truncated_gzip_file_yields_what_it_could_read_then_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(gzip.compress(jsonl({"text": "a"}, {"text": "b"}).encode())[:-12])
    reported: list[int] = []

    items = read(path, on_bytes=reported.append)

    assert items[-1] == Problem(
        str(path),
        "corrupt gzip file: Compressed file ended before the end-of-stream marker was reached",
    )
    assert all(isinstance(item, RawRecord) for item in items[:-1])
    assert reported == [path.stat().st_size]


def test_files_after_a_corrupt_gzip_file_are_still_read(tmp_path: Path) -> None:
    (tmp_path / "a.csv.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    good = write(tmp_path / "b.csv", "text\nisi\n")
    files, _ = expand_paths([tmp_path])

    items = [item for path in files for item in read_file(path)]

    assert [str(item) for item in items if isinstance(item, Problem)] == [
        f"{tmp_path / 'a.csv.gz'}: corrupt gzip file: Compressed file ended before the "
        "end-of-stream marker was reached"
    ]
    assert [item for item in items if isinstance(item, RawRecord)] == [
        RawRecord(f"{good}:2", {"text": "isi"})
    ]


def test_reading_a_folder_named_like_a_data_file_is_a_problem_with_the_system_reason(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "looks.jsonl"
    folder.mkdir()

    assert read(folder) == [Problem(str(folder), "cannot read: Is a directory")]


def test_reading_a_missing_file_is_a_problem_with_the_system_reason(tmp_path: Path) -> None:
    path = tmp_path / "gone.csv"

    assert read(path) == [Problem(str(path), "cannot read: No such file or directory")]


def test_reading_a_file_with_an_unknown_suffix_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "a.xml", "<a/>")

    assert read(path) == [Problem(str(path), "unsupported file type (.xml)" + UNSUPPORTED_TAIL)]


def test_an_unknown_encoding_is_refused_before_any_file_is_read(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown encoding 'klingon'"):
        read_file(tmp_path / "a.jsonl", encoding="klingon")


def test_json_kind_names_values_as_messages_need_them() -> None:
    assert [json_kind(v) for v in [None, True, 1, 1.5, "s", [], {}]] == [
        "null", "a boolean", "a number", "a number", "a string", "a list", "an object",
    ]  # fmt: skip
