"""Turning what a user types into a full-text query that cannot be a syntax error."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from core.text import has_unspaced_script

_WORD = re.compile(r"\w+", re.UNICODE)


#: Windows of up to this many hits carry their ids (they travel to SQLite as one JSON list);
#: larger ones, read when other filters leave few of the hits, are a range of ids that
#: SQLite searches the index in again (cheaper than shipping the ids when few are kept).
MAX_IDS_WINDOW = 16_000
#: When the filters beside the text keep at most this many articles, the index is asked
#: about each of them, in id order, instead of being read window by window of hits
#: (``TextSearch.few_windows``): ~30 µs an article, at 100,000 as at a million, and a
#: page stops asking once it is full. By windows, a word in most articles with a filter
#: that keeps 1,000 of them took 76 ms for the first page at a million (20 ms at 100,000).
FEW_CANDIDATES = 1000
#: Articles asked about at a time: a page of 200 among a common word's hits needs ~300.
CANDIDATES_A_WINDOW = 250
#: Asking the index about one article costs about what reading this many hits in order
#: does (~30 µs against ~0.3 µs a hit), so the few are asked about only when the hits are
#: at least this many times more (at 100,000 articles a word in most of them has ~65,000
#: hits: 1,000 done articles are cheaper by windows there, 200 by asking).
HITS_A_SEEK = 100
#: Hits read to estimate how many a word has (``TextSearch._hits_estimate``).
TEXT_SAMPLE = 1_000


class TextWindow(NamedTuple):
    """Index hits of a free-text filter with ids in ``[low, high)``: in a small window all
    of them, in ``ids``, read once, so that the page's query does not search the index
    again; None in a large one."""

    low: int
    high: int
    ids: tuple[int, ...] | None


def search_terms(text: str) -> list[str]:
    """The words of a query, as the index splits them (also used to highlight matches)."""
    return _WORD.findall(text)


def highlight_pattern(words: list[str]) -> re.Pattern[str] | None:
    """What the article highlights for a query: what the list counts as a match. Each word
    starts at a word start; all but the last end at a word end, the last may be a prefix
    (search as you type). A word in a script written without spaces is found anywhere, as
    the list finds it by reading the texts."""
    words = [w for w in words if w]
    parts = []
    for n, word in enumerate(words):
        if has_unspaced_script(word):
            parts.append(re.escape(word))
        elif n == len(words) - 1:
            parts.append(rf"(?<!\w){re.escape(word)}")
        else:
            parts.append(rf"(?<!\w){re.escape(word)}(?!\w)")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def fts_match_expression(text: str, expand: Callable[[str], list[str] | None] | None = None) -> str:
    """An FTS5 MATCH string: every word required, the last one as a prefix (search as you type).

    Each word is quoted, so operators and punctuation typed by the user are taken literally.
    ``expand``: the index's words the last word stands for as a prefix, or None
    (``storage.index_terms.prefix_terms``); FTS5 reads those lazily, its own prefix search
    gathers every hit first.
    """
    words = search_terms(text)
    if not words:
        return '""'
    quoted = [f'"{w}"' for w in words]
    stands_for = expand(words[-1]) if expand is not None else None
    if stands_for is None:
        quoted[-1] += "*"
    elif stands_for:  # none: the quoted word, which is no word of the index, finds nothing
        quoted[-1] = "(" + " OR ".join(f'"{w}"' for w in stands_for) + ")"
    return " AND ".join(quoted)


def tsquery_expression(text: str) -> str:
    """The same query for PostgreSQL's ``to_tsquery``: words ANDed, the last as a prefix."""
    words = search_terms(text)
    if not words:
        return ""
    return " & ".join([*words[:-1], words[-1] + ":*"])
