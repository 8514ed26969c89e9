"""A ``.json`` file: an array of records, or an object wrapping one, each with its line.

Someone fixing a bad record needs its line, which ``json.load`` does not keep; walking the
document by hand with ``raw_decode`` does, and that walker is most of this module.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from core.readers.decoding import read_text
from core.readers.records import Problem, RawRecord, json_kind, not_text

#: Keys of a wrapping JSON object that hold the records, most likely first.
RECORD_LIST_KEYS = ("articles", "records", "data", "items", "rows")
_JSON_WHITESPACE = re.compile(r"[ \t\n\r]*")


def read_json(
    stream: IO[bytes], origin: str, codec: codecs.CodecInfo
) -> Iterator[RawRecord | Problem]:
    """An array of objects, or an object wrapping one; each record with its starting line.

    ``json.load`` would lose where each record starts, so the array is walked element by
    element with ``raw_decode``. An invalid file is one problem and yields no record: the
    point of failure says nothing about which earlier records were meant.
    """
    text = read_text(stream, origin, codec)
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
            reason = not_text(value)
            yield Problem(where, reason) if reason else RawRecord(where, value)
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
