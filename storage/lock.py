"""An advisory lock file that keeps a second Tandai window off a project it already has open.

SQLite itself stays consistent with two writers, but two windows on one file would show
each other stale labels; the second one is told who holds the project instead. The lock is
released by the OS when the holder dies, so a crash never leaves a project locked.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from storage.errors import ProjectError, ProjectLocked
from storage.faults import explain


class ProjectLock:
    def __init__(self, project_path: Path) -> None:
        self.path = project_path.with_name(project_path.name + ".lock")
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        try:
            fh = open(self.path, "a+")  # noqa: SIM115 - held for the life of the lock
        except OSError as exc:
            project = self.path.with_suffix("")
            raise explain(exc, name=str(project), action=None) or ProjectError(
                f"{project}: cannot open: {exc.strerror}"
            ) from None
        try:
            if sys.platform == "win32":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise ProjectLocked(
                f"{self.path.with_suffix('')}: already open in another Tandai window ({holder}); "
                "close it there first"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            # The file stays: unlinking it could let a third process lock a new file while a
            # second one still holds the old one.
            self._fh.close()
            self._fh = None
