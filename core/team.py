"""Team progress: per annotator and for the whole project, as ``stats --team`` and the
Team view show it. Storage counts; the derived figures (median, rate) are computed here."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

PROJECT_ROW = "(project)"


@dataclass(frozen=True, slots=True)
class TeamRow:
    """One annotator's progress. ``remaining`` counts the articles they hold and have not
    finished (no status, or ``todo``); ``done``/``skipped``/``flagged`` count all their
    statuses, in their queue or not. ``seconds`` is their time spent on any article."""

    annotator: str
    assigned: int
    done: int
    skipped: int
    flagged: int
    remaining: int
    seconds: float
    labels: int
    last_active: dt.datetime | None
    median_seconds: float | None = None

    @property
    def labels_per_hour(self) -> float | None:
        """Labels (spans and document labels) per hour of recorded time."""
        return self.labels * 3600.0 / self.seconds if self.seconds > 0 else None


@dataclass(frozen=True, slots=True)
class TeamStats:
    rows: list[TeamRow] = field(default_factory=list)
    total: TeamRow | None = None

    def all_rows(self) -> list[TeamRow]:
        """Each annotator's row, then the whole project's (when there is one)."""
        return [*self.rows, *([self.total] if self.total else [])]


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def team_stats(rows: Sequence[TeamRow], done_seconds: Mapping[str, Sequence[float]]) -> TeamStats:
    """Add each row's median time per done article and the whole project's row: sums of
    the counts (an article held by two annotators counts twice, as it is two pieces of
    work), the median over every done article, the latest activity."""
    with_median = [
        TeamRow(
            annotator=r.annotator,
            assigned=r.assigned,
            done=r.done,
            skipped=r.skipped,
            flagged=r.flagged,
            remaining=r.remaining,
            seconds=r.seconds,
            labels=r.labels,
            last_active=r.last_active,
            median_seconds=_median(done_seconds.get(r.annotator, ())),
        )
        for r in rows
    ]
    actives = [r.last_active for r in rows if r.last_active is not None]
    total = TeamRow(
        annotator=PROJECT_ROW,
        assigned=sum(r.assigned for r in rows),
        done=sum(r.done for r in rows),
        skipped=sum(r.skipped for r in rows),
        flagged=sum(r.flagged for r in rows),
        remaining=sum(r.remaining for r in rows),
        seconds=sum(r.seconds for r in rows),
        labels=sum(r.labels for r in rows),
        last_active=max(actives) if actives else None,
        median_seconds=_median([s for values in done_seconds.values() for s in values]),
    )
    return TeamStats(rows=with_median, total=total)


def row_cells(r: TeamRow, *, missing: str) -> list[str]:
    """A row's figures as text, in the table's column order (the CLI table and the GUI's
    Team dialog); ``missing`` stands where a figure cannot be worked out yet."""
    return [
        r.annotator,
        f"{r.assigned:,}",
        f"{r.done:,}",
        f"{r.skipped:,}",
        f"{r.flagged:,}",
        f"{r.remaining:,}",
        missing if r.median_seconds is None else f"{r.median_seconds:.0f}",
        missing if r.labels_per_hour is None else f"{r.labels_per_hour:.0f}",
        missing if r.last_active is None else r.last_active.strftime("%Y-%m-%d %H:%M"),
    ]


def format_team_table(stats: TeamStats) -> list[str]:
    """The table ``stats --team`` prints, one string per line."""
    header = (
        "annotator",
        "assigned",
        "done",
        "skipped",
        "flagged",
        "remaining",
        "median s",
        "labels/h",
        "last active (UTC)",
    )
    body = [row_cells(r, missing="-") for r in stats.all_rows()]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(w) for cell, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    return [line(header), *(line(row) for row in body)]
