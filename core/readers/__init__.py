"""Reading news datasets from files into raw records, with a problem for every bad record.

A scraped dataset always has a few broken records: a truncated JSON line, a CSV row with a stray
delimiter, a file saved in Latin-1. An import must not stop at the first one, so every reader
yields :class:`RawRecord` or :class:`Problem` items and goes on; the caller decides what to do
with problems (the importer reports them with file and line and skips the record).

Readers stream wherever the format allows it (JSONL, gzip) so that a multi-gigabyte file never
has to fit in memory, and they report progress in bytes of the file on disk so a progress bar
can be drawn over the total size of all files. Nothing here knows what an article is: mapping
fields to an article is :mod:`core.fields`' job.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import os
import re
import stat
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from core.text import normalise_text

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

FORMAT_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt")
#: Every suffix a file may have to be read; each format may also be gzip-compressed.
SUPPORTED_SUFFIXES = FORMAT_SUFFIXES + tuple(f"{suffix}.gz" for suffix in FORMAT_SUFFIXES)
#: Keys of a wrapping JSON object that hold the records, most likely first.
RECORD_LIST_KEYS = ("articles", "records", "data", "items", "rows")
#: ``on_bytes`` is called at least this often (in bytes of the file on disk), and at the end.
PROGRESS_STEP = 1 << 20

_CHUNK = 1 << 20
_LINE_BUFFER = 1 << 16
# csv refuses fields over 128 KiB by default; a scraped article body can be megabytes. The
# limit is a C long, which is 32 bits on Windows.
_CSV_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)
_JSON_WHITESPACE = re.compile(r"[ \t\n\r]*")
_ENCODING_HINT = "re-run with --encoding if the file uses another encoding"

ProgressCallback = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as read, before any field mapping; ``origin`` is "path:line" or "path"."""

    origin: str
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a path or a record could not be used, worded for the person who made the file."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


def json_kind(value: object) -> str:
    """How a parsed JSON value is named in messages: "a list", "a number", "null"."""
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    names = {str: "a string", list: "a list", dict: "an object"}
    return names.get(type(value), f"a {type(value).__name__}")


# ---- finding files -----------------------------------------------------------------------


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """The files to read for the paths a user named, and a problem for each unusable path.

    A file named explicitly is taken whatever it is called (an unknown suffix is a problem,
    because the user asked for it); folders are walked recursively in sorted order and only
    files with a supported suffix are taken, since folders hold READMEs and licences too.
    Hidden files and folders inside a folder are skipped. A file reached twice (named twice,
    or named and inside a named folder) is listed once.
    """
    walker = _Walker()
    for path in paths:
        walker.add(Path(path))
    return walker.files, walker.problems


class _Walker:
    """Collects files and problems; remembers what it has seen so nothing is listed twice."""

    def __init__(self) -> None:
        self.files: list[Path] = []
        self.problems: list[Problem] = []
        self._seen: set[tuple[int, int]] = set()

    def add(self, path: Path) -> None:
        try:
            info = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            self.problems.append(Problem(str(path), "no such file or folder"))
            return
        except OSError as exc:
            self.problems.append(Problem(str(path), _cannot_read(exc)))
            return
        if stat.S_ISDIR(info.st_mode):
            self._walk(path, info)
        elif _format_of(path) is None:
            self.problems.append(Problem(str(path), _unsupported(path)))
        else:
            self._take(path, info)

    def _walk(self, folder: Path, info: os.stat_result) -> None:
        if not self._first_visit(info):  # a symlink loop, or a folder named twice
            return
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as exc:
            self.problems.append(Problem(str(folder), _cannot_read(exc)))
            return
        for entry in entries:
            if not entry.name.startswith("."):
                self._visit(folder / entry.name)

    def _visit(self, path: Path) -> None:
        try:
            info = path.stat()
        except OSError as exc:  # a broken symlink, or a file removed meanwhile
            if _format_of(path) is not None:  # a dead link to a README is no one's concern
                self.problems.append(Problem(str(path), _cannot_read(exc)))
            return
        if stat.S_ISDIR(info.st_mode):
            self._walk(path, info)
        elif stat.S_ISREG(info.st_mode) and _format_of(path) is not None:
            self._take(path, info)

    def _take(self, path: Path, info: os.stat_result) -> None:
        if not self._first_visit(info):
            return
        # Opening is the only reliable test (ACLs, network drives); doing it now lets the user
        # see every unreadable file before a long import starts. A named pipe is not opened:
        # that would wait for a writer.
        if stat.S_ISREG(info.st_mode):
            try:
                with path.open("rb"):
                    pass
            except OSError as exc:
                self.problems.append(Problem(str(path), _cannot_read(exc)))
                return
        self.files.append(path)

    def _first_visit(self, info: os.stat_result) -> bool:
        key = (info.st_dev, info.st_ino)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True


def _format_of(path: Path) -> tuple[str, bool] | None:
    """``(".jsonl", True)`` for ``x.JSONL.gz``; None for a suffix no reader handles."""
    name = path.name.lower()
    compressed = name.endswith(".gz")
    if compressed:
        name = name[:-3]
    for suffix in FORMAT_SUFFIXES:
        if name.endswith(suffix):
            return suffix, compressed
    return None


def _unsupported(path: Path) -> str:
    suffixes = path.suffixes
    if not suffixes:
        shown = "no suffix"
    elif suffixes[-1].lower() == ".gz" and len(suffixes) > 1:
        shown = "".join(suffixes[-2:])
    else:
        shown = suffixes[-1]
    return (
        f"unsupported file type ({shown}); use .jsonl, .ndjson, .json, .csv, .tsv or .txt,"
        " optionally gzipped (.gz)"
    )


def _cannot_read(exc: OSError) -> str:
    return f"cannot read: {exc.strerror or exc}"


# ---- reading one file --------------------------------------------------------------------


def read_file(
    path: Path,
    *,
    encoding: str = "utf-8",
    on_bytes: ProgressCallback | None = None,
) -> Iterator[RawRecord | Problem]:
    """Records of one file, in file order, with a problem for each bad record or the file.

    The reader is chosen by suffix. ``on_bytes(n)`` receives the number of bytes of the file
    on disk (compressed bytes for ``.gz``) consumed so far, at least every
    :data:`PROGRESS_STEP` bytes and once at the end with the file's size.

    An unknown ``encoding`` is the caller's mistake, not the file's, so it raises
    :class:`ValueError` at once rather than becoming a problem for every file.
    """
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None
    return _read(Path(path), codec, on_bytes)


def _read(
    path: Path, codec: codecs.CodecInfo, on_bytes: ProgressCallback | None
) -> Iterator[RawRecord | Problem]:
    origin = str(path)
    found = _format_of(path)
    if found is None:
        yield Problem(origin, _unsupported(path))
        return
    suffix, compressed = found
    try:
        raw = path.open("rb", buffering=0)
    except OSError as exc:
        yield Problem(origin, _cannot_read(exc))
        return
    with raw:
        size = os.fstat(raw.fileno()).st_size
        counter = _CountingReader(raw, on_bytes)
        stream: IO[bytes] = (
            gzip.GzipFile(fileobj=counter, mode="rb")
            if compressed
            else io.BufferedReader(counter, _LINE_BUFFER)
        )
        try:
            with stream:
                yield from _READERS[suffix](stream, origin, codec)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            yield Problem(origin, f"corrupt gzip file: {exc}")
        except OSError as exc:
            yield Problem(origin, _cannot_read(exc))
    if on_bytes is not None:
        on_bytes(max(size, counter.consumed))


class _CountingReader(io.RawIOBase):
    """Counts the bytes read from the file on disk and reports them now and then.

    It sits below gzip's decompressor, so the count is in compressed bytes and matches the
    file sizes a caller adds up for its progress bar.
    """

    def __init__(self, raw: io.FileIO, on_bytes: ProgressCallback | None) -> None:
        super().__init__()
        self._raw = raw
        self._on_bytes = on_bytes
        self._reported = 0
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        count = self._raw.readinto(buffer) or 0
        self.consumed += count
        if self._on_bytes is not None and self.consumed - self._reported >= PROGRESS_STEP:
            self._reported = self.consumed
            self._on_bytes(self.consumed)
        return count


# ---- decoding ----------------------------------------------------------------------------


def _read_text(stream: IO[bytes], origin: str, codec: codecs.CodecInfo) -> str | Problem:
    """The whole file decoded strictly, BOM removed; a problem at the first undecodable byte."""
    chunks = []
    while chunk := stream.read(_CHUNK):
        chunks.append(chunk)
    data = b"".join(chunks)
    del chunks
    try:
        return data.decode(codec.name).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start, codec, at_file_start=True)
        return Problem(f"{origin}:{line}", _undecodable(exc, column, codec))


def _position(
    data: bytes, start: int, codec: codecs.CodecInfo, *, at_file_start: bool
) -> tuple[int, int]:
    """1-based line and column (in characters) of byte ``start`` of ``data``.

    A BOM at the start of the file is invisible in an editor, so it is not counted.
    """
    before = data[:start].decode(codec.name, "replace")
    if at_file_start:
        before = before.removeprefix("\ufeff")
    line_start = before.rfind("\n") + 1
    return before.count("\n") + 1, len(before) - line_start + 1


def _undecodable(exc: UnicodeDecodeError, column: int, codec: codecs.CodecInfo) -> str:
    byte = exc.object[exc.start]
    return (
        f"not valid {_codec_label(codec)} (byte 0x{byte:02x} at column {column}); " + _ENCODING_HINT
    )


def _codec_label(codec: codecs.CodecInfo) -> str:
    return codec.name.upper()


def _splits_lines_in_bytes(codec: codecs.CodecInfo) -> bool:
    """True if a newline is the byte 0x0A and that byte is never part of another character.

    That holds for UTF-8, the Latin and Windows code pages and the common CJK multibyte
    encodings, which lets JSONL be split into lines before decoding, so one bad line costs
    one record. UTF-16 and UTF-32 need decoding first.
    """
    if codec.name in {"utf-8-sig", "utf-8"}:
        return True
    try:
        return "\n{}".encode(codec.name) == b"\n{}"
    except UnicodeError:
        return False


# ---- JSON Lines --------------------------------------------------------------------------


def _read_jsonl(
    stream: IO[bytes], origin: str, codec: codecs.CodecInfo
) -> Iterator[RawRecord | Problem]:
    """One object per line; a bad line is one problem and reading goes on with the next."""
    lines = _byte_lines if _splits_lines_in_bytes(codec) else _text_lines
    for number, line in lines(stream, origin, codec):
        if isinstance(line, Problem):
            yield line
        elif line.strip():
            # Without its line ending, an error at the end of the line is reported on this
            # line rather than at column 1 of the next.
            yield _jsonl_record(f"{origin}:{number}", line.rstrip("\r\n"))


def _jsonl_record(origin: str, line: str) -> RawRecord | Problem:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return Problem(origin, f"invalid JSON: {exc.msg} (column {exc.colno})")
    except RecursionError:
        return Problem(origin, "invalid JSON: nested too deeply")
    if not isinstance(value, dict):
        return Problem(origin, f"expected a JSON object, got {json_kind(value)}")
    return RawRecord(origin, value)


def _byte_lines(
    stream: IO[bytes], origin: str, codec: codecs.CodecInfo
) -> Iterator[tuple[int, str | Problem]]:
    """Lines split as bytes and decoded one by one, so a bad byte spoils only its line."""
    name = "utf-8" if codec.name == "utf-8-sig" else codec.name
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode(name)
        except UnicodeDecodeError as exc:
            _, column = _position(raw, exc.start, codec, at_file_start=number == 1)
            yield number, Problem(f"{origin}:{number}", _undecodable(exc, column, codec))
            continue
        yield number, line.removeprefix("\ufeff") if number == 1 else line


def _text_lines(
    stream: IO[bytes], origin: str, codec: codecs.CodecInfo
) -> Iterator[tuple[int, str | Problem]]:
    """Lines of a UTF-16 or UTF-32 file, which must be decoded before it can be split.

    The decoder reads ahead, so a bad byte cannot be tied to one line and ends the file; the
    problem says how many lines were read before it.
    """
    text = io.TextIOWrapper(stream, encoding=codec.name, errors="strict", newline="")
    number = 0
    try:
        for number, line in enumerate(text, start=1):
            yield number, line
    except UnicodeDecodeError as exc:
        where = f"byte 0x{exc.object[exc.start]:02x}" + (f" after line {number}" if number else "")
        reason = (
            f"not valid {_codec_label(codec)} ({where}); the rest of the file was not read;"
            f" {_ENCODING_HINT}"
        )
        yield number + 1, Problem(origin, reason)
    finally:
        text.detach()  # the caller closes the file


# ---- JSON --------------------------------------------------------------------------------


def _read_json(
    stream: IO[bytes], origin: str, codec: codecs.CodecInfo
) -> Iterator[RawRecord | Problem]:
    """An array of objects, or an object wrapping one; each record with its starting line.

    ``json.load`` would lose where each record starts, so the array is walked element by
    element with ``raw_decode``. An invalid file is one problem and yields no record: the
    point of failure says nothing about which earlier records were meant.
    """
    text = _read_text(stream, origin, codec)
    if isinstance(text, Problem):
        yield text
        return
    try:
        located = _json_records(text)
    except json.JSONDecodeError as exc:
        yield Problem(f"{origin}:{exc.lineno}", f"invalid JSON: {exc.msg} (column {exc.colno})")
        return
    except RecursionError:
        yield Problem(origin, "invalid JSON: nested too deeply")
        return
    lines = _LineCounter(text)
    for position, value in located:
        where = f"{origin}:{lines.line_at(position)}"
        if isinstance(value, _NoRecords):
            yield Problem(where, value.reason)
        elif isinstance(value, dict):
            yield RawRecord(where, value)
        else:
            yield Problem(where, f"expected a JSON object, got {json_kind(value)}")


@dataclass(frozen=True, slots=True)
class _NoRecords:
    reason: str


_Located = list[tuple[int, Any]]


def _json_records(text: str) -> _Located:
    """``(position, value)`` of every record of a JSON document; raises JSONDecodeError."""
    decoder = json.JSONDecoder()
    start = _skip_whitespace(text, 0)
    if text.startswith("[", start):
        located, end = _walk_array(text, start, decoder)
    elif text.startswith("{", start):
        members, end = _walk_object(text, start, decoder)
        located = _choose_records(start, members)
    else:
        value, end = decoder.raw_decode(text, start)
        reason = f"expected a JSON array of objects, got {json_kind(value)}"
        located = [(start, _NoRecords(reason))]
    end = _skip_whitespace(text, end)
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return located


def _skip_whitespace(text: str, position: int) -> int:
    match = _JSON_WHITESPACE.match(text, position)
    return match.end() if match else position


def _walk_array(text: str, start: int, decoder: json.JSONDecoder) -> tuple[_Located, int]:
    """Elements of the array opening at ``start`` with their positions, and the end."""
    located: _Located = []
    position = _skip_whitespace(text, start + 1)
    if text.startswith("]", position):
        return located, position + 1
    while True:
        value, end = decoder.raw_decode(text, position)
        located.append((position, value))
        position = _skip_whitespace(text, end)
        if text.startswith(",", position):
            position = _skip_whitespace(text, position + 1)
        elif text.startswith("]", position):
            return located, position + 1
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, position)


@dataclass(frozen=True, slots=True)
class _Member:
    key: str
    position: int
    value: Any
    elements: _Located | None  # positions of the elements when the value is an array


def _walk_object(text: str, start: int, decoder: json.JSONDecoder) -> tuple[list[_Member], int]:
    """Members of the object opening at ``start``; arrays are walked to keep positions."""
    members: list[_Member] = []
    position = _skip_whitespace(text, start + 1)
    if text.startswith("}", position):
        return members, position + 1
    while True:
        if not text.startswith('"', position):
            raise json.JSONDecodeError(
                "Expecting property name enclosed in double quotes", text, position
            )
        key, end = decoder.raw_decode(text, position)
        position = _skip_whitespace(text, end)
        if not text.startswith(":", position):
            raise json.JSONDecodeError("Expecting ':' delimiter", text, position)
        position = _skip_whitespace(text, position + 1)
        if text.startswith("[", position):
            elements, end = _walk_array(text, position, decoder)
            members.append(_Member(key, position, [v for _, v in elements], elements))
        else:
            value, end = decoder.raw_decode(text, position)
            members.append(_Member(key, position, value, None))
        position = _skip_whitespace(text, end)
        if text.startswith(",", position):
            position = _skip_whitespace(text, position + 1)
        elif text.startswith("}", position):
            return members, position + 1
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, position)


def _choose_records(start: int, members: list[_Member]) -> _Located:
    """The records a top-level object holds.

    The first list of objects wins, one under a usual key (``articles``, ``records``, ...)
    before any other. An object holding no list of objects is taken as a single record (one
    article per file, as news-please writes them), unless a usual key holds an empty list:
    then it is an empty result, reported so that it is not silently nothing.
    """
    lists = [m for m in members if m.elements and any(isinstance(v, dict) for v in m.value)]
    for preferred in RECORD_LIST_KEYS:
        for member in lists:
            if member.key.lower() == preferred:
                return member.elements or []
    if lists:
        return lists[0].elements or []
    for member in members:
        if member.key.lower() in RECORD_LIST_KEYS and member.value == []:
            reason = f"no records: the list under {member.key!r} is empty"
            return [(member.position, _NoRecords(reason))]
    return [(start, {m.key: m.value for m in members})]


class _LineCounter:
    """Line numbers of increasing positions in a text, counting each newline once."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._position = 0
        self._line = 1

    def line_at(self, position: int) -> int:
        if position < self._position:
            self._position, self._line = 0, 1
        self._line += self._text.count("\n", self._position, position)
        self._position = position
        return self._line


# ---- CSV and TSV -------------------------------------------------------------------------


def _read_csv(
    stream: IO[bytes], origin: str, codec: codecs.CodecInfo
) -> Iterator[RawRecord | Problem]:
    return _read_delimited(stream, origin, codec, delimiter=",")


def _read_tsv(
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
    text = _read_text(stream, origin, codec)
    if isinstance(text, Problem):
        yield text
        return
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(_physical_lines(text), delimiter=delimiter)
    header: list[str] | None = None
    last_line = 0
    try:
        for row in reader:
            start, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [name.strip() for name in row]
            else:
                yield _row_record(f"{origin}:{start}", header, row)
    except csv.Error as exc:
        yield Problem(f"{origin}:{last_line + 1}", f"invalid CSV: {exc}")
    if header is None:
        yield Problem(origin, "empty file")


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


# ---- plain text --------------------------------------------------------------------------


def _read_txt(
    stream: IO[bytes], origin: str, codec: codecs.CodecInfo
) -> Iterator[RawRecord | Problem]:
    """One article per file: the first non-blank line is the title, the rest the text.

    Blank lines around the text are dropped; everything between is kept verbatim, because
    boilerplate at the end of scraped pages ("Next Article", editor tags) is what annotators
    mark, and offsets into the text must match the file.
    """
    text = _read_text(stream, origin, codec)
    if isinstance(text, Problem):
        yield text
        return
    lines = normalise_text(text).split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        yield Problem(origin, "empty file")
        return
    start, end = first + 1, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    yield RawRecord(origin, {"title": lines[first].strip(), "text": "\n".join(lines[start:end])})


_Reader = Callable[[IO[bytes], str, codecs.CodecInfo], Iterator[RawRecord | Problem]]

_READERS: dict[str, _Reader] = {
    ".jsonl": _read_jsonl,
    ".ndjson": _read_jsonl,
    ".json": _read_json,
    ".csv": _read_csv,
    ".tsv": _read_tsv,
    ".txt": _read_txt,
}
