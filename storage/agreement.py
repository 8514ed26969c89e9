"""Gathering judgements for agreement and adjudication: only finished work, set-based.

An annotator's labels of an article are a judgement only when the article is ``done`` for
them, so every query here joins ``progress`` on ``status = 'done'``. Articles stream in id
ranges (a page of ids, then three queries for that range: spans packed per annotator as one
JSON array, document labels, texts when asked), so a project of any size is read with
bounded memory and the caller can report progress and stop between pages.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import peewee as pw

from core.agreement import (
    LAYER_NAMES,
    AgreementCounter,
    ArticleJudgements,
    EntityCodes,
    Judgement,
)
from core.agreement_report import AgreementReport
from storage.errors import ProjectError
from storage.part import ProjectPart

if TYPE_CHECKING:
    pass

#: The annotator adjudicated labels are stored under; left out of agreement unless named.
GOLD = "gold"
PAGE = 1000
#: An annotator's spans of one layer in an article as one JSON array of [start, end, label].
_PACKED_SQLITE = 'json_group_array(json_array(start, "end", label))'
_PACKED_PG = 'CAST(json_agg(json_build_array(start, "end", label)) AS TEXT)'


@dataclass(frozen=True, slots=True)
class JudgementProgress:
    done: int
    total: int


class AgreementFigures(ProjectPart):
    """Agreement figures, a piece of ``project.agreement``: reads only."""

    def agreement_annotators(self, names: Sequence[str] | None = None) -> list[str]:
        """The named annotators (each must exist), or every annotator but ``gold`` who has
        finished at least one article."""
        known = self.project.annotators()
        if not names:
            finished = {
                row[0]
                for row in self.db.execute_sql(
                    "SELECT DISTINCT a.name FROM annotator a WHERE EXISTS (SELECT 1 FROM"
                    " progress p WHERE p.annotator_id = a.id AND p.status = 'done')"
                ).fetchall()
            }
            return [a for a in known if a != GOLD and a in finished]
        missing = [n for n in names if n not in known]
        if missing:
            raise ProjectError(
                f"{self.name}: no annotator called {', '.join(map(repr, missing))} "
                f"(annotators: {', '.join(known) or 'none'})"
            )
        return sorted(set(names))

    def entity_codes(self) -> EntityCodes:
        """Codes for the schema's labels and boilerplate kinds, which the database can then
        write itself (a label not in the schema gets its code as it turns up)."""
        schema = self.project.schema()
        return EntityCodes([*(e.name for e in schema.entity_labels), *schema.boilerplate_kinds])

    def _finishers(self, ids: dict[int, str], min_finishers: int) -> dict[int, list[int]]:
        p = self.db.param
        rows = self.db.execute_sql(
            "SELECT article_id, annotator_id FROM progress WHERE status = 'done'"
            f" AND annotator_id IN ({', '.join([p] * len(ids))})",
            list(ids),
        ).fetchall()
        by_article: dict[int, list[int]] = {}
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
    ) -> Iterator[ArticleJudgements]:
        """Every article finished by at least ``min_finishers`` of ``annotators``, in id
        order, with the labels of those who finished it. With ``codes`` the entities come
        as :class:`EntityCodes` strings (``coded`` articles), joined by the database."""
        wanted = set(annotators)
        ids: dict[int, str] = {
            aid: name
            for aid, name in self.db.execute_sql("SELECT id, name FROM annotator").fetchall()
            if name in wanted
        }
        if not ids:
            return
        finishers = self._finishers(ids, min_finishers)
        order = sorted(finishers)
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
            for aid in chunk:
                by = {
                    ids[ann]: Judgement(
                        entities.get((aid, ann), empty),
                        boilerplate.get((aid, ann), empty),
                        docs.get((aid, ann), {}),
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
        the database cannot code (a label without a code yet, nine-digit offsets) leaves a
        count that does not match the keys, and that annotator's layer is read again."""
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
            joined = (
                f"group_concat({coded}, ',')"
                if sqlite
                else f"string_agg(CAST({coded} AS TEXT), ',')"
            )
            columns += [joined, f"COUNT(CASE WHEN layer = '{layer}' THEN 1 END)"]
        among = f"({', '.join([p] * len(ids))})"
        out: dict[str, dict[tuple[int, int], frozenset]] = {layer: {} for layer in layers}
        recount: list[tuple[str, int, int]] = []
        decode = codes.decode
        for row in self.db.execute_sql(
            f"SELECT article_id, annotator_id, {', '.join(columns)} FROM span"
            f" WHERE article_id >= {p} AND article_id <= {p}"
            f" AND annotator_id + 0 IN {among} GROUP BY article_id, annotator_id",
            [*(list(numbers) * len(layers)), chunk[0], chunk[-1], *ids],
        ).fetchall():
            aid, ann = row[0], row[1]
            if (aid, ann) not in done:
                continue
            for n, layer in enumerate(layers):
                packed, count = row[2 + 2 * n], row[3 + 2 * n]
                if not count:
                    continue
                keys = frozenset(packed.split(",")) if packed else frozenset()
                if len(keys) != count:
                    recount.append((layer, aid, ann))
                elif layer == "entity":
                    out[layer][aid, ann] = keys
                else:
                    out[layer][aid, ann] = frozenset(map(decode, keys))
        for layer, aid, ann in recount:
            spans = self.db.execute_sql(
                f'SELECT start, "end", label FROM span WHERE article_id = {p}'
                f" AND annotator_id = {p} AND layer = {p}",
                [aid, ann, layer],
            ).fetchall()
            tuples = frozenset(map(tuple, spans))
            out[layer][aid, ann] = codes.encode(tuples) if layer == "entity" else tuples
        return out

    def article_judgements(
        self, article_id: int, annotators: Sequence[str] | None = None
    ) -> ArticleJudgements:
        """One article's judgements (and text): what the review mode opens. ``annotators``:
        default every annotator but gold."""
        names = set(annotators) if annotators else None
        p = self.db.param
        rows = self.db.execute_sql(
            "SELECT a.id, a.name FROM progress g JOIN annotator a ON a.id = g.annotator_id"
            f" WHERE g.article_id = {p} AND g.status = 'done'",
            [article_id],
        ).fetchall()
        ids = {
            aid: name
            for aid, name in rows
            if (names is None and name != GOLD) or (names is not None and name in names)
        }
        spans: dict[int, tuple[set[tuple[int, int, str]], set[tuple[int, int, str]]]] = {
            aid: (set(), set()) for aid in ids
        }
        for aid, layer, label, start, end in self.db.execute_sql(
            f'SELECT annotator_id, layer, label, start, "end" FROM span WHERE article_id = {p}',
            [article_id],
        ).fetchall():
            if aid in spans and layer in ("entity", "boilerplate"):
                spans[aid][layer == "boilerplate"].add((start, end, label))
        docs: dict[int, dict[str, str]] = {aid: {} for aid in ids}
        for aid, key, value in self.db.execute_sql(
            f"SELECT annotator_id, key, value FROM doc_label WHERE article_id = {p}",
            [article_id],
        ).fetchall():
            if aid in docs:
                docs[aid][key] = value
        text = self.db.execute_sql(
            f"SELECT text FROM article_text WHERE article_id = {p}", [article_id]
        ).fetchone()
        by = {
            name: Judgement(frozenset(spans[aid][0]), frozenset(spans[aid][1]), docs[aid])
            for aid, name in ids.items()
        }
        return ArticleJudgements(article_id, by, text[0] if text else None)

    def agreement(
        self,
        annotators: Sequence[str] | None = None,
        *,
        layers: Iterable[str] = LAYER_NAMES,
        token_alpha: bool = False,
        on_progress: Callable[[JudgementProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> AgreementReport:
        """Agreement of ``annotators`` (default: all but gold) over their finished work."""
        names = self.agreement_annotators(annotators)
        counter = AgreementCounter(names, layers=layers, token_alpha=token_alpha)
        counter.codes = self.entity_codes()
        span_layers = [layer for layer in ("entity", "boilerplate") if layer in counter.layers]
        for article in self.judgements(
            names,
            span_layers=span_layers,
            texts=counter.needs_text,
            on_progress=on_progress,
            should_stop=should_stop,
            codes=counter.codes,
        ):
            counter.add(article)
        return counter.report()
