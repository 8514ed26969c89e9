"""The full-text index's own word list, so that a typed prefix becomes the words it stands for.

Search is as you type: the last word is a prefix. FTS5 answers ``"hospital"*`` by reading
and merging the hits of every word that starts so before it returns the first: at a
million articles ~15 ms for a word in most of them, every time, against ~0.05 ms for
``"hospital" OR "hospitals"``, which it reads lazily. SQLite offers no cheap way to list
the index's words (its ``fts5vocab`` table counts the hits of each: 20 s at a million), so
the project keeps them itself, in ``search_term``.

- Words are what FTS5's own tokenizer makes of a text (case folded, diacritics removed, the
  same ``unicode61`` rules), not a guess at them: each batch that goes into the index also
  goes through a small in-memory FTS5 table of this connection, whose ``fts5vocab`` lists
  the batch's words. They are stored in the transaction that indexes the batch, so the list
  never lacks a word the index has. (Deleting articles leaves their words listed; a word
  without hits costs the query nothing.)
- That second tokenizing costs a third more than indexing alone, so a pass that at least
  doubles the index (an import into a new project) marks the list incomplete batch by batch
  instead and reads the index's words once at the end (:func:`indexed_words`: the index
  holds each word once). A project indexed before the list existed (schema < 14) is read
  the same way by the next catch-up. The reading needs no write lock: the list is called
  complete only if nothing was indexed since the reading began
  (``storage.importing.ArticleImports.index_pending``). Until then queries keep FTS5's
  prefix search, as before.
- Only SQLite: PostgreSQL searches with its own ``tsquery`` prefixes.
"""

from __future__ import annotations

from collections.abc import Iterator

import peewee as pw

#: Meta key set once ``search_term`` holds every word of the index.
COMPLETE_KEY = "fts_terms_complete"
#: A prefix standing for more words than this keeps FTS5's prefix search: an OR of
#: hundreds of words would read as many hit lists for a count as the prefix search does.
MAX_PREFIX_TERMS = 64

_TOKENIZER = "tokenize='unicode61 remove_diacritics 2'"  # as article_fts (migrations._v2)
_SCRATCH = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.term_scratch USING fts5("
    f"text, content='', detail=none, columnsize=0, {_TOKENIZER})"
)
_SCRATCH_VOCAB = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.term_scratch_vocab "
    "USING fts5vocab(temp, term_scratch, row)"
)


def create_table(db: pw.Database) -> None:
    """The word list (schema 14), complete at once when nothing is indexed yet."""
    db.execute_sql("CREATE TABLE IF NOT EXISTS search_term (term TEXT PRIMARY KEY) WITHOUT ROWID")
    indexed = db.execute_sql("SELECT value FROM meta WHERE key = 'fts_indexed_upto'").fetchone()
    if indexed is None or int(indexed[0]) == 0:
        mark_complete(db)


def is_complete(db: pw.Database) -> bool:
    row = db.execute_sql("SELECT 1 FROM meta WHERE key = ?", (COMPLETE_KEY,)).fetchone()
    return row is not None


def mark_complete(db: pw.Database) -> None:
    """The list now holds every word of the index."""
    db.execute_sql("INSERT OR IGNORE INTO meta (key, value) VALUES (?, '1')", (COMPLETE_KEY,))


def mark_incomplete(db: pw.Database) -> None:
    """In the transaction that indexes texts without listing their words."""
    db.execute_sql("DELETE FROM meta WHERE key = ?", (COMPLETE_KEY,))


def indexed_words(db: pw.Database, chunk: int = 50_000) -> Iterator[list[str]]:
    """Every word of the index, in chunks: one read of the whole index (~1 s for 100,000
    `gen_news` articles, ~9 s for a million), each chunk a statement of its own."""
    db.execute_sql(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.article_fts_vocab "
        "USING fts5vocab(main, article_fts, row)"
    )
    after = ""
    while True:  # by ranges of words, no statement left open across the caller's writes
        rows = db.execute_sql(
            "SELECT term FROM temp.article_fts_vocab WHERE term > ? ORDER BY term LIMIT ?",
            (after, chunk),
        ).fetchall()
        if not rows:
            return
        yield [r[0] for r in rows]
        after = rows[-1][0]


def store_words(db: pw.Database, words: list[str]) -> None:
    """Add ``words`` to the list."""
    db.cursor().executemany(
        "INSERT OR IGNORE INTO search_term (term) VALUES (?)", [(w,) for w in words]
    )


def _tokens(db: pw.Database, texts: list[str]) -> None:
    """Put ``texts`` through the scratch table; its vocab then lists their words."""
    db.execute_sql(_SCRATCH)
    db.execute_sql(_SCRATCH_VOCAB)
    db.execute_sql("INSERT INTO temp.term_scratch (term_scratch) VALUES ('delete-all')")
    db.cursor().executemany(  # a contentless table wants its rowids given
        "INSERT INTO temp.term_scratch (rowid, text) VALUES (?, ?)", enumerate(texts, 1)
    )


def add_terms(db: pw.Database, texts: list[str]) -> None:
    """List the words of ``texts`` (inside the transaction that indexes them)."""
    _tokens(db, [t for t in texts if t])
    db.execute_sql(
        "INSERT OR IGNORE INTO search_term (term) SELECT term FROM temp.term_scratch_vocab"
    )


def prefix_terms(db: pw.Database, word: str) -> list[str] | None:
    """The index's words that ``word`` typed as a prefix stands for (an empty list: none,
    so nothing matches); None when FTS5's own prefix search must answer: the list is not
    complete yet, ``word`` is more than one word to the tokenizer, or it stands for more
    than :data:`MAX_PREFIX_TERMS` words."""
    if not is_complete(db):
        return None
    _tokens(db, [word])
    tokens = [r[0] for r in db.execute_sql("SELECT term FROM temp.term_scratch_vocab")]
    if len(tokens) != 1:
        return None
    (token,) = tokens
    above = _after_prefix(token)
    if above is None:
        return None
    rows = db.execute_sql(
        "SELECT term FROM search_term WHERE term >= ? AND term < ? ORDER BY term LIMIT ?",
        (token, above, MAX_PREFIX_TERMS + 1),
    ).fetchall()
    if len(rows) > MAX_PREFIX_TERMS:
        return None
    return [r[0] for r in rows]


def _after_prefix(token: str) -> str | None:
    """The smallest string above every string that starts with ``token``: its last
    character raised by one (code point order is the UTF-8 byte order SQLite compares in);
    None after U+10FFFF."""
    code = ord(token[-1]) + 1
    if code > 0x10FFFF:
        return None
    if 0xD800 <= code <= 0xDFFF:  # no surrogates in stored text: the next code point
        code = 0xE000
    return token[:-1] + chr(code)
