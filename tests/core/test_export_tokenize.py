"""The export tokenizer: code-point offsets, whole graphemes, cuts at span edges."""

from __future__ import annotations

from core.tokens import token_offsets, token_range, tokenize

HARD = "Le café\u0301 👨🏻‍🚒 di 𠮷野家, قال مسؤول 🇮🇩 anak-anak (18/12/2024)."


def test_every_token_is_the_text_at_its_offsets_and_no_letter_is_lost() -> None:
    tokens = tokenize(HARD)
    for token in tokens:
        assert HARD[token.start : token.end] == token.text
    rebuilt = "".join(t.text + (" " if t.ws else "") for t in tokens)
    assert rebuilt.replace(" ", "") == HARD.replace(" ", "")


def test_emoji_sequences_combining_marks_and_flags_stay_whole() -> None:
    texts = [t.text for t in tokenize(HARD)]
    assert "café\u0301" in texts
    assert "👨🏻‍🚒" in texts
    assert "🇮🇩" in texts
    assert "anak-anak" in texts
    assert "18/12/2024" in texts


def test_ideographs_are_one_token_each_and_arabic_words_are_whole() -> None:
    texts = [t.text for t in tokenize(HARD)]
    assert texts[texts.index("𠮷") : texts.index("𠮷") + 3] == ["𠮷", "野", "家"]
    assert "مسؤول" in texts


def test_a_cut_inside_a_token_splits_it_there() -> None:
    assert token_offsets("Jakarta-based firm", [7]) == [(0, 7), (7, 13), (14, 18)]


def test_token_range_is_inclusive_and_none_for_a_span_over_spaces_only() -> None:
    offsets = token_offsets("Joko  Widodo tiba")
    starts, ends = [s for s, _ in offsets], [e for _, e in offsets]
    assert token_range(starts, ends, 0, 12) == (0, 1)
    assert token_range(starts, ends, 4, 6) is None
