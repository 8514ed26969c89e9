"""Checkpointing SQLite's write-ahead log on a thread of its own while an import stores.

In WAL mode a commit appends its pages to the ``-wal`` file; once that holds
``wal_autocheckpoint`` pages, the committing connection copies them into the database file
(a checkpoint) before its commit returns. A bulk import commits ~16 MB a second, so it
checkpointed after nearly every commit, on the one core that also parses and inserts: ~5 s
of the 48 s it took to store a million gen_news articles (on 16 KB pages; 44 s with this
thread, and 4.8 → 4.4 s for 100,000). Here a second connection copies
them instead, on its own thread, woken after each commit, while the importer reads the next
batch; SQLite's sqlite3 module lets go of the interpreter lock while the copy runs, so it
takes the other core.

Nothing about durability changes: the checkpoint runs with the importer's
``synchronous=NORMAL``, and a checkpoint never changes what is committed, only where the
pages live. SQLite starts the log over only when a new write transaction finds every
frame copied, and the thread's copy (with its two fsyncs) often ends after the importer
began its next commit, so the ``-wal`` file grows. Once it holds BACKSTOP_BYTES, the
importer, between two commits, copies what is left and empties it (a TRUNCATE
checkpoint), and its next commit starts the log over. It also keeps an autocheckpoint of
its own at that size, for imports that do not say when they committed and in case the
thread cannot open the file. The log is truncated at the end.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import peewee as pw

#: The log's size (bytes) past which the importer empties it between two commits (and its
#: own autocheckpoint meanwhile). The thread normally copies each 16 MB commit soon after
#: it; this bounds the file. It is above what the index builds at the end of a
#: million-article import commit at once (~110 MB), so the thread copies those as well
#: while the next one is built.
BACKSTOP_BYTES = 256 << 20
#: SQLite's default autocheckpoint (pages), restored afterwards.
DEFAULT_AUTOCHECKPOINT = 1000
#: How long (ms) emptying the log waits for the thread's copy or a reader.
TRUNCATE_WAIT_MS = 200
#: The thread also looks this often (seconds) when no commit woke it.
_POLL_SECONDS = 0.5


@contextlib.contextmanager
def checkpoints_alongside(db: pw.Database) -> Iterator[Callable[[], None]]:
    """While inside, the log is copied into the database by a thread of its own; call the
    function given after each commit (outside any transaction) to wake it and to keep the
    log file near BACKSTOP_BYTES. On leaving, the thread has stopped and the
    connection's autocheckpoint is SQLite's default again."""
    page_size = db.execute_sql("PRAGMA page_size").fetchone()[0]
    db.execute_sql(f"PRAGMA wal_autocheckpoint = {max(1, BACKSTOP_BYTES // page_size)}")
    wake = threading.Event()
    done = threading.Event()
    copying = threading.Lock()  # held by whichever of the two runs a checkpoint

    log = Path(f"{db.database}-wal")

    def run() -> None:
        try:
            conn = sqlite3.connect(str(db.database), timeout=0, check_same_thread=False)
        except sqlite3.Error:
            return  # the importer's own autocheckpoint does the copying
        try:
            conn.execute("PRAGMA synchronous = NORMAL")
            while not done.is_set():
                wake.wait(_POLL_SECONDS)
                wake.clear()
                # PASSIVE never waits for the importer or a reader: what it cannot copy
                # now, the next wake-up copies.
                with copying, contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()

    def committed() -> None:
        try:
            full = log.stat().st_size > BACKSTOP_BYTES
        except OSError:
            full = False
        if full:
            # Between its commits the importer is no writer. A checkpoint cannot start
            # while another runs (SQLite says busy at once, without waiting), so this waits
            # for the thread's copy to end, then briefly for readers on an older snapshot
            # (else the next commit tries again), copies what is left and empties the
            # file; the importer's next commit starts the log over.
            waited = db.execute_sql("PRAGMA busy_timeout").fetchone()[0]
            with copying:
                try:
                    db.execute_sql(f"PRAGMA busy_timeout = {TRUNCATE_WAIT_MS}")
                    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                except pw.DatabaseError:
                    pass
                finally:
                    db.execute_sql(f"PRAGMA busy_timeout = {int(waited)}")
        wake.set()

    thread = threading.Thread(target=run, name="tandai-wal-checkpoint", daemon=True)
    thread.start()
    try:
        yield committed
    finally:
        done.set()
        wake.set()
        thread.join()
        with contextlib.suppress(pw.DatabaseError):  # never hide why the import stopped
            db.execute_sql(f"PRAGMA wal_autocheckpoint = {DEFAULT_AUTOCHECKPOINT}")
