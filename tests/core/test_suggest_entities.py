"""Entity suggesters: Prodigy-style patterns and gazetteers matched as whole tokens, fast."""

from __future__ import annotations

import time

import pytest

from core.suggest.gazetteer import Gazetteer, PatternError, read_patterns, tokenize


def texts(text: str, gazetteer: Gazetteer) -> list[tuple[str, str]]:
    return [(p.label, text[p.start : p.end]) for p in gazetteer.match(text)]


def test_a_string_pattern_matches_whole_words_with_the_case_written() -> None:
    g = Gazetteer()
    g.add_pattern({"label": "GPE", "pattern": "Kursk"})
    text = "Kursk, kursk, Kurskaya dan (Kursk)."
    assert [(p.start, p.end) for p in g.match(text)] == [(0, 5), (28, 33)]


def test_token_patterns_use_lower_and_orth() -> None:
    g = Gazetteer()
    g.add_pattern(
        {"label": "PER", "pattern": [{"lower": "kim"}, {"lower": "jong"}, {"orth": "Un"}]}
    )
    assert texts("KIM JONG Un dan kim jong un.", g) == [("PER", "KIM JONG Un")]


def test_the_longest_match_wins_and_matches_never_overlap() -> None:
    g = Gazetteer()
    g.add_phrase("Korea", "GPE")
    g.add_phrase("Korea Utara", "GPE")
    g.add_phrase("Utara Selatan", "LOC")
    assert texts("Korea Utara Selatan; Korea.", g) == [("GPE", "Korea Utara"), ("GPE", "Korea")]


def test_offsets_are_code_points_around_emoji_astral_arabic_and_combining_marks() -> None:
    g = Gazetteer()
    for phrase in ("Kyïv", "𠮷野", "مرحبا", "Jose\u0301"):
        g.add_phrase(phrase, "MISC")
    text = "👨🏻‍🚒 Kyïv 𠮷野 مرحبا Jose\u0301 Jose"
    assert [t for _, t in texts(text, g)] == ["Kyïv", "𠮷野", "مرحبا", "Jose\u0301"]


def test_unusable_pattern_lines_are_reported_with_their_line_number() -> None:
    patterns, problems = read_patterns(
        [
            '{"label": "GPE", "pattern": "Kursk"}',
            "",
            '{"label": "PER", "pattern": [{"pos": "PROPN"}]}',
            '{"pattern": "x"}',
            "[1, 2]",
        ]
    )
    assert patterns == [{"label": "GPE", "pattern": "Kursk"}]
    assert [p.split(":")[0] for p in problems] == ["line 3", "line 4", "line 5"]
    with pytest.raises(PatternError):
        Gazetteer().add_pattern({"label": "X", "pattern": [{"lower": "a", "orth": "A"}]})


def test_fifty_thousand_entries_match_an_article_within_twenty_milliseconds() -> None:
    g = Gazetteer()
    for n in range(50_000):
        g.add_phrase(f"Tokoh{n} Nama{n % 97}", "PER")
        if n % 5 == 0:
            g.add_tokens([(f"kota{n}", True)], "GPE")
    assert g.size == 60_000
    sentences = [f"Tokoh{n} Nama{n % 97} tiba di KOTA{n} kemarin." for n in range(0, 50_000, 97)]
    text = " ".join(sentences[:150])  # ~6,000 characters: a long news article
    timings = []
    for _ in range(5):  # best of five: the machine is shared, a slow run is someone else's
        start = time.perf_counter()
        found = g.match(text)
        timings.append(time.perf_counter() - start)
    assert len(found) == 150 + 30  # every person, and every fifth town
    assert min(timings) < 0.020, f"{min(timings) * 1000:.1f} ms"


def test_tokens_keep_inner_apostrophes_and_split_punctuation() -> None:
    assert [t.text for t in tokenize("Jum'at, O’Brien-Putin.")] == [
        "Jum'at",
        ",",
        "O’Brien",
        "-",
        "Putin",
        ".",
    ]
