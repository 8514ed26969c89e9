"""Bulk import into a project: store first, then detect languages and index for search.

Storing is what makes articles listable and ready to annotate, so it runs first and alone:
batches of raw ``executemany`` (3–5× faster than ORM inserts), one transaction each, so an
import stopped at any point leaves only whole batches and a rerun skips them as duplicates.
Language detection (``storage.languages``) and the full-text index (``storage.search_index``)
follow as catch-up passes over the articles that lack them; the GUI can run those in the
background while the annotator already works.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import peewee as pw

from core.fields import FieldMapper
from core.memory import fewer_collections, give_back_memory
from core.models import NewArticle
from core.readers import Problem, RawRecord, expand_paths, read_file
from core.report import ImportReport
from core.text import content_hash
from storage import content_hashes
from storage.content_hashes import KnownHashes, ids_by_hash
from storage.database import is_sqlite
from storage.import_progress import ImportProgress, ProgressFn, StopFn
from storage.languages import LanguageDetection
from storage.migrations import build_deferred_index, without_indexes
from storage.wal import checkpoints_alongside

if TYPE_CHECKING:
    from storage.near_duplicates import NearDuplicateGroups

MAX_CHARS = 1_000_000
#: Rows per executemany (and per labelled-import step).
BATCH = 1000
#: An import of at least this many bytes, and more than the project holds (at
#: ~:data:`_BYTES_AN_ARTICLE` a stored article), builds the title sort index after storing.
DEFERRED_INDEX_BYTES = 4 << 20
_BYTES_AN_ARTICLE = 3_000
#: A commit of a bulk import holds at most this much text, or what was read in this time.
COMMIT_BYTES = 16 << 20
COMMIT_SECONDS = 1.0


#: What a database may raise for one record it cannot store (the text encoder included).
_REFUSED = (pw.DatabaseError, UnicodeEncodeError, ValueError, OverflowError)
T = TypeVar("T")


class ArticleImports(LanguageDetection):
    """Articles into the project (part of ``project.imports``): reading and storing; the
    languages are :class:`storage.languages.LanguageDetection`'s, the search index
    :class:`storage.search_index.SearchIndexing`'s."""

    #: Text per commit of a bulk import; tests lower it to stop between commits.
    commit_bytes: int = COMMIT_BYTES
    near_duplicates: NearDuplicateGroups
    #: The project's content hashes, while a large import runs without the content-key index.
    _known: KnownHashes | None = None
    #: Called after each commit while a bulk import stores into SQLite: wakes the thread
    #: that checkpoints the log and keeps the log file bounded (``storage.wal``).
    _committed: Callable[[], None] | None = None

    def import_files(
        self,
        paths: Iterable[Path | str],
        *,
        field_map: dict[str, str] | None = None,
        encoding: str = "utf-8",
        max_chars: int = MAX_CHARS,
        on_progress: ProgressFn | None = None,
        on_problem: Callable[[str], None] | None = None,
        should_stop: StopFn | None = None,
        detect: bool = True,
        near_duplicates: str | None = None,
    ) -> ImportReport:
        """Read files and folders into the project; each bad record is reported and skipped.

        ``near_duplicates`` "keep" or "skip": group the new articles at once and count
        those that are near-duplicates of an article stored before them (or earlier in
        this import); "skip" then removes them again. None: grouping is left to the
        background catch-up."""

        mapper = FieldMapper(field_map, max_chars=max_chars)

        def convert(record: RawRecord, _path: Path) -> NewArticle | Problem:
            return mapper.to_article(record)

        report = ImportReport()
        with self._import_run(
            paths,
            report,
            detect=detect,
            on_progress=on_progress,
            should_stop=should_stop,
            near_duplicates=near_duplicates,
        ):
            articles = self._read_records(
                paths,
                report,
                convert,
                encoding=encoding,
                on_progress=on_progress,
                on_problem=on_problem,
            )
            self.store_articles(
                articles, report=report, should_stop=should_stop, on_problem=on_problem
            )
        return report

    @contextlib.contextmanager
    def _import_run(
        self,
        paths: Iterable[Path | str],
        report: ImportReport,
        *,
        detect: bool,
        on_progress: ProgressFn | None,
        should_stop: StopFn | None,
        near_duplicates: str | None = None,
        by_hash: bool = False,
    ) -> Iterator[None]:
        """One import: its batch row around the storing, then the catch-up passes, with
        Python's cycle collector run less often throughout (:func:`fewer_collections`).

        ``by_hash``: the import looks its articles up by content hash as it goes (a labelled
        import does, to attach their labels), so the content-key index must stay."""
        with fewer_collections():
            batch = self.m.ImportBatch
            with self._write():
                report.batch_id = batch.insert(paths=json.dumps([str(p) for p in paths])).execute()
            with self._bulk_writing(paths, by_hash=by_hash):
                yield
            after = (
                self.languages_alongside(on_progress=on_progress, should_stop=should_stop)
                if detect and not report.cancelled
                else contextlib.nullcontext()
            )
            with after:  # the languages in worker processes, the grouping here meanwhile
                if near_duplicates is not None and not report.cancelled:
                    self._group_import(
                        report, skip=near_duplicates == "skip", should_stop=should_stop
                    )
                with self._write():
                    batch.update(imported=report.imported).where(
                        batch.id == report.batch_id
                    ).execute()
            if detect and not report.cancelled:
                # After the languages (a few seconds for 100,000): progress ends on indexing.
                self.index_pending(on_progress=on_progress, should_stop=should_stop)

    def _group_import(
        self, report: ImportReport, *, skip: bool, should_stop: StopFn | None
    ) -> None:
        found = self.near_duplicates.update_near_duplicates(should_stop=should_stop).found_ids
        a = self.m.Article
        mine: list[int] = []
        for i in range(0, len(found), 500):
            mine += [
                r[0]
                for r in a.select(a.id)
                .where(a.id.in_(found[i : i + 500]), a.batch == report.batch_id)
                .tuples()
            ]
        report.near_duplicates = len(mine)
        report.near_duplicates_skipped = skip
        if skip and mine:
            with self._write():
                for i in range(0, len(mine), 500):
                    a.delete().where(a.id.in_(mine[i : i + 500])).execute()
            report.imported -= len(mine)

    @contextlib.contextmanager
    def _bulk_writing(self, paths: Iterable[Path | str], *, by_hash: bool) -> Iterator[None]:
        """While articles are stored, SQLite commits without waiting for the disk.

        ``synchronous=NORMAL`` in WAL mode keeps every commit atomic and survives a killed
        process (Ctrl-C, SIGKILL, a crash): only a power cut or an OS crash can take back the
        last commits, and the file stays consistent. A re-run of the import stores what was
        taken back, because articles already stored are skipped by their content hash. Labels
        are never written this way: this connection goes back to ``synchronous=FULL`` before
        the import returns, and the WAL is checkpointed and truncated so it does not stay as
        large as the data. Meanwhile a thread of its own copies the WAL into the database
        after each commit (``storage.wal``).

        An import that brings more text than the project holds (and at least
        :data:`DEFERRED_INDEX_BYTES`) stores without the title sort index and the content-key
        index and builds them at the end (``storage.migrations.without_indexes``); meanwhile
        duplicates are found in memory (:class:`KnownHashes`).
        """
        if not is_sqlite(self.db):
            yield
            return
        files, _ = expand_paths([Path(p) for p in paths])
        incoming = sum(_size(f) for f in files)
        held = self.db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM article").fetchone()[0]
        large = incoming >= max(DEFERRED_INDEX_BYTES, held * _BYTES_AN_ARTICLE)
        deferred = ["article_title_sort"] + ([] if by_hash else ["article_content_key"])
        self.db.execute_sql("PRAGMA synchronous = NORMAL")
        try:
            with (
                checkpoints_alongside(self.db) as self._committed,
                without_indexes(self.db, deferred if large else []),
            ):
                if large and not by_hash:
                    self._known = KnownHashes()
                try:
                    yield
                finally:
                    self._known = None
                    self._committed = None
        finally:
            self.db.execute_sql("PRAGMA synchronous = FULL")
            with contextlib.suppress(pw.DatabaseError):
                self.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            # The hashes held in memory, the batches and the index builds' sorting are
            # freed by now; the catch-up that follows must not start its peak on top of them.
            give_back_memory()

    def _read_records(
        self,
        paths: Iterable[Path | str],
        report: ImportReport,
        convert: Callable[[RawRecord, Path], T | Problem],
        *,
        encoding: str,
        on_progress: ProgressFn | None,
        on_problem: Callable[[str], None] | None,
    ) -> Iterator[T]:
        """Records of every file, converted; each problem is reported (counted in ``report``,
        passed to ``on_problem``) and skipped. Progress is in bytes of the files read."""
        files, path_problems = expand_paths([Path(p) for p in paths])
        report.files = len(files)

        def problem(item: Problem, path: Path | None = None) -> None:
            # A problem without a line (its origin is the file itself) is the file's.
            if path is None or item.origin == str(path):
                report.add_file_problem(str(item), item.reason)
            else:
                report.add_problem(str(item), item.reason)
            if on_problem:
                on_problem(str(item))

        for item in path_problems:
            problem(item)
        sizes = [_size(f) for f in files]
        total = sum(sizes)
        done_before = 0
        read = [0]  # records read so far, for the progress bar
        for path, size in zip(files, sizes, strict=True):

            def on_bytes(n: int, base: int = done_before) -> None:
                if on_progress:
                    on_progress(ImportProgress("store", base + n, total, read[0]))

            for found in read_file(path, encoding=encoding, on_bytes=on_bytes):
                read[0] += found.origin != str(path) or isinstance(found, RawRecord)
                converted = found if isinstance(found, Problem) else convert(found, path)
                if isinstance(converted, Problem):
                    problem(converted, path)
                else:
                    yield converted
            done_before += size

    def store_articles(
        self,
        articles: Iterable[NewArticle],
        *,
        report: ImportReport | None = None,
        should_stop: StopFn | None = None,
        on_problem: Callable[[str], None] | None = None,
    ) -> ImportReport:
        """Store articles, skipping any whose content is already in the project.

        One commit holds what was read in about a second, at most :data:`COMMIT_BYTES` of
        text: fsync is slow on many disks (~100 ms here), so a commit per 1,000 rows cost
        10 s of 25 on 100,000 articles, while each commit's write lock stays short enough
        for an annotator's label to go in between.
        """
        report = report or ImportReport()
        group: list[NewArticle] = []
        size = 0
        started = time.monotonic()
        for article in articles:
            group.append(article)
            size += len(article.text)
            if size >= self.commit_bytes or time.monotonic() - started >= COMMIT_SECONDS:
                if should_stop and should_stop():
                    report.cancelled = True
                    return report
                self._store_batch(group, report, on_problem)
                if self._committed is not None:
                    self._committed()
                group, size, started = [], 0, time.monotonic()
        if should_stop and should_stop():
            report.cancelled = True
        elif group:
            self._store_batch(group, report, on_problem)
        return report

    def _store_batch(
        self,
        batch: list[NewArticle],
        report: ImportReport,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        """One transaction for the batch; if the database refuses it, each article is tried
        alone (in a savepoint), so one bad record is reported and the others are stored."""
        if self._known is not None and len(self._known) >= content_hashes.KNOWN_HASHES_LIMIT:
            # Memory stays bounded: from here on the index finds them.
            build_deferred_index(self.db, "article_content_key")
            self._known = None
        unique: dict[str, NewArticle] = {}
        report.records += len(batch)
        for article in batch:
            reason = self._column_problem(article)
            if reason is not None:
                _refuse(report, on_problem, article.origin, reason)
                continue
            key = content_hash(article.text)
            if key in unique:
                report.duplicates += 1
            else:
                unique[key] = article
        with self._write():
            if not is_sqlite(self.db):
                # No unique index keeps a text from being stored twice (v13): the check below
                # and the insert must not interleave with another importer's. SQLite's
                # IMMEDIATE transaction already serialises them; PostgreSQL needs a lock.
                self.db.execute_sql("SELECT pg_advisory_xact_lock(72530016)")
            cursor = self.db.cursor()
            existing = self._stored(cursor, list(unique))
            report.duplicates += len(existing)
            fresh = [(k, a) for k, a in unique.items() if k not in existing]
            if not fresh:
                return
            self._warn_shared_ids(cursor, [a for _, a in fresh], report, on_problem)
            try:
                with self.db.atomic():
                    self._insert_articles(fresh, report.batch_id)
                report.imported += len(fresh)
                return
            except _REFUSED:
                pass
            for item in fresh:
                try:
                    with self.db.atomic():
                        self._insert_articles([item], report.batch_id)
                    report.imported += 1
                except _REFUSED as exc:
                    _refuse(report, on_problem, item[1].origin, _refusal(exc))

    def _stored(self, cursor: Any, hashes: list[str]) -> set[str]:
        """Which of these content hashes the project holds (inside the write transaction)."""
        if self._known is not None:
            return self._known.stored(cursor, hashes)
        return set(ids_by_hash(cursor, self.db.param, hashes))

    def _warn_shared_ids(
        self,
        cursor: Any,
        fresh: list[NewArticle],
        report: ImportReport,
        on_problem: Callable[[str], None] | None,
    ) -> None:
        """Say so when a new article's id is already another article's (or another new
        one's): the texts differ (else it would be a duplicate), so both are kept."""
        p = self.db.param
        ids = [a.external_id for a in fresh if a.external_id]
        taken: set[str] = set()
        for i in range(0, len(ids), 500):
            part = sorted(set(ids[i : i + 500]))
            cursor.execute(
                f"SELECT DISTINCT external_id FROM article WHERE external_id IN"
                f" ({', '.join([p] * len(part))})",
                part,
            )
            taken.update(row[0] for row in cursor.fetchall())
        for article in fresh:
            if not article.external_id:
                continue
            if article.external_id in taken:
                report.shared_ids += 1
                text = (
                    f"{article.origin}: id {article.external_id!r} is already another article's,"
                    " with a different text; imported as a separate article"
                )
                report.add_warning(text)
                if on_problem:
                    on_problem(text)
            taken.add(article.external_id)

    def _insert_articles(self, fresh: list[tuple[str, NewArticle]], batch_id: int | None) -> None:
        p = self.db.param
        cursor = self.db.cursor()
        sqlite = is_sqlite(self.db)
        # On SQLite the write transaction keeps every other writer out, so the next ids are
        # known and given: no lookup by hash (the content-key index may be deferred).
        columns = ("id, " if sqlite else "") + (
            "external_id, content_hash, title, url, source, published, meta, batch_id,"
            " lang, lang_confidence"
        )
        for i in range(0, len(fresh), BATCH):
            part = fresh[i : i + BATCH]
            ids: dict[str, int] = {}
            if sqlite:
                top = cursor.execute("SELECT COALESCE(MAX(id), 0) FROM article").fetchone()[0]
                ids = {k: top + 1 + n for n, (k, _) in enumerate(part)}
            rows = [
                (
                    *((ids[k],) if sqlite else ()),
                    a.external_id,
                    k,
                    a.title,
                    a.url,
                    a.source,
                    a.published,
                    json.dumps(a.meta, ensure_ascii=False) if a.meta else "{}",
                    batch_id,
                    a.lang,
                    None if a.lang is None else 1.0,  # given by the source, not guessed
                )
                for k, a in part
            ]
            marks = ", ".join([p] * len(rows[0]))
            cursor.executemany(
                f"INSERT INTO article ({columns}, created) VALUES ({marks}, CURRENT_TIMESTAMP)",
                rows,
            )
            if not sqlite:
                ids = ids_by_hash(cursor, p, [k for k, _ in part])
            cursor.executemany(
                f"INSERT INTO article_text (article_id, text) VALUES ({p}, {p})",
                [(ids[k], a.text) for k, a in part],
            )

    def _column_problem(self, article: NewArticle) -> str | None:
        """Why the article's id, source or date does not fit its column, or None.

        PostgreSQL refuses a value longer than the column (SQLite stores it anyway), so the
        limits are checked for both, per record, with the record's own line.
        """
        a = self.m.Article
        for value, field, name in (
            (article.external_id, a.external_id, "id"),
            (article.source, a.source, "source"),
            (article.published, a.published, "date"),
        ):
            if len(value) > field.max_length:
                return (
                    f"{name} has {len(value):,} characters, more than the limit of"
                    f" {field.max_length:,}"
                )
        return None


def _refuse(
    report: ImportReport, on_problem: Callable[[str], None] | None, origin: str, reason: str
) -> None:
    """A record counted in ``records`` already (it reached storing) that is skipped."""
    report.records -= 1
    report.add_problem(f"{origin}: {reason}", reason)
    if on_problem:
        on_problem(f"{origin}: {reason}")


def _refusal(exc: BaseException) -> str:
    """A database's refusal of one record, as a reason (first line only: no SQL, no data)."""
    if isinstance(exc, UnicodeEncodeError):
        return "cannot be stored: it holds characters that are not text (a lone surrogate)"
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"cannot be stored: {first}"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
