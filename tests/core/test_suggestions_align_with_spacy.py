"""Own-labels (gazetteer) suggestions start and end where spaCy's tokens do, so a model
trained on accepted suggestions never sees a label that cuts a token (spaCy is dev-only)."""

from __future__ import annotations

import pytest

from core.suggest.gazetteer import Gazetteer

spacy = pytest.importorskip("spacy")

TEXT = (
    "Harga naik ke US$5 menurut detik.com dan https://www.cnbcindonesia.com/news/2024. "
    "Perang Rusia-Ukraina berlanjut; Presiden AS Joe Biden tiba di Jakarta, Rabu (18/12/2024). "
    "Kontak: redaksi@kabar.co.id. Kim Jong-un bertemu Putin di 𠮷野家 👨🏻‍🚒 القاهرة."
)
LEARNED = {
    "US": "GPE", "com": "ORG", "Rusia": "GPE", "Ukraina": "GPE", "AS": "GPE",
    "Joe Biden": "PER", "Jakarta": "GPE", "12": "DATE", "kabar": "ORG", "Putin": "PER",
    "Kim Jong-un": "PER", "القاهرة": "GPE", "cnbcindonesia": "ORG",
}  # fmt: skip


def test_every_suggestion_lines_up_with_spacy_tokens() -> None:
    gazetteer = Gazetteer()
    for phrase, label in LEARNED.items():
        gazetteer.add_phrase(phrase, label)
    found = gazetteer.match(TEXT, source="own-labels")
    assert {TEXT[p.start : p.end] for p in found} >= {"Rusia", "Ukraina", "Joe Biden", "Putin"}
    doc = spacy.blank("xx")(TEXT)
    misaligned = [TEXT[p.start : p.end] for p in found if doc.char_span(p.start, p.end) is None]
    assert misaligned == []
    # inside a web address, an e-mail address, a currency or a date nothing is suggested
    assert not {"US", "com", "kabar", "12", "cnbcindonesia"} & {
        TEXT[p.start : p.end] for p in found
    }
