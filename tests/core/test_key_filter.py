"""The filter of stored line keys: never drops a key it was given, lets few others through."""

from __future__ import annotations

from core.suggest import key_filter
from core.suggest.key_filter import KeyFilter
from core.suggest.repeated import line_key


def _keys(prefix: str, n: int) -> list[str]:
    """Real line keys (hex 64-bit hashes) of n distinct lines."""
    keys = [line_key(f"{prefix} line number {i} of the article") for i in range(n)]
    assert all(k is not None for k in keys)
    return [k for k in keys if k is not None]


def test_every_key_added_is_held_and_most_others_are_not() -> None:
    added, others = _keys("stored", 20_000), _keys("new", 20_000)
    keys = KeyFilter(len(added))
    keys.add(added[:10_000])
    keys.add(iter(added[10_000:]))  # any iterable
    assert keys.keys == len(added) and not keys.full
    assert keys.maybe_held(added) == added
    let_through = len(keys.maybe_held(others)) / len(others)
    assert 0 < let_through < 0.06  # ~4% at capacity with BITS_PER_KEY = 8


def test_a_filter_past_its_capacity_says_so_and_still_holds_every_key() -> None:
    added = _keys("stored", 3 * key_filter.MIN_CAPACITY)
    keys = KeyFilter(1)
    assert keys.capacity == key_filter.MIN_CAPACITY
    keys.add(added[: key_filter.MIN_CAPACITY])
    assert not keys.full
    keys.add(added[key_filter.MIN_CAPACITY :])
    assert keys.full
    assert keys.maybe_held(added) == added


def test_an_empty_filter_holds_nothing() -> None:
    assert KeyFilter(100).maybe_held(_keys("new", 1000)) == []
