"""The work an article still needs after it is stored, done with both cores busy.

Languages are detected in worker processes (langdetect is pure Python); the full-text index,
the suggesters' first pass and the near-duplicate groups run in this process, but the
suggesters' text work (splitting and hashing lines, lexicon, rules, shape, gazetteers) goes
to the same worker processes as the languages, and this process only stores what they found.
Done one after the other, the cores idle half of the time: during the languages this
process waits, during the rest the workers are idle. So the languages run from a thread of
their own (its own connection, as every thread has) while the calling thread does the rest.
Each pass is still made of short transactions and keeps its own marks, so a stop at any
point leaves a valid project and the next run goes on.
"""

from __future__ import annotations

import concurrent.futures as cf
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from core.memory import fewer_collections, give_back_memory
from core.workers import default_workers, process_pool
from storage.database import STREAM_CACHE_KIB, page_cache
from storage.part import ProjectPart

if TYPE_CHECKING:
    from storage.import_progress import ProgressFn, StopFn
    from storage.near_duplicates import NearDuplicateGroups
    from storage.suggestions import Suggestions


class PendingWork(ProjectPart):
    """Part of ``project.imports``: catching up on languages, index, suggestions, groups."""

    if TYPE_CHECKING:  # from the classes built on this one: the two passes by
        # LanguageDetection and SearchIndexing, the two parts by ArticleImports and Imports
        suggestions: Suggestions
        near_duplicates: NearDuplicateGroups

        def detect_languages(
            self,
            *,
            workers: int | None = None,
            on_progress: ProgressFn | None = None,
            should_stop: StopFn | None = None,
            pool: cf.Executor | None = None,
        ) -> int: ...

        def index_pending(
            self, *, on_progress: ProgressFn | None = None, should_stop: StopFn | None = None
        ) -> int: ...

    def process_pending(
        self,
        *,
        suggest: bool = True,
        near_duplicates: bool = True,
        on_progress: Callable[[Any], None] | None = None,
        should_stop: StopFn | None = None,
    ) -> int:
        """Detect the languages, index, run the suggesters on new articles (``suggest``)
        and group near-duplicates (``near_duplicates``); returns the articles handled, summed
        over the passes. ``on_progress`` is called from two threads. Python's cycle
        collector runs less often meanwhile (:func:`core.memory.fewer_collections`)."""
        done = 0
        # One pool for the languages and the suggesters' text work: two processes per two
        # cores, not four; its processes start only if a pass is large enough to use them.
        with (
            fewer_collections(),
            process_pool(default_workers()) as pool,
            self.languages_alongside(
                on_progress=on_progress, should_stop=should_stop, pool=pool
            ) as got,
        ):
            done += self.index_pending(on_progress=on_progress, should_stop=should_stop)
            give_back_memory()  # each pass's peak must not sit on the last one's leftovers
            stopped = should_stop is not None and should_stop()
            if suggest and not stopped:
                done += self.suggestions.run_suggesters(
                    only_new=True, on_progress=on_progress, should_stop=should_stop, pool=pool
                ).articles
                give_back_memory()
            stopped = should_stop is not None and should_stop()
            if near_duplicates and not stopped:
                done += self.near_duplicates.update_near_duplicates(
                    on_progress=on_progress, should_stop=should_stop, pool=pool
                ).articles
        return done + got[0]

    @contextmanager
    def languages_alongside(
        self,
        *,
        on_progress: Callable[[Any], None] | None,
        should_stop: StopFn | None,
        pool: cf.Executor | None = None,
    ) -> Iterator[list[int]]:
        """Detect languages in a thread while the body runs; yields a one-item list that
        holds how many were detected once the block is left. An error of the thread is
        raised here, after the body (an error of the body comes first)."""
        got = [0]
        failed: list[BaseException] = []
        body_failed = threading.Event()

        def stop() -> bool:
            return body_failed.is_set() or (should_stop is not None and should_stop())

        def languages() -> None:
            try:
                # This thread's own connection reads samples and writes codes: it needs no
                # 32 MB page cache of its own beside the calling thread's.
                with page_cache(self.db, STREAM_CACHE_KIB):
                    got[0] = self.detect_languages(
                        on_progress=on_progress, should_stop=stop, pool=pool
                    )
            except BaseException as exc:  # handed to the calling thread
                failed.append(exc)
            finally:
                if not self.db.is_closed():
                    self.db.close()  # this thread's connection only

        thread = threading.Thread(target=languages, name="languages", daemon=True)
        thread.start()
        try:
            yield got
        except BaseException:
            body_failed.set()
            raise
        finally:
            thread.join()
        if failed:
            raise failed[0]
