"""The language of each stored article, detected as a catch-up pass after storing.

langdetect is pure Python, so the work goes to worker processes (threads would not help),
each detecting on a bounded sample of the start of the text (``core.langid``); results are
written in batches, each its own short transaction, so a stop at any point leaves a valid
project and the next pass goes on with the articles still without a language.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
from collections.abc import Iterator

from core.langid import SAMPLE_CHARS, detect_many
from core.workers import default_workers, process_pool
from storage.errors import ProjectBusy
from storage.import_progress import ImportProgress, ProgressFn, StopFn
from storage.search_index import SearchIndexing

_DETECT_CHUNK = 200
#: Times the languages' writes wait for the write lock (5 s each) before giving up.
_BUSY_ATTEMPTS = 6
#: Below this many pending articles, starting worker processes costs more than it saves.
_INPROCESS_LIMIT = 1500


class LanguageDetection(SearchIndexing):
    """The languages part of ``project.imports`` (see the module's notes)."""

    def pending_languages(self) -> int:
        a = self.m.Article
        return a.select().where(a.lang.is_null()).count()

    def detect_languages(
        self,
        *,
        workers: int | None = None,
        on_progress: ProgressFn | None = None,
        should_stop: StopFn | None = None,
        pool: cf.Executor | None = None,
    ) -> int:
        """Detect the language of every article that has none yet; returns how many.

        Work goes to worker processes (langdetect is pure Python: threads would not help),
        each detecting on a bounded sample of the text; results are written in batches.
        ``pool``: processes to use instead of starting new ones (shared with the suggesters
        by :meth:`process_pending`).
        """
        total = self.pending_languages()
        if not total:
            return 0
        if workers is None:
            workers = 1 if total < _INPROCESS_LIMIT else default_workers()
        done = 0

        def write(results: list[tuple[int, str, float]]) -> None:
            nonlocal done
            p = self.db.param
            for attempt in range(_BUSY_ATTEMPTS):
                # The grouping of near-duplicates may run beside this (process_pending) and
                # hold the write lock for one of its batches: wait for it, a few times.
                try:
                    with self._write():
                        self.db.cursor().executemany(
                            f"UPDATE article SET lang = {p}, lang_confidence = {p} WHERE id = {p}",
                            [(lang, conf, aid) for aid, lang, conf in results],
                        )
                    break
                except ProjectBusy:
                    if attempt == _BUSY_ATTEMPTS - 1 or (should_stop and should_stop()):
                        raise
            done += len(results)
            if on_progress:
                on_progress(ImportProgress("languages", done, total, done))

        chunks = self._language_samples()
        if workers <= 1:
            for chunk in chunks:
                if should_stop and should_stop():
                    break
                write(detect_many(chunk))
            return done
        with contextlib.nullcontext(pool) if pool is not None else process_pool(workers) as pool:
            running: set[cf.Future] = set()
            for chunk in chunks:
                if should_stop and should_stop():
                    break
                running.add(pool.submit(detect_many, chunk))
                if len(running) >= workers * 3:
                    finished, running = cf.wait(running, return_when=cf.FIRST_COMPLETED)
                    for future in finished:
                        write(future.result())
            if should_stop and should_stop():
                for future in running:
                    future.cancel()
            for future in cf.as_completed(running):
                if not future.cancelled():
                    write(future.result())
        return done

    def _language_samples(self) -> Iterator[list[tuple[int, str]]]:
        """Chunks of ``(id, start of text)`` for articles without a language, by keyset."""
        p = self.db.param
        after = 0
        while True:
            rows = self.db.execute_sql(
                f"SELECT a.id, substr(t.text, 1, {SAMPLE_CHARS * 2}) FROM article a"
                " JOIN article_text t ON t.article_id = a.id"
                f" WHERE a.lang IS NULL AND a.id > {p} ORDER BY a.id LIMIT {p}",
                (after, _DETECT_CHUNK),
            ).fetchall()
            if not rows:
                return
            yield [(int(r[0]), r[1]) for r in rows]
            after = rows[-1][0]
