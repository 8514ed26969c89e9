"""What ``Project`` gives each of its parts (``project.labels``, ``project.edits``, ...).

A part is an object that ``Project`` makes with itself as the first constructor argument,
seen here as :class:`ProjectCore`: the database, the models, the project's name and the
members of the project as a whole (settings, schema, annotator ids, the article filter).
The other parts a part uses are further constructor arguments, named and typed
(``Labels(project, edits=...)``), so what depends on what is written down, and this module
imports no part: nothing here makes an import circle.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Protocol

from storage.database import write_transaction

if TYPE_CHECKING:
    import peewee as pw

    from core.models import Article
    from core.query import ArticleFilter
    from core.schema import Schema
    from storage.models import Models
    from storage.search import TextWindow


class ProjectCore(Protocol):
    """The project as a whole, as its parts see it (``storage.project.Project``)."""

    db: pw.Database
    m: Models
    name: str
    #: What the project was opened from (a path or a URL, with any password): what a
    #: worker process opens to read it too.
    target: str

    def transaction(self) -> contextlib.AbstractContextManager[None]: ...
    def get_setting(self, key: str, default: Any = None) -> Any: ...
    def set_setting(self, key: str, value: Any) -> None: ...
    def schema(self) -> Schema: ...
    def set_schema(self, schema: Schema) -> None: ...
    def annotator_id(self, name: str) -> int: ...
    def annotators(self) -> list[str]: ...
    def annotator_names(self) -> dict[int, str]: ...
    def fts_mark(self) -> int: ...
    def text_length(self, article_id: int) -> int: ...
    def article(self, article_id: int) -> Article: ...
    def filtered(
        self, flt: ArticleFilter, *, text_ids: TextWindow | None = None
    ) -> pw.ModelSelect: ...
    def status_condition(self, flt: ArticleFilter) -> pw.Expression: ...


class ProjectPart:
    """Base of the parts of ``Project``."""

    def __init__(self, project: ProjectCore) -> None:
        self.project = project
        self.db: pw.Database = project.db
        self.m: Models = project.m
        self.name: str = project.name

    def _write(self) -> contextlib.AbstractContextManager[None]:
        """One write transaction (nested ones become savepoints), as ``Project.transaction``."""
        return write_transaction(self.db, name=self.name)
