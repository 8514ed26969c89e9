"""Normalisation and the code-point ↔ UTF-16 map, on the characters that break naive code."""

from __future__ import annotations

import pytest

from core.text import Utf16Map, content_hash, line_ranges, normalise_text

MIXED = "a👨🏻‍🚒b𠮷c مرحبا e\u0301 😀"


def test_normalise_strips_bom_and_unifies_newlines_only() -> None:
    assert (
        normalise_text("\ufeffJudul\r\nBaris\rlagi\n\n  spasi  ")
        == "Judul\nBaris\nlagi\n\n  spasi  "
    )
    assert normalise_text("nul\x00byte") == "nulbyte"
    assert normalise_text(MIXED) == MIXED


def test_content_hash_ignores_outer_whitespace_only() -> None:
    assert content_hash("Berita\n") == content_hash("Berita")
    assert content_hash("Berita") != content_hash("berita")


def test_utf16_map_round_trips_every_boundary() -> None:
    text = MIXED
    mapping = Utf16Map(text)
    utf16 = text.encode("utf-16-le")
    assert mapping.utf16_length == len(utf16) // 2
    for cp in range(len(text) + 1):
        u16 = mapping.to_utf16(cp)
        assert utf16[: u16 * 2].decode("utf-16-le") == text[:cp]
        assert mapping.to_code_point(u16) == cp


def test_utf16_position_inside_a_surrogate_pair_rounds_down() -> None:
    text = "x𠮷y"
    mapping = Utf16Map(text)
    assert mapping.to_code_point(2) == 1  # between the two halves of 𠮷
    assert mapping.to_code_point(3) == 2


@pytest.mark.parametrize("text", ["", "satu", "satu\ndua\n", "\n\n"])
def test_line_ranges_cover_each_line(text: str) -> None:
    assert [text[s:e] for s, e in line_ranges(text)] == text.split("\n")
