"""How an import and the catch-up passes after it report progress and are asked to stop.

Its own module so that the storing (``storage.importing``), the search index pass
(``storage.search_index``) and the catch-up (``storage.pending``) share it without
importing one another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """``phase`` is "store" (done/total in bytes of the files, ``articles`` = records read so
    far), "languages" or "index" (done/total in articles), or "compact" (the full-text
    index's segments merged after a large pass: done/total in its leaf pages)."""

    phase: str
    done: int
    total: int
    articles: int = 0


ProgressFn = Callable[[ImportProgress], None]
#: Asked between units of work: True to stop (what is done so far stays).
StopFn = Callable[[], bool]
