"""What the annotators' own labels teach the ``own-labels`` suggester, and taking it back.

A string labelled as an entity is suggested with that label wherever else it occurs. What a
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
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from core.suggest.gazetteer import tokenize
from storage.part import ProjectPart

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

    if TYPE_CHECKING:  # provided by Project and SuggestionRuns

        def _phrase_candidates(self, phrase: str) -> Iterator[list[int]]: ...
        def suggest_from_label(self, phrase: str, label: str) -> int: ...

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
