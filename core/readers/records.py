"""What every reader yields: a raw record, or a problem worded for the person who made the file.

These two types are the whole contract between the readers and their callers (the importer,
:mod:`core.fields`), so they live apart from any one format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

#: A record (a JSON line) longer than this is skipped with a problem instead of read: the
#: longest article text allowed (1,000,000 characters) takes at most 6 MB even with every
#: character escaped, and a limit keeps a file without newlines from filling the memory.
MAX_RECORD_BYTES = 64 << 20


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
    names: dict[type, str] = {str: "a string", list: "a list", dict: "an object"}
    return names.get(type(value), f"a {type(value).__name__}")


def not_text(value: object) -> str | None:
    """Why a parsed record cannot be stored as text, or None.

    JSON may escape half of a UTF-16 pair on its own (``"\\ud800"``); Python parses it into a
    string that no UTF-8 database or file can hold. Found here, it is one record's problem
    with its line, not an error that loses a batch later.
    """
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(exc.object[exc.start])
        return (
            f"holds a lone surrogate escape (\\u{code:04x}), which is not text;"
            " fix the record or remove it"
        )
    except (TypeError, ValueError):
        return None
    return None
