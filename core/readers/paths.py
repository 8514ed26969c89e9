"""Which files to read for the paths a user named, and which reader a file's suffix selects.

Expanding paths is done before any file is read, so that every missing, unreadable or
unsupported path is reported at once instead of in the middle of a long import.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from core.readers.records import Problem

FORMAT_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt", ".conll")
#: The name that stands for standard input (read as JSON Lines).
STDIN = "-"
#: Every suffix a file may have to be read; each format may also be gzip-compressed.
SUPPORTED_SUFFIXES = FORMAT_SUFFIXES + tuple(f"{suffix}.gz" for suffix in FORMAT_SUFFIXES)


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """The files to read for the paths a user named, and a problem for each unusable path.

    A file named explicitly is taken whatever it is called (an unknown suffix is a problem,
    because the user asked for it); folders are walked recursively in sorted order and only
    files with a supported suffix are taken, since folders hold READMEs and licences too.
    Hidden files and folders inside a folder are skipped. A file reached twice (named twice,
    or named and inside a named folder) is listed once.
    """
    walker = _Walker()
    for path in paths:
        walker.add(Path(path))
    return walker.files, walker.problems


class _Walker:
    """Collects files and problems; remembers what it has seen so nothing is listed twice."""

    def __init__(self) -> None:
        self.files: list[Path] = []
        self.problems: list[Problem] = []
        self._seen: set[tuple[int, int]] = set()

    def add(self, path: Path) -> None:
        if str(path) == STDIN:
            if path not in self.files:
                self.files.append(path)
            return
        try:
            info = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            self.problems.append(Problem(str(path), "no such file or folder"))
            return
        except OSError as exc:
            self.problems.append(Problem(str(path), cannot_read(exc)))
            return
        if stat.S_ISDIR(info.st_mode):
            self._walk(path, info)
        elif not stat.S_ISREG(info.st_mode):
            # A pipe would wait for a writer and /dev/zero never ends: only "-" reads a stream.
            self.problems.append(Problem(str(path), NOT_A_FILE))
        elif format_of(path) is None:
            self.problems.append(Problem(str(path), unsupported(path)))
        else:
            self._take(path, info)

    def _walk(self, folder: Path, info: os.stat_result) -> None:
        if not self._first_visit(info):  # a symlink loop, or a folder named twice
            return
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as exc:
            self.problems.append(Problem(str(folder), cannot_read(exc)))
            return
        for entry in entries:
            if not entry.name.startswith("."):
                self._visit(folder / entry.name)

    def _visit(self, path: Path) -> None:
        try:
            info = path.stat()
        except OSError as exc:  # a broken symlink, or a file removed meanwhile
            if format_of(path) is not None:  # a dead link to a README is no one's concern
                self.problems.append(Problem(str(path), cannot_read(exc)))
            return
        if stat.S_ISDIR(info.st_mode):
            self._walk(path, info)
        elif stat.S_ISREG(info.st_mode) and format_of(path) is not None:
            self._take(path, info)

    def _take(self, path: Path, info: os.stat_result) -> None:
        if not self._first_visit(info):
            return
        # Opening is the only reliable test (ACLs, network drives); doing it now lets the user
        # see every unreadable file before a long import starts.
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            self.problems.append(Problem(str(path), cannot_read(exc)))
            return
        self.files.append(path)

    def _first_visit(self, info: os.stat_result) -> bool:
        key = (info.st_dev, info.st_ino)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True


NOT_A_FILE = "not a regular file (a pipe or a device); to read a stream, name - for standard input"


def format_of(path: Path) -> tuple[str, bool] | None:
    """``(".jsonl", True)`` for ``x.JSONL.gz``; None for a suffix no reader handles."""
    name = path.name.lower()
    compressed = name.endswith(".gz")
    if compressed:
        name = name[:-3]
    for suffix in FORMAT_SUFFIXES:
        if name.endswith(suffix):
            return suffix, compressed
    return None


def unsupported(path: Path) -> str:
    suffixes = path.suffixes
    if not suffixes:
        shown = "no suffix"
    elif suffixes[-1].lower() == ".gz" and len(suffixes) > 1:
        shown = "".join(suffixes[-2:])
    else:
        shown = suffixes[-1]
    return (
        f"unsupported file type ({shown}); use .jsonl, .ndjson, .json, .csv, .tsv, .txt or"
        " .conll,"
        " optionally gzipped (.gz)"
    )


def cannot_read(exc: OSError) -> str:
    return f"cannot read: {exc.strerror or exc}"
