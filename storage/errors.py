"""Errors the storage layer raises with a message fit to show a user as it is."""

from __future__ import annotations


class ProjectError(Exception):
    """A project cannot be opened, created or changed; the message says why."""


class ProjectLocked(ProjectError):
    """Another Tandai window already has this project open."""


class LabelError(ProjectError):
    """A label that cannot be stored as asked (offsets out of range, overlap, unknown label)."""


class AccessDenied(LabelError):
    """An edit of another annotator's labels by a caller who is not a lead."""
