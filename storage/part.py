"""What ``Project`` gives each of its parts (the mixins in storage/), declared for mypy.

``Project`` is assembled from mixins that call each other and ``Project``'s own methods.
Each mixin derives from :class:`ProjectPart`, which declares the members every part may use;
a mixin that uses a member of another part declares that one itself, in a
``TYPE_CHECKING`` block at the top of its class. Nothing here exists at run time beyond the
empty base class.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import peewee as pw

    from core.schema import Schema
    from storage.models import Models


class ProjectPart:
    """Base of the mixins of ``Project``."""

    db: pw.Database
    m: Models
    name: str

    if TYPE_CHECKING:  # defined by Project (storage/project.py)

        def _write(self) -> contextlib.AbstractContextManager[None]: ...
        def transaction(self) -> contextlib.AbstractContextManager[None]: ...
        def annotator_id(self, name: str) -> int: ...
        def annotators(self) -> list[str]: ...
        def schema(self) -> Schema: ...
        def set_schema(self, schema: Schema) -> None: ...
        def get_setting(self, key: str, default: Any = None) -> Any: ...
        def set_setting(self, key: str, value: Any) -> None: ...
        def text_length(self, article_id: int) -> int: ...
