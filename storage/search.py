"""Turning what a user types into a full-text query that cannot be a syntax error."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(text: str) -> list[str]:
    """The words of a query, as the index splits them (also used to highlight matches)."""
    return _WORD.findall(text)


def fts_match_expression(text: str) -> str:
    """An FTS5 MATCH string: every word required, the last one as a prefix (search as you type).

    Each word is quoted, so operators and punctuation typed by the user are taken literally.
    """
    words = search_terms(text)
    if not words:
        return '""'
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " AND ".join(quoted)


def tsquery_expression(text: str) -> str:
    """The same query for PostgreSQL's ``to_tsquery``: words ANDed, the last as a prefix."""
    words = search_terms(text)
    if not words:
        return ""
    return " & ".join([*words[:-1], words[-1] + ":*"])
