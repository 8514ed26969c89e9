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

from storage import index_terms
from storage.database import backup_sqlite, is_sqlite, page_cache, write_transaction
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
#: :func:`without_indexes`).
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


def _v12_span_index(db: pw.Database) -> None:
    """The span table loses its index on ``article_id`` alone: the index on
    ``(article_id, annotator_id)`` answers every search by article as well, and each index
    is one more B-tree every stored span is written into (an adjudication stores 3.5
    million; a quarter of the insert's time went to this one)."""
    db.execute_sql('DROP INDEX IF EXISTS "span_article_id"')


#: How articles are found by content hash: by its first 16 hex digits (64 bits), whose index
#: entries are a third the size of the whole hash's. ``storage.content_hashes.ids_by_hash``
#: queries with this expression (SQLite and PostgreSQL use the index only for the same
#: expression) and compares the whole hash.
CONTENT_KEY = "substr(content_hash, 1, 16)"
CONTENT_KEY_CHARS = 16
_CONTENT_KEY_INDEX = f"CREATE INDEX IF NOT EXISTS article_content_key ON article (({CONTENT_KEY}))"


def _v13_content_key(db: pw.Database) -> None:
    """Articles are found by a 64-bit prefix of their content hash instead of a unique index
    on all of it. Hashes are random, so each commit of an import rewrites index pages all
    over the index; at a million articles the whole-hash index (~55 MB) no longer fits the
    page cache and its upkeep was a third of the storing's time (raw executemany into SQLite,
    commits of 16 MB: 65.8 s with it, 40.6 s with a 64-bit key). Uniqueness stays the
    storing's rule, checked inside its write transaction (``storage.importing``)."""
    db.execute_sql(_CONTENT_KEY_INDEX)
    db.execute_sql('DROP INDEX IF EXISTS "article_content_hash"')


def _v14_search_terms(db: pw.Database) -> None:
    """The full-text index's word list, so that a typed prefix is searched as the words it
    stands for (``storage.index_terms``). An index made before is read into it by the next
    catch-up, not here: at a million articles that takes ~20 s."""
    if is_sqlite(db):
        index_terms.create_table(db)


def _v15_suggestion_index(db: pw.Database) -> None:
    """The suggestion table loses its index on ``article_id`` alone, as the span table did in
    version 12: the unique index on (article_id, layer, label, start, end, source) leads with
    it and answers every search by article (and SQLite's foreign-key checks) as well, and
    each index is one more B-tree that a first pass's ~300,000 suggestions are written into."""
    db.execute_sql('DROP INDEX IF EXISTS "suggestion_article_id"')


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
    (12, _v12_span_index),
    (13, _v13_content_key),
    (14, _v14_search_terms),
    (15, _v15_suggestion_index),
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
    if is_sqlite(db):
        for index, (since, _sql) in DEFERRABLE_INDEXES.items():
            if upto >= since and not _has_index(db, index):
                # An import stopped between dropping and building it again: build it now (a
                # read-only project works without it, only more slowly).
                with contextlib.suppress(ProjectError):
                    build_deferred_index(db, index)
    return backup


#: Indexes that a large import into SQLite drops while it stores and builds at the end:
#: name -> (the version that made it, how it is made). Their keys (titles, content hashes)
#: arrive in random order, so each commit rewrites index pages all over them; sorting once
#: at the end is far cheaper (see :func:`without_indexes`).
DEFERRABLE_INDEXES = {
    "article_title_sort": (3, _TITLE_SORT_INDEX),
    "article_content_key": (13, _CONTENT_KEY_INDEX),
}


def _has_index(db: pw.Database, name: str) -> bool:
    row = db.execute_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
    ).fetchone()
    return row is not None


#: While a deferred index is built: SQLite's sorter threads, and a page cache (KiB) small
#: enough that the sort runs as many short runs sorted by both threads and merged. At a
#: million articles (16 KB pages) the title index took 1.33 s and the content key 0.71 s with
#: the usual 32 MB cache and no threads; 0.80 s and 0.42 s with these, and less memory.
BUILD_THREADS = 2
BUILD_CACHE_KB = 2_000


def build_deferred_index(db: pw.Database, name: str) -> None:
    """Build one of :data:`DEFERRABLE_INDEXES` if it is missing (its own transaction)."""
    threads = db.execute_sql("PRAGMA threads").fetchone()[0]
    db.execute_sql(f"PRAGMA threads = {BUILD_THREADS}")
    try:
        with page_cache(db, BUILD_CACHE_KB), write_transaction(db):
            db.execute_sql(DEFERRABLE_INDEXES[name][1])
    finally:
        db.execute_sql(f"PRAGMA threads = {int(threads)}")


@contextlib.contextmanager
def without_indexes(db: pw.Database, names: list[str]) -> Iterator[None]:
    """Store a large import into SQLite without these :data:`DEFERRABLE_INDEXES`, then
    build them.

    Without the title sort index the list still sorts by title, reading every row; without
    the content-key index the importer finds duplicates in memory (``storage.importing``),
    and anything else that looks an article up by hash reads every row. At a million
    articles keeping the title index up to date was a quarter of the storing's CPU time
    (82 s with it, 61 s without plus 1.3 s to build it at the end by sorting). If the import
    is stopped before the end, the next opening of the project builds them (:func:`migrate`).
    """
    if not names or not is_sqlite(db):
        yield
        return
    with write_transaction(db):
        for name in names:
            db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    try:
        yield
    finally:
        for name in names:
            build_deferred_index(db, name)
