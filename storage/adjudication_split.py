"""Adjudication in two processes: a worker reads the judgements and applies the rule while
this process writes gold.

Adjudicating a project is two kinds of work of about the same size: reading every
finished article with its annotators' labels and deciding by the rule
(:func:`core.adjudication.adjudicate`), and writing what was decided through the edit path.
Only the writing needs this process (one writer, one transaction per page); so on a large
project a worker process (:mod:`storage.spawned`) reads and decides, page by page, and sends
each page of :class:`GoldArticle` here while this process stores the one before. The pipe
holds one page at a time: the worker waits while this process is behind, so memory stays
bounded. The worker reads only the annotators' labels, never the gold annotator's that this
process writes. If it fails, this process decides the rest itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass

import peewee as pw

from core.adjudication import GoldArticle, adjudicate
from core.entity_codes import EntityCodes
from storage.database import open_database
from storage.judgements import PAGE, Finishers, JudgementProgress, JudgementReader
from storage.spawned import Send, Spawned

#: Below this many articles the worker's start (~0.3 s) is not worth it.
SPLIT_FROM = 20_000
PROCESSES = max(1, min(2, os.cpu_count() or 1))
_PAGE = "page"

ProgressFn = Callable[[JudgementProgress], None]
StopFn = Callable[[], bool]


@dataclass(frozen=True, slots=True)
class _Job:
    target: str
    names: tuple[str, ...]
    labels: tuple[str, ...]  # the codes' labels in code order
    min_agree: int | None


def _decided(
    reader: JudgementReader,
    names: Sequence[str],
    codes: EntityCodes,
    min_agree: int | None,
    *,
    finished: Finishers | None = None,
    after: int = 0,
    should_stop: StopFn | None = None,
) -> Iterator[list[GoldArticle]]:
    """Pages of what the rule decides for each article (with an id above ``after``) at
    least one of ``names`` finished."""
    page: list[GoldArticle] = []
    for article in reader.judgements(
        names,
        texts=True,
        min_finishers=1,
        should_stop=should_stop,
        codes=codes,
        finished=finished,
        id_range=(after + 1, 2**63) if after else None,
    ):
        page.append(adjudicate(article, min_agree=min_agree, codes=codes))
        if len(page) >= PAGE:
            yield page
            page = []
    if page:
        yield page


def _decide_part(send: Send, job: _Job) -> None:
    """The worker: read and decide every article, sending each page with the progress."""
    db = open_database(job.target, must_exist=True)
    try:
        for page in _decided(
            JudgementReader(db), job.names, EntityCodes(job.labels), job.min_agree
        ):
            send(_PAGE, page)
    finally:
        db.close()


def gold_pages(
    db: pw.Database,
    target: str,
    names: Sequence[str],
    codes: EntityCodes,
    min_agree: int | None,
    *,
    processes: int | None = None,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> Generator[list[GoldArticle], None, None]:
    """Pages of what the rule decides, in article id order, decided in a worker process
    (``processes`` 2; default from :data:`SPLIT_FROM` articles on) or here. Close the
    iterator when leaving it early: that ends the worker."""
    reader = JudgementReader(db)
    finished = reader.finishers(reader.annotator_ids(names), 1)
    if processes is None:
        processes = PROCESSES if len(finished) >= SPLIT_FROM else 1
    last, done, total = 0, 0, len(finished)
    if processes >= 2:
        job = _Job(target, tuple(names), tuple(codes.code), min_agree)
        with Spawned(_decide_part, (job,), name="adjudication-rule") as worker:
            while True:
                message = worker.next(should_stop)
                if message is None:
                    break
                page = message[1]
                last, done = page[-1].article_id, done + len(page)
                if on_progress is not None:
                    on_progress(JudgementProgress(done, total))
                yield page
            if not worker.failed:
                return  # all decided, or stopped
    # Here: one process, or what a failed worker left.
    for page in _decided(
        reader, names, codes, min_agree, finished=finished, after=last, should_stop=should_stop
    ):
        done += len(page)
        if on_progress is not None:
            on_progress(JudgementProgress(done, total))
        yield page
