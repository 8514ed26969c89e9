"""Reliability coefficients on nominal data: Krippendorff's alpha, Cohen's kappa, percent
agreement. Pure arithmetic over counts, so that callers can feed them a million units
without holding them: alpha keeps how often each *pattern* of values occurred in a unit,
a pair keeps its confusion counts.

Definitions (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"; Cohen 1960):

- alpha = 1 - D_o / D_e. Each unit coded by m >= 2 coders adds its m(m-1) ordered pairs of
  values to a coincidence matrix, each weighted 1/(m-1); units with fewer than two values
  cannot be paired and drop out (that is how missing values are allowed). D_o is the share
  of mismatching pairs in that matrix, D_e the share expected from the values' totals.
- kappa = (p_o - p_e) / (1 - p_e) over the units both coders coded: p_o the share where they
  agree, p_e the agreement expected from each coder's own distribution of values.

A coefficient whose expected disagreement is zero (every value the same) is undefined and
comes back as None, never as a division by zero or a NaN.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass


class NominalAlpha:
    """Krippendorff's alpha for nominal values, fed one unit (or a run of equal units) at a time."""

    def __init__(self) -> None:
        self._patterns: Counter[tuple[Hashable, ...]] = Counter()

    def add(self, values: Iterable[Hashable | None], *, count: int = 1) -> None:
        """One unit's values, one per coder; None is a missing value. ``count`` adds that
        many units alike (every line nobody marked, say) at the cost of one."""
        present = [v for v in values if v is not None]
        if len(present) >= 2 and count > 0:
            self._patterns[tuple(sorted(present, key=repr))] += count

    def merge(self, other: NominalAlpha) -> None:
        """Add the units ``other`` was fed (counted apart, in another process)."""
        self._patterns.update(other._patterns)

    @property
    def units(self) -> int:
        """Pairable units: those with at least two values."""
        return sum(self._patterns.values())

    def coincidences(self) -> dict[tuple[Hashable, Hashable], float]:
        """The coincidence matrix o[c, k] (Krippendorff 2011, section C)."""
        matrix: dict[tuple[Hashable, Hashable], float] = {}
        for pattern, count in self._patterns.items():
            m = len(pattern)
            per_value = Counter(pattern)
            for c, n_c in per_value.items():
                for k, n_k in per_value.items():
                    pairs = n_c * (n_c - 1) if c == k else n_c * n_k
                    if pairs:
                        matrix[c, k] = matrix.get((c, k), 0.0) + count * pairs / (m - 1)
        return matrix

    def value(self) -> float | None:
        matrix = self.coincidences()
        totals: dict[Hashable, float] = defaultdict(float)
        for (c, _), o in matrix.items():
            totals[c] += o
        n = sum(totals.values())
        observed = sum(o for (c, k), o in matrix.items() if c != k)
        expected = (n * n - sum(t * t for t in totals.values())) / (n - 1) if n > 1 else 0.0
        if expected <= 0:
            return None
        return 1.0 - observed / expected


@dataclass
class PairTable:
    """What two coders gave the units both coded: their confusion counts."""

    counts: Counter[tuple[Hashable, Hashable]]

    def __init__(self) -> None:
        self.counts = Counter()

    def add(self, a: Hashable | None, b: Hashable | None, *, count: int = 1) -> None:
        if a is not None and b is not None and count > 0:
            self.counts[a, b] += count

    @property
    def units(self) -> int:
        return sum(self.counts.values())

    def agreement(self) -> float | None:
        """Percent agreement as a share (0..1): units with the same value / units."""
        units = self.units
        if not units:
            return None
        return sum(n for (a, b), n in self.counts.items() if a == b) / units

    def kappa(self) -> float | None:
        units = self.units
        if not units:
            return None
        rows: Counter[Hashable] = Counter()
        cols: Counter[Hashable] = Counter()
        for (a, b), n in self.counts.items():
            rows[a] += n
            cols[b] += n
        observed = sum(n for (a, b), n in self.counts.items() if a == b) / units
        expected = sum(rows[v] * cols[v] for v in rows) / (units * units)
        if expected >= 1.0:
            return None
        return (observed - expected) / (1.0 - expected)


def alpha_of(units: Iterable[Iterable[Hashable | None]]) -> float | None:
    """Alpha of a list of units given as rows of values (None missing): the plain form."""
    alpha = NominalAlpha()
    for unit in units:
        alpha.add(unit)
    return alpha.value()
