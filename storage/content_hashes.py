"""Finding stored articles by content hash: how an import skips texts the project holds
and how labelled records, work packages and imports find the article of a text.

Articles are looked up through the index on the hash's first 64 bits
(``storage.migrations.CONTENT_KEY``, schema 13) and compared whole. A large import into
SQLite runs without that index and holds the project's hashes in memory instead
(:class:`KnownHashes`).
"""

from __future__ import annotations

from typing import Any

from storage.migrations import CONTENT_KEY, CONTENT_KEY_CHARS

#: Content hashes a large import holds in memory (~95 bytes each) before it builds the
#: content-key index after all and looks the rest up there: a million keeps the importer
#: within ~250 MB (a million gen_news articles: 249 MB peak).
KNOWN_HASHES_LIMIT = 1_000_000


class KnownHashes:
    """The content hashes a project holds, in memory, for a large import into SQLite that
    runs without the content-key index (``storage.migrations.without_indexes``).

    It reads the hashes of every article with an id above the last one it has seen, inside
    each batch's write transaction: the articles already there, those the import stored in
    its previous batches, and any a second importer stored meanwhile. So it answers exactly
    what the index would, for ~95 bytes an article (a million 20-byte digests, traced).

    The digests are the keys of a dict, not a set: a dict that holds only bytes, strings
    and None is one Python's cycle collector does not track, while a set always is, and
    every full collection walked all of its entries. A full collection comes every few
    batches, so that walk grew with the import: 1.27 s of full collections in a million's
    storing, 0.03 s in 100,000's; 0.39 s at a million as a dict. The dict costs ~8 bytes
    an article more than the set did.
    """

    def __init__(self) -> None:
        self._digests: dict[bytes | str, None] = {}
        self._upto = 0

    def __len__(self) -> int:
        return len(self._digests)

    def stored(self, cursor: Any, hashes: list[str]) -> set[str]:
        cursor.execute("SELECT id, content_hash FROM article WHERE id > ?", (self._upto,))
        for article_id, key in cursor:  # row by row: the first batch may read many
            self._digests[_digest(key)] = None
            self._upto = max(self._upto, article_id)
        return {h for h in hashes if _digest(h) in self._digests}


def _digest(key: str) -> bytes | str:
    """A hex content hash as its 20 bytes (a third of the string's memory)."""
    try:
        return bytes.fromhex(key)
    except ValueError:  # not a hash this release made: kept as it is
        return key


def ids_by_hash(cursor: Any, p: str, hashes: list[str]) -> dict[str, int]:
    """Ids of the articles that have these content hashes (absent ones are left out).

    Found through the index on the hash's first 64 bits (``storage.migrations.CONTENT_KEY``),
    then compared whole: two texts that share those bits are still two articles."""
    wanted = set(hashes)
    ids: dict[str, int] = {}
    for i in range(0, len(hashes), 500):
        part = sorted({h[:CONTENT_KEY_CHARS] for h in hashes[i : i + 500]})
        cursor.execute(
            f"SELECT content_hash, id FROM article WHERE {CONTENT_KEY} IN"
            f" ({', '.join([p] * len(part))})",
            part,
        )
        ids.update((h, int(article_id)) for h, article_id in cursor.fetchall() if h in wanted)
    return ids
