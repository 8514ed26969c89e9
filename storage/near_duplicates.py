"""Near-duplicate groups kept in the project, updated as articles arrive.

Two tables (schema step ``_v9_near_duplicates``):

- ``near_duplicate``: one row per grouped article, its ``group_id`` (the smallest article
  id of its group; an article alone has ``group_id`` = its own id);
- ``near_duplicate_key``: the LSH keys of every grouped article (both signals, 32 bits),
  so that a new article finds its candidates with an index look-up instead of a pass over
  the project.

Articles without a ``near_duplicate`` row are grouped in batches, in id order: each one's
candidates are the stored articles (and batch mates) sharing a key; each candidate pair is
decided by :func:`core.neardup.near_duplicates` on the exact similarities of the two texts
(the candidates' texts are read again; nothing estimated is stored as a decision); joined
groups take the smaller ``group_id``. One batch is one transaction, so a stop part-way
leaves a consistent project and the next run goes on from there.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import peewee as pw

from core.neardup import BUCKET_PEERS, all_band_keys, fingerprint, near_duplicates
from storage.database import is_sqlite
from storage.models import make_near_duplicate_models

if TYPE_CHECKING:
    from storage.models import Models

BATCH = 200
_CHUNK = 500
#: Fingerprints kept between batches (~2 kB each for a 3,000-character article).
_CACHE = 8000


@dataclass(frozen=True, slots=True)
class NearDuplicateProgress:
    phase: str  # "near-duplicates"
    done: int
    total: int


@dataclass(slots=True)
class NearDuplicateReport:
    """``found``: articles of this run that joined a group holding an earlier article;
    ``found_ids`` lists them (capped by nothing: an import's own articles)."""

    articles: int = 0
    found: int = 0
    found_ids: list[int] = field(default_factory=list)
    cancelled: bool = False


class NearDuplicateMixin:
    """Mixed into ``Project``; relies on ``db``, ``m``, ``_write`` and the settings."""

    db: pw.Database
    m: Models

    def _nd_models(self) -> tuple[Any, Any]:
        models = getattr(self, "_near_duplicate_models", None)
        if models is None:
            models = make_near_duplicate_models(self.db)
            self._near_duplicate_models = models
        return models

    def _ungrouped(self) -> pw.ModelSelect:
        a = self.m.Article
        group_model, _ = self._nd_models()
        grouped = group_model.select(group_model.article).where(group_model.article == a.id)
        return a.select(a.id).where(~pw.fn.EXISTS(grouped))

    def pending_near_duplicates(self) -> int:
        """Articles not grouped yet."""
        return self._ungrouped().count()

    def update_near_duplicates(
        self,
        *,
        on_progress: Callable[[NearDuplicateProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> NearDuplicateReport:
        """Group the articles not grouped yet with everything grouped before them."""
        report = NearDuplicateReport()
        total = self.pending_near_duplicates()
        t = self.m.ArticleText
        while True:
            if should_stop and should_stop():
                report.cancelled = True
                break
            with self._write():  # type: ignore[attr-defined]
                if not is_sqlite(self.db):
                    # Two processes grouping at once (the app's catch-up and an export)
                    # would both pick the same ungrouped articles; SQLite's IMMEDIATE write
                    # transaction already serialises them, PostgreSQL needs a lock.
                    self.db.execute_sql("SELECT pg_advisory_xact_lock(72530015)")
                query: Any = self._ungrouped().order_by(self.m.Article.id).limit(BATCH)
                ids = [int(row[0]) for row in query.tuples()]
                if not ids:
                    break
                rows = list(
                    t.select(t.article, t.text)
                    .where(t.article.in_(ids))
                    .order_by(t.article)
                    .tuples()
                )
                self._group_batch(rows, report)
            report.articles += len(rows)
            if on_progress:
                on_progress(NearDuplicateProgress("near-duplicates", report.articles, total))
        return report

    def _group_batch(self, rows: list[tuple[int, str]], report: NearDuplicateReport) -> None:
        prints: dict[int, tuple[array, array]] = {}
        keys: dict[int, list[int]] = {}
        for aid, text in rows:
            prints[aid] = fingerprint(text)
            keys[aid] = all_band_keys(*prints[aid])
        # Candidates: stored articles sharing a key (at most BUCKET_PEERS per key), then
        # earlier articles of this batch.
        wanted = sorted({k for ks in keys.values() for k in ks})
        holders: dict[int, list[int]] = {}
        p = self.db.param
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            # Raw SQL: peewee builds a 500-value IN list ~40x slower than SQLite runs it.
            cursor = self.db.execute_sql(
                'SELECT "key", "article_id" FROM "near_duplicate_key" WHERE "key" IN '
                f"({', '.join([p] * len(chunk))})",
                chunk,
            )
            for key, other in cursor.fetchall():
                holders.setdefault(key, []).append(other)
        for peers in holders.values():
            peers.sort()
        group_of: dict[int, int] = {}
        candidates: dict[int, set[int]] = {}
        # A key is stored for its first BUCKET_PEERS articles only: later ones compare with
        # those (as the in-memory grouping does), and a key every article of a site shares
        # costs 32 rows, not one per article.
        new_keys: list[tuple[int, int]] = []
        for aid, _ in rows:
            mine = candidates.setdefault(aid, set())
            for key in sorted(set(keys[aid])):
                peers = holders.setdefault(key, [])
                mine.update(peers)
                if len(peers) < BUCKET_PEERS:
                    peers.append(aid)
                    new_keys.append((key, aid))
            mine.discard(aid)
        cache = self._nd_fingerprints()
        others = sorted({o for c in candidates.values() for o in c} - prints.keys())
        missing = []
        for other in others:
            cached = cache.pop(other, None)
            if cached is None:
                missing.append(other)
            else:
                prints[other] = cache[other] = cached  # most recently used last
        for i in range(0, len(missing), _CHUNK):
            t = self.m.ArticleText
            for other, text in (
                t.select(t.article, t.text).where(t.article.in_(missing[i : i + _CHUNK])).tuples()
            ):
                prints[other] = cache[other] = fingerprint(text)
        for aid, _ in rows:
            cache[aid] = prints[aid]
        while len(cache) > _CACHE:
            del cache[next(iter(cache))]
        for other, gid in self._stored_groups(others):
            group_of[other] = gid
        for aid, _ in rows:
            group_of[aid] = aid

        def find(x: int) -> int:
            while group_of.get(x, x) != x:
                x = group_of[x]
            return x

        batch = {aid for aid, _ in rows}
        merged: dict[int, int] = {}  # stored group id -> the group it joins
        for aid, _ in rows:
            words = prints[aid][0]
            words_set = set(words)
            joined_earlier = False
            for other in sorted(candidates[aid]):
                if other not in prints:
                    continue
                if find(other) == find(aid):
                    joined_earlier = joined_earlier or other < aid
                    continue
                skeletons = (prints[aid][1], prints[other][1])
                if near_duplicates(words, prints[other][0], skeletons, words_a_set=words_set):
                    ra, rb = find(aid), find(other)
                    low, high = min(ra, rb), max(ra, rb)
                    group_of[high] = low
                    if high not in batch:  # a stored group: its rows move too
                        merged[high] = low
                    joined_earlier = joined_earlier or other < aid
            if joined_earlier:
                report.found += 1
                report.found_ids.append(aid)
        cursor = self.db.cursor()
        cursor.executemany(
            f'INSERT INTO "near_duplicate" ("article_id", "group_id") VALUES ({p}, {p})',
            [(aid, find(aid)) for aid, _ in rows],
        )
        cursor.executemany(
            f'INSERT INTO "near_duplicate_key" ("key", "article_id") VALUES ({p}, {p})',
            new_keys,
        )
        if merged:
            cursor.executemany(
                f'UPDATE "near_duplicate" SET "group_id" = {p} WHERE "group_id" = {p}',
                [(find(gid), gid) for gid in sorted(merged)],
            )

    def _nd_fingerprints(self) -> dict[int, tuple[array, array]]:
        """Recently read candidates' fingerprints: the first articles of busy keys are
        everyone's candidates, and hashing their texts again each batch would dominate."""
        cache = getattr(self, "_near_duplicate_cache", None)
        if cache is None:
            cache = {}
            self._near_duplicate_cache = cache
        return cache

    def _stored_groups(self, ids: list[int]) -> list[tuple[int, int]]:
        group_model, _ = self._nd_models()
        out: list[tuple[int, int]] = []
        for i in range(0, len(ids), _CHUNK):
            out += list(
                group_model.select(group_model.article, group_model.group_id)
                .where(group_model.article.in_(ids[i : i + _CHUNK]))
                .tuples()
            )
        return out

    def _first_of_group_condition(self) -> pw.Expression:
        """An article that no group lists under a smaller id (a group's id is its first)."""
        a = self.m.Article
        group_model, _ = self._nd_models()
        later = group_model.select(group_model.article).where(
            group_model.article == a.id, group_model.group_id != a.id
        )
        return ~pw.fn.EXISTS(later)

    def near_duplicate_counts(self, ids: list[int]) -> dict[int, int]:
        """For these articles, how many other articles their group holds (absent: none).
        One query, so that decorating a page of the list stays a fixed number of them."""
        group_model, _ = self._nd_models()
        mate = group_model.alias("mate")
        query = (
            group_model.select(group_model.article, pw.fn.COUNT(mate.article))
            .join(mate, on=(mate.group_id == group_model.group_id))
            .where(group_model.article.in_(ids))
            .group_by(group_model.article)
            .tuples()
        )
        return {aid: n - 1 for aid, n in query if n > 1}

    def near_duplicates_of(self, article_id: int) -> list[int]:
        """The other articles of ``article_id``'s group, by id (empty: none, or not grouped
        yet)."""
        group_model, _ = self._nd_models()
        gid = (
            group_model.select(group_model.group_id)
            .where(group_model.article == article_id)
            .scalar()
        )
        if gid is None:
            return []
        return [
            aid
            for (aid,) in group_model.select(group_model.article)
            .where(group_model.group_id == gid, group_model.article != article_id)
            .order_by(group_model.article)
            .tuples()
        ]

    def near_duplicate_group_ids(self) -> dict[int, int]:
        """Article id -> group id, for the articles in groups of two or more."""
        group_model, _ = self._nd_models()
        counted = (
            group_model.select(group_model.group_id)
            .group_by(group_model.group_id)
            .having(pw.fn.COUNT(group_model.article) > 1)
        )
        return dict(
            group_model.select(group_model.article, group_model.group_id)
            .where(group_model.group_id.in_(counted))
            .tuples()
        )

    def near_duplicate_groups(self) -> list[list[int]]:
        """Every group of two or more articles (ids ascending), largest first."""
        group_model, _ = self._nd_models()
        members: dict[int, list[int]] = {}
        query = (
            group_model.select(group_model.group_id, group_model.article)
            .order_by(group_model.article)
            .tuples()
        )
        for gid, aid in query:
            members.setdefault(gid, []).append(aid)
        groups = [m for m in members.values() if len(m) > 1]
        return sorted(groups, key=lambda m: (-len(m), m[0]))
