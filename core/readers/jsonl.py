"""JSON Lines (``.jsonl``, ``.ndjson``): one object per line, streamed line by line.

Streaming keeps a multi-gigabyte dump out of memory, and reading line by line means one
broken line costs one record, not the file.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import IO

from core.readers.decoding import byte_lines, splits_lines_in_bytes, text_lines
from core.readers.records import Problem, RawRecord, json_kind


def read_jsonl(
    stream: IO[bytes], origin: str, codec: codecs.CodecInfo
) -> Iterator[RawRecord | Problem]:
    """One object per line; a bad line is one problem and reading goes on with the next."""
    lines = byte_lines if splits_lines_in_bytes(codec) else text_lines
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
