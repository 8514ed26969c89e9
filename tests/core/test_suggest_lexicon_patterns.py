"""Lexicon patterns are matched as searching each of them in the line would, although the
anchored ones are tried together and plain ASCII phrases are looked for before searching."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.suggest.base import split_lines
from core.suggest.lexicon import Lexicon
from resources import resource_path

GOLD = Path(__file__).resolve().parent.parent / "fixtures" / "boilerplate_gold.jsonl"


@pytest.mark.parametrize(
    ("pattern", "line", "expected"),
    [
        (r"^(?:baca|lihat)\s+juga", "Lihat juga: 𠮷野 家 buka cabang", True),
        (r"^(?:baca|lihat)\s+juga", "Berita lain, lihat juga", False),
        (r"^baca|selengkapnya", "Klik di sini selengkapnya", True),  # "|" outside: anywhere
        (r"^[](]x|y", "zzy", True),  # "]" first in brackets is a character, "|" is outside
        (r"^(a)\1", "AA", True),  # a group: never joined (its number would change)
        (r"^(?:اقرأ)\s+أيضا", "اقرأ أيضا: القاهرة", True),
        (r"\ball rights reserved\b", "© 2024 Kabar 📰. ALL RIGHTS RESERVED", True),
        (r"\ball rights reserved\b", "© 2024 Kabar. All Rights Reserved.", True),
        (r"\ball rights reserved\b", "all rightſ reserved", True),  # "ſ" folds to "s"
        (r"\ball rights reserved\b", "overall rights reserved", False),
        (r"all rights", "ALL RIGHTS\r", True),
    ],
)
def test_a_pattern_matches_a_line_as_searching_it_would(
    pattern: str, line: str, expected: bool
) -> None:
    assert bool(re.compile(pattern, re.IGNORECASE).search(line)) is expected
    # Beside other anchored patterns, so that the anchored ones are joined.
    lexicon = Lexicon.from_data([{"patterns": [r"^tonton\b", pattern, r"^\(ant\)$"]}])
    assert lexicon.matches(line) is expected


def test_the_bundled_patterns_match_the_gold_lines_as_searching_each_would() -> None:
    folder = resource_path("lexicons")
    patterns = [
        p
        for f in sorted(folder.glob("*.json"))
        for p in json.loads(f.read_text("utf-8")).get("patterns", [])
    ]
    lexicon = Lexicon.from_data([{"patterns": patterns}])  # no phrases: patterns alone
    compiled = [re.compile(p, re.IGNORECASE) for p in patterns]
    lines = [
        line.text
        for record in GOLD.read_text("utf-8").splitlines()
        if record.strip()
        for line in split_lines(json.loads(record)["text"])
        if line.text
    ]
    lines += ["(ant/luc)", "Read more: Kyïv", "Copyright © 2024 𠮷野", "جميع الحقوق محفوظة"]
    expected = [any(p.search(t) for p in compiled) for t in lines]
    assert [lexicon.matches(t) for t in lines] == expected
    assert sum(expected) >= 20
