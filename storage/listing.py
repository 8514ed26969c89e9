"""The article list sorted by any column, one page at a time, fast at a million articles.

``Project.list_articles`` pages in id order. The GUI list also sorts by title, source,
language, status and label count, and it must stay quick on the last page of a million rows,
so every order here is paged by *keyset* (``(key, id) > (last key, last id)``), never by
``OFFSET``, which gets slower with depth (DESIGN.md: 0.1 ms against 6–123 ms at 70,000).

Orders whose key is not a plain column are split into *segments* that each page by keyset:

- status: the ``todo`` articles, then ``done``, ``skipped``, ``flagged``, each in id order
  (status is a per-annotator fact kept in ``progress``, absent for ``todo``);
- label count: the articles without a label of the annotator in id order, then the labelled
  ones by (count, id), counted over the annotator's spans (a cost that grows with the work
  done, not with the size of the corpus);
- language: articles still waiting for detection (``NULL``) first, then by (lang, id);
- uncertainty: the articles the learned model has no figure for in id order, then the others
  by (uncertainty, id) under the model that orders "most uncertain first".

Descending is the exact reverse of ascending. A page is returned with a :class:`ListCursor`
to continue from; ``None`` means the list is exhausted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import peewee as pw

from core.models import STATUSES, ArticleSummary
from core.query import ArticleFilter
from storage.part import ProjectPart
from storage.search import TextWindow

if TYPE_CHECKING:
    from storage.near_duplicates import NearDuplicateGroups
    from storage.part import ProjectCore
    from storage.text_search import TextSearch
    from storage.uncertainty_order import UncertaintyOrder

SORT_KEYS = ("id", "title", "source", "lang", "status", "labels", "unsure")
#: Index hits read for the first window of an id-ordered page of a free-text filter.
TEXT_WINDOW = 1_000
#: Titles are sorted by their first characters: the same expression is indexed (migration 3),
#: and a bounded key keeps PostgreSQL's b-tree happy with pathological multi-kB titles.
TITLE_SORT_CHARS = 200


@dataclass(frozen=True, slots=True)
class ListCursor:
    """Where the next page starts: the segment, and the last (key, id) seen in it."""

    segment: int
    key: Any
    last_id: int


@dataclass(frozen=True, slots=True)
class _Segment:
    condition: pw.Expression | None  # which articles belong to it (beside the filter)
    key: pw.Node | None  # sort key before id; None: id order only
    #: "labels": the label-count segment (key from the span aggregate); "unsure": the
    #: articles the ordering model has an uncertainty for (key from that table); "": none.
    joined: str = ""


class Listing(ProjectPart):
    """``project.listing``: the sorted article list; uses the project's article filter."""

    def __init__(
        self,
        project: ProjectCore,
        *,
        ordering: UncertaintyOrder,
        near_duplicates: NearDuplicateGroups,
        text_search: TextSearch,
    ) -> None:
        super().__init__(project)
        self.ordering = ordering
        self.near_duplicates = near_duplicates
        self.text_search = text_search

    # ---- public API ----------------------------------------------------------------------

    def list_sorted(
        self,
        flt: ArticleFilter | None = None,
        *,
        sort: str = "id",
        descending: bool = False,
        after: ListCursor | None = None,
        limit: int = 200,
    ) -> tuple[list[ArticleSummary], ListCursor | None]:
        """One page of the filtered list in the order ``sort``; and where the next one starts.

        Status and label count are those of ``flt.annotator`` (of anyone without one; then
        sorting by status lists an article once per status it has from different people).
        """
        if sort not in SORT_KEYS:
            raise ValueError(f"unknown sort key {sort!r}; use one of {', '.join(SORT_KEYS)}")
        flt = flt or ArticleFilter()
        segments = self._segments(flt, sort)
        if descending:
            segments = segments[::-1]
        ids: list[int] = []
        cursor = after
        index = after.segment if after else 0
        while index < len(segments) and len(ids) < limit:
            seg = segments[index]
            resume = cursor if cursor and cursor.segment == index else None
            rows = self._segment_page(flt, seg, descending, resume, limit - len(ids))
            ids.extend(r[0] for r in rows)
            if rows:
                cursor = ListCursor(index, rows[-1][1], rows[-1][0])
            if len(ids) < limit:
                index += 1
                cursor = ListCursor(index, None, 0) if index < len(segments) else None
        if len(ids) < limit:
            cursor = None
        return self.summaries(ids, annotator=flt.annotator), cursor

    def summaries(self, ids: list[int], *, annotator: str | None) -> list[ArticleSummary]:
        """List rows of these articles, in the order given (unknown ids are left out)."""
        if not ids:
            return []
        a, p, s = self.m.Article, self.m.Progress, self.m.Span
        rows = {
            r[0]: r
            for r in a.select(a.id, a.external_id, a.title, a.source, a.lang)
            .where(a.id.in_(ids))
            .tuples()
        }
        pq = p.select(p.article, p.status).where(p.article.in_(ids))
        sq = s.select(s.article, pw.fn.COUNT(s.id)).where(s.article.in_(ids))
        if annotator:
            ann = self.project.annotator_id(annotator)
            pq, sq = pq.where(p.annotator == ann), sq.where(s.annotator == ann)
        else:  # anyone's: the furthest status wins, as in the status filter
            pq = pq.where(p.status != "todo")
        statuses = {aid: st for aid, st in pq.tuples()}
        counts = dict(sq.group_by(s.article).tuples())
        near = self.near_duplicates.near_duplicate_counts(ids)
        unsure = self.ordering.ordering_uncertainties(ids)
        return [
            ArticleSummary(
                id=r[0],
                external_id=r[1],
                title=r[2],
                source=r[3],
                lang=r[4],
                status=statuses.get(r[0], "todo"),
                label_count=counts.get(r[0], 0),
                near_duplicates=near.get(r[0], 0),
                uncertainty=unsure.get(r[0]),
            )
            for r in (rows.get(i) for i in ids)
            if r is not None
        ]

    def distinct_values(self, column: str) -> list[str]:
        """Sorted distinct non-NULL values of ``source`` or ``lang`` for the filter menus.

        A skip-scan: one index seek per distinct value instead of reading the whole index
        (``SELECT DISTINCT`` takes ~30 ms at a million articles; this well under 1 ms for
        dozens of sources). Same SQL on SQLite and PostgreSQL.
        """
        if column not in ("source", "lang"):
            raise ValueError(f"no fast distinct values for {column!r}")
        sql = (
            f"WITH RECURSIVE v(x) AS (SELECT (SELECT MIN({column}) FROM article) UNION ALL "
            f"SELECT (SELECT MIN({column}) FROM article WHERE {column} > v.x) FROM v "
            "WHERE v.x IS NOT NULL) SELECT x FROM v WHERE x IS NOT NULL"
        )
        return [row[0] for row in self.db.execute_sql(sql).fetchall()]

    def label_usage(self) -> dict[tuple[str, str], int]:
        """Spans per (layer, label), all annotators: what a schema change would orphan."""
        s = self.m.Span
        rows = s.select(s.layer, s.label, pw.fn.COUNT(s.id)).group_by(s.layer, s.label).tuples()
        return {(layer, label): n for layer, label, n in rows}

    def doc_label_usage(self) -> dict[tuple[str, str], int]:
        """Document labels per (key, value), all annotators (e.g. ``("stance:main", "favour")``)."""
        d = self.m.DocLabel
        rows = d.select(d.key, d.value, pw.fn.COUNT(d.id)).group_by(d.key, d.value).tuples()
        return {(key, value): n for key, value, n in rows}

    # ---- segments ------------------------------------------------------------------------

    def _segments(self, flt: ArticleFilter, sort: str) -> list[_Segment]:
        a = self.m.Article
        if sort == "title":
            key = pw.fn.substr(a.title, pw.SQL("1"), pw.SQL(str(TITLE_SORT_CHARS)))
            return [_Segment(None, key)]
        if sort == "source":
            return [_Segment(None, a.source)]
        if sort == "lang":
            return [_Segment(a.lang.is_null(), None), _Segment(a.lang.is_null(False), a.lang)]
        if sort == "status":
            return [
                _Segment(
                    self.project.status_condition(ArticleFilter(statuses=(st,), annotator=ann)),
                    None,
                )
                for st in STATUSES
                for ann in [flt.annotator]
            ]
        if sort == "labels":
            return [
                _Segment(a.id.not_in(self._labelled_ids(flt.annotator)), None),
                _Segment(None, None, joined="labels"),
            ]
        if sort == "unsure":
            # Articles the model has no figure for (done before it was trained, or no model)
            # come first ascending, last descending: "most uncertain first" starts with a figure.
            figured = self.ordering.ordering_uncertainty_rows(ids_only=True)
            return [
                _Segment(a.id.not_in(figured), None),
                _Segment(None, None, joined="unsure"),
            ]
        return [_Segment(None, None)]

    def _labelled_ids(self, annotator: str | None) -> pw.ModelSelect:
        s = self.m.Span
        query = s.select(s.article)
        if annotator:
            query = query.where(s.annotator == self.project.annotator_id(annotator))
        return query

    def _segment_page(
        self,
        flt: ArticleFilter,
        seg: _Segment,
        descending: bool,
        resume: ListCursor | None,
        limit: int,
    ) -> list[tuple[int, Any]]:
        """``(id, key)`` rows of one segment after ``resume``, in order."""
        if seg.key is None and not seg.joined and flt.text.strip():
            windowed = self._text_windows(flt, seg, descending, resume, limit)
            if windowed is not None:
                return windowed
        return self._segment_rows(flt, seg, descending, resume, limit)

    def _text_windows(
        self,
        flt: ArticleFilter,
        seg: _Segment,
        descending: bool,
        resume: ListCursor | None,
        limit: int,
    ) -> list[tuple[int, Any]] | None:
        """An id-ordered page of a free-text filter, read window by window of index hits
        (growing fourfold while other filters leave the page short), so that a word in
        most articles does not make SQLite gather all its hits for one page."""
        if resume is not None and resume.last_id:
            start = resume.last_id
        else:
            start = (1 << 62) if descending else 0
        windows = self.text_search.windows(
            flt, start, TEXT_WINDOW, descending=descending, condition=seg.condition
        )
        if windows is None:
            return None
        rows: list[tuple[int, Any]] = []
        for window in windows:
            cursor = ListCursor(0, None, rows[-1][0]) if rows else resume
            rows += self._segment_rows(flt, seg, descending, cursor, limit - len(rows), window)
            if len(rows) >= limit:
                break
        return rows

    def _segment_rows(
        self,
        flt: ArticleFilter,
        seg: _Segment,
        descending: bool,
        resume: ListCursor | None,
        limit: int,
        text_ids: TextWindow | None = None,
    ) -> list[tuple[int, Any]]:
        a = self.m.Article
        query = self.project.filtered(flt, text_ids=text_ids)
        if seg.condition is not None:
            query = query.where(seg.condition)
        key: Any = seg.key
        if seg.joined == "unsure":
            unsure = self.ordering.ordering_uncertainty_rows().alias("uc")
            query = query.join(unsure, on=(unsure.c.aid == a.id))
            key = unsure.c.value
        if seg.joined == "labels":
            s = self.m.Span
            counts = s.select(s.article.alias("aid"), pw.fn.COUNT(s.id).alias("n"))
            if flt.annotator:
                counts = counts.where(s.annotator == self.project.annotator_id(flt.annotator))
            counts = counts.group_by(s.article).alias("lc")
            query = query.join(counts, on=(counts.c.aid == a.id))
            key = counts.c.n
        started = (
            resume if resume is not None and (resume.key is not None or resume.last_id) else None
        )
        if key is None:
            query = query.select(a.id, pw.Value(None))
            if started:
                query = query.where(
                    a.id < started.last_id if descending else a.id > started.last_id
                )
            order = [a.id.desc() if descending else a.id]
        else:
            query = query.select(a.id, key)
            if started:
                # (key, id) > (k, i), spelled so that the planner sees a range on the key
                # (SQLite scans the whole index for a row-value comparison on an expression).
                k, i = started.key, started.last_id
                if seg.joined == "unsure":
                    # The column is single precision on PostgreSQL (REAL): compared with the
                    # double read back from it, the row itself would count as after itself.
                    k = pw.Cast(pw.Value(k), "real")
                if descending:
                    query = query.where(key <= k, (key < k) | (a.id < i))
                else:
                    query = query.where(key >= k, (key > k) | (a.id > i))
            order = [key.desc(), a.id.desc()] if descending else [key, a.id]
        rows: Any = query.order_by(*order).limit(limit).tuples()
        return list(rows)
