"""Argument values the commands share the reading of."""

from __future__ import annotations

from collections.abc import Iterable


def comma_list(values: Iterable[str | None]) -> list[str]:
    """``--lang id,en --lang ar`` (or one ``"ana, budi"``) -> ``["id", "en", "ar"]``: each
    value split at commas, spaces trimmed, empty pieces dropped."""
    return [v.strip() for value in values if value for v in value.split(",") if v.strip()]
