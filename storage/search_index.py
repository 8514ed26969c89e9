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
        if self.pending_terms() and not (should_stop and should_stop()):
            self._fill_terms(should_stop)
        return done


def _merge_setting(db: pw.Database) -> None:
    """Set :data:`FTS_AUTOMERGE` in the index if it holds another value (a project indexed
    before it, or with FTS5's default), inside the caller's write transaction."""
    row = db.execute_sql("SELECT v FROM article_fts_config WHERE k = 'automerge'").fetchone()
    if row is None or int(row[0]) != FTS_AUTOMERGE:
        db.execute_sql(
            "INSERT INTO article_fts (article_fts, rank) VALUES ('automerge', ?)",
            (FTS_AUTOMERGE,),
        )
