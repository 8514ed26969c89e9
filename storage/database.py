"""Opening the database behind a project: an SQLite file or a PostgreSQL URL.

SQLite is set up as DESIGN.md measured it: WAL journal with ``synchronous=FULL`` (one fsync
per commit, so a label shown as saved survives power loss), foreign keys on, a busy timeout,
and write transactions begun ``IMMEDIATE`` so that a read-then-write never fails half-way
with "database is locked" when another connection committed in between.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import peewee as pw

from core.redact import has_password, is_postgres_url, mask_secrets
from storage.errors import PasswordNeeded, ProjectError
from storage.faults import BUSY_TIMEOUT_MS, explain, read_only

#: A new project's page size (bytes). SQLite's default is 4 KB, and a 3,000-character
#: article then fills a page of its own with a quarter of it empty: a million gen_news
#: articles took 4.6 GB. With 16 KB pages five share a page: 3.75 GB, and storing them took
#: 50.6 s instead of 58.3 s (4 KB: 100,000 articles 4.8–5.3 s, 16 KB 4.8–5.1 s; a label
#: key stays within its target, see the README). Only an empty database takes it: existing
#: projects keep theirs. It must come before the journal mode, which writes the header.
PAGE_SIZE = 16_384
SQLITE_PRAGMAS = {
    "page_size": PAGE_SIZE,
    "journal_mode": "wal",
    "synchronous": 2,  # FULL
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_MS,
    "cache_size": -32_000,
}
_SQLITE_MAGIC = b"SQLite format 3\x00"


__all__ = ["is_postgres_url"]  # re-exported: callers below core ask storage


def refuse_sqlite_uri(target: str) -> None:
    """``file:x.tandai?mode=memory`` would open an in-memory database (an import "stores"
    into nothing) and ``file:y.tandai`` a file under another name: project paths are plain
    paths, so say so instead of guessing."""
    if target[:5].lower() == "file:":
        plain = target[5:].split("?", 1)[0].removeprefix("//") or "NAME.tandai"
        raise ProjectError(
            f"{target}: SQLite URIs are not supported; give the project file's path ({plain})"
        )


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
    refuse_sqlite_uri(target)
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
        if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            # SQLite would open it, show it, and refuse the first label; its WAL journal
            # also needs the folder. Say so before anyone starts working.
            raise read_only(str(path))
    elif path.exists():
        raise ProjectError(f"{path}: already exists; open it instead of creating it")
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProjectError(
                f"{path}: cannot create the project there ({exc.strerror}); choose a folder "
                "you can write to"
            ) from None
        if not os.access(path.parent, os.W_OK):
            raise ProjectError(
                f"{path}: cannot create the project there (the folder is read-only); choose a "
                "folder you can write to"
            )
    db = pw.SqliteDatabase(
        str(path), pragmas=SQLITE_PRAGMAS, timeout=BUSY_TIMEOUT_MS / 1000, autoconnect=True
    )
    try:
        db.connect(reuse_if_open=True)
    except (pw.OperationalError, pw.DatabaseError) as exc:
        db.close()
        fault = explain(exc, name=str(path), action=None)
        raise fault or ProjectError(f"{path}: cannot open: {exc}") from exc
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
        reason = mask_secrets(" ".join(str(exc).split()))  # libpq's message spans lines
        if not has_password(url) and "no password supplied" in reason:
            # libpq found none in PGPASSWORD or ~/.pgpass: the caller may ask for one.
            raise PasswordNeeded(f"{describe(url)}: the server asks for a password") from None
        raise ProjectError(f"{describe(url)}: cannot connect: {reason}") from None
    return db


def is_sqlite(db: pw.Database) -> bool:
    return isinstance(db, pw.SqliteDatabase)


#: Page cache (KiB) of a connection that streams through the project once (the languages
#: thread, the near-duplicate pass): pages it reads are not read again soon.
STREAM_CACHE_KIB = 2_000


@contextlib.contextmanager
def page_cache(db: pw.Database, kib: int) -> Iterator[None]:
    """This thread's SQLite connection keeps at most ``kib`` KiB of pages while the block
    runs, then its own cache size again (PostgreSQL: nothing to do). For passes that stream
    through more than any cache holds: the usual 32 MB would fill with pages never read
    again, and that memory adds to the pass's own peak."""
    if not is_sqlite(db):
        yield
        return
    usual = int(db.execute_sql("PRAGMA cache_size").fetchone()[0])
    db.execute_sql(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        db.execute_sql(f"PRAGMA cache_size = {usual}")


@contextlib.contextmanager
def write_transaction(db: pw.Database, *, name: str = "project") -> Iterator[None]:
    """One committed unit of work; on SQLite it takes the write lock at once (IMMEDIATE).

    A full disk, a read-only file or another program's write lock comes out as a
    ``StorageFault`` whose message says so (see :mod:`storage.faults`), never as the
    rollback error SQLite raises after it has already rolled back on its own."""
    try:
        with db.atomic("IMMEDIATE") if is_sqlite(db) else db.atomic():
            yield
    except ProjectError:
        raise
    except (pw.PeeweeException, sqlite3.Error, OSError) as exc:
        fault = explain(exc, name=name)
        if fault is None:
            raise
        raise fault from exc


def backup_sqlite(db: pw.Database, destination: Path) -> None:
    """A consistent copy of an open SQLite database (WAL content included)."""
    target = sqlite3.connect(str(destination))
    try:
        db.connection().backup(target)
    finally:
        target.close()
