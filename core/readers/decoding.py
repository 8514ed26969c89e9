"""Decoding bytes to text so that a bad byte is reported with its line and column.

Scraped files arrive in Latin-1 or UTF-16 as often as not; the messages here point at the
byte an editor would show and suggest ``--encoding``. Line splitting lives here too, because
whether a file can be split before decoding depends on its encoding.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import IO

from core.readers.records import Problem

_CHUNK = 1 << 20
_ENCODING_HINT = "re-run with --encoding if the file uses another encoding"


def read_text(stream: IO[bytes], origin: str, codec: codecs.CodecInfo) -> str | Problem:
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


def splits_lines_in_bytes(codec: codecs.CodecInfo) -> bool:
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


def decode_line(raw: bytes, where: str, number: int, codec: codecs.CodecInfo) -> str | Problem:
    """One line split as bytes, decoded; a bad byte spoils only its line."""
    name = "utf-8" if codec.name == "utf-8-sig" else codec.name
    try:
        line = raw.decode(name)
    except UnicodeDecodeError as exc:
        _, column = _position(raw, exc.start, codec, at_file_start=number == 1)
        return Problem(where, _undecodable(exc, column, codec))
    return line.removeprefix("\ufeff") if number == 1 else line


def byte_lines(
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


def text_lines(
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
