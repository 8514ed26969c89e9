"""What the database says when the machine fails, turned into a message a person can act on.

SQLite reports a full disk, a read-only file and another program's write lock as
``OperationalError`` with terse text; after a full disk it has often rolled back already,
so the rollback that follows fails with "cannot rollback - no transaction is active" and
hides the real cause. :func:`explain` looks through that chain for the first cause it
knows and returns a :class:`StorageFault` (a ``ProjectError``) that says what happened,
that nothing of the failed step was saved, and what to do.
"""

from __future__ import annotations

import errno

from storage.errors import ProjectBusy, ProjectError, StorageFault

#: How long a write waits for another program's write lock before saying the project is
#: busy. A batch of an import holds it for a fraction of a second; longer means a program
#: keeps it (a DB browser with unsaved changes, a stuck process).
BUSY_TIMEOUT_MS = 5_000

_READ_ONLY = ("readonly database", "read-only", "attempt to write a readonly")
_FULL = ("database or disk is full", "no space left", "disk i/o error")
_BUSY = ("database is locked", "database table is locked", "database is busy")


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def read_only(name: str) -> StorageFault:
    """For a project that cannot be opened for writing (said before anyone starts work)."""
    return StorageFault(
        f"{name}: the project is read-only (file or folder permissions, or a read-only "
        "disk); Tandai saves every label at once, so it needs to write there. Copy it to a "
        "folder you can write to, or change its permissions"
    )


def explain(
    exc: BaseException, *, name: str, action: str | None = "the change"
) -> ProjectError | None:
    """A :class:`StorageFault` for a known failure of the machine, else None. ``action``
    None: the project was being opened, nothing was being saved."""
    opening = action is None
    lost = "it could not be opened" if opening else f"{action} was not saved"
    for cause in _causes(exc):
        if isinstance(cause, ProjectError):
            return cause
        text = str(cause).lower()
        code = getattr(cause, "errno", None)
        if code == errno.ENOSPC or any(t in text for t in _FULL):
            what = "disk I/O error" if "i/o" in text else "no space left"
            return StorageFault(
                f"{name}: the disk is full ({what}); {lost}. Free some space, then try again"
            )
        if code in (errno.EROFS, errno.EACCES, errno.EPERM) or any(t in text for t in _READ_ONLY):
            if opening:
                return read_only(name)
            return StorageFault(
                f"{name}: the project is read-only (file or folder permissions, or a read-only "
                f"disk); {lost}. Copy it to a folder you can write to, or change its permissions"
            )
        if any(t in text for t in _BUSY):
            return ProjectBusy(
                f"{name}: the project is busy: another program holds its write lock (waited "
                f"{BUSY_TIMEOUT_MS // 1000} s); {lost}. Close that program or wait, then try "
                "again"
            )
    return None
