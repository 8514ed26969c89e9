"""Schema versions of a project and the ordered, in-code steps between them.

In code rather than a folder of SQL scripts so that they ship inside the PyInstaller bundle
with nothing to find at run time. Each step runs in its own transaction together with the
version bump, and an SQLite file is copied aside before the first step runs, so a failed or
interrupted migration leaves either the old file or the new one, never a mixture.

Rule for later versions: a released step never changes. When a table changes, add a step
(``playhouse.migrate`` for columns) and, if ``_v1_tables`` would then create the new shape,
freeze the version-1 model definitions inside it first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import peewee as pw

from storage.database import backup_sqlite, is_sqlite, write_transaction
from storage.errors import ProjectError
from storage.models import (
    make_adjudication_model,
    make_assignment_model,
    make_doc_suggestion_models,
    make_learning_models,
    make_models,
    make_repeated_line_model,
    make_role_model,
)

SCHEMA_VERSION_KEY = "schema_version"
PROJECT_ID_KEY = "project_id"


def _v1_tables(db: pw.Database) -> None:
    """Articles and their texts, annotators, spans, document labels, progress, suggestions."""
    db.create_tables(make_models(db).all())


def _v2_full_text(db: pw.Database) -> None:
    """Full-text search: FTS5 on SQLite (filled by ``Project.imports.index_pending``), GIN on PostgreSQL."""
    if is_sqlite(db):
        # Contentless: the index alone, the texts stay in article_text. unicode61 splits on
        # Unicode word boundaries and folds diacritics, so "Kyiv" also finds "Kyïv".
        db.execute_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS article_fts USING fts5("
            "title, text, content='', tokenize='unicode61 remove_diacritics 2')"
        )
    else:
        db.execute_sql(
            "CREATE INDEX IF NOT EXISTS article_text_fts ON article_text "
            "USING gin (to_tsvector('simple', text))"
        )
        db.execute_sql(
            "CREATE INDEX IF NOT EXISTS article_title_fts ON article "
            "USING gin (to_tsvector('simple', title))"
        )


#: The title sort index; the expression must match storage.listing's key exactly for
#: SQLite to use it. A large import into SQLite builds it after storing (see
#: :func:`without_title_sort_index`).
_TITLE_SORT_INDEX = (
    "CREATE INDEX IF NOT EXISTS article_title_sort ON article ((substr(title, 1, 200)), id)"
)


def _v3_list_sort(db: pw.Database) -> None:
    """Indexes for sorting the article list by title (and, on PostgreSQL, source and language)
    with keyset paging: without them a page sorted by title reads every row (~170 ms at 1M)."""
    db.execute_sql(_TITLE_SORT_INDEX)
    if not is_sqlite(db):  # SQLite's indexes end in the rowid already
        db.execute_sql("CREATE INDEX IF NOT EXISTS article_source_sort ON article (source, id)")
        db.execute_sql("CREATE INDEX IF NOT EXISTS article_lang_sort ON article (lang, id)")


def _v4_repeated_lines(db: pw.Database) -> None:
    """The repeated-line index of the boilerplate suggester (storage.suggestions)."""
    db.create_tables([make_repeated_line_model(db)])


def _v5_roles(db: pw.Database) -> None:
    """Annotator roles (annotator, lead): who may change whose labels (storage.edits)."""
    db.create_tables([make_role_model(db, make_models(db).Annotator)])


def _v6_adjudication(db: pw.Database) -> None:
    """Adjudication state and the review queue (storage.adjudication)."""
    db.create_tables([make_adjudication_model(db, make_models(db).Article)])


def _v7_team(db: pw.Database) -> None:
    """Assignments of articles to annotators, and a project id that work packages carry so
    that a package is merged back only into the project it came from."""
    db.create_tables([make_assignment_model(db)])
    meta = make_models(db).Meta
    meta.insert(key=PROJECT_ID_KEY, value=uuid.uuid4().hex).on_conflict_ignore().execute()


def _v8_learning(db: pw.Database) -> None:
    """Models trained on the project's labels and their per-article uncertainty
    (storage.learning)."""
    db.create_tables(list(make_learning_models(db)))


def _v9_near_duplicates(db: pw.Database) -> None:
    """Near-duplicate groups and their LSH keys (storage.near_duplicates); existing
    articles are grouped by the background catch-up, like languages. Version 11 replaced
    the key table by a sketch per article; the table is made here as version 9 had it."""
    db.execute_sql(
        'CREATE TABLE IF NOT EXISTS "near_duplicate" ("article_id" INTEGER NOT NULL PRIMARY KEY '
        'REFERENCES article (id) ON DELETE CASCADE, "group_id" INTEGER NOT NULL)'
    )
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "near_duplicate_group_id" ON "near_duplicate" ("group_id")'
    )
    key = '"key" INTEGER NOT NULL' if is_sqlite(db) else '"key" BIGINT NOT NULL'
    rowid = " WITHOUT ROWID" if is_sqlite(db) else ""
    db.execute_sql(
        f'CREATE TABLE IF NOT EXISTS "near_duplicate_key" ({key}, '
        '"article_id" INTEGER NOT NULL REFERENCES "article" ("id") ON DELETE CASCADE, '
        f'PRIMARY KEY ("key", "article_id")){rowid}'
    )


def _v10_doc_suggestions(db: pw.Database) -> None:
    """Document labels proposed and turned down (storage.doc_suggestions), and the origin
    of a document label (``manual``, ``suggestion:near-duplicate``, ...), which spans had
    from the start. The default is in the table, so that every writer of ``doc_label``
    that does not name an origin stores ``manual``."""
    db.execute_sql("ALTER TABLE doc_label ADD COLUMN origin VARCHAR(200) NOT NULL DEFAULT 'manual'")
    db.create_tables(list(make_doc_suggestion_models(db)))


def _v11_near_duplicate_sketches(db: pw.Database) -> None:
    """Each grouped article keeps its sketch (384 bytes: its LSH band keys and MinHash bins)
    instead of one row per band key in ``near_duplicate_key`` (96 rows an article, whose
    random keys made every batch rewrite much of a large index). The groups are derived
    data: they are cleared and the catch-up groups every article again."""
    db.execute_sql('DROP TABLE IF EXISTS "near_duplicate_key"')
    db.execute_sql('DELETE FROM "near_duplicate"')
    blob = "BLOB" if is_sqlite(db) else "BYTEA"
    db.execute_sql(f'ALTER TABLE "near_duplicate" ADD COLUMN "sketch" {blob}')


#: (version reached, step). Append only.
STEPS: list[tuple[int, Callable[[pw.Database], None]]] = [
    (1, _v1_tables),
    (2, _v2_full_text),
    (3, _v3_list_sort),
    (4, _v4_repeated_lines),
    (5, _v5_roles),
    (6, _v6_adjudication),
    (7, _v7_team),
    (8, _v8_learning),
    (9, _v9_near_duplicates),
    (10, _v10_doc_suggestions),
    (11, _v11_near_duplicate_sketches),
]
CURRENT_VERSION = STEPS[-1][0]


def read_version(db: pw.Database) -> int | None:
    """Schema version of the database; 0 for an empty one, None if it is not a Tandai project."""
    tables = set(db.get_tables())
    if "meta" not in tables:
        return 0 if not tables else None
    row = db.execute_sql(
        f"SELECT value FROM meta WHERE key = {db.param}", (SCHEMA_VERSION_KEY,)
    ).fetchone()
    if row is None:
        return None
    try:
        return int(row[0])
    except ValueError:
        return None


def _write_version(db: pw.Database, version: int) -> None:
    meta = make_models(db).Meta
    meta.insert(key=SCHEMA_VERSION_KEY, value=str(version)).on_conflict(
        conflict_target=[meta.key], update={meta.value: str(version)}
    ).execute()


def check_version(version: int | None, name: str) -> None:
    """Refuse what this release cannot open, before anything is written."""
    if version is None:
        raise ProjectError(f"{name}: not a Tandai project (it has no Tandai schema version)")
    if version > CURRENT_VERSION:
        raise ProjectError(
            f"{name}: made by a newer Tandai (project schema version {version}; this Tandai "
            f"reads up to version {CURRENT_VERSION}). Open it with a newer Tandai; the file "
            "was not changed."
        )


def migrate(
    db: pw.Database, *, name: str, path: Path | None = None, upto: int = CURRENT_VERSION
) -> Path | None:
    """Bring ``db`` to version ``upto``; returns where the pre-migration copy was saved."""
    version = read_version(db)
    check_version(version, name)
    assert version is not None
    backup: Path | None = None
    if 0 < version < upto and path is not None and is_sqlite(db):
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = path.with_name(f"{path.name}.v{version}-backup-{stamp}")
        backup_sqlite(db, backup)
    for step_version, step in STEPS:
        if version < step_version <= upto:
            with write_transaction(db):
                step(db)
                _write_version(db, step_version)
    if upto >= 3 and is_sqlite(db) and not _has_title_sort_index(db):
        # An import stopped between dropping and building it again: build it now (a
        # read-only project lists by title without it, only more slowly).
        with contextlib.suppress(ProjectError), write_transaction(db):
            db.execute_sql(_TITLE_SORT_INDEX)
    return backup


def _has_title_sort_index(db: pw.Database) -> bool:
    row = db.execute_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'article_title_sort'"
    ).fetchone()
    return row is not None


@contextlib.contextmanager
def without_title_sort_index(db: pw.Database) -> Iterator[None]:
    """Store a large import into SQLite without the title sort index, then build it.

    Titles arrive in random order, so each commit of an import rewrites pages all over the
    index: at a million articles that upkeep was a quarter of the storing's CPU time (82 s
    with it, 61 s without plus 1.3 s to build it at the end by sorting). While it is gone
    the list still sorts by title, reading every row. If the import is stopped before the
    end, the next opening of the project builds it (:func:`migrate`).
    """
    if not is_sqlite(db):
        yield
        return
    with write_transaction(db):
        db.execute_sql("DROP INDEX IF EXISTS article_title_sort")
    try:
        yield
    finally:
        with write_transaction(db):
            db.execute_sql(_TITLE_SORT_INDEX)
