"""What every reader yields: a raw record, or a problem worded for the person who made the file.

These two types are the whole contract between the readers and their callers (the importer,
:mod:`core.fields`), so they live apart from any one format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
