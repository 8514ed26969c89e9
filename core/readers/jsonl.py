"""JSON Lines (``.jsonl``, ``.ndjson``): one object per line, streamed line by line.

Streaming keeps a multi-gigabyte dump out of memory, and reading line by line means one
broken line costs one record, not the file. Lines are read with a length limit, so a file
with no newline in a gigabyte (``/dev/zero``, a decompression bomb) costs one bounded buffer
and one problem, not all the memory there is.

UTF-8 lines are parsed by orjson straight from bytes (twice as fast as decoding and ``json``;
it was a tenth of a 100,000-article import). A line orjson refuses is parsed again the
ordinary way, which words the problem as before, accepts what ``json`` accepts (``NaN``,
integers past 64 bits) and finds the lone surrogate escapes orjson rightly refuses.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import IO

import orjson

from core.readers.decoding import decode_line, splits_lines_in_bytes, text_lines
from core.readers.records import MAX_RECORD_BYTES, Problem, RawRecord, json_kind, not_text

_SKIP_CHUNK = 1 << 20
#: Twenty digits or more: an integer orjson would read as a float.
_LONG_INT = re.compile(rb"\d{20}")


def read_jsonl(
    stream: IO[bytes], origin: str, codec: codecs.CodecInfo
) -> Iterator[RawRecord | Problem]:
    """One object per line; a bad line is one problem and reading goes on with the next."""
    if not splits_lines_in_bytes(codec):
        for number, line in text_lines(stream, origin, codec):
            if isinstance(line, Problem):
                yield line
            elif line.strip():
                yield _jsonl_record(f"{origin}:{number}", line.rstrip("\r\n"))
        return
    fast = codec.name in {"utf-8", "utf-8-sig"}
    empty = True
    for number, raw in bounded_lines(stream):
        if empty and raw is not None and not raw.strip():
            continue
        empty = False
        where = f"{origin}:{number}"
        if raw is None:
            yield Problem(where, too_long())
            continue
        if fast and (value := _fast_parse(raw)) is not None:
            if isinstance(value, dict):
                yield RawRecord(where, value)
            else:
                yield Problem(where, f"expected a JSON object, got {json_kind(value)}")
            continue
        line = decode_line(raw, where, number, codec)
        if isinstance(line, Problem):
            yield line
        elif line.strip():
            # Without its line ending, an error at the end of the line is reported on this
            # line rather than at column 1 of the next.
            yield _jsonl_record(where, line.rstrip("\r\n"))
    if empty:
        yield Problem(origin, "empty file: no records")


def bounded_lines(
    stream: IO[bytes], limit: int = MAX_RECORD_BYTES
) -> Iterator[tuple[int, bytes | None]]:
    """``(number, line)`` for each line; None for a line longer than ``limit``, whose bytes
    are skipped a chunk at a time up to the next newline."""
    number = 0
    while True:
        raw = stream.readline(limit + 1)
        if not raw:
            return
        number += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            while (chunk := stream.readline(_SKIP_CHUNK)) and not chunk.endswith(b"\n"):
                pass
            yield number, None
            continue
        yield number, raw


def _fast_parse(raw: bytes) -> object | None:
    """orjson's reading of a line, or None where the ordinary path must read it: a line
    orjson refuses (worded there), or one with an integer past 64 bits, which orjson would
    turn into a float (an id of 20 digits must not lose its last ones)."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if _has_float(value) and _LONG_INT.search(raw):
        return None
    return value


def _has_float(value: object) -> bool:
    """True if a float is anywhere in ``value``; records rarely hold one, so this is cheap."""
    if type(value) is float:
        return True
    if type(value) is dict:
        return any(_has_float(v) for v in value.values())
    if type(value) is list:
        return any(_has_float(v) for v in value)
    return False


def too_long(limit: int = MAX_RECORD_BYTES) -> str:
    return f"record longer than {limit // (1 << 20):,} MB; skipped (is this a JSON Lines file?)"


def _jsonl_record(origin: str, line: str) -> RawRecord | Problem:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return Problem(origin, f"invalid JSON: {exc.msg} (column {exc.colno})")
    except RecursionError:
        return Problem(origin, "invalid JSON: nested too deeply")
    if not isinstance(value, dict):
        return Problem(origin, f"expected a JSON object, got {json_kind(value)}")
    reason = not_text(value)
    if reason:
        return Problem(origin, reason)
    return RawRecord(origin, value)
