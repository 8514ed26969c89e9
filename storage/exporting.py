"""Reading a project out for export: records by keyset pages, never the whole project.

One record per article and annotator: the article, that annotator's spans, document labels
and status. Pages of :data:`PAGE` articles are read with ``id > last`` (as fast at the end
as at the start) and their labels with one range query per table, so memory stays flat
however large the project is. Raw SQL here because this is the hot path of a 100,000
article export; it runs unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import peewee as pw

from core.agreement import AgreementCounter, judgements_of
from core.agreement_report import describe_report
from core.export.pipeline import ExportProgress, ExportSummary, run_export
from core.export.records import ExportOptions, ExportRecord, ExportSelection
from core.models import STATUSES
from storage.errors import ProjectError
from storage.near_duplicates import NearDuplicateGroups, NearDuplicateProgress
from storage.part import ProjectCore, ProjectPart

PAGE = 500
#: A record's spans as one JSON array of ``[start, end, layer, label]`` (the field order of
#: :class:`ExportSpan`), each turned into a plain tuple (cheaper than millions of named
#: tuples). Text on both databases, so that json.loads reads it the same way.
_PACKED_SPANS_SQLITE = 'json_group_array(json_array(start, "end", layer, label))'
_PACKED_SPANS_PG = 'CAST(json_agg(json_build_array(start, "end", layer, label)) AS TEXT)'
_NOTHING: dict[int, list] = {}
_UNTOUCHED: tuple[Any, Any, Any] = (None, (), {})


def _no_number(_token: str) -> None:
    """NaN and Infinity (Python's json writes them into meta) are not JSON: export null."""
    return None


def stable_id(external_id: str, content_hash: str) -> str:
    """The id an export writes: the external id, else one from the content hash (which a
    re-import of the export turns into the external id, so a second export matches)."""
    return external_id or f"tandai-{content_hash[:16]}"


class Exports(ProjectPart):
    """``project.exports``; uses the project's ``db``, ``name`` and ``schema``."""

    def __init__(self, project: ProjectCore, *, near_duplicates: NearDuplicateGroups) -> None:
        super().__init__(project)
        self.near_duplicates = near_duplicates

    def _export_filter(self, selection: ExportSelection) -> tuple[str, list[object], list[int]]:
        """SQL condition on ``a`` (article) for the selection, its parameters, annotator ids."""
        p = self.db.param
        unknown = set(selection.statuses) - set(STATUSES)
        if unknown:
            raise ProjectError(f"unknown status {sorted(unknown)}; use {', '.join(STATUSES)}")
        annotator_ids: list[int] = []
        for name in selection.annotators:
            row = self.db.execute_sql(f"SELECT id FROM annotator WHERE name = {p}", (name,))
            found = row.fetchone()
            if found is None:
                raise ProjectError(f"{self.name}: no annotator called {name!r}")
            annotator_ids.append(int(found[0]))
        conds: list[str] = []
        params: list[object] = []
        if selection.langs:
            conds.append(f"a.lang IN ({', '.join([p] * len(selection.langs))})")
            params += list(selection.langs)
        if selection.sources:
            conds.append(f"a.source IN ({', '.join([p] * len(selection.sources))})")
            params += list(selection.sources)
        if selection.statuses and "todo" not in selection.statuses:
            # EXISTS, not IN (SELECT ...): SQLite would rebuild the IN list for every page.
            sub = (
                "SELECT 1 FROM progress p WHERE p.article_id = a.id AND p.status IN "
                f"({', '.join([p] * len(selection.statuses))})"
            )
            params += list(selection.statuses)
            if annotator_ids:
                sub += f" AND p.annotator_id IN ({', '.join([p] * len(annotator_ids))})"
                params += annotator_ids
            conds.append(f"EXISTS ({sub})")
        return (" AND ".join(conds) or "1 = 1"), params, annotator_ids

    def export_left_out(self, selection: ExportSelection) -> dict[str, tuple[int, int]]:
        """What the selection's statuses leave out: ``{status: (articles, spans)}`` of the
        labelled records (same annotators, languages, sources) whose status is not chosen,
        so the summary and the card can say "78 todo articles with 848 spans not exported"."""
        if not selection.statuses or set(selection.statuses) >= set(STATUSES):
            return {}
        where, params, annotator_ids = self._export_filter(replace(selection, statuses=()))
        p = self.db.param
        only = ""
        if annotator_ids:
            only = f" AND x.annotator_id IN ({', '.join([p] * len(annotator_ids))})"
        rows = self.db.execute_sql(
            "SELECT COALESCE(pr.status, 'todo'), COUNT(DISTINCT x.article_id), SUM(x.n) FROM"
            " (SELECT article_id, annotator_id, COUNT(*) AS n FROM span"
            "  GROUP BY article_id, annotator_id) x"
            " JOIN article a ON a.id = x.article_id"
            " LEFT JOIN progress pr ON pr.article_id = x.article_id"
            "  AND pr.annotator_id = x.annotator_id"
            f" WHERE {where}{only} GROUP BY COALESCE(pr.status, 'todo')",
            [*params, *annotator_ids],
        ).fetchall()
        chosen = set(selection.statuses)
        found = {status: (int(articles), int(spans)) for status, articles, spans in rows}
        return {s: found[s] for s in STATUSES if s in found and s not in chosen and found[s][1]}

    def count_export_articles(self, selection: ExportSelection) -> int:
        """How many articles an export with this selection reads (for progress)."""
        where, params, _ = self._export_filter(selection)
        row = self.db.execute_sql(f"SELECT COUNT(*) FROM article a WHERE {where}", params)
        return int(row.fetchone()[0])

    def export_records(
        self,
        selection: ExportSelection | None = None,
        *,
        page: int = PAGE,
        layers: tuple[str, ...] | None = None,
        bare: bool = False,
    ) -> Iterator[ExportRecord]:
        """Records in article-id order; within an article, by annotator name. ``layers``
        limits the spans read. ``bare``: the split's first pass, which with the groups kept
        in the project needs ids, statuses, stances and which labels a record holds, no
        more. Its records have no text or metadata, and their spans are the distinct
        (layer, label) pairs, each once at 0–0: reading 300 MB of text and 3.6 M spans'
        offsets it does not use was half of a 100,000-article split."""
        selection = selection or ExportSelection()
        where, params, annotator_ids = self._export_filter(selection)
        statuses = set(selection.statuses or STATUSES)
        p = self.db.param
        names = dict(self.db.execute_sql("SELECT id, name FROM annotator").fetchall())
        only = ""
        if annotator_ids:
            only = f" AND annotator_id IN ({', '.join([p] * len(annotator_ids))})"
        after = 0
        while True:
            body = (
                "'{}', '' FROM article a"
                if bare
                else "a.meta, t.text FROM article a JOIN article_text t ON t.article_id = a.id"
            )
            rows = self.db.execute_sql(
                "SELECT a.id, a.external_id, a.content_hash, a.title, a.url, a.source,"
                f" a.published, a.lang, {body}"
                f" WHERE a.id > {p} AND {where} ORDER BY a.id LIMIT {p}",
                [after, *params, page],
            ).fetchall()
            if not rows:
                return
            lo, hi = rows[0][0], rows[-1][0]
            labels = self._page_labels(lo, hi, only, annotator_ids, layers, bare=bare)
            for row in rows:
                yield from self._article_records(
                    row, labels, names, statuses, selection, annotator_ids
                )
            if len(rows) < page:
                return
            after = hi

    def _export_on_postgres(self) -> bool:
        return isinstance(self.db, pw.PostgresqlDatabase)

    def _page_labels(
        self,
        lo: int,
        hi: int,
        only: str,
        annotator_ids: list[int],
        layers: tuple[str, ...] | None,
        *,
        bare: bool = False,
    ) -> dict[int, dict[int, list]]:
        """``article -> annotator -> [status, spans, doc labels]`` for ids lo..hi."""
        p = self.db.param
        rng = f"article_id >= {p} AND article_id <= {p}{only}"
        args = [lo, hi, *annotator_ids]
        out: dict[int, dict[int, list]] = {}

        def entry(aid: int, ann: int) -> list:
            by_ann = out.setdefault(aid, {})
            item = by_ann.get(ann)
            if item is None:
                item = by_ann[ann] = [None, [], {}]
            return item

        for aid, ann, status in self.db.execute_sql(
            f"SELECT article_id, annotator_id, status FROM progress WHERE {rng}", args
        ).fetchall():
            entry(aid, ann)[0] = status
        layer_cond = ""
        if layers is not None:
            layer_cond = (
                f" AND layer IN ({', '.join([p] * len(layers))})" if layers else " AND 1 = 0"
            )
        # The hot loop of a large export (millions of spans). The database packs each
        # record's spans into one JSON array, and the C json parser unpacks it: one row and
        # one string per record instead of a row of six Python objects per span, which
        # halves the time of this step. Each record's spans are sorted in Python (later),
        # where text order is the same for SQLite and PostgreSQL.
        if bare:  # which labels each record holds, not where (see export_records)
            for aid, ann, layer, label in self.db.execute_sql(
                f"SELECT DISTINCT article_id, annotator_id, layer, label FROM span"
                f" WHERE {rng}{layer_cond}",
                [*args, *(layers or ())],
            ).fetchall():
                entry(aid, ann)[1].append((0, 0, layer, label))
        else:
            packed = _PACKED_SPANS_PG if self._export_on_postgres() else _PACKED_SPANS_SQLITE
            loads = json.loads
            for aid, ann, spans in self.db.execute_sql(
                f"SELECT article_id, annotator_id, {packed} FROM span WHERE {rng}{layer_cond}"
                " GROUP BY article_id, annotator_id",
                [*args, *(layers or ())],
            ).fetchall():
                entry(aid, ann)[1] = list(map(tuple, loads(spans)))
        for aid, ann, key, value in self.db.execute_sql(
            f"SELECT article_id, annotator_id, key, value FROM doc_label WHERE {rng}", args
        ).fetchall():
            entry(aid, ann)[2][key] = value
        return out

    def _article_records(
        self,
        row: tuple,
        labels: dict[int, dict[int, list]],
        names: dict[int, str],
        statuses: set[str],
        selection: ExportSelection,
        annotator_ids: list[int],
    ) -> Iterator[ExportRecord]:
        aid, external_id, chash, title, url, source, published, lang, meta, text = row
        mine: dict[Any, list] = labels.get(aid, _NOTHING)
        anns: list[int | None] = list(annotator_ids or mine)
        if not anns and "todo" in statuses:
            anns = [None]  # nobody has touched it: one record without an annotator
        elif len(anns) > 1:
            anns = sorted(set(anns), key=lambda a: "" if a is None else names[a])
        uid = stable_id(external_id, chash)
        data = {} if meta in ("{}", "", None) else json.loads(meta, parse_constant=_no_number)
        for ann in anns:
            status, spans, docs = mine.get(ann, _UNTOUCHED)
            status = status or "todo"
            if status not in statuses:
                continue
            # Positional: the field order of ExportRecord (a keyword call costs more).
            yield ExportRecord(
                aid,
                uid,
                text,
                title,
                url,
                source,
                published,
                lang,
                data,
                None if ann is None else names[ann],
                status,
                tuple(sorted(spans)),  # (start, end, layer, label)
                dict(sorted(docs.items())) if len(docs) > 1 else dict(docs),
            )

    def export_dataset(
        self,
        out: Path | str,
        options: ExportOptions,
        *,
        on_progress: Callable[[ExportProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> ExportSummary:
        """Write an export into folder ``out`` (see :mod:`core.export.pipeline`)."""
        selection = options.selection
        total = self.count_export_articles(selection)
        groups = None
        if options.split and options.group_near_duplicates:
            # Articles the background has not grouped yet are grouped now (kept, like the
            # catch-up would); the split then reads groups instead of hashing every text.
            def grouping(p: NearDuplicateProgress) -> None:
                if on_progress:
                    on_progress(ExportProgress("group", p.done, p.total))

            self.near_duplicates.update_near_duplicates(
                on_progress=grouping, should_stop=should_stop
            )
            groups = self.near_duplicates.near_duplicate_group_ids
        # The card gives the agreement of the annotators the export holds, counted as the
        # records go by (their done records only, as `tandai agreement` counts).
        agreement = AgreementCounter(None)

        def on_article(records: Sequence[ExportRecord]) -> None:
            if len(records) > 1:
                agreement.add(judgements_of(records))

        def agreement_text() -> str:
            report = agreement.report()
            return describe_report(report) if report.articles else ""

        return run_export(
            lambda: self.export_records(selection),
            Path(out),
            options,
            # The plan reads the project's groups, so it needs no text (nor boilerplate).
            scan=lambda: self.export_records(selection, layers=("entity",), bare=True),
            groups=groups,
            project=Path(self.name).stem if "://" not in self.name else self.name,
            entity_labels=[e.name for e in self.project.schema().entity_labels],
            license=self.project.get_setting("license", "unknown"),
            left_out=self.export_left_out(selection),
            label_definitions={e.name: e.description for e in self.project.schema().entity_labels},
            total=total,
            on_progress=on_progress,
            should_stop=should_stop,
            on_article=on_article,
            agreement_text=agreement_text,
        )
