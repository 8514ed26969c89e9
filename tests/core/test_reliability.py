"""Alpha and kappa against the reference implementations and Krippendorff's worked example."""

from __future__ import annotations

import math
import random

import pytest

from core.reliability import NominalAlpha, PairTable, alpha_of

krippendorff = pytest.importorskip("krippendorff")
np = pytest.importorskip("numpy")
metrics = pytest.importorskip("sklearn.metrics")

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four coders,
# twelve units, nominal data with missing values; alpha = 0.743.
WORKED = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def _units(coders: list[list[object]]) -> list[list[object]]:
    return [list(unit) for unit in zip(*coders, strict=True)]


def test_worked_example_of_krippendorff_2011_gives_0_743() -> None:
    assert round(alpha_of(_units(WORKED)), 3) == 0.743


def test_worked_example_counts_only_the_eleven_pairable_units() -> None:
    alpha = NominalAlpha()
    for unit in _units(WORKED):
        alpha.add(unit)
    assert alpha.units == 11  # unit 12 has one value
    # Section C's coincidence totals: n_1 = 9, n_2 = 13, n_3 = 10, n_4 = 5, n_5 = 3; n = 40.
    totals: dict[object, float] = {}
    for (c, _), o in alpha.coincidences().items():
        totals[c] = totals.get(c, 0.0) + o
    assert {k: round(v, 9) for k, v in totals.items()} == {1: 9, 2: 13, 3: 10, 4: 5, 5: 3}


def _generated(
    seed: int, coders: int, units: int, values: int, missing: float
) -> list[list[int | None]]:
    rng = random.Random(seed)
    rows: list[list[int | None]] = []
    truth = [rng.randrange(values) for _ in range(units)]
    for _ in range(coders):
        row: list[int | None] = []
        for t in truth:
            if rng.random() < missing:
                row.append(None)
            else:
                row.append(t if rng.random() < 0.7 else rng.randrange(values))
        rows.append(row)
    return rows


@pytest.mark.parametrize(
    ("seed", "coders", "units", "values", "missing"),
    [(1, 2, 50, 2, 0.0), (2, 3, 200, 4, 0.2), (3, 5, 300, 3, 0.45), (4, 4, 40, 6, 0.3)],
)
def test_alpha_equals_the_krippendorff_package_on_generated_data_with_missing_values(
    seed: int, coders: int, units: int, values: int, missing: float
) -> None:
    rows = _generated(seed, coders, units, values, missing)
    data = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert alpha_of(_units(rows)) == pytest.approx(expected, abs=1e-12)


def test_alpha_of_runs_added_at_once_equals_alpha_of_units_added_one_by_one() -> None:
    rows = _generated(7, 3, 120, 3, 0.1)
    one_by_one = alpha_of(_units(rows))
    counted = NominalAlpha()
    for unit in _units(rows):
        counted.add(unit)
    counted.add([0, 0, 0], count=500)
    plain = alpha_of(_units(rows) + [[0, 0, 0]] * 500)
    assert counted.value() == pytest.approx(plain, abs=1e-12)
    assert plain != pytest.approx(one_by_one)


def test_alpha_is_none_when_every_value_is_the_same() -> None:
    assert alpha_of([[1, 1], [1, 1, None], [1, 1, 1]]) is None
    assert alpha_of([[1, None], [None, 2]]) is None  # nothing pairable


@pytest.mark.parametrize(("seed", "values", "missing"), [(1, 2, 0.0), (2, 4, 0.25), (3, 7, 0.4)])
def test_kappa_and_agreement_equal_scikit_learn_over_units_both_coded(
    seed: int, values: int, missing: float
) -> None:
    a, b = _generated(seed, 2, 400, values, missing)
    table = PairTable()
    for va, vb in zip(a, b, strict=True):
        table.add(va, vb)
    both = [(va, vb) for va, vb in zip(a, b, strict=True) if va is not None and vb is not None]
    y1, y2 = [x for x, _ in both], [y for _, y in both]
    assert table.units == len(both)
    assert table.kappa() == pytest.approx(metrics.cohen_kappa_score(y1, y2), abs=1e-12)
    assert table.agreement() == pytest.approx(sum(x == y for x, y in both) / len(both))


def test_kappa_of_string_labels_equals_scikit_learn() -> None:
    y1 = ["pro", "contra", "pro", "neutral", "pro", "contra", "neutral", "pro"]
    y2 = ["pro", "contra", "contra", "neutral", "pro", "pro", "pro", "pro"]
    table = PairTable()
    for x, y in zip(y1, y2, strict=True):
        table.add(x, y)
    assert table.kappa() == pytest.approx(metrics.cohen_kappa_score(y1, y2), abs=1e-12)


def test_kappa_is_none_when_both_coders_use_one_value_only() -> None:
    table = PairTable()
    table.add("x", "x", count=5)
    assert table.agreement() == 1.0
    assert table.kappa() is None
    assert PairTable().kappa() is None and PairTable().agreement() is None
    assert not math.isnan(table.agreement())
