"""What ``Project`` gives each of its parts (``project.labels``, ``project.edits``, ...).

A part is an object made by ``Project`` with the project itself as its one constructor
argument: from it the part takes the database, the models and the project's name, and it
reaches the project's own members (settings, schema, annotator ids, article filter) and
the other parts by their public names (``self.project.edits.apply_edit_sets``), never by
their private ones.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from storage.database import write_transaction

if TYPE_CHECKING:
    import peewee as pw

    from storage.models import Models
    from storage.project import Project


class ProjectPart:
    """Base of the parts of ``Project``."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.db: pw.Database = project.db
        self.m: Models = project.m
        self.name: str = project.name

    def _write(self) -> contextlib.AbstractContextManager[None]:
        """One write transaction (nested ones become savepoints), as ``Project.transaction``."""
        return write_transaction(self.db)
