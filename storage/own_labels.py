"""What the annotators' own labels teach the ``own-labels`` suggester, and taking it back.

A string labelled as an entity is suggested with that label wherever else it occurs: the
suggester's list is every labelled string with its most frequent label
(:meth:`OwnLabels.own_label_gazetteer`, which the project-wide run of
:mod:`storage.suggestion_runs` uses), and right after a label is made
:meth:`OwnLabels.suggest_from_label` suggests it in the articles whose text holds it. What a
label taught lasts only as long as some label still teaches it: when the last entity span
with that string and label goes (undo of the label, delete, bulk undo) or is relabelled,
its own-labels suggestions are removed across the project in the same transaction as the
edit, so no caller of the one write can forget it (``Edits.apply_edit_sets`` calls
:meth:`OwnLabels.retract_taught`, through its hook ``Edits.retract_taught``).

Rejecting an own-labels suggestion turns its string down for that label: the pair is kept in
the project (meta rows ``own-labels-rejected:<hash>``, so no schema change), every
own-labels suggestion of it is removed, and the suggester never proposes it again for that
label. Undoing the rejection forgets the pair.

Strings are compared as the token sequences the suggester matches on
(``core.suggest.gazetteer.tokenize``), so "Joko  Widodo" and "Joko Widodo" are one string.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from core.suggest.gazetteer import Gazetteer, tokenize
from core.text import has_unspaced_script
from storage.database import is_sqlite
from storage.part import ProjectPart
from storage.repeated_lines import BATCH
from storage.search import search_terms

if TYPE_CHECKING:
    from storage.models import ModelClass

SOURCE = "own-labels"
_PREFIX = "own-labels-rejected:"
#: Meta row counting the takings-back, so that a project-wide run that began before one
#: notices it and stores nothing its teacher no longer teaches.
_GENERATION = "own-labels-generation"
#: Ids per statement: well under SQLite's bound-parameter limit.
_CHUNK = 500

#: (label, phrase key): what one string labelled with one label teaches.
Taught = tuple[str, str]
#: (article id, start, end, label) of an entity span or suggestion.
Place = tuple[int, int, int, str]


def phrase_key(surface: str) -> str:
    """The string as the suggester sees it: its tokens joined by one space."""
    return " ".join(t.text for t in tokenize(surface))


class OwnLabels(ProjectPart):
    """What own labels taught, a piece of ``project.suggestions``."""

    if TYPE_CHECKING:  # provided by Suggestions and SuggestionSettings

        def _insert_suggestions(
            self, rows: dict[int, dict[tuple[str, str, int, int], float]], source: str
        ) -> int: ...

        def disabled_sources(self) -> list[str]: ...

    # ---- what own labels teach -----------------------------------------------------------

    def own_label_gazetteer(self) -> Gazetteer:
        """Every string annotators labelled as an entity, with its most frequent label,
        unless that label was turned down for it (:mod:`storage.own_labels`)."""
        gazetteer = Gazetteer()
        for phrase, label in self._own_label_entries().items():
            gazetteer.add_phrase(phrase, label)
        return gazetteer

    def _own_label_taught(self) -> set[tuple[str, str]]:
        """(label, phrase key) of every entry of :meth:`own_label_gazetteer`."""
        return {(label, phrase_key(p)) for p, label in self._own_label_entries().items()}

    def _own_label_entries(self) -> dict[str, str]:
        sp, t = self.m.Span, self.m.ArticleText
        votes: dict[str, Counter[str]] = {}
        rows = (
            sp.select(sp.article, sp.start, sp.end, sp.label, t.text)
            .join(t, on=(t.article == sp.article))
            .where(sp.layer == "entity")
            .order_by(sp.article)
            .tuples()
        )
        for _aid, start, end, label, text in rows.iterator():
            phrase = text[start:end].strip()
            if phrase:
                votes.setdefault(phrase, Counter())[label] += 1
        rejected = self.rejected_phrases()
        out: dict[str, str] = {}
        for phrase, counter in votes.items():
            label = counter.most_common(1)[0][0]
            if (label, phrase_key(phrase)) not in rejected:
                out[phrase] = label
        return out

    def suggest_from_label(self, phrase: str, label: str) -> int:
        """Suggest ``label`` on every other whole-word occurrence of ``phrase`` (source
        ``own-labels``), right after an annotator labelled it. Only articles whose text
        contains the phrase are read; returns how many suggestions were stored.

        Nothing is stored if the string was turned down for ``label``, or once no entity
        span teaches it any more (this runs in the background: the label may have been
        undone meanwhile; each write checks again, under the write lock)."""
        phrase = phrase.strip()
        if "own-labels" in self.disabled_sources() or not phrase:
            return 0
        taught = (label, phrase_key(phrase))
        if taught in self.rejected_phrases():
            return 0
        gazetteer = Gazetteer()
        if not gazetteer.add_phrase(phrase, label):
            return 0
        found: dict[int, dict[tuple, float]] = {}
        for ids in self._phrase_candidates(phrase):
            t = self.m.ArticleText
            for aid, text in t.select(t.article, t.text).where(t.article.in_(ids)).tuples():
                for p in gazetteer.match(text, source="own-labels"):
                    found.setdefault(aid, {})[(p.layer, p.label, p.start, p.end)] = p.score
        if not found:
            return 0
        # Short transactions of a few hundred articles: a label key pressed meanwhile (this
        # runs in the background) never waits long for the write lock.
        stored = 0
        ids = list(found)
        for i in range(0, len(ids), 200):
            with self._write():
                if taught in self.rejected_phrases() or not self._still_taught({taught: phrase}):
                    break
                part = {aid: found[aid] for aid in ids[i : i + 200]}
                stored += self._insert_suggestions(part, "own-labels")
        return stored

    def _phrase_candidates(self, phrase: str) -> Iterator[list[int]]:
        """Pages of ids of articles whose text may hold ``phrase``: from the SQLite full-text
        index as far as it reaches (a phrase query instead of reading every text), by a
        substring scan of the rest (new articles, PostgreSQL, scripts written without spaces,
        which the index keeps as one token per run)."""
        t = self.m.ArticleText
        covered = 0
        words = search_terms(phrase)
        if is_sqlite(self.db) and words and not has_unspaced_script(phrase):
            covered = self.project.fts_mark()
            if covered:
                hits = [
                    r[0]
                    for r in self.db.execute_sql(
                        "SELECT rowid FROM article_fts WHERE article_fts MATCH ? AND rowid <= ?"
                        " ORDER BY rowid",
                        ('"' + " ".join(words) + '"', covered),
                    )
                ]
                for i in range(0, len(hits), BATCH):
                    yield hits[i : i + BATCH]
        after = covered
        while True:
            ids = [
                r[0]
                for r in t.select(t.article)
                .where(t.article > after, t.text.contains(phrase))
                .order_by(t.article)
                .limit(BATCH)
                .tuples()
            ]
            if not ids:
                return
            yield ids
            after = ids[-1]

    # ---- rejected strings ----------------------------------------------------------------

    def rejected_phrases(self) -> set[Taught]:
        """(label, phrase key) pairs an annotator turned down for the own-labels suggester."""
        meta = self.m.Meta
        rows = meta.select(meta.value).where(meta.key.startswith(_PREFIX)).tuples()
        out: set[Taught] = set()
        for (value,) in rows:
            label, key = json.loads(value)
            out.add((str(label), str(key)))
        return out

    @staticmethod
    def _rejection_meta_key(taught: Taught) -> str:
        digest = hashlib.sha1("\x1f".join(taught).encode("utf-8")).hexdigest()
        return _PREFIX + digest

    def _reject_phrases(self, places: Iterable[Place]) -> None:
        """Inside the caller's transaction: turn the strings at ``places`` down for their
        labels, and remove every own-labels suggestion of them."""
        found = self._surfaces(places)
        if not found:
            return
        meta = self.m.Meta
        for taught in found:
            meta.insert(
                key=self._rejection_meta_key(taught), value=json.dumps(list(taught))
            ).on_conflict_ignore().execute()
        self._bump_generation()
        self._remove_taught(found)

    def _unreject_phrases(self, places: Iterable[Place]) -> dict[Taught, str]:
        """Inside the caller's transaction: forget the rejected strings at ``places``;
        returns the forgotten pairs with a surface to suggest them again by."""
        found = self._surfaces(places)
        rejected = self.rejected_phrases()
        gone = {t: s for t, s in found.items() if t in rejected}
        meta = self.m.Meta
        for taught in gone:
            meta.delete().where(meta.key == self._rejection_meta_key(taught)).execute()
        return gone

    def _suggest_again(self, forgotten: dict[Taught, str]) -> None:
        """After a rejection is undone: what labels still teach is suggested again."""
        for (label, _key), surface in sorted(forgotten.items()):
            self.suggest_from_label(surface, label)

    # ---- taking back what a label taught -------------------------------------------------

    def _teaching_generation(self) -> int:
        meta = self.m.Meta
        row = meta.get_or_none(meta.key == _GENERATION)
        return int(row.value) if row is not None else 0

    def _bump_generation(self) -> None:
        """Inside the caller's transaction (which holds the write lock)."""
        meta = self.m.Meta
        value = str(self._teaching_generation() + 1)
        meta.insert(key=_GENERATION, value=value).on_conflict(
            conflict_target=[meta.key], preserve=[meta.value]
        ).execute()

    def retract_taught(self, places: Iterable[Place]) -> int:
        """Inside the caller's transaction, after spans at ``places`` were deleted or
        relabelled: remove the own-labels suggestions of each (label, string) that no
        entity span teaches any more. Returns how many suggestions were removed."""
        found = self._surfaces(places)
        if not found:
            return 0
        self._bump_generation()
        taught = self._still_taught(found)
        return self._remove_taught({t: s for t, s in found.items() if t not in taught})

    def _surfaces(self, places: Iterable[Place]) -> dict[Taught, str]:
        """(label, phrase key) -> the surface string, for each place with words in it."""
        by_article: dict[int, list[tuple[int, int, str]]] = {}
        for aid, start, end, label in places:
            by_article.setdefault(aid, []).append((start, end, label))
        if not by_article:
            return {}
        t = self.m.ArticleText
        out: dict[Taught, str] = {}
        ids = sorted(by_article)
        for i in range(0, len(ids), _CHUNK):
            query = t.select(t.article, t.text).where(t.article.in_(ids[i : i + _CHUNK]))
            for aid, text in query.tuples():
                for start, end, label in by_article[aid]:
                    surface = text[start:end].strip()
                    key = phrase_key(surface)
                    if key:
                        out.setdefault((label, key), surface)
        return out

    def _candidate_surfaces(
        self, model: ModelClass, label: str, surface: str, source: str | None = None
    ) -> Iterator[tuple[int, str]]:
        """(row id, surface) of entity rows of ``model`` (span or suggestion; of ``source``
        only, if given) labelled ``label`` in the articles whose text may hold ``surface``.
        The database cuts the strings out, so texts never leave it. Plain SQL: building the
        same query with peewee for ~2,000 candidate articles cost more CPU than running it
        (a delete's taking back, on the UI thread)."""
        p = self.db.param
        table = model._meta.table_name
        text_table = self.m.ArticleText._meta.table_name
        extra = f" AND m.source = {p}" if source is not None else ""
        cursor = self.db.cursor()
        for ids in self._phrase_candidates(surface):
            cursor.execute(
                f'SELECT m.id, SUBSTR(t.text, m.start + 1, m."end" - m.start) FROM {table} m '
                f"JOIN {text_table} t ON t.article_id = m.article_id "
                f"WHERE m.article_id IN ({', '.join([p] * len(ids))}) "
                f"AND m.layer = {p} AND m.label = {p}{extra}",
                [*ids, "entity", label, *([source] if source is not None else [])],
            )
            yield from cursor.fetchall()

    def _still_taught(self, found: dict[Taught, str]) -> set[Taught]:
        """The pairs of ``found`` some entity span still teaches."""
        sp = self.m.Span
        out: set[Taught] = set()
        for (label, key), surface in found.items():
            for _sid, text in self._candidate_surfaces(sp, label, surface):
                if phrase_key(text) == key:
                    out.add((label, key))
                    break
        return out

    def _remove_taught(self, found: dict[Taught, str]) -> int:
        """Delete the own-labels suggestions of each pair, across the project."""
        s = self.m.Suggestion
        removed = 0
        for (label, key), surface in found.items():
            ids = [
                sid
                for sid, text in self._candidate_surfaces(s, label, surface, SOURCE)
                if phrase_key(text) == key
            ]
            cursor = self.db.cursor()
            for i in range(0, len(ids), _CHUNK):
                some = ids[i : i + _CHUNK]
                cursor.execute(
                    f"DELETE FROM {s._meta.table_name} "
                    f"WHERE id IN ({', '.join([self.db.param] * len(some))})",
                    some,
                )
                removed += cursor.rowcount
        return removed
