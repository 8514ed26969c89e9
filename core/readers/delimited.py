"""CSV and TSV files: rows under a header row, each with the line where it starts.

Spreadsheet exports of articles have quoted fields spanning many lines and bodies of
megabytes; both readers share the handling of those, and differ only in the delimiter.
"""

from __future__ import annotations

import codecs
import csv
import sys
from collections.abc import Iterator
from typing import IO

from core.readers.decoding import read_text
from core.readers.records import Problem, RawRecord

# csv refuses fields over 128 KiB by default; a scraped article body can be megabytes. The
# limit is a C long, which is 32 bits on Windows.
_CSV_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


def read_csv(
    stream: IO[bytes], origin: str, codec: codecs.CodecInfo
) -> Iterator[RawRecord | Problem]:
    return _read_delimited(stream, origin, codec, delimiter=",")


def read_tsv(
    stream: IO[bytes], origin: str, codec: codecs.CodecInfo
) -> Iterator[RawRecord | Problem]:
    return _read_delimited(stream, origin, codec, delimiter="\t")


def _read_delimited(
    stream: IO[bytes], origin: str, codec: codecs.CodecInfo, *, delimiter: str
) -> Iterator[RawRecord | Problem]:
    """Rows under a header row; each record's origin is the line where its row starts.

    The file is decoded whole first: the csv module cannot resume after a decoding error, and
    a quoted field may span lines, so a bad byte could not be tied to one row anyway.
    """
    text = read_text(stream, origin, codec)
    if isinstance(text, Problem):
        yield text
        return
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(_physical_lines(text), delimiter=delimiter)
    header: list[str] | None = None
    last_line = rows = 0
    try:
        for row in reader:
            start, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [name.strip() for name in row]
                twice = _repeated_column(header)
                if twice:
                    yield Problem(f"{origin}:{start}", twice)
                    return
            else:
                rows += 1
                yield _row_record(f"{origin}:{start}", header, row)
    except csv.Error as exc:
        yield Problem(f"{origin}:{last_line + 1}", f"invalid CSV: {exc}")
        return
    if header is None:
        yield Problem(origin, "empty file: no header row and no records")
    elif not rows:
        yield Problem(origin, "no records: the file holds only a header row")


def _repeated_column(header: list[str]) -> str | None:
    """Why a header that names a column twice is refused, or None.

    Each row becomes a record keyed by column name, so the second ``text`` would silently
    replace the first; which one was meant only the user knows.
    """
    seen: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        if name in seen:
            return (
                f"the header names {name!r} twice (columns {seen[name]} and {number}); rename"
                " one: nothing of this file was imported"
            )
        seen[name] = number
    return None


def _row_record(origin: str, header: list[str], row: list[str]) -> RawRecord | Problem:
    if len(row) != len(header):
        return Problem(origin, f"row has {_count(len(row), 'field')}, the header has {len(header)}")
    return RawRecord(origin, dict(zip(header, row, strict=True)))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _physical_lines(text: str) -> Iterator[str]:
    """Lines with their endings, split on ``\\n`` only, as the csv module counts them.

    ``str.splitlines`` would also split on form feeds and Unicode separators inside fields,
    and ``io.StringIO`` would copy the whole text once more.
    """
    start = 0
    while (end := text.find("\n", start)) != -1:
        yield text[start : end + 1]
        start = end + 1
    if start < len(text):
        yield text[start:]
