"""A window of the repeated-line count: the counts of consecutive pages of articles held
between two writes, and what writing them changes in the stored table.

The count (:mod:`storage.repeated_lines`) reads pages of articles, takes each page's lines
in (:meth:`Window.add`), and writes a full window in the table's key order, a slice a
commit, each slice planned here (:func:`plan_counts`) before the write lock is taken. All of
it is pure: what is stored comes in as rows, what to write goes out as a :class:`CountPlan`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from core.suggest.batch import CountedLine

#: Article ids remembered per line until it becomes frequent (see ``first_ids``).
FIRST_IDS_CAP = 50


@dataclass
class CountPlan:
    """One slice of a window's line counts, planned before the write lock is taken."""

    #: (articles, first_ids, sample, row id) of lines already in the table.
    updates: list[tuple[int, str, str, int]] = field(default_factory=list)
    #: (source, key, articles, sample, first_ids) of lines new to it. A line in one article
    #: only is stored without its sample (most lines are; the samples were a quarter of a
    #: news project's file): it gets one when a second article has it, and only lines in
    #: K >= 2 articles are ever shown.
    new_rows: list[tuple[str, str, int, str, str]] = field(default_factory=list)
    #: Older articles holding a line that reaches K with this slice.
    affected: set[int] = field(default_factory=set)
    #: (source, key) of the slice's lines that are frequent with it.
    frequent: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Seen:
    """A line of a window found in more than one of its articles, or already stored."""

    aids: list[int]
    sample: str
    #: (row id, articles, first_ids) as stored when the window was read, or None.
    stored: tuple[int, int, str] | None


class Window:
    """The line counts of consecutive pages of articles (ids ``after`` < id <= ``upto``),
    held until they are written together in key order.

    Most lines are in one article and not stored yet: those keep only the article id (no
    list, no sample), which is what lets a window hold 300,000 lines in ~50 MB.
    """

    def __init__(self, after: int) -> None:
        self.after = after
        self.upto = after
        self.size = 0
        self.lines: dict[str, dict[str, int | Seen]] = {}

    def unknown(self, lines: list[CountedLine]) -> dict[str, list[str]]:
        """Per source, the keys among ``lines`` this window has not seen: their stored
        counts are read once, since nothing is written while the window is read."""
        out: dict[str, list[str]] = {}
        for source, key, _aids, _sample in lines:
            known = self.lines.get(source)
            if known is None or key not in known:
                out.setdefault(source, []).append(key)
        return out

    def add(
        self, lines: list[CountedLine], stored: dict[tuple[str, str], tuple[int, int, str]]
    ) -> None:
        """Take in a page's counts; ``stored``: the stored rows of its unseen keys."""
        for source, key, aids, sample in lines:
            known = self.lines.get(source)
            if known is None:
                known = self.lines[source] = {}
            old = known.get(key)
            if old is None:
                found = stored.get((source, key))
                known[key] = (
                    aids[0] if found is None and len(aids) == 1 else Seen(aids, sample, found)
                )
                self.size += 1
            elif isinstance(old, int):
                known[key] = Seen([old, *aids], sample, None)
            else:
                old.aids.extend(aids)

    def ordered(self) -> Iterator[tuple[str, str, int | Seen]]:
        """The window's lines in (source, key) order: the unique index's order, so that
        consecutive lines go to the same index pages."""
        for source in sorted(self.lines):
            known = self.lines[source]
            for key in sorted(known):
                yield source, key, known[key]


def id_list(ids: list[int]) -> str:
    """``json.dumps`` of a list of ints, without its per-call cost (called per new line)."""
    return "[" + ", ".join(map(str, ids)) + "]"


def plan_counts(
    lines: list[tuple[str, str, int | Seen]],
    k: int,
    written: tuple[str, str] | None,
) -> CountPlan:
    """What adding a slice of a window's counts to the table writes (nothing written).
    ``written``: the last line a killed run wrote of this window; the lines up to it
    are stored with the window's counts already, so they are planned but not written."""
    plan = CountPlan()
    for source, key, value in lines:
        if isinstance(value, int):  # in one article, not stored: the most common case
            after = 1
            plan.new_rows.append((source, key, 1, "", f"[{value}]"))
        elif value.stored is None:
            after = len(value.aids)
            kept = value.sample if after > 1 else ""
            plan.new_rows.append((source, key, after, kept, id_list(value.aids[:FIRST_IDS_CAP])))
        else:
            row_id, before, first_ids = value.stored
            stored_already = written is not None and (source, key) <= written
            if stored_already:
                before -= len(value.aids)
            after = before + len(value.aids)
            first: list[int] | None = None
            if before < k <= after:
                first = json.loads(first_ids)
                plan.affected.update(first)
            if not stored_already:
                if first_ids.count(",") + 1 < FIRST_IDS_CAP:  # fewer than CAP ids
                    first = json.loads(first_ids) if first is None else first
                    first_ids = id_list((first + value.aids)[:FIRST_IDS_CAP])
                plan.updates.append((after, first_ids, value.sample, row_id))
        if after >= k:
            plan.frequent.append((source, key))
    return plan
