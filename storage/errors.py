"""Errors the storage layer raises with a message fit to show a user as it is."""

from __future__ import annotations


class ProjectError(Exception):
    """A project cannot be opened, created or changed; the message says why."""


class ProjectLocked(ProjectError):
    """Another Tandai window already has this project open."""


class LabelError(ProjectError):
    """A label that cannot be stored as asked (offsets out of range, overlap, unknown label)."""


class PasswordNeeded(ProjectError):
    """A PostgreSQL server wants a password that neither the URL, ``PGPASSWORD`` nor
    ``~/.pgpass`` gave; a front end may ask for one and set ``PGPASSWORD``."""


class StorageFault(ProjectError):
    """The machine refused a write (full disk, read-only file): nothing of it was saved."""


class ProjectBusy(StorageFault):
    """Another program held the project's write lock for longer than Tandai waits."""


class AccessDenied(LabelError):
    """An edit of another annotator's labels by a caller who is not a lead."""
