"""The one write for labels: edit sets decided by ``core.edits.decide``, stored in one
transaction; and who is editing (identity and roles), which that rule checks.

Every label change of the project ends here (``Project.labels.add_span``, ``delete_span``,
``relabel_span``, ``set_doc_label``, ``set_status``, the suggestion accepts, the labelled
import, bulk undo), so the rule is applied the same way for all of them.

Concurrent writers: on SQLite a write transaction takes the file's write lock at once
(``BEGIN IMMEDIATE``), so two connections are serialised. PostgreSQL runs transactions side
by side, so each one first takes a transaction-level advisory lock per (article, annotator)
it changes, in a fixed order (no deadlock), and only then reads the spans it checks against:
two connections of one annotator can never both store overlapping entities. Document labels
and progress are upserts, and time spent is added by the database, not read and re-written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from core.edits import (
    OWNER,
    ROLES,
    Access,
    Decision,
    EditResult,
    EditSet,
    decide,
)
from core.models import Progress, Span
from storage.database import is_sqlite
from storage.errors import AccessDenied, LabelError, ProjectError
from storage.models import ModelClass, make_role_model
from storage.part import ProjectPart

if TYPE_CHECKING:
    from storage.part import ProjectCore

#: Rows per statement: well under SQLite's bound-parameter limit (9 per span row).
_CHUNK = 500


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Edits(ProjectPart):
    """``project.edits``: identity, roles and the set-based label write."""

    def __init__(self, project: ProjectCore, *, user: str | None = None) -> None:
        super().__init__(project)
        self._user: str | None = None
        self._login: str | None = None
        self.act_as(user)
        #: Called with the entity places a write deleted or relabelled, in its transaction:
        #: the own-labels suggester forgets what they taught (``project.suggestions``; set
        #: by ``Project``, as the suggestions part is made after this one).
        self.retract_taught: Callable[[Iterable[tuple[int, int, int, str]]], int] = lambda places: 0

    # ---- who is editing ------------------------------------------------------------------

    @property
    def acting_as(self) -> str | None:
        """Who is editing. On PostgreSQL the user the connection logged in as (it cannot be
        claimed otherwise); on SQLite the name given to ``open``/``create``/``act_as``, a
        claim that nothing checks (whoever can write the file can change anything in it)."""
        if not is_sqlite(self.db):
            if self._login is None:
                self._login = str(self.db.execute_sql("SELECT current_user").fetchone()[0])
            return self._login
        return self._user

    def act_as(self, name: str | None) -> None:
        """Edit as ``name`` from now on. On PostgreSQL only the login itself is accepted."""
        name = name.strip() if name else None
        if not is_sqlite(self.db) and name is not None and name != self.acting_as:
            raise ProjectError(
                f"{self.name}: on a server you edit as the user you log in as "
                f"({self.acting_as}), not as {name}"
            )
        self._user = name

    def _role_model(self) -> ModelClass:
        model = self.__dict__.get("_roles_model")
        if model is None:
            model = self.__dict__["_roles_model"] = make_role_model(self.db, self.m.Annotator)
        return model

    def roles(self) -> dict[str, str]:
        """Annotator name -> role (``annotator`` or ``lead``), for those who have one."""
        r, a = self._role_model(), self.m.Annotator
        query = r.select(a.name, r.role).join(a, on=(r.annotator == a.id)).order_by(a.name)
        return dict(query.tuples())

    def role(self, name: str) -> str | None:
        return self.roles().get(name.strip())

    def set_role(self, name: str, role: str | None) -> None:
        """Give ``name`` a role (``None`` takes it away). Anyone may while the project has no
        lead (so the first lead can be named); after that only a lead may."""
        if role is not None and role not in ROLES:
            raise ProjectError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        ann = self.project.annotator_id(name)
        r = self._role_model()
        with self._write():
            self._lock_roles()
            refusal = self._access().may_set_roles()
            if refusal is not None:
                raise AccessDenied(refusal)
            if role is None:
                r.delete().where(r.annotator == ann).execute()
            else:
                r.insert(annotator=ann, role=role).on_conflict(
                    conflict_target=[r.annotator], preserve=[r.role]
                ).execute()

    def access(self) -> Access:
        """The caller and the roles, as ``core.edits.decide`` sees them."""
        return self._access()

    def _access(self) -> Access:
        return Access(self.acting_as, self.roles())

    def _lock_roles(self) -> None:
        if not is_sqlite(self.db):
            # Roles change rarely; one lock keeps two "first lead" calls from both passing.
            self.db.execute_sql("SELECT pg_advisory_xact_lock(0, 0)")

    # ---- the write -----------------------------------------------------------------------

    def apply_edits(self, edits: EditSet, *, strict: bool = True) -> EditResult:
        """Decide and store one edit set in one transaction. ``strict``: any refused item
        raises :class:`LabelError` (or :class:`AccessDenied`) and nothing is stored."""
        return self.apply_edit_sets([edits], strict=strict)[0]

    def apply_edit_sets(
        self, sets: Iterable[EditSet], *, strict: bool = False, spans_back: bool = True
    ) -> list[EditResult]:
        """Decide and store many edit sets (any articles and annotators) in one transaction,
        each seeing the ones before it. Without ``strict``, refused items are reported in
        each result's ``refused`` and the accepted ones are stored. An edit of someone
        else's labels by a caller who may not make it always raises :class:`AccessDenied`:
        it is a question of who calls, not of one item. ``spans_back=False``: the stored
        spans are not read back (``added`` stays empty, ``stored`` counts them), for a bulk
        write nobody undoes span by span; reading back costs a third of a big insert."""
        todo = list(sets)
        if not todo:
            return []
        schema = self.project.schema()
        ids = {
            name: self.project.annotator_id(name) for name in sorted({e.annotator for e in todo})
        }
        pairs = sorted({(e.article_id, ids[e.annotator]) for e in todo})
        results: list[EditResult] = []
        # How many sets of the call touch each pair: the spans a set leaves behind are worked
        # out only for a pair a later set of the call will see.
        later: dict[tuple[int, int], int] = {}
        for e in todo:
            key = (e.article_id, ids[e.annotator])
            later[key] = later.get(key, 0) + 1
        with self._write():
            self._lock_pairs(pairs)
            access = self._access()
            lengths = self._lengths(sorted({a for a, _ in pairs}))
            stored = self._stored(pairs)
            # Document labels and progress are read once for the call and followed here as
            # each set changes them, so each set sees the ones before it; they are written
            # together at the end (one statement per kind, not four per set).
            docs = self._docs_of(sorted({(e.article_id, ids[e.annotator]) for e in todo if e.doc}))
            progress = self._progress_of(
                sorted({(e.article_id, ids[e.annotator]) for e in todo if e.status is not None})
            )
            doc_writes: dict[tuple[int, int, str], tuple[str | None, str]] = {}
            status_writes: dict[tuple[int, int], list[Any]] = {}
            decisions: list[tuple[Decision, int]] = []
            pending = 0  # placeholder ids (negative) of spans decided but not yet inserted
            for edits in todo:
                key = (edits.article_id, ids[edits.annotator])
                decision = decide(
                    edits,
                    schema=schema,
                    length=lengths.get(edits.article_id),
                    stored=stored.get(key, []),
                    access=access,
                )
                first = decision.refused[0] if decision.refused else None
                if first is not None and (strict or first.code == OWNER):
                    error = AccessDenied if first.code == OWNER else LabelError
                    raise error(first.reason)  # rolls back every set of this call
                result = EditResult(edits.article_id, edits.annotator, refused=decision.refused)
                if decision.doc:
                    held = docs.setdefault(key, {})
                    result.doc_before = {k: held.get(k) for k, _ in decision.doc}
                    for doc_key, value in decision.doc:
                        doc_writes[(*key, doc_key)] = (value, decision.doc_origin)
                        if value is None:
                            held.pop(doc_key, None)
                        else:
                            held[doc_key] = value
                if decision.status is not None:
                    status, note, seconds = progress.get(key, ("todo", "", 0.0))
                    result.status_before = Progress(
                        edits.article_id, edits.annotator, status, note, seconds
                    )
                    change = decision.status
                    progress[key] = (change.status, change.note, seconds + change.add_seconds)
                    write = status_writes.setdefault(key, [None, None, 0.0])
                    write[0], write[1] = change.status, change.note
                    write[2] += float(change.add_seconds)
                result.deleted = list(decision.delete)
                result.relabelled = [span for span, _ in decision.relabel]
                later[key] -= 1
                if later[key]:
                    stored[key], pending = _after(stored.get(key, []), decision, pending)
                decisions.append((decision, key[1]))
                results.append(result)
            self._store_spans(decisions, results, spans_back=spans_back)
            self._write_docs(doc_writes)
            self._write_progress(status_writes)
            # What the deleted and relabelled entities taught the own-labels suggester goes
            # with them, in this transaction (storage.own_labels).
            untaught = [
                (s.article_id, s.start, s.end, s.label)
                for d, _ in decisions
                for s in [*d.delete, *(s for s, label in d.relabel if label != s.label)]
                if s.layer == "entity"
            ]
            if untaught:
                self.retract_taught(untaught)
        return results

    def _store_spans(
        self,
        decisions: list[tuple[Decision, int]],
        results: list[EditResult],
        *,
        spans_back: bool = True,
    ) -> None:
        """The span writes of a whole call: one DELETE, one UPDATE batch, multi-row INSERTs."""
        cursor = self.db.cursor()
        p = self.db.param
        now = _now()
        gone = [s.id for d, _ in decisions for s in d.delete]
        for i in range(0, len(gone), _CHUNK):
            part = gone[i : i + _CHUNK]
            cursor.execute(f"DELETE FROM span WHERE id IN ({', '.join([p] * len(part))})", part)
        relabels = [(label, now, span.id) for d, _ in decisions for span, label in d.relabel]
        if relabels:
            cursor.executemany(
                f"UPDATE span SET label = {p}, updated = {p} WHERE id = {p}", relabels
            )
        added = self._insert([(d, ann) for d, ann in decisions if d.add], now, spans_back)
        for (d, ann), result in zip(decisions, results, strict=True):
            result.stored = len(d.add)
            if spans_back:
                result.added = [
                    added[(d.article_id, ann, n.layer, n.label, n.start, n.end)] for n in d.add
                ]

    def _lock_pairs(self, pairs: Sequence[tuple[int, int]]) -> None:
        """PostgreSQL: hold (article, annotator) until the commit, in sorted order."""
        if is_sqlite(self.db):
            return  # BEGIN IMMEDIATE already holds the whole file
        cursor = self.db.cursor()
        for article_id, annotator_id in pairs:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", (article_id, annotator_id))

    def _lengths(self, article_ids: list[int]) -> dict[int, int]:
        """Each article's text length in code points (plain SQL: peewee spends more time
        building a 500-id IN list than the database spends answering it)."""
        p = self.db.param
        cursor = self.db.cursor()
        out: dict[int, int] = {}
        for i in range(0, len(article_ids), _CHUNK):
            part = article_ids[i : i + _CHUNK]
            cursor.execute(
                "SELECT article_id, LENGTH(text) FROM article_text"
                f" WHERE article_id IN ({', '.join([p] * len(part))})",
                part,
            )
            out.update((int(a), int(n)) for a, n in cursor.fetchall())
        return out

    def _stored(self, pairs: list[tuple[int, int]]) -> dict[tuple[int, int], list[Span]]:
        """The spans of each (article, annotator) pair, read inside the write transaction."""
        names = self.project.annotator_names()
        out: dict[tuple[int, int], list[Span]] = {}
        rows = self._pair_rows(
            'SELECT article_id, annotator_id, id, layer, label, start, "end", origin FROM span'
            " WHERE article_id IN ({articles}) AND annotator_id IN ({annotators})"
            ' ORDER BY start, "end", id',
            pairs,
        )
        for aid, ann, sid, layer, label, start, end, origin in rows:
            out.setdefault((aid, ann), []).append(
                Span(sid, aid, names[ann], layer, label, start, end, origin)
            )
        return out

    def _insert(
        self, decisions: list[tuple[Decision, int]], now: dt.datetime, spans_back: bool = True
    ) -> dict[tuple[int, int, str, str, int, int], Span]:
        """Multi-row INSERT ... RETURNING (an ORM insert per row took 16 s for 100k). The rule
        refuses copies, so (article, annotator, layer, label, start, end) names each new row.
        Without ``spans_back`` nothing is returned (and nothing is read back)."""
        p = self.db.param
        cursor = self.db.cursor()
        names = {ann: d.annotator for d, ann in decisions}
        wanted = [n.id for d, _ in decisions for n in d.add if n.id is not None]
        taken: set[int] = set()
        for i in range(0, len(wanted), _CHUNK):
            # SQLite hands out the highest deleted id again, so another writer may hold the
            # id of a span being restored: it then comes back under a new id.
            some = wanted[i : i + _CHUNK]
            cursor.execute(f"SELECT id FROM span WHERE id IN ({', '.join([p] * len(some))})", some)
            taken.update(int(r[0]) for r in cursor.fetchall())
        columns = 'article_id, annotator_id, layer, label, start, "end", origin, created, updated'
        out: dict[tuple[int, int, str, str, int, int], Span] = {}
        # The text SQLite's datetime adapter would write, made once instead of per value
        # (~40% of a bulk insert's time).
        stamp: Any = str(now) if is_sqlite(self.db) else now
        for with_id in (False, True):
            if not with_id and not wanted:
                # No span asks for its old id (a bulk write): one pass, no test per span.
                rows: list[tuple[Any, ...]] = [
                    (d.article_id, ann, n.layer, n.label, n.start, n.end, n.origin, stamp, stamp)
                    for d, ann in decisions
                    for n in d.add
                ]
            elif with_id and not wanted:
                continue
            else:
                rows = [
                    ((n.id,) if with_id else ())
                    + (d.article_id, ann, n.layer, n.label, n.start, n.end, n.origin, stamp, stamp)
                    for d, ann in decisions
                    for n in d.add
                    if (n.id is not None and n.id not in taken) == with_id
                ]
            one = "(" + ", ".join([p] * (10 if with_id else 9)) + ")"
            for i in range(0, len(rows), _CHUNK):
                part = rows[i : i + _CHUNK]
                returning = (
                    ' RETURNING id, article_id, annotator_id, layer, label, start, "end", origin'
                    if spans_back
                    else ""
                )
                cursor.execute(
                    f"INSERT INTO span ({'id, ' if with_id else ''}{columns}) VALUES "
                    + ", ".join([one] * len(part))
                    + returning,
                    list(itertools.chain.from_iterable(part)),
                )
                if not spans_back:
                    continue
                for sid, aid, ann, layer, label, start, end, origin in cursor.fetchall():
                    out[(aid, ann, layer, label, start, end)] = Span(
                        sid, aid, names[ann], layer, label, start, end, origin
                    )
        return out

    def _pair_rows(self, sql: str, pairs: Sequence[tuple[int, int]]) -> Iterable[tuple[Any, ...]]:
        """Rows of ``sql`` (selecting article_id, annotator_id first, with ``{articles}`` and
        ``{annotators}`` to fill) for the given pairs, in chunks of articles."""
        p = self.db.param
        wanted = set(pairs)
        annotators = sorted({b for _, b in pairs})
        articles = sorted({a for a, _ in pairs})
        cursor = self.db.cursor()
        for i in range(0, len(articles), _CHUNK):
            part = articles[i : i + _CHUNK]
            cursor.execute(
                sql.format(
                    articles=", ".join([p] * len(part)), annotators=", ".join([p] * len(annotators))
                ),
                [*part, *annotators],
            )
            for row in cursor.fetchall():
                if (row[0], row[1]) in wanted:
                    yield row

    def _docs_of(self, pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], dict[str, str]]:
        out: dict[tuple[int, int], dict[str, str]] = {}
        for aid, ann, key, value in self._pair_rows(
            "SELECT article_id, annotator_id, key, value FROM doc_label"
            " WHERE article_id IN ({articles}) AND annotator_id IN ({annotators})",
            pairs,
        ):
            out.setdefault((aid, ann), {})[key] = value
        return out

    def _progress_of(
        self, pairs: Sequence[tuple[int, int]]
    ) -> dict[tuple[int, int], tuple[str, str, float]]:
        return {
            (aid, ann): (status, note, seconds)
            for aid, ann, status, note, seconds in self._pair_rows(
                "SELECT article_id, annotator_id, status, note, seconds FROM progress"
                " WHERE article_id IN ({articles}) AND annotator_id IN ({annotators})",
                pairs,
            )
        }

    def _write_docs(self, writes: dict[tuple[int, int, str], tuple[str | None, str]]) -> None:
        """Each document label's last value in the call and its origin: gone when the value
        is None, else upserted."""
        if not writes:
            return
        p = self.db.param
        cursor = self.db.cursor()
        now = _now()
        gone = [key for key, (value, _) in writes.items() if value is None]
        if gone:
            cursor.executemany(
                f"DELETE FROM doc_label WHERE article_id = {p} AND annotator_id = {p}"
                f" AND key = {p}",
                gone,
            )
        kept = [
            (*key, value, origin, now, now)
            for key, (value, origin) in writes.items()
            if value is not None
        ]
        if kept:
            cursor.executemany(
                "INSERT INTO doc_label (article_id, annotator_id, key, value, origin,"
                f" created, updated) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p})"
                " ON CONFLICT (article_id, annotator_id, key) DO UPDATE SET"
                " value = excluded.value, origin = excluded.origin,"
                " updated = excluded.updated",
                kept,
            )

    def _write_progress(self, writes: dict[tuple[int, int], list[Any]]) -> None:
        """Each pair's last status and note, and the seconds of all its sets added up."""
        if not writes:
            return
        p = self.db.param
        now = _now()
        # The time is added by the database, inside this transaction: two windows adding
        # seconds at once both count.
        self.db.cursor().executemany(
            "INSERT INTO progress (article_id, annotator_id, status, note, seconds, updated)"
            f" VALUES ({p}, {p}, {p}, {p}, {p}, {p})"
            " ON CONFLICT (article_id, annotator_id) DO UPDATE SET status = excluded.status,"
            " note = excluded.note, seconds = progress.seconds + excluded.seconds,"
            " updated = excluded.updated",
            [
                (aid, ann, status, note, seconds, now)
                for (aid, ann), (status, note, seconds) in writes.items()
            ],
        )


def _after(stored: list[Span], decision: Decision, pending: int) -> tuple[list[Span], int]:
    """The pair's spans after ``decision``, for the next edit set of the same call; spans not
    yet inserted carry negative placeholder ids (a caller never names them)."""
    gone = {s.id for s in decision.delete}
    labels = {span.id: label for span, label in decision.relabel}
    out = [
        dataclasses.replace(s, label=labels[s.id]) if s.id in labels else s
        for s in stored
        if s.id not in gone
    ]
    for n in decision.add:
        pending -= 1
        out.append(
            Span(
                pending,
                decision.article_id,
                decision.annotator,
                n.layer,
                n.label,
                n.start,
                n.end,
                n.origin,
            )
        )
    return out, pending
