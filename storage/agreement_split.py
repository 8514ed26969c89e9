"""Counting agreement in two processes: the machine's second core takes half the articles.

Agreement reads and counts every finished article, one process's work of ~20 s on 100,000
articles by three annotators. Counting is additive (:meth:`AgreementCounter.merge`), so the
articles are cut at the median id of those to count: this process counts the lower half
while a spawned worker process (spawn: fork is unsafe beside Qt threads) opens its own
connection to the project, counts the upper half and sends its counter back. The figures
are those of one process counting everything; only the order in which units are added
differs.

The worker (:mod:`storage.spawned`) reads only. If it cannot do its part (it cannot
connect, say, to a server that asks it for a password), this process counts that half
itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import peewee as pw

from core.agreement import AgreementCounter
from core.entity_codes import EntityCodes
from storage.database import open_database
from storage.judgements import Finishers, JudgementProgress, JudgementReader
from storage.spawned import Send, Spawned

#: Below this many articles to count the worker's start (~0.3 s) is not worth it.
SPLIT_FROM = 20_000
#: Processes counting side by side (the machine's cores, at most two).
PROCESSES = max(1, min(2, os.cpu_count() or 1))

PROGRESS, COUNTED = "progress", "counted"
ProgressFn = Callable[[JudgementProgress], None]
StopFn = Callable[[], bool]


@dataclass(frozen=True, slots=True)
class _Part:
    """What a worker needs to count its share: the project and the counter's settings."""

    target: str
    names: tuple[str, ...]
    layers: tuple[str, ...]
    token_alpha: bool
    labels: tuple[str, ...]  # the counter's labels in code order, so the codes agree
    id_range: tuple[int, int]
    #: Who finished which article of the range (read once, by this process).
    finished: Finishers


def count_range(
    counter: AgreementCounter,
    reader: JudgementReader,
    names: Sequence[str],
    *,
    finished: Finishers | None = None,
    id_range: tuple[int, int] | None = None,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> None:
    """Count the articles (of ``id_range``) two or more of ``names`` finished."""
    span_layers = [layer for layer in ("entity", "boilerplate") if layer in counter.layers]
    for article in reader.judgements(
        names,
        span_layers=span_layers,
        texts=counter.needs_text,
        on_progress=on_progress,
        should_stop=should_stop,
        codes=counter.codes,
        id_range=id_range,
        finished=finished,
    ):
        counter.add(article)


def count_agreement(
    counter: AgreementCounter,
    db: pw.Database,
    target: str,
    names: Sequence[str],
    *,
    processes: int | None = None,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> None:
    """Count every article two or more of ``names`` finished into ``counter``, in
    ``processes`` processes (default: two from :data:`SPLIT_FROM` articles on)."""
    reader = JudgementReader(db)
    finished = reader.finishers(reader.annotator_ids(names), 2)
    order = sorted(finished)
    if processes is None:
        processes = PROCESSES if len(order) >= SPLIT_FROM else 1
    if processes < 2 or len(order) < 2:
        count_range(
            counter,
            reader,
            names,
            finished=finished,
            on_progress=on_progress,
            should_stop=should_stop,
        )
        return
    split = order[len(order) // 2]
    lower, upper = (order[0], split), (split, order[-1] + 1)
    part = _Part(
        target,
        tuple(names),
        tuple(sorted(counter.layers)),
        counter.token_alpha,
        tuple(counter.codes.code),
        upper,
        {aid: finished[aid] for aid in order[len(order) // 2 :]},
    )
    total = len(order)
    here = sum(1 for aid in order if aid < split)
    theirs: AgreementCounter | None = None
    with Spawned(_count_part, (part,), name="agreement-part") as worker:
        done = 0

        def take() -> None:
            nonlocal done, theirs
            while worker.messages:
                kind, value = worker.messages.popleft()
                if kind == PROGRESS:
                    done = value
                elif kind == COUNTED:
                    theirs = value

        def progress(p: JudgementProgress) -> None:
            """This process's pages, with the worker's added."""
            worker.poll()
            take()
            if on_progress is not None:
                on_progress(JudgementProgress(p.done + done, total))

        count_range(
            counter,
            reader,
            names,
            finished=finished,
            id_range=lower,
            on_progress=progress,
            should_stop=should_stop,
        )
        while theirs is None and not (worker.failed or worker.ended):
            if should_stop is not None and should_stop():
                return
            worker.poll(0.1)
            take()
            if on_progress is not None:
                on_progress(JudgementProgress(here + done, total))
    if should_stop is not None and should_stop():
        return
    if theirs is not None:
        counter.merge(theirs)
        return

    # The worker could not do its part: this process counts it.
    def after_here(p: JudgementProgress) -> None:
        if on_progress is not None:
            on_progress(JudgementProgress(here + p.done, total))

    count_range(
        counter,
        reader,
        names,
        finished=finished,
        id_range=upper,
        on_progress=after_here,
        should_stop=should_stop,
    )


def _count_part(send: Send, part: _Part) -> None:
    """The worker's part: count ``part`` on a connection of its own, send the counter."""
    db = open_database(part.target, must_exist=True)
    try:
        counter = AgreementCounter(part.names, layers=part.layers, token_alpha=part.token_alpha)
        counter.codes = EntityCodes(part.labels)
        count_range(
            counter,
            JudgementReader(db),
            part.names,
            id_range=part.id_range,
            finished=part.finished,
            on_progress=lambda p: send(PROGRESS, p.done),
        )
    finally:
        db.close()
    send(COUNTED, counter)
