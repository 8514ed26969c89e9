"""Which line keys the repeated-line table may hold, in about a byte a key: a Bloom filter.

Most lines of a news project occur in one article only, so most of the lines the count
meets are new, and asking the table about each one costs a B-tree probe that finds
nothing. Once the table outgrows the database's page cache, that probe reads a page from
the operating system for every new line (at a million articles: 8.4 million lines, 6 us a
probe against 2 us at the start), and the count slows down as the project grows. This
filter answers "certainly not stored" for all but a few per cent of those lines in
memory, so the table is asked only about the rest.

The keys are :func:`core.suggest.repeated.line_key`'s: 64-bit hashes written in hex, so
their two halves serve as the filter's two hash functions. A filter never forgets a key it
was given (no false "not stored"); a key it was not given is let through now and then
(:data:`BITS_PER_KEY`), which only costs the probe it would have cost anyway.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Bits a key: with two hash functions, a full filter lets through ~4% of the keys it was
#: not given (measured: 4.5% at 8 bits, 1.3% at 10; a filter below its capacity fewer).
BITS_PER_KEY = 8
#: The fewest keys a filter is made for (a few KB).
MIN_CAPACITY = 4096
_LOW = (1 << 32) - 1


class KeyFilter:
    """The line keys of a repeated-line table, for telling the certainly new ones apart.

    Made for ``capacity`` keys; :attr:`full` says when more were added, after which it
    lets more keys through than it should (still never dropping a stored one): the
    caller makes a larger one then.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = max(int(capacity), MIN_CAPACITY)
        self._bits_total = self.capacity * BITS_PER_KEY
        self._bits = bytearray((self._bits_total + 7) // 8)
        self.keys = 0

    @property
    def full(self) -> bool:
        return self.keys > self.capacity

    def add(self, keys: Iterable[str]) -> None:
        """Remember keys (each a hex line key)."""
        bits, m = self._bits, self._bits_total
        added = 0
        for key in keys:
            value = int(key, 16)
            h = (value & _LOW) % m
            bits[h >> 3] |= 1 << (h & 7)
            h = (value >> 32) % m
            bits[h >> 3] |= 1 << (h & 7)
            added += 1
        self.keys += added

    def maybe_held(self, keys: list[str]) -> list[str]:
        """The keys among ``keys`` that may have been added: every one that was, and a few
        that were not."""
        bits, m = self._bits, self._bits_total
        out = []
        for key in keys:
            value = int(key, 16)
            h = (value & _LOW) % m
            if bits[h >> 3] >> (h & 7) & 1:
                h = (value >> 32) % m
                if bits[h >> 3] >> (h & 7) & 1:
                    out.append(key)
        return out
