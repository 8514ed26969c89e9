"""Finding articles by the words they hold (``project.text_search``).

The condition a free-text filter adds to the article query (every word, the last as a
prefix, through SQLite's FTS5 index or PostgreSQL's text search), and the windows of index
hits that let one page of a common word's list read a few hundred hits instead of all of
them. The article query itself (``Project.filtered``) and the list's paging
(:mod:`storage.listing`) use these; the index is built by :mod:`storage.search_index`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import peewee as pw

from core.query import ArticleFilter
from core.text import has_unspaced_script
from storage import index_terms
from storage.database import is_sqlite
from storage.part import ProjectPart
from storage.search import (
    CANDIDATES_A_WINDOW,
    FEW_CANDIDATES,
    HITS_A_SEEK,
    MAX_IDS_WINDOW,
    TEXT_SAMPLE,
    TextWindow,
    fts_match_expression,
    search_terms,
    tsquery_expression,
)


class TextSearch(ProjectPart):
    """``project.text_search``: free-text conditions and windows of index hits."""

    def condition(self, text: str, ids: TextWindow | None = None) -> pw.Expression:
        """Every word of ``text`` must occur (the last one as a prefix), in title or text."""
        a, t = self.m.Article, self.m.ArticleText
        words = search_terms(text)
        unspaced = [w for w in words if has_unspaced_script(w)]
        spaced = " ".join(w for w in words if not has_unspaced_script(w))
        cond: Any = self._index_condition(spaced, ids) if spaced or not unspaced else None
        for word in unspaced:
            # The index keeps a run of Han, kana or Thai as one token, so a word inside it
            # is found only by reading the texts: slower, but it finds what was typed.
            found = a.id.in_(t.select(t.article).where(t.text.contains(word)))
            found |= a.title.contains(word)
            cond = found if cond is None else (cond & found)
        return cond

    def _index_condition(self, text: str, ids: TextWindow | None = None) -> pw.Expression:
        a, t = self.m.Article, self.m.ArticleText
        if is_sqlite(self.db):
            if ids is not None and ids.ids is not None:  # the hits as read: no second search
                return a.id.in_(pw.SQL("(SELECT value FROM json_each(?))", [json.dumps(ids.ids)]))
            match = fts_match_expression(text, self.prefix_words)
            if ids is not None:
                return a.id.in_(
                    pw.SQL(
                        "(SELECT rowid FROM article_fts WHERE article_fts MATCH ?"
                        " AND rowid >= ? AND rowid < ?)",
                        [match, ids.low, ids.high],
                    )
                )
            return a.id.in_(
                pw.SQL("(SELECT rowid FROM article_fts WHERE article_fts MATCH ?)", [match])
            )
        ts = pw.fn.to_tsquery("simple", tsquery_expression(text))
        in_text = t.select(t.article).where(
            pw.Expression(pw.fn.to_tsvector("simple", t.text), "@@", ts)
        )
        in_title = pw.Expression(pw.fn.to_tsvector("simple", a.title), "@@", ts)
        return a.id.in_(in_text) | in_title

    def windows(
        self,
        flt: ArticleFilter,
        start: int,
        size: int,
        *,
        descending: bool,
        condition: pw.Expression | None = None,
    ) -> Iterator[TextWindow] | None:
        """Windows of index hits of ``flt.text`` after ``start`` (upwards, or downwards from
        just below it), the first of ``size`` hits and each next one four times larger, the
        last holding the rest of the way; None when the filter cannot go by windows
        (PostgreSQL, or words the index cannot find alone). An id-ordered page of a common
        word reads one window of hits instead of all of them: at a million articles, 15-25 ms
        instead of 85-170 ms. Where the other filters (and ``condition``) keep few articles,
        the windows of :meth:`few_windows` instead."""
        match = self._windows_match(flt.text)
        if match is None:
            return None
        few = self._few(flt, match, start, descending, condition)
        return few if few is not None else self._growing(match, start, size, descending)

    def _windows_match(self, text: str) -> str | None:
        """The MATCH expression of ``text`` if the filter can go by windows of hits."""
        words = search_terms(text)
        if not is_sqlite(self.db) or not words or any(map(has_unspaced_script, words)):
            return None
        return fts_match_expression(" ".join(words), self.prefix_words)

    def few_windows(
        self,
        flt: ArticleFilter,
        start: int,
        *,
        descending: bool,
        condition: pw.Expression | None = None,
    ) -> Iterator[TextWindow] | None:
        """When the filters other than the text (and ``condition``) keep at most
        :data:`FEW_CANDIDATES` articles past ``start``, windows of the text's hits among
        them, :data:`CANDIDATES_A_WINDOW` articles asked about at a time, the last one
        reaching to the end; else None (then the windows of hits in id order are the cheaper
        way). A common word with a filter that keeps none or few of its hits (status done,
        early on) would otherwise read every window of hits."""
        match = self._windows_match(flt.text)
        if match is None:
            return None
        return self._few(flt, match, start, descending, condition)

    def _few(
        self,
        flt: ArticleFilter,
        match: str,
        start: int,
        descending: bool,
        condition: pw.Expression | None,
    ) -> Iterator[TextWindow] | None:
        others = replace(flt, text="")
        if replace(others, annotator=None) == ArticleFilter() and condition is None:
            return None  # nothing else filters: every article is a candidate
        a = self.m.Article
        query = self.project.filtered(others).select(a.id)
        if condition is not None:
            query = query.where(condition)
        if descending:
            query = query.where(a.id < start).order_by(a.id.desc())
        else:
            query = query.where(a.id > start).order_by(a.id)
        rows: Any = query.limit(FEW_CANDIDATES + 1).tuples()
        candidates = [int(r[0]) for r in rows]
        if len(candidates) > FEW_CANDIDATES:
            return None
        if candidates and len(candidates) * HITS_A_SEEK > self._hits_estimate(
            match, start, descending
        ):
            return None  # reading the hits costs less than asking about each candidate
        return self._candidate_windows(match, candidates, start, descending)

    def _hits_estimate(self, match: str, start: int, descending: bool) -> float:
        """Roughly how many hits ``match`` has past ``start``: the id span of its next
        :data:`TEXT_SAMPLE` hits, stretched over the span of ids left (~0.3 ms). Fewer
        hits than that: their number."""
        order, op = ("DESC", "<") if descending else ("", ">")
        rows = self.db.execute_sql(
            f"SELECT rowid FROM article_fts WHERE article_fts MATCH ? AND rowid {op} ?"
            f" ORDER BY rowid {order} LIMIT ?",
            (match, start, TEXT_SAMPLE),
        ).fetchall()
        if len(rows) < TEXT_SAMPLE:
            return len(rows)
        top = self.db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM article").fetchone()[0]
        end = int(rows[-1][0])
        if descending:
            left, spanned = min(start, top + 1) - 1, min(start, top + 1) - end
        else:
            left, spanned = top - start, end - start
        return TEXT_SAMPLE * left / max(spanned, 1)

    def _candidate_windows(
        self, match: str, candidates: list[int], start: int, descending: bool
    ) -> Iterator[TextWindow]:
        edge = start
        for i in range(0, max(len(candidates), 1), CANDIDATES_A_WINDOW):
            part = candidates[i : i + CANDIDATES_A_WINDOW]
            last = i + CANDIDATES_A_WINDOW >= len(candidates)
            hits: tuple[int, ...] = ()
            if part:
                rows = self.db.execute_sql(
                    "SELECT rowid FROM article_fts WHERE article_fts MATCH ?"
                    " AND rowid IN (SELECT value FROM json_each(?))",
                    (match, json.dumps(part)),
                ).fetchall()
                hits = tuple(sorted((int(r[0]) for r in rows), reverse=descending))
            if descending:
                low = 0 if last else part[-1]
                yield TextWindow(low, edge, hits)
                edge = low
            else:
                high = (1 << 62) if last else part[-1] + 1
                yield TextWindow(edge + 1, high, hits)
                edge = high - 1

    def prefix_words(self, word: str) -> list[str] | None:
        return index_terms.prefix_terms(self.db, word)

    def _growing(self, match: str, start: int, size: int, descending: bool) -> Iterator[TextWindow]:
        order, op = ("DESC", "<") if descending else ("", ">")
        query = (
            f"SELECT rowid FROM article_fts WHERE article_fts MATCH ? AND rowid {op} ?"
            f" ORDER BY rowid {order}"
        )
        while True:
            ids: tuple[int, ...] | None = None
            if size > MAX_IDS_WINDOW:  # only where the window ends
                last = self.db.execute_sql(
                    f"{query} LIMIT 1 OFFSET ?", (match, start, size - 1)
                ).fetchone()
                end = None if last is None else int(last[0])
            else:
                rows = self.db.execute_sql(f"{query} LIMIT ?", (match, start, size)).fetchall()
                ids = tuple(int(r[0]) for r in rows)
                end = ids[-1] if len(ids) == size else None
            if descending:
                yield TextWindow(0 if end is None else end, start, ids)
            else:
                yield TextWindow(start + 1, 1 << 62 if end is None else end + 1, ids)
            if end is None:
                return  # that window reached the last hit
            start, size = end, size * 4  # the next window starts past this one's last hit
