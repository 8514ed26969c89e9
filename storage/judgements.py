"""Reading judgements for agreement and adjudication: only finished work, set-based.

An annotator's labels of an article are a judgement only when the article is ``done`` for
them, so only (article, annotator) pairs whose progress says ``done`` are handed over.
Articles stream in id ranges (a page of ids, then a query per kind of row for that range:
spans packed per annotator, document labels, texts when asked), so a project of any size is
read with bounded memory and the caller can report progress and stop between pages.

:class:`JudgementReader` needs nothing but the database connection, so a worker process
counting a part of the project (:mod:`storage.agreement_split`) reads with it too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import peewee as pw

from core.agreement import ArticleJudgements, Judgement
from core.entity_codes import EntityCodes

PAGE = 1000
#: An annotator's spans of one layer in an article as one JSON array of [start, end, label].
_PACKED_SQLITE = 'json_group_array(json_array(start, "end", label))'
_PACKED_PG = 'CAST(json_agg(json_build_array(start, "end", label)) AS TEXT)'


@dataclass(frozen=True, slots=True)
class JudgementProgress:
    done: int
    total: int


#: Article id -> ids of the annotators who finished it.
Finishers = dict[int, list[int]]


class JudgementReader:
    """Reads the judgements of a project's database (reads only)."""

    def __init__(self, db: pw.Database) -> None:
        self.db = db

    def annotator_ids(self, annotators: Iterable[str]) -> dict[int, str]:
        """Id -> name of the named annotators that exist."""
        wanted = set(annotators)
        return {
            aid: name
            for aid, name in self.db.execute_sql("SELECT id, name FROM annotator").fetchall()
            if name in wanted
        }

    def finishers(self, ids: dict[int, str], min_finishers: int) -> Finishers:
        """The articles at least ``min_finishers`` of the annotators ``ids`` finished."""
        if not ids:
            return {}
        p = self.db.param
        rows = self.db.execute_sql(
            "SELECT article_id, annotator_id FROM progress WHERE status = 'done'"
            f" AND annotator_id IN ({', '.join([p] * len(ids))})",
            list(ids),
        ).fetchall()
        by_article: Finishers = {}
        for article_id, annotator_id in rows:
            by_article.setdefault(article_id, []).append(annotator_id)
        return {a: anns for a, anns in by_article.items() if len(anns) >= min_finishers}

    def judgements(
        self,
        annotators: Sequence[str],
        *,
        span_layers: Iterable[str] = ("entity", "boilerplate"),
        texts: bool = False,
        min_finishers: int = 2,
        on_progress: Callable[[JudgementProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        page: int = PAGE,
        codes: EntityCodes | None = None,
        id_range: tuple[int, int] | None = None,
        finished: Finishers | None = None,
    ) -> Iterator[ArticleJudgements]:
        """Every article finished by at least ``min_finishers`` of ``annotators``, in id
        order, with the labels of those who finished it. With ``codes`` the entities come
        as :class:`EntityCodes` strings (``coded`` articles), joined by the database.
        ``id_range``: only articles ``lo <= id < hi``. ``finished``: what
        :meth:`finishers` gives, when the caller has it already."""
        ids = self.annotator_ids(annotators)
        if not ids:
            return
        finishers = self.finishers(ids, min_finishers) if finished is None else finished
        order = sorted(finishers)
        if id_range is not None:
            lo, hi = id_range
            order = [aid for aid in order if lo <= aid < hi]
        layers = list(span_layers)
        p = self.db.param
        packed = _PACKED_SQLITE if isinstance(self.db, pw.SqliteDatabase) else _PACKED_PG
        loads = json.loads
        # The article-id range is what the SQL searches by: given a plain annotator or a
        # status condition (or a join on progress) SQLite, which has no statistics, picks
        # the annotator or status index and reads every row of the project for each page.
        # "annotator_id + 0" filters without offering that index; who finished what is
        # filtered here.
        among = f"({', '.join([p] * len(ids))})"
        for first in range(0, len(order), page):
            if should_stop is not None and should_stop():
                return
            chunk = order[first : first + page]
            lo, hi = chunk[0], chunk[-1]
            done = {(aid, ann) for aid in chunk for ann in finishers[aid]}
            spans: dict[str, dict[tuple[int, int], frozenset]] = {}
            if codes is not None and "entity" in layers:
                spans = self._coded_spans(
                    chunk, done, ids, codes, boilerplate="boilerplate" in layers
                )
            for layer in layers:
                if layer in spans:
                    continue
                # One C-level step from JSON to a set of (start, end, label) tuples.
                spans[layer] = mine = {}
                for aid, ann, packed_spans in self.db.execute_sql(
                    f"SELECT article_id, annotator_id, {packed} FROM span"
                    f" WHERE article_id >= {p} AND article_id <= {p} AND layer = {p}"
                    f" AND annotator_id + 0 IN {among} GROUP BY article_id, annotator_id",
                    [lo, hi, layer, *ids],
                ).fetchall():
                    if (aid, ann) in done:
                        mine[aid, ann] = frozenset(map(tuple, loads(packed_spans)))
            docs: dict[tuple[int, int], dict[str, str]] = {}
            for aid, ann, key, value in self.db.execute_sql(
                "SELECT article_id, annotator_id, key, value FROM doc_label"
                f" WHERE article_id >= {p} AND article_id <= {p} AND annotator_id + 0 IN {among}",
                [lo, hi, *ids],
            ).fetchall():
                if (aid, ann) in done:
                    docs.setdefault((aid, ann), {})[key] = value
            bodies: dict[int, str] = {}
            if texts:
                bodies = dict(
                    self.db.execute_sql(
                        "SELECT article_id, text FROM article_text"
                        f" WHERE article_id >= {p} AND article_id <= {p}",
                        [lo, hi],
                    ).fetchall()
                )
            empty: frozenset = frozenset()
            entities = spans.get("entity", {})
            boilerplate = spans.get("boilerplate", {})
            no_docs: dict[str, str] = {}
            for aid in chunk:
                by = {
                    ids[ann]: Judgement(
                        entities.get((aid, ann), empty),
                        boilerplate.get((aid, ann), empty),
                        docs.get((aid, ann), no_docs),
                    )
                    for ann in finishers[aid]
                }
                yield ArticleJudgements(aid, by, bodies.get(aid), coded=codes is not None)
            if on_progress is not None:
                on_progress(JudgementProgress(first + len(chunk), len(order)))

    def _coded_spans(
        self,
        chunk: list[int],
        done: set[tuple[int, int]],
        ids: dict[int, str],
        codes: EntityCodes,
        *,
        boilerplate: bool,
    ) -> dict[str, dict[tuple[int, int], frozenset]]:
        """Each finisher's spans of the articles ``chunk[0]..chunk[-1]`` in one pass over
        their rows (a query per layer would read every row again). Entities come as
        :class:`EntityCodes` keys, which the database computes as numbers and joins with
        commas, so Python splits one string per annotator and article and makes no tuple
        per span; boilerplate the same way, decoded to tuples (a few per article). A span
        the database cannot code (a label without a code yet, nine-digit offsets) is left
        out of the joined keys, so the keys fall short of the row count, and that
        annotator's spans of the article are read again as rows."""
        p = self.db.param
        numbers = codes.sql_codes()
        sqlite = isinstance(self.db, pw.SqliteDatabase)
        limit = EntityCodes.OFFSET_LIMIT
        start = "start" if sqlite else "CAST(start AS BIGINT)"  # PostgreSQL: int4 * int4
        if numbers:
            case = "CASE label " + " ".join(
                f"WHEN {p} THEN {code * 10**16}" for code in numbers.values()
            )
            # An unknown label makes the CASE NULL, and the key with it: left out.
            key = f'{case} END + {start} * {limit} + "end"'
        else:
            key = "NULL"
        layers = ["entity", "boilerplate"] if boilerplate else ["entity"]
        columns = []
        for layer in layers:
            coded = f"CASE WHEN layer = '{layer}' AND \"end\" < {limit} THEN {key} END"
            columns.append(
                f"group_concat({coded}, ',')"
                if sqlite
                else f"string_agg(CAST({coded} AS TEXT), ',')"
            )
        # One count of the rows of both layers (a count per layer costs a CASE per row).
        among = f"({', '.join([p] * len(ids))})"
        of_layers = ", ".join([p] * len(layers))
        out: dict[str, dict[tuple[int, int], frozenset]] = {layer: {} for layer in layers}
        recount: list[tuple[int, int]] = []
        decode = codes.decode
        for row in self.db.execute_sql(
            f"SELECT article_id, annotator_id, {', '.join(columns)}, COUNT(*) FROM span"
            f" WHERE article_id >= {p} AND article_id <= {p} AND layer IN ({of_layers})"
            f" AND annotator_id + 0 IN {among} GROUP BY article_id, annotator_id",
            [*(list(numbers) * len(layers)), chunk[0], chunk[-1], *layers, *ids],
        ).fetchall():
            aid, ann = row[0], row[1]
            if (aid, ann) not in done:
                continue
            got = [frozenset(packed.split(",")) if packed else frozenset() for packed in row[2:-1]]
            if sum(map(len, got)) != row[-1]:
                recount.append((aid, ann))
                continue
            if got[0]:
                out["entity"][aid, ann] = got[0]
            if boilerplate and got[1]:
                # A few a row: a call per key costs less than a dict of them.
                out["boilerplate"][aid, ann] = frozenset(map(decode, got[1]))
        for aid, ann in recount:
            rows = self.db.execute_sql(
                f'SELECT layer, start, "end", label FROM span WHERE article_id = {p}'
                f" AND annotator_id = {p} AND layer IN ({of_layers})",
                [aid, ann, *layers],
            ).fetchall()
            for layer in layers:
                tuples = frozenset((s, e, label) for lay, s, e, label in rows if lay == layer)
                if tuples:
                    out[layer][aid, ann] = codes.encode(tuples) if layer == "entity" else tuples
        return out
