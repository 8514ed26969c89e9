"""Adjudication into a gold annotator and the review queue it leaves.

``Project.agreement.adjudicate`` runs :func:`core.adjudication.adjudicate` over every article finished
by at least one annotator and stores the decided labels under ``gold`` with the origin
``adjudicated:ana+budi``, a page of articles per transaction. Articles with something
undecided go to the review queue (state ``review``); the others are ``done`` for gold.

Re-running it redoes the automatic part and nothing else: it replaces gold spans whose
origin is ``adjudicated:*`` and the document labels it stored itself last time (kept in
``auto_doc``, since document labels carry no origin), keeps every other gold label, and
leaves articles a reviewer settled by hand (state ``settled``) alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.adjudication import GoldArticle, is_adjudicated
from core.agreement import STANCE_PREFIX
from core.edits import DUPLICATE, OVERLAP, OWNER, EditSet, NewSpan, StatusEdit
from storage.adjudication_split import gold_pages
from storage.agreement import GOLD, AgreementFigures, JudgementProgress
from storage.errors import AccessDenied, ProjectError
from storage.models import ModelClass, make_adjudication_model

if TYPE_CHECKING:
    from storage.edits import Edits
    from storage.part import ProjectCore

    pass

DONE, REVIEW, SETTLED = "done", "review", "settled"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass
class AdjudicationReport:
    annotators: list[str]
    into: str
    articles: int = 0  # finished by at least one annotator
    decided: int = 0  # done for gold
    review: int = 0  # put in (or kept in) the review queue
    settled: int = 0  # settled by hand before: left alone
    spans_added: int = 0
    spans_removed: int = 0
    doc_labels: int = 0
    kept_by_hand: int = 0  # automatic labels not stored because a hand-made gold label is there
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.articles:,} articles finished by {', '.join(self.annotators)}: "
            f"{self.decided:,} decided (done for {self.into}), {self.review:,} to review, "
            f"{self.settled:,} settled by hand left alone. {self.into}: "
            f"{self.spans_added:,} spans stored, {self.spans_removed:,} earlier automatic "
            f"spans replaced, {self.doc_labels:,} stance labels set; "
            f"{self.kept_by_hand:,} automatic labels gave way to hand-made ones"
        )


@dataclass(frozen=True, slots=True)
class ReviewItem:
    article_id: int
    state: str
    origin: str
    undecided: tuple[str, ...]


class Adjudication(AgreementFigures):
    """Adjudication, a piece of ``project.agreement``: reads the judgements the agreement
    figures read, and writes labels only through the one edit path
    (``project.edits.apply_edit_sets``), one page of articles per transaction."""

    edits: Edits

    def _adjudication_model(self) -> ModelClass:
        model = self.__dict__.get("_adjudication")
        if model is None:
            model = self.__dict__["_adjudication"] = make_adjudication_model(
                self.db, self.m.Article
            )
        return model

    # ---- the review queue ----------------------------------------------------------------

    def review_queue(self, *, after_id: int = 0, limit: int | None = None) -> list[int]:
        """Ids of the articles waiting for a reviewer, in id order."""
        adj = self._adjudication_model()
        query = (
            adj.select(adj.article)
            .where(adj.state == REVIEW, adj.article > after_id)
            .order_by(adj.article)
        )
        if limit is not None:
            query = query.limit(limit)
        return [row[0] for row in query.tuples()]

    def review_item(self, article_id: int) -> ReviewItem | None:
        adj = self._adjudication_model()
        row = adj.get_or_none(adj.article == article_id)
        if row is None:
            return None
        return ReviewItem(
            article_id, row.state, row.origin, tuple(filter(None, row.undecided.split("\n")))
        )

    def settle_review(self, article_id: int, *, settled: bool = True) -> str | None:
        """Mark an article settled by hand (a re-run of the rule leaves it alone), or with
        ``settled=False`` hand it back to the review queue; returns the previous state."""
        return self.set_review_state(article_id, SETTLED if settled else REVIEW)

    def set_review_state(self, article_id: int, state: str | None) -> str | None:
        """Set an article's adjudication state (``None``: never adjudicated); returns the
        previous one, so that undo can put it back."""
        if state not in (None, DONE, REVIEW, SETTLED):
            raise ProjectError(f"unknown review state {state!r}")
        adj = self._adjudication_model()
        with self.project.transaction():
            row = adj.get_or_none(adj.article == article_id)
            previous = row.state if row else None
            if state is None:
                adj.delete().where(adj.article == article_id).execute()
            else:
                adj.insert(article=article_id, state=state).on_conflict(
                    conflict_target=[adj.article], preserve=[adj.state]
                ).execute()
        return previous

    # ---- the rule, over the project ------------------------------------------------------

    def adjudicate(
        self,
        *,
        into: str = GOLD,
        annotators: Sequence[str] | None = None,
        min_agree: int | None = None,
        on_progress: Callable[[JudgementProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        processes: int | None = None,
    ) -> AdjudicationReport:
        """Store under ``into`` what the finishers of each article agree on (see module).
        ``processes``: 2 reads and decides in a worker process while this one writes
        (default on a large project, see :mod:`storage.adjudication_split`)."""
        if min_agree is not None and min_agree < 1:
            raise ProjectError("--min-agree must be at least 1")
        names = [n for n in self.agreement_annotators(annotators) if n != into]
        if not names:
            raise ProjectError(f"{self.name}: no annotators to adjudicate from")
        self.project.annotator_id(into)
        report = AdjudicationReport(annotators=names, into=into)
        pages = gold_pages(
            self.db,
            self.project.target,
            names,
            self.entity_codes(),
            min_agree,
            processes=processes,
            on_progress=on_progress,
            should_stop=should_stop,
        )
        with contextlib.closing(pages):  # leaving early ends the worker
            for page in pages:
                report.articles += len(page)
                self._store_gold(page, into, report)
        return report

    def _store_gold(self, batch: list[GoldArticle], into: str, report: AdjudicationReport) -> None:
        self._adjudication_model()
        into_id = self.project.annotator_id(into)
        p = self.db.param
        now = _now()
        # The gold side of the page by id range, as plain tuples (peewee rows cost 20 µs
        # each). "annotator_id + 0" keeps SQLite off the annotator index, which it prefers
        # without statistics and which would read every gold row of the project per page.
        rng = f"article_id >= {p} AND article_id <= {p}"
        lo, hi = batch[0].article_id, batch[-1].article_id
        states: dict[int, tuple[str, str, str, str]] = {
            aid: tuple(rest)
            for aid, *rest in self.db.execute_sql(
                "SELECT article_id, state, origin, undecided, auto_doc FROM adjudication"
                f" WHERE {rng}",
                [lo, hi],
            ).fetchall()
        }
        gold_spans: dict[int, list[tuple[int, str, str, int, int, str]]] = {}
        for row in self.db.execute_sql(
            'SELECT article_id, id, layer, label, start, "end", origin FROM span'
            f" WHERE {rng} AND annotator_id + 0 = {p}",
            [lo, hi, into_id],
        ).fetchall():
            gold_spans.setdefault(row[0], []).append(row[1:])
        gold_status: dict[int, str] = dict(
            self.db.execute_sql(
                f"SELECT article_id, status FROM progress WHERE {rng} AND annotator_id + 0 = {p}",
                [lo, hi, into_id],
            ).fetchall()
        )
        gold_docs: dict[int, dict[str, str]] = {}
        for aid, key, value in self.db.execute_sql(
            f"SELECT article_id, key, value FROM doc_label WHERE {rng} AND annotator_id + 0 = {p}",
            [lo, hi, into_id],
        ).fetchall():
            gold_docs.setdefault(aid, {})[key] = value
        rows: list[tuple[object, ...]] = []
        sets: list[EditSet] = []
        for gold in batch:
            before = states.get(gold.article_id)
            state, auto_json = (before[0], before[3]) if before else ("", "{}")
            if state == SETTLED:
                report.settled += 1
                continue
            auto_before = json.loads(auto_json)
            edits, auto_doc = _gold_edits(
                gold,
                into,
                gold_spans.get(gold.article_id, []),
                gold_docs.get(gold.article_id, {}),
                auto_before,
                gold_status.get(gold.article_id, "todo"),
                report,
            )
            if edits is not None:
                sets.append(edits)
            report.decided += gold.decided
            report.review += not gold.decided
            row = (
                DONE if gold.decided else REVIEW,
                gold.origin,
                "\n".join(gold.undecided),
                json.dumps(auto_doc, ensure_ascii=False, sort_keys=True),
            )
            if row != before:
                rows.append((gold.article_id, *row, now))
        with self.project.transaction():
            # Adjudication is undone by running it again, never span by span: the stored
            # spans need not be read back.
            for result in self.edits.apply_edit_sets(sets, strict=False, spans_back=False):
                report.spans_added += result.stored
                report.spans_removed += len(result.deleted)
                for refusal in result.refused:
                    if refusal.code == OWNER:
                        raise AccessDenied(refusal.reason)  # rolls the page back
                    if refusal.code in (OVERLAP, DUPLICATE):
                        report.kept_by_hand += 1  # a hand-made gold span is in the way
                    else:
                        report.problems.append(f"article {result.article_id}: {refusal.reason}")
            if rows:
                self.db.cursor().executemany(
                    "INSERT INTO adjudication (article_id, state, origin, undecided, auto_doc,"
                    f" updated) VALUES ({p}, {p}, {p}, {p}, {p}, {p})"
                    " ON CONFLICT (article_id) DO UPDATE SET state = excluded.state,"
                    " origin = excluded.origin, undecided = excluded.undecided,"
                    " auto_doc = excluded.auto_doc, updated = excluded.updated",
                    rows,
                )


def _gold_edits(
    gold: GoldArticle,
    into: str,
    spans: list[tuple[int, str, str, int, int, str]],
    docs: dict[str, str],
    auto_before: dict[str, str],
    status_before: str,
    report: AdjudicationReport,
) -> tuple[EditSet | None, dict[str, str]]:
    """One article's automatic part as an edit set for the one edit path, and the document
    labels the rule holds after it (remembered for the next run). No edit set when nothing
    changes, so that a re-run over a settled project writes next to nothing."""
    origin = gold.origin
    # Keys (start, end, layer, label): sorted as they are, in the order spans are added.
    keys = [(st, en, "entity", label) for st, en, label in gold.entities]
    keys += [(st, en, "boilerplate", label) for st, en, label in gold.boilerplate]
    delete: list[int] = []
    if spans:
        wanted = set(keys)
        have = set()
        for span_id, layer, label, start, end, span_origin in spans:
            key = (start, end, layer, label)
            # An automatic span goes when the rule no longer wants it or now decides it
            # from other annotators (its origin says whose labels it came from).
            if (key not in wanted or span_origin != origin) and is_adjudicated(span_origin):
                delete.append(span_id)
            else:
                have.add(key)
        keys = list(wanted - have)
    # (No gold span yet, as on a first run: every key is added; the rule gives each once.)
    keys.sort()
    add = tuple(NewSpan(layer, label, start, end, origin) for start, end, layer, label in keys)
    doc: list[tuple[str, str | None]] = []
    auto_doc: dict[str, str] = {}
    for doc_key in sorted({STANCE_PREFIX + t for t in gold.stance} | set(auto_before)):
        current = docs.get(doc_key)
        if current is not None and auto_before.get(doc_key) != current:
            # Set by a reviewer, not by the rule: kept.
            report.kept_by_hand += doc_key[len(STANCE_PREFIX) :] in gold.stance
            continue
        value = gold.stance.get(doc_key[len(STANCE_PREFIX) :])
        if value != current:
            doc.append((doc_key, value))
            report.doc_labels += value is not None
        if value is not None:
            auto_doc[doc_key] = value
    status = "done" if gold.decided else "todo"
    if not (add or delete or doc) and status == status_before:
        return None, auto_doc
    edits = EditSet(
        gold.article_id,
        into,
        add=add,
        delete=tuple(delete),
        doc=tuple(doc),
        status=StatusEdit(status) if status != status_before else None,
        doc_origin=origin,
    )
    return edits, auto_doc


class Agreement(Adjudication):
    """``project.agreement``: agreement between annotators and adjudication into gold."""

    def __init__(self, project: ProjectCore, *, edits: Edits) -> None:
        super().__init__(project)
        self.edits = edits
