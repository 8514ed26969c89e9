"""Near-duplicate groups and split assignment: deterministic, stratified, no leaks."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from core.export.splits import Group, assign
from core.neardup import NearDuplicates, band_keys, jaccard, shingles

ROOT = Path(__file__).resolve().parents[2]

REPORT = (
    "Ratusan tentara Korea Utara dilaporkan tewas selama pertempuran dengan pasukan Ukraina "
    "di wilayah perbatasan Kursk, Rusia. Pernyataan yang dilontarkan pejabat senior Amerika "
    "Serikat itu menyoroti peran aktif Korea Utara dalam mendukung upaya perang Rusia, yang "
    "terus memanas sejak invasi ke Ukraina pada Februari 2022. Perkiraan terbaru kami "
    "menunjukkan bahwa Korea Utara telah mengalami beberapa ratus korban jiwa, kata pejabat "
    "tersebut, yang berbicara dengan syarat anonim. Korban berasal dari semua pangkat militer, "
    "yang mencerminkan bahwa pasukan ini belum memiliki pengalaman tempur sebelumnya."
)


def rewrite(text: str, rng: random.Random) -> str:
    """A content-farm rewrite: a typo, a swapped word, a new intro and boilerplate."""
    words = text.split()
    for _ in range(4):
        i = rng.randrange(len(words))
        words[i] = words[i][::-1]
    intro = rng.choice(["Jakarta, Kabarberita –", "JAKARTA, BeritaKita.id -", "Seoul –"])
    outro = rng.choice(["Saksikan video di bawah ini:", "Baca juga: artikel lain", "(luc/luc)"])
    return f"{intro} {' '.join(words)}\n\n{outro}"


def unrelated(rng: random.Random, n: int = 80) -> str:
    vocab = REPORT.lower().replace(",", "").replace(".", "").split() + [
        f"kata{i}" for i in range(300)
    ]
    return " ".join(rng.choice(vocab) for _ in range(n))


def test_rewrites_of_one_report_are_similar_and_shuffled_words_are_not() -> None:
    rng = random.Random(1)
    base = shingles(REPORT)
    assert jaccard(base, shingles(rewrite(REPORT, rng))) >= 0.5
    assert jaccard(base, shingles(unrelated(rng))) < 0.1


def test_shingles_and_band_keys_do_not_depend_on_the_process_hash_seed() -> None:
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from core.neardup import *;"
        f"print(sorted(shingles({REPORT!r})), band_keys(shingles({REPORT!r})))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code, str(ROOT)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert outputs == {f"{sorted(shingles(REPORT))} {band_keys(shingles(REPORT))}\n"}
    assert len(shingles("")) == 0


def test_rewritten_articles_fall_into_one_group_and_others_stay_alone() -> None:
    rng = random.Random(7)
    finder = NearDuplicates()
    texts = (
        [REPORT] + [rewrite(REPORT, rng) for _ in range(5)] + [unrelated(rng) for _ in range(40)]
    )
    for text in texts:
        finder.add(text)
    groups = finder.groups()
    assert set(groups[:6]) == {0}
    assert sorted(groups[6:]) == list(range(6, 46))


def test_assignment_is_deterministic_and_follows_the_fractions_per_stratum() -> None:
    groups = [Group(f"g{i:04d}", 1, "favour" if i % 3 else "against") for i in range(3000)]
    split = (("train", 0.8), ("dev", 0.1), ("test", 0.1))
    first = assign(groups, split, seed=5)
    assert first == assign(list(reversed(groups)), split, seed=5)
    assert first != assign(groups, split, seed=6)
    for stratum in ("favour", "against"):
        keys = [g.key for g in groups if g.stratum == stratum]
        counts = Counter(first[k] for k in keys)
        for name, fraction in split:
            assert abs(counts[name] - fraction * len(keys)) <= 2


def test_small_strata_still_fill_every_split() -> None:
    groups = [Group(f"g{i}", 1, "ab"[i % 2]) for i in range(10)]
    split = (("train", 0.8), ("dev", 0.1), ("test", 0.1))
    assert set(assign(groups, split, seed=0).values()) == {"train", "dev", "test"}


@pytest.mark.parametrize("seed", range(6))
def test_grouped_articles_are_shared_out_in_proportion_and_sizes_follow_the_shares(
    seed: int,
) -> None:
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, 20), 2))
    split = (
        ("train", cuts[0] / 20),
        ("dev", (cuts[1] - cuts[0]) / 20),
        ("test", (20 - cuts[1]) / 20),
    )
    strata = [f"s{i}" for i in range(rng.randint(1, 6))]
    groups = [Group(f"g{i:05d}", rng.randint(2, 16), rng.choice(strata)) for i in range(400)]
    groups += [Group(f"a{i:05d}", 1, rng.choice(strata)) for i in range(4000)]
    rng.shuffle(groups)
    chosen = assign(groups, split, seed=seed)
    assert chosen == assign(sorted(groups, key=lambda g: g.key), split, seed=seed)
    assert set(chosen) == {g.key for g in groups}  # every group whole, in one split
    total = sum(g.size for g in groups)
    grouped = sum(g.size for g in groups if g.size > 1)
    for name, fraction in split:
        size = sum(g.size for g in groups if chosen[g.key] == name)
        assert abs(size - fraction * total) <= 0.01 * total + 16, (name, size)
        held = sum(g.size for g in groups if g.size > 1 and chosen[g.key] == name)
        # In proportion: within a quarter of the share (and one large group) of it.
        assert abs(held - fraction * grouped) <= 0.25 * fraction * grouped + 16, (name, held)
