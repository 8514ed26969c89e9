"""Snapping that fits news text, and one tokenizer for snapping, suggestions and export."""

from __future__ import annotations

import pytest

from core.export.chunks import token_offsets as export_offsets
from core.selection import snap_to_words
from core.suggest.gazetteer import Gazetteer
from core.tokens import token_offsets

NEWS = (
    "Menlu A.S. tiba di Jakarta, Rabu (18/12/2024), membawa Rp 1.500 triliun; \"Jum'at "
    'depan," kata Jean-Pierre soal perang Rusia-Ukraina.'
)


def snapped(sloppy: str, *, extra_start: int = 0, extra_end: int = 0) -> str:
    """Drag from ``extra_start`` characters before to ``extra_end`` after ``sloppy``."""
    at = NEWS.index(sloppy)
    start, end = snap_to_words(NEWS, at - extra_start, at + len(sloppy) + extra_end)
    return NEWS[start:end]


@pytest.mark.parametrize(
    ("drag", "expected"),
    [
        (", Rabu (18/", "Rabu (18/12/2024"),  # the ORG ", Rabu (18/"
        ("18/12", "18/12/2024"),  # never cut at the slash
        ("A.S", "A.S."),  # an abbreviation keeps its dots
        ("Rp 1.5", "Rp 1.500"),
        ("Jum'", "Jum'at"),
        ("an-Pier", "Jean-Pierre"),
        ("Jakarta, ", "Jakarta"),  # comma and space trimmed
        ('"Jum', "Jum'at"),  # quote trimmed
        ("Ukraina.", "Rusia-Ukraina"),  # the full stop is not the name's
        (", ", ""),  # punctuation only: nothing
    ],
)
def test_edges_trim_punctuation_and_keep_what_belongs_to_a_token(drag: str, expected: str) -> None:
    assert snapped(drag) == expected


def test_snapping_suggesting_and_export_share_one_tokenizer() -> None:
    assert export_offsets is token_offsets
    words = {NEWS[a:b] for a, b in token_offsets(NEWS)}
    assert {"A.S.", "18/12/2024", "1.500", "Jum'at", "Jean-Pierre", "Rusia-Ukraina"} <= words


def test_a_labelled_string_is_suggested_in_whole_tokens_and_inside_compounds() -> None:
    g = Gazetteer()
    g.add_phrase("18/12", "DATE")
    g.add_phrase("Rusia", "GPE")
    g.add_phrase("A.S.", "GPE")
    found = [(NEWS[p.start : p.end], p.label) for p in g.match(NEWS)]
    assert found == [("A.S.", "GPE"), ("Rusia", "GPE")]  # not "18/12" inside 18/12/2024


def test_web_and_mail_addresses_and_prefixed_currencies_are_one_token() -> None:
    from core.tokens import token_offsets

    text = "Baca detik.com, https://www.cnbcindonesia.com/news/1 atau a.b@c.co.id: US$5."
    tokens = [text[a:b] for a, b in token_offsets(text)]
    assert "detik.com" in tokens and "https://www.cnbcindonesia.com/news/1" in tokens
    assert "a.b@c.co.id" in tokens and "US$" in tokens
    assert "com" not in tokens and "US" not in tokens
