"""What read_file does alike for every format: Unicode, progress, gzip and unreadable files."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from core.readers import (
    PROGRESS_STEP,
    SUPPORTED_SUFFIXES,
    Problem,
    RawRecord,
    expand_paths,
    read_file,
)
from tests.core.reader_helpers import UNSUPPORTED_TAIL, jsonl, read, write

# Emoji with a ZWJ sequence, a CJK Extension B character (two UTF-16 units) and Arabic.
UNICODE_TEXT = "Halo 👩‍💻 dunia 🇮🇩\n𠮷野家 の 牛丼\nمرحبا بالعالم\u200f — selesai"


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
    ".conll": lambda text: f"{text} O\n",
}
#: Formats that carry a title and a text (CoNLL carries tokens and tags: its own tests).
ARTICLE_SUFFIXES = [s for s in SUPPORTED_SUFFIXES if ".conll" not in s]


@pytest.mark.parametrize("suffix", ARTICLE_SUFFIXES)
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
