"""What an import did, in numbers a user can check, and problems they can act on."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

#: Problems kept word for word; past this only their count per reason grows.
MAX_KEPT_PROBLEMS = 1000

_DETAIL = re.compile(r"\s*[(:].*$")


def problem_kind(reason: str) -> str:
    """The reason without its details (where in the line, which byte), for the summary:
    "invalid JSON: ..." -> "invalid JSON", "not valid UTF-8 (byte 0xe9 ...)" -> "not valid
    UTF-8". Numbers stay as they were: "UTF-8" is a name, and "row has 3 fields, the header
    has 2" reads wrong with its numbers replaced; rows of other lengths count apart."""
    return _DETAIL.sub("", reason) or reason


@dataclass(slots=True)
class ImportReport:
    """Counts that add up: ``records`` = ``imported`` + ``duplicates`` + ``skipped_total``.

    A record is counted once it is accounted for (stored, found a duplicate, or skipped with a
    reason); records read after a stop request and never stored are not counted. Problems
    with a whole file (missing, empty, not a file, a decompression bomb) are not records and
    are counted apart, in ``file_problems``.
    """

    files: int = 0
    records: int = 0
    imported: int = 0
    duplicates: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    file_problems: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    cancelled: bool = False
    batch_id: int | None = None
    #: Articles of this import that are near-duplicates of an earlier one (None: not
    #: looked for during the import); skipped: they were removed again.
    near_duplicates: int | None = None
    near_duplicates_skipped: bool = False
    #: Imported articles whose id another article with a different text already has: kept
    #: (their texts differ), but an export or a merge by id would mix them up.
    shared_ids: int = 0

    def add_problem(self, text: str, reason: str) -> None:
        """A record skipped for ``reason``."""
        self.records += 1
        self.skipped[problem_kind(reason)] += 1
        self._keep(text)

    def add_warning(self, text: str) -> None:
        """Something the user should know about a record that was still imported."""
        self._keep(text)

    def add_file_problem(self, text: str, reason: str) -> None:
        """A path or a whole file that yielded no record (or stopped yielding) for ``reason``."""
        self.file_problems[problem_kind(reason)] += 1
        self._keep(text)

    def _keep(self, text: str) -> None:
        if len(self.problems) < MAX_KEPT_PROBLEMS:
            self.problems.append(text)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def problem_total(self) -> int:
        """Every problem reported, of records and of files."""
        return self.skipped_total + sum(self.file_problems.values())

    def summary(self) -> str:
        parts = [
            f"{self.imported:,} imported",
            f"{self.duplicates:,} duplicate{'s' if self.duplicates != 1 else ''} skipped",
            f"{self.skipped_total:,} skipped",
        ]
        if self.near_duplicates is not None:
            n = self.near_duplicates
            what = "found and skipped" if self.near_duplicates_skipped else "found (kept)"
            parts.append(f"{n:,} near-duplicate{'s' if n != 1 else ''} {what}")
        text = (
            f"{self.records:,} record{'s' if self.records != 1 else ''} read: "
            + ", ".join(parts)
            + f" ({self.files:,} file{'s' if self.files != 1 else ''})"
        )
        if self.skipped:
            text += "; skipped by reason: " + ", ".join(
                f"{kind} {n:,}" for kind, n in self.skipped.most_common()
            )
        if self.file_problems:
            text += "; files with a problem: " + ", ".join(
                f"{kind} {n:,}" for kind, n in self.file_problems.most_common()
            )
        if self.shared_ids:
            n = self.shared_ids
            text += (
                f"; {n:,} article{'s' if n != 1 else ''} imported under an id another article"
                " with a different text already has"
            )
        if self.cancelled:
            text += ". Stopped before the end: run the same import again to complete it."
        return text
