"""Adding stored articles to SQLite's full-text index (FTS5), and keeping the index's word
list (``storage.index_terms``) whole beside it.

Storing makes articles listable; the index follows as a catch-up pass (``project.imports``),
in short transactions that each index a batch and move the mark ``fts_indexed_upto``, so a
stop at any point leaves a valid project and the next pass goes on from the mark. The mark
is read inside each batch's write transaction, so two processes indexing at once never index
an article twice. PostgreSQL indexes as it stores (GIN), so there is nothing to do there.
"""

from __future__ import annotations

import peewee as pw

from storage import index_terms
from storage.database import is_sqlite
from storage.import_progress import ImportProgress, ProgressFn, StopFn
from storage.pending import PendingWork

#: Articles indexed per write transaction.
INDEX_BATCH = 1000
#: FTS5 merges a level's segments into one of the next level once this many are there (its
#: own default: 4). Each batch's commit adds a segment, so the default rewrote every hit
#: about once per factor of 4 in the index's size. Indexing a million ``gen_news`` articles
#: took 104.5 s with 4, 82.3 s with 8, 70.1 s with 16 (75.5 s with 64: FTS5's crisis merge
#: at 16 segments takes over), and in the app's own pass 78.8 s against 107.7 s, with an
#: index of the same size and searches as fast (``bench/bench_fts_merge.py``). The setting
#: is kept in the index itself.
FTS_AUTOMERGE = 16
#: A pass that at least doubles the index then merges its segments into one, this many of
#: FTS5's leaf pages (~4 KB) a write transaction. FTS5 looks an article up in every
#: segment, and a search with a filter that keeps few articles asks the index about each
#: of them (``storage.search.FEW_CANDIDATES``): 1,000 such questions took 148 ms on the 20
#: segments of a million ``gen_news`` articles and 33 ms on one (76.6 and 11.6 ms at
#: 100,000). The merge costs about one rewrite of the index (52.4 s at a million on a slow
#: machine, its steps holding the write lock 102 ms median, 256 ms at most; 5.3 s at
#: 100,000), so it follows only a pass that indexed at least as much as was there before,
#: which keeps its cost below the pass's own.
COMPACT_PAGES = 250
#: An index pass of at least this many articles (and as many as are indexed already) reads
#: the words of the index into its word list once at the end instead of batch by batch.
TERMS_FROM_INDEX = 20_000


class SearchIndexing(PendingWork):
    """The full-text index part of ``project.imports`` (see the module's notes)."""

    def pending_index(self) -> int:
        """Articles not yet in the full-text index (PostgreSQL indexes as it stores: 0)."""
        if not is_sqlite(self.db):
            return 0
        return self.m.Article.select().where(self.m.Article.id > self.project.fts_mark()).count()

    def pending_terms(self) -> bool:
        """Whether the index's word list is still to be read from the index (a project
        indexed before schema 14; see ``storage.index_terms``)."""
        return is_sqlite(self.db) and not index_terms.is_complete(self.db)

    def _fill_terms(self, should_stop: StopFn | None) -> None:
        """Read the index's words into its word list (without the write lock: a batch
        indexed meanwhile either lists its own words or leaves the list incomplete), and
        call the list complete if no batch was indexed since the reading began."""
        began = self.project.fts_mark()
        for words in index_terms.indexed_words(self.db):
            if should_stop and should_stop():
                return  # the list stays incomplete; queries keep FTS5's prefix search
            with self._write():
                index_terms.store_words(self.db, words)
        with self._write():
            if self.project.fts_mark() == began:
                index_terms.mark_complete(self.db)

    def index_pending(
        self, *, on_progress: ProgressFn | None = None, should_stop: StopFn | None = None
    ) -> int:
        """Add articles not yet in the SQLite full-text index (PostgreSQL indexes by itself).

        Each batch lists its words in the index's word list (``storage.index_terms``),
        which costs a second tokenizing of its texts. A pass that at least doubles the
        index reads the words from the index once at the end instead (a third of the
        cost: the index holds each word once), and its batches mark the list incomplete
        meanwhile, so that queries keep FTS5's prefix search until then."""
        if not is_sqlite(self.db):
            return 0
        mark = self.m.Meta
        total = self.pending_index()
        indexed = self.m.Article.select().count() - total
        by_index = total >= max(TERMS_FROM_INDEX, indexed)
        if self.pending_terms() and not by_index:
            self._fill_terms(should_stop)
        done = 0
        while done < total:
            if should_stop and should_stop():
                break
            with self._write():
                if done == 0:
                    _merge_setting(self.db)
                upto = self.project.fts_mark()  # as it is now: another process may index too
                rows = self.db.execute_sql(
                    "SELECT a.id, a.title, t.text FROM article a JOIN article_text t"
                    " ON t.article_id = a.id WHERE a.id > ? ORDER BY a.id LIMIT ?",
                    (upto, INDEX_BATCH),
                ).fetchall()
                if not rows:
                    break
                self.db.cursor().executemany(
                    "INSERT INTO article_fts (rowid, title, text) VALUES (?, ?, ?)", rows
                )
                # In the same transaction: the word list never lacks an indexed word while
                # it is called complete.
                if by_index:
                    index_terms.mark_incomplete(self.db)
                else:
                    index_terms.add_terms(self.db, [w for r in rows for w in (r[1], r[2])])
                mark.insert(key="fts_indexed_upto", value=str(rows[-1][0])).on_conflict(
                    conflict_target=[mark.key], preserve=[mark.value]
                ).execute()
            done += len(rows)
            if on_progress:
                on_progress(ImportProgress("index", done, total, done))
        if done and done >= indexed and not (should_stop and should_stop()):
            self._compact(on_progress, should_stop)
        if self.pending_terms() and not (should_stop and should_stop()):
            self._fill_terms(should_stop)
        return done

    def _compact(self, on_progress: ProgressFn | None, should_stop: StopFn | None) -> None:
        """Merge the index's segments into one (see :data:`COMPACT_PAGES`): FTS5's
        incremental merge with a negative size counts every segment as one level, a merge
        at a time, until one does nothing (it then changes fewer than two rows). Each step
        is a transaction of its own, so a stop or a kill between two leaves a valid index
        (FTS5 keeps how far a merge got in the index), only with more segments."""
        segments = _segment_ids(self.db)
        if len(segments) < 2:
            return
        total = max(_leaf_pages(self.db, segments), 1)
        done = 0
        conn = self.db.connection()
        while not (should_stop and should_stop()):
            with self._write():
                before = conn.total_changes
                self.db.execute_sql(
                    "INSERT INTO article_fts (article_fts, rank) VALUES ('merge', ?)",
                    (-COMPACT_PAGES,),
                )
                merged = conn.total_changes - before >= 2
            done = min(done + COMPACT_PAGES, total) if merged else total
            if on_progress:
                on_progress(ImportProgress("compact", done, total))
            if not merged:
                return


def _segment_ids(db: pw.Database) -> list[int]:
    """The index's segments (each has rows in FTS5's ``_idx`` table, a few per segment)."""
    return [int(r[0]) for r in db.execute_sql("SELECT DISTINCT segid FROM article_fts_idx")]


def _leaf_pages(db: pw.Database, segments: list[int]) -> int:
    """About how many leaf pages these segments hold, for the compaction's progress: FTS5
    keys a segment's leaf page N as ``segid << 37 | N`` in its data table, so the last one
    is a seek per segment."""
    total = 0
    for segid in segments:
        low = segid << 37
        (last,) = db.execute_sql(
            "SELECT MAX(id) FROM article_fts_data WHERE id BETWEEN ? AND ?",
            (low, low + (1 << 31) - 1),
        ).fetchone()
        total += int(last) - low if last is not None else 0
    return total


def _merge_setting(db: pw.Database) -> None:
    """Set :data:`FTS_AUTOMERGE` in the index if it holds another value (a project indexed
    before it, or with FTS5's default), inside the caller's write transaction."""
    row = db.execute_sql("SELECT v FROM article_fts_config WHERE k = 'automerge'").fetchone()
    if row is None or int(row[0]) != FTS_AUTOMERGE:
        db.execute_sql(
            "INSERT INTO article_fts (article_fts, rank) VALUES ('automerge', ?)",
            (FTS_AUTOMERGE,),
        )
