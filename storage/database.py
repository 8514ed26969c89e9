"""Opening the database behind a project: an SQLite file or a PostgreSQL URL.

SQLite is set up as DESIGN.md measured it: WAL journal with ``synchronous=FULL`` (one fsync
per commit, so a label shown as saved survives power loss), foreign keys on, a busy timeout,
and write transactions begun ``IMMEDIATE`` so that a read-then-write never fails half-way
with "database is locked" when another connection committed in between.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import peewee as pw

from storage.errors import ProjectError

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "cache_size": -32_000,
}
_SQLITE_MAGIC = b"SQLite format 3\x00"


def is_postgres_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def describe(target: str) -> str:
    """A project's name for messages, without a password."""
    if is_postgres_url(target):
        url = urlparse(target)
        return f"postgresql://{url.hostname or 'localhost'}{':' + str(url.port) if url.port else ''}{url.path}"
    return str(target)


def open_database(target: str, *, must_exist: bool) -> pw.Database:
    """Connect to ``target`` (file path or ``postgresql://`` URL) and return the database."""
    if is_postgres_url(target):
        return _open_postgres(target)
    path = Path(target)
    if must_exist:
        if not path.exists():
            raise ProjectError(f"{path}: no such project file")
        if path.is_dir():
            raise ProjectError(f"{path}: is a folder, not a project file")
        try:
            with path.open("rb") as fh:
                head = fh.read(len(_SQLITE_MAGIC))
        except OSError as exc:
            raise ProjectError(f"{path}: cannot read: {exc.strerror}") from exc
        # An empty file is what a creation killed before its first write leaves; SQLite
        # takes it as an empty database, and opening it migrates it into a project.
        if head and head != _SQLITE_MAGIC:
            raise ProjectError(f"{path}: not a Tandai project (not an SQLite database file)")
    elif path.exists():
        raise ProjectError(f"{path}: already exists; open it instead of creating it")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = pw.SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, timeout=10, autoconnect=True)
    try:
        db.connect(reuse_if_open=True)
    except (pw.OperationalError, pw.DatabaseError) as exc:
        raise ProjectError(f"{path}: cannot open: {exc}") from exc
    return db


def _open_postgres(url: str) -> pw.Database:
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if not name:
        raise ProjectError(f"{describe(url)}: the URL names no database")
    db = pw.PostgresqlDatabase(
        unquote(name),
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        host=parts.hostname or None,
        port=parts.port or None,
        autoconnect=True,
    )
    try:
        db.connect(reuse_if_open=True)
    except pw.OperationalError as exc:
        raise ProjectError(f"{describe(url)}: cannot connect: {str(exc).strip()}") from exc
    return db


def is_sqlite(db: pw.Database) -> bool:
    return isinstance(db, pw.SqliteDatabase)


@contextlib.contextmanager
def write_transaction(db: pw.Database) -> Iterator[None]:
    """One committed unit of work; on SQLite it takes the write lock at once (IMMEDIATE)."""
    if is_sqlite(db):
        with db.atomic("IMMEDIATE"):
            yield
    else:
        with db.atomic():
            yield


def backup_sqlite(db: pw.Database, destination: Path) -> None:
    """A consistent copy of an open SQLite database (WAL content included)."""
    target = sqlite3.connect(str(destination))
    try:
        db.connection().backup(target)
    finally:
        target.close()
